// `npm run bench -- updates`: what an update stream costs (docs/updates.md). The 1M-packet bench
// capture and 100k-prefix table of the analyze suite, analysed with 100,000 route changes spread
// over the capture's span (withdrawals, announcements with another next hop, re-announcements),
// against none, in the same run: medians of the Analyzer alone, of reading the stream, and of
// the whole `fibscope analyze` process, elapsed and CPU time. The target: at most 0.5 s more than none.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, Fib, parseUpdates, UpdateApplier } from 'fibscope';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { median } from './median.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./updates-child.js', import.meta.url));
const CHANGES = 100_000;
const TARGET_MS = 500;

/** A seeded generator (mulberry32), as the capture's. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

/**
 * `changes` fibscope update lines at times spread evenly over [first, last] seconds: a third
 * withdraw a prefix of the table, a third announce one with another next hop, a third announce
 * a withdrawn one again (or, with none withdrawn, change a next hop).
 */
function updateText(routes: string, changes: number, first: number, last: number): string {
  const random = generator(7);
  const prefixes = routes.split('\n').filter((line) => line !== '').map((line) => line.split(' ')[0]);
  const withdrawn: string[] = [];
  const lines: string[] = new Array(changes);
  const span = (last - first) * 1e9;
  for (let i = 0; i < changes; i++) {
    const nanos = Math.floor((span * i) / changes);
    const time = `${first + Math.floor(nanos / 1e9)}.${String(nanos % 1e9).padStart(9, '0')}`;
    const roll = random();
    const prefix = roll < 2 / 3 || withdrawn.length === 0 ? prefixes[Math.floor(random() * prefixes.length)] : withdrawn.pop()!;
    const hop = prefix.includes(':') ? `2001:db8::${(1 + Math.floor(random() * 8)).toString(16)}` : `192.0.2.${1 + Math.floor(random() * 8)}`;
    if (roll < 1 / 3) {
      withdrawn.push(prefix);
      lines[i] = `${time} del ${prefix}`;
    } else lines[i] = `${time} replace ${prefix} via ${hop}`;
  }
  return `${lines.join('\n')}\n`;
}

function child(args: string[]): { parseMs: number; pushMs: number; pushCpuMs: number } {
  const result = spawnSync(process.execPath, [CHILD, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`updates-child failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as { parseMs: number; pushMs: number; pushCpuMs: number };
}

/**
 * CPU time of the children this process has waited for, in ms (Linux: /proc/self/stat's cutime
 * and cstime, in ticks of 10 ms); undefined elsewhere.
 */
function childrenCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields from the state (3rd of the file): cutime is the 16th of the file, cstime the 17th
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

function wholeProcess(args: string[]): { ms: number; cpuMs: number | undefined } {
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'analyze', '--no-progress', '-f', 'json', '-o', '/dev/null', ...args], { encoding: 'utf8' });
  const ms = performance.now() - start;
  const cpuAfter = childrenCpuMs();
  if (result.status !== 0) throw new Error(`fibscope analyze failed: ${result.stderr}`);
  return { ms, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

export async function updatesBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-updates-'));
  try {
    const routesPath = join(dir, 'routes.txt');
    const routes = bgpLikeTable(1, 85_000, 15_000);
    writeFileSync(routesPath, routes);
    const capturePath = join(dir, 'capture-1m.pcap');
    writeCapture(capturePath, { packets: 1_000_000 });

    // the capture's span, for the update times
    const fib = await Fib.create();
    fib.load(routes);
    const probe = new Analyzer({ fib });
    probe.push(readFileSync(capturePath));
    probe.end();
    const span = probe.timeSpan()!;
    probe.dispose();
    const text = updateText(routes, CHANGES, span.first.seconds, span.last.seconds);
    const updatesPath = join(dir, 'updates.txt');
    writeFileSync(updatesPath, text);
    log(`${CHANGES} updates over ${span.last.seconds - span.first.seconds} s of capture (${(text.length / 2 ** 20).toFixed(1)} MiB of text)`);
    // what the stream does to the table over the capture (the probe's table takes it all)
    const applier = new UpdateApplier(fib, parseUpdates(text, { source: updatesPath }));
    applier.reach(span.last);
    const { applied, withdrawnNothing } = applier.summary();
    log(`${applied} updates apply within the capture; ${withdrawnNothing} withdraw nothing`);

    // each run in a process of its own (updates-child.ts), with and without in turn
    const without: number[] = [];
    const withUpdates: number[] = [];
    const cpuWithout: number[] = [];
    const cpuWith: number[] = [];
    const parses: number[] = [];
    for (let run = 0; run < 5; run++) {
      const none = child([routesPath, capturePath]);
      without.push(none.pushMs);
      cpuWithout.push(none.pushCpuMs);
      const measured = child([routesPath, capturePath, updatesPath]);
      withUpdates.push(measured.pushMs);
      cpuWith.push(measured.pushCpuMs);
      parses.push(measured.parseMs);
    }
    const delta = median(withUpdates) - median(without);
    const cpuDelta = median(cpuWith) - median(cpuWithout);
    const parse = median(parses);

    const processWithout: number[] = [];
    const processWith: number[] = [];
    const processCpuWithout: number[] = [];
    const processCpuWith: number[] = [];
    for (let run = 0; run < 5; run++) {
      const none = wholeProcess(['-r', routesPath, capturePath]);
      const withStream = wholeProcess(['-r', routesPath, '--updates', updatesPath, capturePath]);
      processWithout.push(none.ms);
      processWith.push(withStream.ms);
      if (none.cpuMs !== undefined && withStream.cpuMs !== undefined) {
        processCpuWithout.push(none.cpuMs);
        processCpuWith.push(withStream.cpuMs);
      }
    }
    const processDelta = median(processWith) - median(processWithout);
    const processCpu = processCpuWith.length > 0
      ? `; CPU ${median(processCpuWithout).toFixed(0)} → ${median(processCpuWith).toFixed(0)} ms, +${(median(processCpuWith) - median(processCpuWithout)).toFixed(0)} ms` : '';
    const verdict = (ms: number) => `${ms <= TARGET_MS ? 'within' : 'OVER'} the ${TARGET_MS} ms target`;
    return [
      { name: 'Analyzer.push, 1M packets, no updates', value: median(without), unit: 'ms' },
      {
        name: `Analyzer.push, 1M packets, ${CHANGES / 1000}k updates applied in step`,
        value: median(withUpdates),
        unit: 'ms',
        note: `+${delta.toFixed(0)} ms (${verdict(delta)}; ${(delta * 1000 / CHANGES).toFixed(2)} µs an update; CPU `
          + `${median(cpuWithout).toFixed(0)} → ${median(cpuWith).toFixed(0)} ms, +${cpuDelta.toFixed(0)} ms)`,
      },
      { name: `parseUpdates, ${CHANGES / 1000}k fibscope lines`, value: parse, unit: 'ms', note: `apply + parse: +${(delta + parse).toFixed(0)} ms (${verdict(delta + parse)})` },
      { name: 'fibscope analyze -f json, 1M packets, whole process, no updates', value: median(processWithout), unit: 'ms' },
      {
        name: `fibscope analyze -f json --updates (${CHANGES / 1000}k), whole process`,
        value: median(processWith),
        unit: 'ms',
        note: `+${processDelta.toFixed(0)} ms (${verdict(processDelta)}${processCpu})`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
