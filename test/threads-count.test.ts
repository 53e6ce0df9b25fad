// How many threads `analyze` reads on: the cores available by default, and no worker whose
// share of the bytes would not pay for its start and its copy of the table.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { threadsWorthUsing, workerWorthBytes } from '../src/threads/thread-count.js';
import { pcap, LINKTYPE } from './helpers/captures.js';
import { udp4 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = tempDir('fibscope-thread-count-');

describe('threadsWorthUsing', () => {
  it('gives each worker at least its worth of bytes, within what was asked', () => {
    const worth = workerWorthBytes(100_000, true);
    // the main thread's share 0.65 against a worker's 1: a worker gets total / (0.65 + n - 1)
    expect(threadsWorthUsing(2, worth * 1.5, worth, 0.65)).toBe(1);
    expect(threadsWorthUsing(2, worth * 1.7, worth, 0.65)).toBe(2);
    expect(threadsWorthUsing(8, worth * 3.65, worth, 0.65)).toBe(4);
    expect(threadsWorthUsing(8, worth * 100, worth, 0.65)).toBe(8);
    expect(threadsWorthUsing(1, worth * 100, worth, 0.65)).toBe(1);
    expect(threadsWorthUsing(4, 0, worth, 0.65)).toBe(1);
  });

  it('asks more bytes of a worker for a larger table, and for faster reading without checks', () => {
    expect(workerWorthBytes(1_000_000, true)).toBeGreaterThan(3 * workerWorthBytes(100_000, true));
    expect(workerWorthBytes(100_000, false)).toBeGreaterThan(workerWorthBytes(100_000, true));
  });
});

describe('analyze without --threads', () => {
  const routes = join(dir, 'routes.txt');
  writeFileSync(routes, '10.0.0.0/8 via 192.0.2.1\n198.51.100.0/24 dev eth1\n');
  const files = [1, 2].map((seed) => {
    const path = join(dir, `c${seed}.pcap`);
    writeFileSync(path, pcap({
      linkType: LINKTYPE.RAW,
      records: Array.from({ length: 300 }, (_, i) => ({
        ts: { sec: 1_600_000_000 + seed * 1000 + i, frac: 0 },
        data: udp4('192.0.2.7', `10.${seed}.${i % 7}.${i % 251}`, new Uint8Array(i % 40)),
      })),
    }));
    return path;
  });
  const run = (args: string[], env: Record<string, string>) => spawnSync('node', [CLI, 'analyze', '--no-progress', '-r', routes, '-f', 'json', ...args, ...files], {
    env: { ...process.env, FIBSCOPE_DEBUG_THREADS: '1', ...env }, encoding: 'utf8',
  });

  it('reads on the cores available, the report the one thread gives', () => {
    // 10,000 bytes a worker at least: four threads at most on a machine of many cores
    const one = run(['--threads', '1'], { FIBSCOPE_THREADS_MIN_RANGE: '10000' });
    const byDefault = run([], { FIBSCOPE_THREADS_MIN_RANGE: '10000' });
    expect(byDefault.status, byDefault.stderr).toBe(0);
    if (availableParallelism() > 1) expect(byDefault.stderr).toMatch(/threads: \d+ pieces/);
    else expect(byDefault.stderr).not.toMatch(/pieces/);
    expect(byDefault.stdout).toBe(one.stdout);
  }, 60_000);

  it('reads on one thread with --memory-limit, which each thread would have for itself, unless --threads says more', () => {
    const limited = run(['--memory-limit', '256M'], { FIBSCOPE_THREADS_MIN_RANGE: '10000' });
    expect(limited.status, limited.stderr).toBe(0);
    expect(limited.stderr).not.toMatch(/pieces/);
    const asked = run(['--memory-limit', '256M', '--threads', '2'], { FIBSCOPE_THREADS_MIN_RANGE: '10000' });
    expect(asked.stderr).toMatch(/threads: \d+ pieces/);
    expect(asked.stdout).toBe(limited.stdout);
  }, 60_000);

  it('reads small captures on one thread, even when asked for more: a worker would not pay for itself', () => {
    const two = run(['--threads', '2'], {});
    expect(two.status, two.stderr).toBe(0);
    expect(two.stderr).toMatch(/threads: one: \d+ bytes do not pay for a worker/);
    expect(two.stderr).not.toMatch(/pieces/);
  }, 60_000);
});
