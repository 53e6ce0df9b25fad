// The capture-analysis benchmarks of issue 3: the whole `fibscope analyze -f json` process on a
// seeded synthetic capture in page cache, against the pipeline a Node user would assemble from
// npm, measured in the same run; and peak memory as the capture grows.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, Fib } from 'fibscope';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { npmPipeline } from './npm-pipeline.js';
import { median } from './median.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

interface Run {
  ms: number;
  /** peak resident set of the process, KiB, when /usr/bin/time is there to tell */
  maxRssKiB?: number;
}

/** One whole `fibscope analyze` process, timed from outside. */
function analyzeProcess(capture: string, routes: string, format: string): Run {
  const args = [CLI, 'analyze', '--no-progress', '-r', routes, '-f', format, '-o', '/dev/null', capture];
  const timed = existsSync('/usr/bin/time');
  const start = performance.now();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`fibscope analyze failed: ${result.stderr}`);
  const rss = timed ? Number(result.stderr.trim().split('\n').pop()) : undefined;
  return { ms, maxRssKiB: rss };
}

/** Milliseconds of one process, timed from outside. */
function timed(command: string, args: string[]): number {
  const start = performance.now();
  const result = spawnSync(command, args);
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return performance.now() - start;
}

export async function analyzeBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-'));
  try {
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const capture = join(dir, 'capture-1m.pcap');
    const generated = writeCapture(capture, { packets: 1_000_000 });
    log(`generated 1,000,000 packets (${(generated.fileBytes / 2 ** 20).toFixed(0)} MiB, ${generated.destinationsSeen} destinations) in ${generated.ms.toFixed(0)} ms`);
    readFileSync(capture); // into page cache

    const runs = Array.from({ length: 5 }, () => analyzeProcess(capture, routes, 'json'));
    const ours = median(runs.map((r) => r.ms));
    const routesText = readFileSync(routes, 'utf8');
    const peers: number[] = [];
    for (let i = 0; i < 3; i++) peers.push((await npmPipeline(capture, routesText)).ms);
    const peer = median(peers);
    figures.push({
      name: 'fibscope analyze -f json, 1M packets, 100k-prefix table, whole process',
      value: 1e6 / (ours / 1000) / 1e6,
      unit: 'M packets/s',
      peer: 1e6 / (peer / 1000) / 1e6,
      peerName: 'pcap-parser + longest-prefix-match + Map',
      note: `${ours.toFixed(0)} ms vs ${peer.toFixed(0)} ms`,
    });
    // the per-packet loop alone: the capture from memory through one Analyzer, no process start
    const bytes = readFileSync(capture);
    const fib = await Fib.create();
    fib.load(routesText);
    const loops: number[] = [];
    for (let run = 0; run < 5; run++) {
      const analyzer = new Analyzer({ fib });
      const start = performance.now();
      for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
      analyzer.end();
      loops.push(performance.now() - start);
      analyzer.dispose();
    }
    figures.push({ name: 'Analyzer.push alone (framing, parsing, lookup, counting), same capture', value: 1e6 / (median(loops) / 1000) / 1e6, unit: 'M packets/s' });
    const table = median(Array.from({ length: 5 }, () => analyzeProcess(capture, routes, 'table').ms));
    figures.push({ name: 'fibscope analyze -f table (by route), same capture, whole process', value: 1e6 / (table / 1000) / 1e6, unit: 'M packets/s', note: `${table.toFixed(0)} ms` });

    // what no analysis can avoid: starting Node, and reading the file
    const nodeStart = median(Array.from({ length: 5 }, () => timed(process.execPath, ['-e', ''])));
    const readFile = median(Array.from({ length: 5 }, () => timed(process.execPath, ['-e', `require('fs').readFileSync(${JSON.stringify(capture)})`])));
    figures.push({
      name: 'floor: node -e "" / node reading the 1M-packet file whole',
      value: readFile,
      unit: 'ms',
      note: `node alone ${nodeStart.toFixed(0)} ms: at most ${(1e6 / (readFile / 1000) / 1e6).toFixed(1)} M packets/s for a whole process on this file`,
    });

    // larger captures: the fixed costs spread, and peak memory stays flat
    const big = join(dir, 'capture-4m.pcap');
    writeCapture(big, { packets: 4_000_000 });
    const rss1 = runs[0].maxRssKiB;
    const json4 = Array.from({ length: 3 }, () => analyzeProcess(big, routes, 'json'));
    const json4ms = median(json4.map((r) => r.ms));
    figures.push({ name: 'fibscope analyze -f json, 4M packets, whole process', value: 4e6 / (json4ms / 1000) / 1e6, unit: 'M packets/s', note: `${json4ms.toFixed(0)} ms` });
    const run4 = analyzeProcess(big, routes, 'table');
    if (rss1 !== undefined && json4[0].maxRssKiB !== undefined && run4.maxRssKiB !== undefined) {
      figures.push({ name: 'peak RSS, fibscope analyze -f json, 1M packets', value: rss1 / 1024, unit: 'MiB' });
      figures.push({ name: 'peak RSS, fibscope analyze -f json, 4M packets', value: json4[0].maxRssKiB / 1024, unit: 'MiB' });
      figures.push({ name: 'peak RSS, fibscope analyze -f table, 4M packets', value: run4.maxRssKiB / 1024, unit: 'MiB', note: `${(4e6 / (run4.ms / 1000) / 1e6).toFixed(2)} M packets/s` });
    } else {
      log('/usr/bin/time not found: peak RSS not measured');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
