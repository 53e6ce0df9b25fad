// `npm run bench [-- --json]`: runs every suite, prints a table (or JSON with --json).
import { fibBenchmarks, type Figure } from './fib.js';

const json = process.argv.includes('--json');
const log = (line: string) => process.stderr.write(`${line}\n`);

const figures: Figure[] = await fibBenchmarks(log);

if (json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, figures }, null, 2)}\n`);
} else {
  const rows = figures.map((f) => ({
    benchmark: f.name,
    median: `${f.value.toFixed(f.value < 10 ? 2 : 1)} ${f.unit}`,
    'longest-prefix-match (npm)': f.peer === undefined ? '' : `${f.peer.toFixed(f.peer < 10 ? 2 : 1)} ${f.unit}`,
    ratio: f.peer === undefined ? '' : f.unit === 'ms' ? `${(f.peer / f.value).toFixed(1)}× faster` : `${(f.value / f.peer).toFixed(1)}×`,
    note: f.note ?? '',
  }));
  console.table(rows);
}
