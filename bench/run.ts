// `npm run bench [-- --json [FILE]]`: runs every suite and prints a table of medians and
// ratios; with --json it also writes the figures to FILE (default bench-results.json).
import { writeFileSync } from 'node:fs';
import type { Figure } from './fib.js';

const jsonAt = process.argv.indexOf('--json');
const suites = ['fib', 'analyze', 'classify', 'browser', 'serve', 'live', 'soak', 'bgp', 'native', 'threads', 'intervals', 'mrt', 'compare', 'updates'];
const afterJson = process.argv[jsonAt + 1];
const jsonFile = jsonAt < 0 ? undefined
  : afterJson !== undefined && !afterJson.startsWith('-') && !suites.includes(afterJson) ? afterJson : 'bench-results.json';
const log = (line: string) => process.stderr.write(`${line}\n`);

// `-- fib`, `-- analyze`, `-- classify`, `-- browser`, `-- serve`, `-- live`, `-- soak`, `-- bgp`, `-- native`,
// `-- threads`, `-- intervals`, `-- mrt`, `-- compare` or `-- updates` runs one suite; live and bgp (a million routes
// from peers: minutes), soak (minutes long), native (against the C yardstick, ../shared/yardsticks), threads (3 GB of
// captures), intervals (analyze with and without time bins), mrt (a full table loaded three ways), compare (compare
// against analyze) and updates (the cost of 100k route updates) run only when asked for
const only = process.argv.slice(2).find((arg) => suites.includes(arg));
const figures: Figure[] = [];
// Each suite's module is loaded only when the suite runs: merely importing the browser suite's
// (playwright-core, vite) made the native suite's route loads take twice the time, in processor
// time as well as elapsed.
if (!only || only === 'fib') figures.push(...await (await import('./fib.js')).fibBenchmarks(log));
if (!only || only === 'analyze') figures.push(...await (await import('./analyze.js')).analyzeBenchmarks(log));
if (!only || only === 'classify') figures.push(...await (await import('./classify.js')).classifyBenchmarks(log));
if (!only || only === 'browser') figures.push(...await (await import('./browser.js')).browserBenchmarks(log));
if (!only || only === 'serve') figures.push(...await (await import('./serve.js')).serveBenchmarks(log));
if (only === 'live') figures.push(...await (await import('./live-routes.js')).liveRoutesBenchmarks(log));
if (only === 'soak') figures.push(...await (await import('./soak-suite.js')).soakBenchmarks(log));
if (only === 'bgp') figures.push(...await (await import('./bgp.js')).bgpBenchmarks(log));
if (only === 'native') figures.push(...await (await import('./native.js')).nativeBenchmarks(log));
if (only === 'threads') figures.push(...await (await import('./threads.js')).threadsBenchmarks(log));
if (only === 'intervals') figures.push(...await (await import('./intervals.js')).intervalsBenchmarks(log));
if (only === 'mrt') figures.push(...await (await import('./mrt-load.js')).mrtBenchmarks(log));
if (only === 'compare') figures.push(...await (await import('./compare.js')).compareBenchmarks(log));
if (only === 'updates') figures.push(...await (await import('./updates.js')).updatesBenchmarks(log));

if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify({ node: process.version, date: new Date().toISOString(), figures }, null, 2)}\n`);
  log(`figures written to ${jsonFile}`);
}
{
  const rows = figures.map((f) => ({
    benchmark: f.name,
    median: `${f.value.toFixed(f.value < 10 ? 2 : 1)} ${f.unit}`,
    peer: f.peer === undefined ? '' : `${f.peerName}: ${f.peer.toFixed(f.peer < 10 ? 2 : 1)} ${f.unit}`,
    ratio: f.peer === undefined ? '' : f.unit === 'ms' ? timeRatio(f.value, f.peer) : `${(f.value / f.peer).toFixed(1)}×`,
    note: f.note ?? '',
  }));
  console.table(rows);
}

/** A time against its peer's, said the way round that reads: `2.1× faster` or `1.07× slower`. */
function timeRatio(value: number, peer: number): string {
  return value <= peer ? `${(peer / value).toFixed(peer / value < 1.1 ? 2 : 1)}× faster` : `${(value / peer).toFixed(value / peer < 1.1 ? 2 : 1)}× slower`;
}
