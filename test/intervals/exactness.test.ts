/**
 * Time bins (src/intervals, docs/intervals.md) against a slow obvious model: each bin equals a
 * fresh analysis of only the records read while it was open (the clock rule: a record counts in
 * the bin open when it is read), whatever the chunking; bins sum to the totals for every route
 * and destination; empty bins between busy ones come as one run; route changes mid-capture
 * leave bins non-negative and exact.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../../src/node.js';
import type { Interval } from '../../src/intervals/interval.js';
import type { ClockListener, Moment } from '../../src/analyze/capture-clock.js';
import { pcap, pcapng } from '../helpers/captures.js';
import { ipv4, ipv6, udp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { TEST_ROUTES } from '../helpers/analyze.js';
import type { Report } from '../../src/analyze/report.js';

const BILLION = 1_000_000_000n;
const DESTINATIONS = ['10.1.2.3', '10.1.9.9', '10.2.0.1', '192.0.2.7', '8.8.8.8', '203.0.113.5', '2001:db8::1', '2001:db9::2', '10.1.2.4'];

interface Record_ { seconds: number; nanoseconds: number; data: Uint8Array; linkType: number }

function frame(random: Random): Uint8Array {
  const dst = DESTINATIONS[random.below(DESTINATIONS.length)];
  const payload = udp({ srcPort: 1000 + random.below(9), dstPort: 53 });
  return dst.includes(':') ? ipv6({ src: '2001:db8::99', dst, nextHeader: 17, payload }) : ipv4({ src: '198.51.100.1', dst, proto: 17, payload });
}

/** Records at mostly rising times with gaps of many bins, a few earlier than the one before. */
function scenario(seed: number, count = 400): Record_[] {
  const random = new Random(seed);
  let time = 1_700_000_000n * BILLION + BigInt(random.below(1_000_000_000));
  const records: Record_[] = [];
  for (let i = 0; i < count; i++) {
    const step = random.below(20);
    if (step < 14) time += BigInt(random.below(300_000_000));
    else if (step < 16) time += BigInt(random.below(5)) * BILLION * 7n; // whole empty bins
    else if (step === 19) time -= BigInt(random.below(200_000_000)); // out of order
    let data = frame(random);
    if (random.below(25) === 0) data = data.subarray(0, 10); // malformed
    records.push({ seconds: Number(time / BILLION), nanoseconds: Number(time % BILLION), data, linkType: 101 });
  }
  return records;
}

const nanosecondsOf = (r: { seconds: number; nanoseconds: number }) => BigInt(r.seconds) * BILLION + BigInt(r.nanoseconds);

/** The model's bins: the start of the bin open when each record is read. */
function modelBins(records: Record_[], width: bigint): bigint[] {
  let start: bigint | undefined;
  return records.map((record) => {
    const time = nanosecondsOf(record);
    if (start === undefined) start = time - (time % width);
    else if (time >= start + width) start += ((time - start) / width) * width;
    return start;
  });
}

function pushChunked(analyzer: Analyzer, bytes: Uint8Array, random: Random): void {
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + random.below(700);
    analyzer.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  analyzer.end();
}

function captureOf(records: Record_[]): Uint8Array {
  return pcap({ linkType: 101, nanosecond: true, records: records.map((r) => ({ ts: { sec: r.seconds, frac: r.nanoseconds }, data: r.data })) });
}

function pcapngOf(records: Record_[]): Uint8Array {
  return pcapng({
    sections: [{
      interfaces: [{ linkType: 101, tsresol: 9 }],
      blocks: records.map((r) => ({ kind: 'epb' as const, interface: 0, ts: nanosecondsOf(r), data: r.data })),
    }],
  });
}

/** A fresh analysis of only `records`. */
function freshReport(fib: Fib, records: Record_[], filter?: string): Report {
  const analyzer = new Analyzer({ fib, filter });
  analyzer.push(captureOf(records));
  analyzer.end();
  const report = analyzer.report();
  analyzer.dispose();
  return report;
}

const byKey = <T>(rows: T[], key: (row: T) => string, value: (row: T) => unknown) => Object.fromEntries(rows.map((row) => [key(row), value(row)]));
const routeCounts = (rows: { prefix: string; packets: unknown; bytes: unknown }[]) => byKey(rows, (r) => r.prefix, (r) => [r.packets, r.bytes]);
const destinationCounts = (rows: { address: string; packets: unknown; bytes: unknown }[]) => byKey(rows, (r) => r.address, (r) => [r.packets, r.bytes]);

function track(analyzer: Analyzer, width: bigint, top: number): { bins: Interval[]; finish: () => void } {
  const bins: Interval[] = [];
  const tracking = analyzer.trackIntervals({ binNanoseconds: width, top, onBin: (bin) => bins.push(bin) });
  return { bins, finish: () => tracking.finish() };
}

const fib = await Fib.create();
fib.load(TEST_ROUTES);

describe('time bins', () => {
  for (const [seed, width] of [[1, BILLION], [2, 250_000_000n], [3, 7n * BILLION], [4, 1_000_000n]] as const) {
    it(`equal a fresh analysis of their own records, chunked at random (seed ${seed}, ${width} ns)`, () => {
      const records = scenario(seed);
      const random = new Random(seed * 31);
      const analyzer = new Analyzer({ fib });
      const { bins, finish } = track(analyzer, width, 0);
      pushChunked(analyzer, captureOf(records), random);
      finish();
      const whole = analyzer.report();
      analyzer.dispose();

      // the model's bins, every one from the first to the last, empty runs as one
      const starts = modelBins(records, width);
      const first = starts[0];
      const last = starts[starts.length - 1];
      const expectedBins: { start: bigint; bins: number; records: Record_[] }[] = [];
      for (let start = first; start <= last;) {
        const own = records.filter((_, i) => starts[i] === start);
        if (own.length > 0 || start === first) {
          expectedBins.push({ start, bins: 1, records: own });
          start += width;
          continue;
        }
        let next = start;
        while (next <= last && !starts.includes(next)) next += width;
        expectedBins.push({ start, bins: Number((next - start) / width), records: [] });
        start = next;
      }
      expect(bins.length).toBeGreaterThan(20);
      expect(bins.some((b) => b.bins > 1)).toBe(true);
      expect(bins.map((b) => [Date.parse(b.start), b.bins])).toEqual(expectedBins.map((b) => [Number(b.start / 1_000_000n), b.bins]));

      for (const [i, bin] of bins.entries()) {
        const expected = expectedBins[i];
        if (expected.records.length === 0) {
          expect(bin.totals.records).toBe(0);
          continue;
        }
        const fresh = freshReport(fib, expected.records);
        const { filtered: _, ...totals } = bin.totals;
        expect(totals).toEqual({
          records: fresh.totals.records, bytes: fresh.totals.bytes, counted: fresh.totals.counted, ipv4: fresh.totals.ipv4,
          ipv6: fresh.totals.ipv6, nonIp: fresh.totals.nonIp, malformed: fresh.totals.malformed,
          unsupportedLink: fresh.totals.unsupportedLink, noRoute: fresh.totals.noRoute,
        });
        expect(routeCounts(bin.routes)).toEqual(routeCounts(fresh.routes));
        expect(destinationCounts(bin.destinations)).toEqual(destinationCounts(fresh.destinations));
        expect(bin.otherRoutes).toEqual({ routes: 0, packets: 0, bytes: 0 });
      }

      // bins sum to the totals, route by route and destination by destination
      const sum = (rows: [string, number, number][]) => {
        const out: Record<string, [number, number]> = {};
        for (const [key, packets, bytes] of rows) {
          const [p, b] = out[key] ?? [0, 0];
          out[key] = [p + packets, b + bytes];
        }
        return out;
      };
      expect(sum(bins.flatMap((b) => b.routes.map((r) => [r.prefix, Number(r.packets), Number(r.bytes)] as [string, number, number]))))
        .toEqual(routeCounts(whole.routes));
      expect(sum(bins.flatMap((b) => b.destinations.map((d) => [d.address, Number(d.packets), Number(d.bytes)] as [string, number, number]))))
        .toEqual(destinationCounts(whole.destinations));
      expect(bins.reduce((n, b) => n + Number(b.totals.records), 0)).toBe(whole.totals.records);
    });
  }

  it('equal a fresh analysis in a pcapng, and with a filter (its rejected records in each bin\'s totals)', () => {
    const records = scenario(31, 500);
    const width = 2n * BILLION;
    const filter = 'dst net 10.0.0.0/8 or ip6';
    const analyzer = new Analyzer({ fib, filter });
    const { bins, finish } = track(analyzer, width, 0);
    pushChunked(analyzer, pcapngOf(records), new Random(12));
    finish();
    analyzer.dispose();
    const starts = modelBins(records, width);
    let checked = 0;
    for (const bin of bins.filter((b) => Number(b.totals.records) > 0)) {
      const own = records.filter((_, i) => starts[i] === BigInt(Date.parse(bin.start)) * 1_000_000n);
      const fresh = freshReport(fib, own, filter);
      expect(bin.totals.records).toBe(fresh.totals.records);
      expect(bin.totals.filtered).toBe(fresh.totals.filtered);
      expect(bin.totals.counted).toBe(fresh.totals.counted);
      expect(routeCounts(bin.routes)).toEqual(routeCounts(fresh.routes));
      expect(destinationCounts(bin.destinations)).toEqual(destinationCounts(fresh.destinations));
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    expect(bins.some((b) => Number(b.totals.filtered) > 0)).toBe(true);
  });

  it('lists the top K per bin and sums the rest, so each bin stays exact', () => {
    const records = scenario(11, 600);
    const analyzer = new Analyzer({ fib });
    const { bins, finish } = track(analyzer, 3n * BILLION, 2);
    pushChunked(analyzer, captureOf(records), new Random(5));
    finish();
    const starts = modelBins(records, 3n * BILLION);
    analyzer.dispose();
    for (const bin of bins.filter((b) => b.bins === 1)) {
      expect(bin.routes.length).toBeLessThanOrEqual(2);
      expect(bin.destinations.length).toBeLessThanOrEqual(2);
      const routed = bin.routes.reduce((n, r) => n + Number(r.packets), 0) + Number(bin.otherRoutes.packets) + Number(bin.totals.noRoute.packets);
      expect(routed).toBe(bin.totals.counted);
      const destined = bin.destinations.reduce((n, d) => n + Number(d.packets), 0) + Number(bin.otherDestinations.packets);
      expect(destined).toBe(bin.totals.counted);
      const own = records.filter((_, i) => starts[i] === BigInt(Date.parse(bin.start)) * 1_000_000n);
      const fresh = freshReport(fib, own);
      // the picks are the busiest: their counts are the top of the fresh analysis's
      expect(bin.routes.map((r) => r.packets)).toEqual(fresh.routes.map((r) => r.packets).slice(0, 2));
      expect(bin.otherRoutes.routes).toBe(fresh.routes.length - bin.routes.length);
      expect(bin.destinations.map((d) => d.packets)).toEqual(fresh.destinations.map((d) => d.packets).slice(0, 2));
      expect(bin.otherDestinations.destinations).toBe(fresh.destinations.length - bin.destinations.length);
    }
  });

  it('stays exact and non-negative when routes change at bin boundaries and inside bins', async () => {
    const changing = await Fib.create();
    changing.load(TEST_ROUTES);
    const records = scenario(21, 500);
    const width = BILLION;
    // changes near records' times: half exactly at a bin boundary, half inside a bin; a prefix
    // removed and added back in one bin takes its id again (a new generation)
    const random = new Random(77);
    const changes: { at: bigint; apply: (f: Fib) => void }[] = [];
    for (let i = 0; i < 60; i++) {
      const near = nanosecondsOf(records[random.below(records.length)]);
      const at = i % 2 ? near - (near % width) : near - BigInt(random.below(2_000_000));
      const prefix = ['10.1.0.0/16', '10.0.0.0/8', '2001:db8::/32', '192.0.2.0/24'][random.below(4)];
      changes.push({ at, apply: (f) => (f.routesFor(prefix).length ? f.remove(prefix) : f.add(prefix, { nextHop: null })) });
    }
    changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    const analyzer = new Analyzer({ fib: changing });
    const { bins, finish } = track(analyzer, width, 0);
    let next = 0;
    const updates: ClockListener = {
      nextMoment: (): Moment | undefined => changes[next] && { seconds: Number(changes[next].at / BILLION), nanoseconds: Number(changes[next].at % BILLION) },
      reach(now) {
        while (changes[next] && changes[next].at <= nanosecondsOf(now)) changes[next++].apply(changing);
      },
    };
    analyzer.addClockListener(updates); // after the bins: a change at a boundary follows the close
    pushChunked(analyzer, captureOf(records), new Random(8));
    finish();
    const whole = analyzer.report();
    analyzer.dispose();
    expect(next).toBeGreaterThan(0);

    for (const bin of bins) {
      for (const r of [...bin.routes, bin.otherRoutes]) expect(Number(r.packets)).toBeGreaterThanOrEqual(0);
      const routed = bin.routes.reduce((n, r) => n + Number(r.packets), 0) + Number(bin.otherRoutes.packets) + Number(bin.totals.noRoute.packets);
      expect(routed).toBe(bin.totals.counted);
    }
    expect(bins.reduce((n, b) => n + Number(b.totals.counted), 0)).toBe(whole.totals.counted);
    // some bins saw a route go while they were open: its traffic there is in `other`
    expect(bins.some((b) => Number(b.otherRoutes.packets) > 0)).toBe(true);

    // bins with no change inside them equal a fresh analysis on the table as it was in them
    const starts = modelBins(records, width);
    const replay = await Fib.create();
    replay.load(TEST_ROUTES);
    let applied = 0;
    let checked = 0;
    for (const bin of bins.filter((b) => b.bins === 1)) {
      const start = BigInt(Date.parse(bin.start)) * 1_000_000n;
      while (changes[applied] && changes[applied].at <= start) changes[applied++].apply(replay);
      const inside = changes.some((c) => c.at > start && c.at < start + width);
      if (inside) continue;
      const own = records.filter((_, i) => starts[i] === start);
      const fresh = freshReport(replay, own);
      expect(routeCounts(bin.routes)).toEqual(routeCounts(fresh.routes));
      expect(bin.otherRoutes.packets).toBe(0);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('keeps the traffic of a route that went, though a new route took its id in the same bin', async () => {
    const changing = await Fib.create();
    changing.load(TEST_ROUTES);
    const analyzer = new Analyzer({ fib: changing });
    const { bins, finish } = track(analyzer, BILLION, 0);
    const packet = ipv4({ src: '198.51.100.1', dst: '10.1.2.3', proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) });
    const at = (seconds: number, nanoseconds: number) => analyzer.pushFrame(packet, { linkType: 101, time: { seconds, nanoseconds } });
    at(100, 0);
    at(101, 0);
    at(101, 10);
    const id = changing.routesFor('10.1.0.0/16')[0].id;
    changing.remove('10.1.0.0/16');
    changing.add('10.1.0.0/16', { nextHop: null });
    expect(changing.routesFor('10.1.0.0/16')[0].id).toBe(id);
    at(101, 20);
    finish();
    analyzer.dispose();
    expect(bins.map((b) => [b.totals.counted, b.routes.map((r) => [r.prefix, r.nextHop, r.packets]), b.otherRoutes.packets])).toEqual([
      [1, [['10.1.0.0/16', 'ten-one', 1]], 0],
      // the route that went had 2 packets in this bin: counted under no route of the table
      [3, [['10.1.0.0/16', null, 1]], 2],
    ]);
  });

  it('costs O(1) per run of empty bins: a sparse capture over years at 1 s', () => {
    const year = 365n * 86_400n * BILLION;
    const random = new Random(3);
    const records: Record_[] = [];
    let time = 1_000_000_000n * BILLION;
    for (let i = 0; i < 200; i++) {
      time += year / 20n + BigInt(random.below(1000));
      records.push({ seconds: Number(time / BILLION), nanoseconds: Number(time % BILLION), data: frame(random), linkType: 101 });
    }
    const analyzer = new Analyzer({ fib });
    const { bins, finish } = track(analyzer, BILLION, 5);
    const before = fib.engine().wasm.memory.buffer.byteLength;
    const started = performance.now();
    pushChunked(analyzer, captureOf(records), random);
    finish();
    const elapsed = performance.now() - started;
    analyzer.dispose();
    // 200 busy bins and 199 runs between them, though they span 10^9 one-second bins
    expect(bins.length).toBe(399);
    expect(bins.reduce((n, b) => n + b.bins, 0)).toBe(Number((nanosecondsOf(records[199]) / BILLION) - (nanosecondsOf(records[0]) / BILLION)) + 1);
    expect(fib.engine().wasm.memory.buffer.byteLength).toBe(before);
    expect(elapsed).toBeLessThan(2000);
  });
});
