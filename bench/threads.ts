// `analyze --threads` (issue 11, "More than one core"): the whole `fibscope analyze -f json`
// process (checks on, as -r makes them) on an 8M-packet capture and on four 2M-packet files,
// `--threads 2` against `--threads 1`, run in turns (A B A B …) so that a shared machine's load
// falls on both alike; medians, the load average around them, and each thread's processor time
// (FIBSCOPE_DEBUG_THREADS), which tells what idle cores would give when the wall clock cannot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { median } from './median.js';

// the program `npx fibscope` runs (src/bin.ts)
const CLI = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
/** Turns of each side; FIBSCOPE_BENCH_THREADS_RUNS changes it. */
const RUNS = Number(process.env.FIBSCOPE_BENCH_THREADS_RUNS ?? 3);

interface Run {
  ms: number;
  /** user + system time of the whole process */
  cpuMs: number;
  /** FIBSCOPE_DEBUG_THREADS' lines, with --threads above 1 */
  detail: string;
}

function analyzeProcess(captures: string[], routes: string, threads: number): Run {
  const args = [CLI, 'analyze', '--no-progress', '-r', routes, '-f', 'json', '-o', '/dev/null', '--threads', String(threads), ...captures];
  const start = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, ...args], {
    encoding: 'utf8', env: { ...process.env, FIBSCOPE_DEBUG_THREADS: '1' },
  });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`fibscope analyze failed: ${result.stderr}`);
  const lines = result.stderr.trim().split('\n');
  const [, user, system] = lines.pop()!.split(' ').map(Number);
  if (lines.some((line) => line.includes('one thread instead'))) throw new Error(`the threads fell back to one: ${lines.join('\n')}`);
  return { ms, cpuMs: (user + system) * 1000, detail: lines.join('; ') };
}

export async function compare(name: string, captures: string[], routes: string, log: (line: string) => void): Promise<Figure[]> {
  const one: Run[] = [];
  const two: Run[] = [];
  const loads: number[] = [loadavg()[0]];
  for (let turn = 0; turn < RUNS; turn++) {
    one.push(analyzeProcess(captures, routes, 1));
    two.push(analyzeProcess(captures, routes, 2));
    loads.push(loadavg()[0]);
    log(`threads: ${name} turn ${turn + 1}: 1 thread ${one.at(-1)!.ms.toFixed(0)} ms (cpu ${one.at(-1)!.cpuMs.toFixed(0)}), `
      + `2 threads ${two.at(-1)!.ms.toFixed(0)} ms (cpu ${two.at(-1)!.cpuMs.toFixed(0)}; ${two.at(-1)!.detail}), load ${loads.at(-1)!.toFixed(1)}`);
  }
  const load = `load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on ${RUNS} turns`;
  return [
    { name: `analyze ${name}, --threads 2 (whole process)`, value: median(two.map((r) => r.ms)), unit: 'ms', peer: median(one.map((r) => r.ms)), peerName: '--threads 1', note: load },
    { name: `analyze ${name}, processor time, --threads 2`, value: median(two.map((r) => r.cpuMs)), unit: 'ms', peer: median(one.map((r) => r.cpuMs)), peerName: '--threads 1', note: 'user + system, all threads' },
  ];
}

export async function threadsBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-threads-'));
  try {
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const big = join(dir, 'big.pcap');
    log('threads: writing an 8M-packet capture');
    writeCapture(big, { packets: 8_000_000, seed: 3 });
    const figures = await compare('8M packets, one file', [big], routes, log);
    rmSync(big);
    const files = [11, 12, 13, 14].map((seed) => {
      const path = join(dir, `part${seed}.pcap`);
      writeCapture(path, { packets: 2_000_000, seed });
      return path;
    });
    figures.push(...await compare('4 files of 2M packets', files, routes, log));
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
