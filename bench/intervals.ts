// `npm run bench -- intervals`: what time bins cost (docs/intervals.md). The same seeded 1M-packet
// capture and 100k-prefix table as the analyze suite, analysed with and without `--interval 1s`
// in the same run, alternately: the per-packet loop in one Analyzer, and the whole process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, Fib } from 'fibscope';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { median } from './median.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const RUNS = 5;

function processMs(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, 'analyze', '--no-progress', '-o', '/dev/null', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`fibscope analyze failed: ${result.stderr}`);
  return performance.now() - start;
}

export async function intervalsBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-intervals-'));
  try {
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const capture = join(dir, 'capture-1m.pcap');
    writeCapture(capture, { packets: 1_000_000 });
    const bytes = readFileSync(capture);
    const fib = await Fib.create();
    fib.load(readFileSync(routes, 'utf8'));

    const loop = (interval: boolean) => {
      const analyzer = new Analyzer({ fib });
      let bins = 0;
      const tracking = interval ? analyzer.trackIntervals({ binNanoseconds: 1_000_000_000n, top: 20, onBin: () => { bins++; } }) : undefined;
      const start = performance.now();
      for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
      analyzer.end();
      tracking?.finish();
      const ms = performance.now() - start;
      analyzer.dispose();
      return { ms, bins };
    };
    const plain: number[] = [];
    const binned: number[] = [];
    let bins = 0;
    for (let run = 0; run < RUNS; run++) {
      plain.push(loop(false).ms);
      const with1s = loop(true);
      binned.push(with1s.ms);
      bins = with1s.bins;
    }
    log(`intervals: ${bins} one-second bins over the capture`);
    figures.push({
      name: `Analyzer.push, 1M packets, with 1 s bins (${bins} bins, top 20)`,
      value: 1e6 / (median(binned) / 1000) / 1e6,
      unit: 'M packets/s',
      peer: 1e6 / (median(plain) / 1000) / 1e6,
      peerName: 'without bins',
      note: `${median(binned).toFixed(0)} ms vs ${median(plain).toFixed(0)} ms`,
    });
    for (const format of ['json', 'ndjson', 'table']) {
      const without: number[] = [];
      const withBins: number[] = [];
      for (let run = 0; run < 3; run++) {
        without.push(processMs(['-r', routes, '-f', format, capture]));
        withBins.push(processMs(['-r', routes, '-f', format, '--interval', '1s', capture]));
      }
      figures.push({
        name: `fibscope analyze -f ${format} --interval 1s, 1M packets, whole process`,
        value: 1e6 / (median(withBins) / 1000) / 1e6,
        unit: 'M packets/s',
        peer: 1e6 / (median(without) / 1000) / 1e6,
        peerName: 'without --interval',
        note: `${median(withBins).toFixed(0)} ms vs ${median(without).toFixed(0)} ms`,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
