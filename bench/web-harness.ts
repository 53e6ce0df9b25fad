// The browser demo under test: build it with Vite, serve it on a free localhost port (vite
// preview), and drive Debian's Chromium headless with playwright-core. Shared by the browser
// benchmark and the end-to-end test (web/test/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { build, preview } from 'vite';

export const CHROMIUM = '/usr/bin/chromium';

/** Headless, and nothing that talks to the network on the browser's own account. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The repository: the nearest folder above this file (in bench/ or build/bench/) with the package.json. */
export const ROOT = (() => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'fibscope') return dir;
  }
  throw new Error('the fibscope repository was not found above bench/');
})();

const CONFIG = join(ROOT, 'web', 'vite.config.ts');

/** `npm run build:web`: the static site in web/dist. */
export async function buildSite(): Promise<void> {
  await build({ configFile: CONFIG, logLevel: 'warn' });
}

export interface Site {
  /** http://127.0.0.1:PORT/ */
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** Serves web/dist on 127.0.0.1 at a port the system picks. */
export async function serveSite(): Promise<Site> {
  const server = await preview({ configFile: CONFIG, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
  const address = server.httpServer.address() as AddressInfo;
  const origin = `http://127.0.0.1:${address.port}`;
  return { url: `${origin}/`, origin, close: () => server.close() };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
