// The `compare` benchmark (issue: what-if analysis): the whole `fibscope compare -f json`
// process against `fibscope analyze -f json` of the same 1M-packet capture and table, runs
// interleaved in the same run. Run only when named: `npm run bench -- compare`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { median } from './median.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const RUNS = 5;

/** Milliseconds of one whole fibscope process. */
function run(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`fibscope ${args[0]} failed: ${result.stderr}`);
  return ms;
}

/**
 * A proposal for the table: every 10th prefix through another next hop, every 40th withdrawn
 * (its traffic falls to a shorter prefix, or to none).
 */
function proposedTable(current: string): string {
  return current.split('\n').filter((line, i) => line === '' || i % 40 !== 39)
    .map((line, i) => (line !== '' && i % 10 === 0 ? line.replace(/ (\S+)$/, line.includes(':') ? ' 2001:db8::ff' : ' 192.0.2.200') : line))
    .join('\n');
}

export async function compareBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-compare-'));
  try {
    const current = join(dir, 'current.txt');
    const proposed = join(dir, 'proposed.txt');
    const table = bgpLikeTable(1, 85_000, 15_000);
    writeFileSync(current, table);
    writeFileSync(proposed, proposedTable(table));
    const capture = join(dir, 'capture-1m.pcap');
    const generated = writeCapture(capture, { packets: 1_000_000 });
    log(`generated 1,000,000 packets (${(generated.fileBytes / 2 ** 20).toFixed(0)} MiB, ${generated.destinationsSeen} destinations) in ${generated.ms.toFixed(0)} ms`);
    readFileSync(capture); // into page cache

    const analyze = (checks: boolean) => ['analyze', '--no-progress', ...(checks ? [] : ['--no-checks']), '-r', current, '-f', 'json', '-o', '/dev/null', capture];
    const compare = ['compare', '--no-progress', '-r', current, '--with', proposed, '-f', 'json', '-o', '/dev/null', capture];
    const times = { analyze: [] as number[], analyzeNoChecks: [] as number[], compare: [] as number[] };
    // interleaved, so that the machine's load weighs on all three alike
    for (let i = 0; i < RUNS; i++) {
      times.analyze.push(run(analyze(true)));
      times.analyzeNoChecks.push(run(analyze(false)));
      times.compare.push(run(compare));
    }
    const [plain, noChecks, both] = [median(times.analyze), median(times.analyzeNoChecks), median(times.compare)];
    log(`analyze ${plain.toFixed(0)} ms, analyze --no-checks ${noChecks.toFixed(0)} ms, compare ${both.toFixed(0)} ms (medians of ${RUNS})`);
    return [
      {
        name: 'fibscope compare -f json vs analyze -f json, 1M packets, 100k-prefix tables, whole process',
        value: both / plain,
        unit: '× analyze',
        note: `${both.toFixed(0)} ms vs ${plain.toFixed(0)} ms (target ≤ 1.4×)`,
      },
      {
        name: 'fibscope compare -f json vs analyze --no-checks -f json (compare counts no checks)',
        value: both / noChecks,
        unit: '× analyze',
        note: `${both.toFixed(0)} ms vs ${noChecks.toFixed(0)} ms`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
