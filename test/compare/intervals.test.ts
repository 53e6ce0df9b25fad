/**
 * `compare --interval`: each bin equals a comparison of only the packets read while it was open,
 * side by side and in what moves; bins add up to the whole comparison; the CLI's formats.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Comparison } from '../../src/node.js';
import { trackCompareIntervals, type CompareInterval, type CompareIntervalSide } from '../../src/compare/intervals.js';
import type { Report } from '../../src/analyze/report.js';
import { Random } from '../helpers/random.js';
import { compareBy } from './compare-check.js';
import { captureOf, randomFrames } from './random-capture.js';
import { randomTablePair } from './random-tables.js';
import { ETHERTYPE, ethernet, udp4 } from '../helpers/packets.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = join(import.meta.dirname, '../../dist/cli.js');
const dir = tempDir('fibscope-compare-intervals-');

/** captureOf gives 16 packets a second: 4 s bins (1_700_000_000 is a multiple of 4) hold 64 each. */
const PER_BIN = 64;
const WIDTH = 4_000_000_000n;

const sideRows = (side: CompareIntervalSide) => new Map(side.routes.map((r) => [`${r.prefix} ${r.nextHop} ${r.type}`, Number(r.packets)]));
const reportRows = (report: Report) => new Map(report.routes.map((r) => [`${r.prefix} ${r.nextHop} ${r.type}`, Number(r.packets)]));
const counts = (c: { packets: unknown; bytes: unknown }) => ({ packets: Number(c.packets), bytes: Number(c.bytes) });

describe('compare in time bins', () => {
  for (const seed of [41, 42, 43]) {
    it(`each bin is the comparison of its own packets (seed ${seed})`, async () => {
      const { before, after, prefixes } = await randomTablePair(seed, 150);
      const frames = randomFrames(new Random(seed), prefixes, 700);
      const comparison = await Comparison.create(before, after);
      const analyzer = comparison.analyzer({ name: 'bins.pcap' });
      const bins: CompareInterval[] = [];
      const tracking = trackCompareIntervals(comparison.overlay, analyzer, { binNanoseconds: WIDTH, top: 0, onBin: (bin) => bins.push(bin) });
      // chunked at random: where pushes end does not matter
      const bytes = captureOf(frames);
      const random = new Random(seed + 1);
      for (let at = 0; at < bytes.length;) {
        const size = 1 + random.below(5000);
        analyzer.push(bytes.subarray(at, at + size));
        at += size;
      }
      analyzer.end();
      tracking.finish();
      const whole = comparison.report(analyzer.report());
      analyzer.dispose();

      expect(bins.length).toBe(Math.ceil(frames.length / PER_BIN));
      for (const [index, bin] of bins.entries()) {
        const own = await compareBy(before, after, [captureOf(frames.slice(index * PER_BIN, (index + 1) * PER_BIN))], 'bin.pcap');
        expect(bin.bins).toBe(1);
        for (const what of ['moved', 'becomesUnrouted', 'becomesDropped', 'becomesRouted'] as const) {
          expect(counts(bin[what]), `bin ${index} ${what}`).toEqual(counts(own[what]));
        }
        expect(Number(bin.counted.packets)).toBe(Number(own.before.totals.counted));
        expect(sideRows(bin.before), `bin ${index} before`).toEqual(reportRows(own.before));
        expect(sideRows(bin.after), `bin ${index} after`).toEqual(reportRows(own.after));
        expect(counts(bin.before.noRoute)).toEqual(counts(own.before.totals.noRoute));
        expect(counts(bin.after.noRoute)).toEqual(counts(own.after.totals.noRoute));
      }
      // the bins add up to the whole comparison
      const sum = (what: 'moved' | 'becomesUnrouted' | 'becomesDropped' | 'becomesRouted') =>
        bins.reduce((n, bin) => ({ packets: n.packets + Number(bin[what].packets), bytes: n.bytes + Number(bin[what].bytes) }), { packets: 0, bytes: 0 });
      for (const what of ['moved', 'becomesUnrouted', 'becomesDropped', 'becomesRouted'] as const) expect(sum(what)).toEqual(counts(whole[what]));
      expect(Number(whole.moved.packets)).toBeGreaterThan(0);
    });
  }

  it('lists the top routes of each side and sums the rest', async () => {
    const { before, after, prefixes } = await randomTablePair(44, 150);
    const frames = randomFrames(new Random(44), prefixes, 300);
    const comparison = await Comparison.create(before, after);
    const analyzer = comparison.analyzer();
    const bins: CompareInterval[] = [];
    const tracking = trackCompareIntervals(comparison.overlay, analyzer, { binNanoseconds: WIDTH, top: 3, onBin: (bin) => bins.push(bin) });
    analyzer.push(captureOf(frames));
    analyzer.end();
    tracking.finish();
    analyzer.dispose();
    for (const bin of bins) {
      for (const side of [bin.before, bin.after]) {
        expect(side.routes.length).toBeLessThanOrEqual(3);
        const listed = side.routes.reduce((n, r) => n + Number(r.packets), 0);
        expect(listed + Number(side.otherRoutes.packets) + Number(side.noRoute.packets)).toBe(Number(bin.counted.packets));
        const packets = side.routes.map((r) => Number(r.packets));
        expect(packets).toEqual([...packets].sort((a, b) => b - a));
      }
    }
  });

  it('the CLI: json keeps the bins, ndjson writes a line per bin, the table draws them, csv says it ignores them', () => {
    // 400 packets to 10.0-3.x.y; the change moves 10.1/16 to a new next hop, and blackholes 10.2/16
    const frames = Array.from({ length: 400 }, (_, i) => ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('198.51.100.1', `10.${i % 4}.${i & 0xff}.1`) }));
    writeFileSync(join(dir, 'c.pcap'), captureOf(frames));
    writeFileSync(join(dir, 'before.txt'), '10.0.0.0/8 via 192.0.2.1 dev eth0\n');
    writeFileSync(join(dir, 'changes.txt'), 'replace 10.1.0.0/16 via 192.0.2.7 dev eth7\nreplace blackhole 10.2.0.0/16\n');
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'compare', '-r', 'before.txt', '--with', 'changes.txt', '--interval', '4s', ...args, 'c.pcap'], { cwd: dir, encoding: 'utf8' });
    const json = run('-f', 'json');
    expect(json.status, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { intervals: CompareInterval[]; moved: { packets: number } };
    expect(report.intervals.length).toBe(Math.ceil(frames.length / PER_BIN));
    expect(report.intervals.reduce((n, bin) => n + Number(bin.moved.packets), 0)).toBe(report.moved.packets);
    expect(report.moved.packets).toBe(200);
    expect(report.intervals.map((bin) => Number(bin.becomesDropped.packets))).toEqual(report.intervals.map((bin) => Number(bin.counted.packets) / 4));
    const ndjson = run('-f', 'ndjson');
    expect(ndjson.status, ndjson.stderr).toBe(0);
    const lines = ndjson.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type?: string });
    expect(lines.filter((line) => line.type === 'interval')).toEqual(report.intervals.map((bin) => ({ type: 'interval', ...bin })));
    const table = run('-f', 'table', '--plain-numbers');
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`Over time: ${report.intervals.length} bins from `));
    expect(table.stdout).toMatch(new RegExp(`moves to another route\\s*│\\s*${report.moved.packets}\\s*│`));
    const csv = run('-f', 'csv');
    expect(csv.status).toBe(0);
    expect(csv.stderr).toMatch(/--interval is ignored with -f csv/);
    const bad = run('-f', 'json', '--interval', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--interval takes a duration/);
  });
});
