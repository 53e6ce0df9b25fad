// dist/bin.js as the package's bin runs it. Node 22.1 and later keep compiled code between runs
// themselves; Node 20 runs the command line's CommonJS bundle from a code cache of fibscope's own
// (src/code-cache.ts), one file per command in the user's cache directory. Either way the output
// is dist/cli.js's, byte for byte. The CI runs this file on Node 20, 22 and 24.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/temp-dir.js';

const BIN = new URL('../dist/bin.js', import.meta.url).pathname;
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const ROUTES = new URL('../samples/routes.txt', import.meta.url).pathname;
const CAPTURE = new URL('../samples/edge.pcap', import.meta.url).pathname;
/** Node keeps its own cache: fibscope keeps none. */
const nodeCaches = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

const dir = tempDir('fibscope-code-cache-');

function run(program: string, args: string[], cacheHome: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [program, ...args], {
    encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, NODE_DISABLE_COMPILE_CACHE: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const ANALYZE = ['analyze', '--no-progress', '-r', ROUTES, '-f', 'json', CAPTURE];
const cacheFiles = (cacheHome: string) => {
  const directory = join(cacheHome, 'fibscope');
  return existsSync(directory) ? readdirSync(directory).sort() : [];
};

describe('the bin and its code cache', () => {
  it('gives dist/cli.js\'s report on the first run and on the cached one; on Node 20, one cache file per command, kept while V8 takes it', () => {
    const cacheHome = mkdtempSync(join(dir, 'home-'));
    const expected = run(CLI, ANALYZE, cacheHome);
    expect(expected.status, expected.stderr).toBe(0);
    expect(cacheFiles(cacheHome)).toEqual([]);

    // an older fibscope's cache for the same command, and another command's
    const older = `cli-analyze-${process.version}-${process.arch}-deadbeef-12.bin`;
    const other = `cli-lookup-${process.version}-${process.arch}-deadbeef-12.bin`;
    if (!nodeCaches) {
      mkdirSync(join(cacheHome, 'fibscope'));
      for (const name of [older, other]) writeFileSync(join(cacheHome, 'fibscope', name), 'old');
    }
    const first = run(BIN, ANALYZE, cacheHome);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(expected.stdout);
    expect(first.stderr).toBe('');
    if (nodeCaches) {
      expect(cacheFiles(cacheHome)).toEqual([]);
      return;
    }
    // the older one replaced, the other command's kept
    const [made] = cacheFiles(cacheHome).filter((name) => name !== other);
    expect(cacheFiles(cacheHome)).toEqual([made, other].sort());
    expect(made).toMatch(new RegExp(`^cli-analyze-${process.version.replace(/\./g, '\\.')}-${process.arch}-[0-9a-f]+-\\d+\\.bin$`));
    const path = join(cacheHome, 'fibscope', made);
    const mode = statSync(path).mode & 0o777;
    expect(mode).toBe(0o600);
    const written = statSync(path).mtimeMs;

    const cached = run(BIN, ANALYZE, cacheHome);
    expect(cached.status, cached.stderr).toBe(0);
    expect(cached.stdout).toBe(expected.stdout);
    // taken, so not written again
    expect(statSync(path).mtimeMs).toBe(written);

    expect(run(BIN, ['--version'], cacheHome).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cacheFiles(cacheHome)).toHaveLength(3);
  });

  it.skipIf(nodeCaches)('refuses a damaged cache file, runs as without one, and writes it again', () => {
    const cacheHome = mkdtempSync(join(dir, 'home-'));
    const expected = run(CLI, ANALYZE, cacheHome).stdout;
    expect(run(BIN, ANALYZE, cacheHome).status).toBe(0);
    const path = join(cacheHome, 'fibscope', cacheFiles(cacheHome)[0]);
    const garbage = Buffer.alloc(4096, 0x5a);
    writeFileSync(path, garbage);
    const again = run(BIN, ANALYZE, cacheHome);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(expected);
    expect(readFileSync(path).equals(garbage)).toBe(false);
    expect(statSync(path).size).toBeGreaterThan(100_000);
  });

  it.skipIf(nodeCaches)('keeps no cache with NODE_DISABLE_COMPILE_CACHE=1, or without a directory to keep it in', () => {
    const cacheHome = mkdtempSync(join(dir, 'home-'));
    const disabled = run(BIN, ANALYZE, cacheHome, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(disabled.status, disabled.stderr).toBe(0);
    expect(cacheFiles(cacheHome)).toEqual([]);
    // a cache directory that cannot be made (a file in its place): the run is only slower
    const blocked = mkdtempSync(join(dir, 'home-'));
    writeFileSync(join(blocked, 'fibscope'), 'not a directory');
    const unwritable = run(BIN, ANALYZE, blocked);
    expect(unwritable.status, unwritable.stderr).toBe(0);
    expect(unwritable.stdout).toBe(run(CLI, ANALYZE, blocked).stdout);
  });

  it('gives dist/cli.js\'s exit statuses and messages for bad input', () => {
    const cacheHome = mkdtempSync(join(dir, 'home-'));
    for (const args of [['analyze', '-r', join(dir, 'missing.txt'), CAPTURE], ['analyze', '--no-such-flag']]) {
      const bin = run(BIN, args, cacheHome);
      const cli = run(CLI, args, cacheHome);
      expect(bin.status).toBe(2);
      expect(bin.status).toBe(cli.status);
      expect(bin.stderr).toBe(cli.stderr);
    }
  });
});
