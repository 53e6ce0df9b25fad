// `fibscope serve` as a child process, for the tests that run the real command: started on a
// free port, its address read from the line it logs, its output collected.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** The command line under test: the build, or FIBSCOPE_CLI (a build elsewhere). */
export const CLI = process.env.FIBSCOPE_CLI ?? new URL('../../dist/cli.js', import.meta.url).pathname;

/** Why the serve tests cannot run, or undefined when they can. */
export function serveUnavailable(): string | undefined {
  const help = spawnSync(process.execPath, [CLI, 'serve', '--help'], { encoding: 'utf8' });
  // an unknown command with --help prints the program's help and exits 0: look for ours
  if (help.status === 0 && help.stdout.includes('Usage: fibscope serve')) return undefined;
  return `${CLI} has no serve command (wire src/cli/serve.ts into src/cli.ts and build, or set FIBSCOPE_CLI)`;
}

export interface ServeProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT (https:// with --tls-cert) */
  base: string;
  /** Resolves when it exits, with its status and everything it wrote. */
  exited: Promise<{ status: number | null; stdout: string; stderr: string }>;
  stderr(): string;
}

/** Starts `fibscope serve ARGS --listen 127.0.0.1:0` and waits until it listens. */
export async function startServe(args: string[], stdin: 'pipe' | 'ignore' = 'pipe'): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], { stdio: [stdin, 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (status) => resolve({ status, stdout, stderr })));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 10_000);
    const look = () => {
      const match = /serving (https?:\/\/[^/\s]+)\//.exec(stderr);
      if (match) {
        clearTimeout(timer);
        child.stderr!.off('data', look);
        resolve(match[1]);
      }
    };
    child.stderr!.on('data', look);
    void exited.then(({ status }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${status} before listening: ${stderr}`));
    });
  });
  return { child, base, exited, stderr: () => stderr };
}

/** One sample of a /metrics text: `series` is the name with its label text, as written. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** Every sample of one metric family in a /metrics text, by label text (`{address="…"}`, or '' without labels). */
export function familySamples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(name.length, space), Number(line.slice(space + 1)));
  }
  return out;
}

/** The sum of a family's samples. */
export const sumOfSamples = (samples: Map<string, number>): number => [...samples.values()].reduce((a, b) => a + b, 0);

/** Polls `check` until it returns true or `ms` pass; resolves either way (the caller asserts). */
export async function waitFor(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
