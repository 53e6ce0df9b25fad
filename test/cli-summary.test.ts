import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../src/index.js';
import { formatReport } from '../src/report/index.js';

// The table a person reads first: the summary's time span, duration and average rates (from
// the JSON report of the same run), damage reasons a line each, destinations first when there
// is no routing table, and `routes` without a rule between every row.
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const ROUTES = new URL('../samples/routes.txt', import.meta.url).pathname;
const CAPTURE = new URL('../samples/edge.pcap', import.meta.url).pathname;

function fibscope(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

/** The value cell of a summary row. */
function row(table: string, name: string): string {
  const line = table.split('\n').find((l) => l.startsWith(`│ ${name} `));
  expect(line, `no '${name}' row`).toBeDefined();
  return line!.split('│')[2].trim();
}

describe('the table summary', () => {
  it('gives the time span, the duration and the average rates of what was counted', () => {
    const report = JSON.parse(fibscope('analyze', '-r', ROUTES, '-f', 'json', CAPTURE));
    const table = fibscope('analyze', '-r', ROUTES, CAPTURE);
    const { first, last } = report.totals.timeSpan;
    expect(row(table, 'time span')).toBe(`${first} – ${last}`);
    // nanosecond-exact seconds from the ISO texts
    const ns = (iso: string) => BigInt(Date.parse(iso.replace(/\.\d+Z$/, 'Z'))) * 1_000_000n + BigInt((/\.(\d+)Z$/.exec(iso)![1]).padEnd(9, '0'));
    const seconds = Number(ns(last) - ns(first)) / 1e9;
    expect(Number(row(table, 'duration').replace(' s', ''))).toBeCloseTo(seconds, 2);
    const countedBytes = report.routes.reduce((sum: number, r: { bytes: number }) => sum + r.bytes, report.totals.noRoute.bytes);
    const [packetRate, bitRate] = row(table, 'average').replace(' (counted)', '').split(', ');
    const scale = (text: string) => Number(text.split(' ')[0]) * ({ k: 1e3, M: 1e6, G: 1e9 }[text.split(' ')[1][0]] ?? 1);
    expect(scale(packetRate) / (report.totals.counted / seconds)).toBeCloseTo(1, 2);
    expect(scale(bitRate) / ((countedBytes * 8) / seconds)).toBeCloseTo(1, 2);
  });

  it('has no time span before anything is counted, and puts each malformed reason on a line of its own', async () => {
    const fib = await Fib.create();
    const analyzer = new Analyzer({ fib });
    expect(analyzer.report().totals.timeSpan).toBeNull();
    // IHL 4, then an IPv6 frame announced as IPv4, then a cut IPv4 header
    analyzer.pushFrame(new Uint8Array([0x44, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 10, 1, 2, 3]), { linkType: 228 });
    analyzer.pushFrame(new Uint8Array([0x60, 0, 0, 0, 0, 0, 17, 64, ...new Array(32).fill(1)]), { linkType: 228 });
    analyzer.pushFrame(new Uint8Array([0x45, 0, 0, 20, 0]), { linkType: 228 });
    const report = analyzer.report();
    const reasons = Object.entries(report.totals.malformedReasons);
    expect(reasons.length).toBe(3);
    const table = formatReport(report, 'table', { by: 'route', top: 20, sort: 'packets', humanUnits: false });
    const cell = table.split('\n').filter((line) => /^│ (malformed)? +│/.test(line)).map((line) => line.split('│')[2].trim());
    expect(cell[0]).toBe('3');
    expect(new Set(cell.slice(1, 4))).toEqual(new Set(reasons.map(([reason, n]) => `${reason}: ${n}`)));
  });

  it('leads with destinations without a routing table, and with routes given one or asked', () => {
    expect(fibscope('analyze', CAPTURE)).toMatch(/\ntop 20 of \d+ destinations by packets\n/);
    expect(fibscope('analyze', '-r', ROUTES, CAPTURE)).toMatch(/\n\d+ routes by packets\n/);
    expect(fibscope('analyze', '--by', 'route', CAPTURE)).toMatch(/\nno routes: no route matched a counted packet\n/);
    const csv = fibscope('analyze', '-f', 'csv', CAPTURE).split('\n')[0];
    expect(csv.startsWith('address,')).toBe(true);
  });

  it('routes: a compact table, no rule between rows', () => {
    const text = fibscope('routes', '-r', ROUTES);
    const rules = text.split('\n').filter((line) => line.startsWith('├'));
    // one rule under each table's head at most, none between rows
    expect(rules.length).toBeLessThanOrEqual(1);
    expect(text).toMatch(/│ IPv4 routes +│ 14 +│\n│ IPv6 routes/);
  });
});
