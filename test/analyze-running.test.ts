import { describe, expect, it } from 'vitest';
import { Analyzer, FibscopeArgumentError, type Report } from '../src/node.js';
import { testFib } from './helpers/analyze.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { ETHERTYPE, ethernet, LINKTYPE, udp4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

// An analyzer that runs while the table changes, as in a service: route changes between
// pushes, snapshots, reset and single frames.

const frame = (dst: string) => ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', dst) });

/** A pcap stream: the header once, then records as they come. */
function stream(): { header: Uint8Array; record: (dst: string, sec?: number) => Uint8Array } {
  const header = pcap({ linkType: LINKTYPE.EN10MB, records: [] });
  return {
    header,
    record(dst, sec = 1_700_000_000) {
      const records: PcapRecord[] = [{ ts: { sec, frac: 0 }, data: frame(dst) }];
      return pcap({ linkType: LINKTYPE.EN10MB, records }).subarray(header.length);
    },
  };
}

const routeOf = (report: Report, prefix: string) => report.routes.find((r) => r.prefix === prefix);
const destinationOf = (report: Report, address: string) => report.destinations.find((d) => d.address === address);

describe('an analyzer while the table changes', () => {
  it('counts new packets under a route added since, and carries on the counters of the others', async () => {
    const fib = await testFib();
    const analyzer = new Analyzer({ fib });
    const { header, record } = stream();
    analyzer.push(header);
    for (let i = 0; i < 3; i++) analyzer.push(record('10.1.2.3'));
    analyzer.push(record('10.9.9.9'));
    const before = analyzer.snapshot();
    expect(routeOf(before, '10.1.0.0/16')?.packets).toBe(3);
    expect(routeOf(before, '10.0.0.0/8')?.packets).toBe(1);

    fib.add('10.1.2.0/24', { nextHop: 'more-specific' });
    analyzer.push(record('10.1.2.3'));
    analyzer.push(record('10.9.9.9'));
    const after = analyzer.snapshot();
    // old counts stay where they were; new traffic goes to the more specific route
    expect(routeOf(after, '10.1.0.0/16')?.packets).toBe(3);
    expect(routeOf(after, '10.1.2.0/24')).toMatchObject({ packets: 1, destinations: 1, nextHop: 'more-specific' });
    expect(routeOf(after, '10.0.0.0/8')).toMatchObject({ packets: 2, destinations: 1 });
    // the destination moved: it counts once, under its new route
    expect(routeOf(after, '10.1.0.0/16')?.destinations).toBe(0);
    expect(destinationOf(after, '10.1.2.3')).toMatchObject({ packets: 4, prefix: '10.1.2.0/24' });
    analyzer.dispose();
  });

  it('drops the counters of a removed route, also when its id is given to a new route', async () => {
    const fib = await testFib();
    const analyzer = new Analyzer({ fib });
    const { header, record } = stream();
    analyzer.push(header);
    const id = fib.add('10.50.0.0/16', { nextHop: 'old' });
    for (let i = 0; i < 5; i++) analyzer.push(record('10.50.0.1'));
    analyzer.push(record('192.0.2.7'));
    expect(routeOf(analyzer.report(), '10.50.0.0/16')?.packets).toBe(5);

    fib.remove('10.50.0.0/16');
    const removed = analyzer.report();
    expect(routeOf(removed, '10.50.0.0/16')).toBeUndefined();
    expect(destinationOf(removed, '10.50.0.1')).toMatchObject({ packets: 5, prefix: null });
    expect(routeOf(removed, '192.0.2.0/24')?.packets).toBe(1);

    // ids are reused: the new route must not inherit the old one's counts or destinations
    const reused = fib.add('172.16.0.0/12', { nextHop: 'new' });
    expect(reused).toBe(id);
    analyzer.push(record('172.16.0.9'));
    const later = analyzer.report();
    expect(routeOf(later, '172.16.0.0/12')).toMatchObject({ packets: 1, destinations: 1 });
    expect(destinationOf(later, '10.50.0.1')?.prefix).toBeNull();
    // the old destination's next packet counts under the route that covers it now
    analyzer.push(record('10.50.0.1'));
    const last = analyzer.report();
    expect(destinationOf(last, '10.50.0.1')).toMatchObject({ packets: 6, prefix: '10.0.0.0/8' });
    expect(routeOf(last, '10.0.0.0/8')).toMatchObject({ packets: 1, destinations: 1 });
    expect(routeOf(last, '172.16.0.0/12')).toMatchObject({ packets: 1, destinations: 1 });
    analyzer.dispose();
  });

  // 3 and 2,000 read while removing, through the log of removed ids; 5,000 at once, past the
  // log (count/counters.ts settleCounters), through every counter
  it.each([3, 2_000, 5_000])('settles the counters of %i removed routes among 6,000, as a model of the table says', async (removals) => {
    const fib = await testFib();
    const analyzer = new Analyzer({ fib });
    const { header, record } = stream();
    analyzer.push(header);
    const prefixOf = (i: number) => `10.${100 + (i >> 8)}.${i & 255}.0/24`;
    const addressOf = (i: number) => `10.${100 + (i >> 8)}.${i & 255}.1`;
    const model = new Map<string, number>();
    for (let i = 0; i < 6_000; i++) fib.add(prefixOf(i), { nextHop: `hop${i % 7}` });
    const count = (i: number, packets: number) => {
      for (let p = 0; p < packets; p++) analyzer.push(record(addressOf(i)));
      model.set(prefixOf(i), (model.get(prefixOf(i)) ?? 0) + packets);
    };
    const random = new Random(removals);
    for (let i = 0; i < 6_000; i++) count(i, 1 + (i % 3));
    const expectModel = () => {
      const rows = new Map(analyzer.report().routes.filter((r) => r.prefix.startsWith('10.') && r.prefix.endsWith('/24') && r.packets > 0).map((r) => [r.prefix, r.packets]));
      expect(rows).toEqual(model);
    };
    expectModel();
    const order = Array.from({ length: 6_000 }, (_, i) => i).sort(() => random.below(3) - 1);
    for (const [n, i] of order.slice(0, removals).entries()) {
      fib.remove(prefixOf(i));
      model.delete(prefixOf(i));
      if (removals < 4_096 && n % 1_000 === 999) expectModel();
    }
    expectModel();
    // the ids come back for new routes, which count from zero: read before and after they count
    const back = order.slice(0, Math.min(removals, 500));
    for (const i of back) fib.add(prefixOf(i), { nextHop: 'back' });
    expectModel();
    for (const i of back) count(i, 1);
    expectModel();
    analyzer.dispose();
  });

  it('reset zeroes every counter and the stream carries on', async () => {
    const fib = await testFib();
    const analyzer = new Analyzer({ fib });
    const { header, record } = stream();
    analyzer.push(header);
    analyzer.push(record('10.1.2.3'));
    const last = record('10.1.2.4');
    analyzer.push(last.subarray(0, 10)); // a record cut by the chunk: it waits
    analyzer.reset();
    const empty = analyzer.report();
    expect(empty.totals).toMatchObject({ records: 0, counted: 0, bytes: 0 });
    expect(empty.routes).toEqual([]);
    expect(empty.destinations).toEqual([]);
    expect(empty.inputs[0].records).toBe(0);
    analyzer.push(last.subarray(10));
    analyzer.end();
    const after = analyzer.report();
    expect(after.totals).toMatchObject({ records: 1, counted: 1 });
    expect(after.inputs[0]).toMatchObject({ records: 1, error: null });
    expect(after.destinations.map((d) => d.address)).toEqual(['10.1.2.4']);
    analyzer.dispose();
  });

  it('counts watched routes per time bin, as a reference binning of the records does', async () => {
    const fib = await testFib();
    const random = new Random(11);
    const destinations = ['10.1.2.3', '10.9.9.9', '192.0.2.5', '8.8.8.8'];
    const records: PcapRecord[] = Array.from({ length: 3000 }, () => ({
      // a minute of traffic from 1,700,000,000 s, in no particular order
      ts: { sec: 1_700_000_000 + random.below(60), frac: random.below(1_000_000) },
      data: frame(destinations[random.below(4)]),
      origLen: 60 + random.below(1400),
    }));
    const watched = ['10.1.0.0/16', '10.0.0.0/8', '192.0.2.0/24'];
    const ids = watched.map((prefix) => fib.routesFor(prefix)[0].id);
    const width = 7_000_000_000; // 7 s, so bins do not fall on whole seconds
    const start = { seconds: 1_700_000_005, nanoseconds: 500_000_000 }; // some packets come before it
    const analyzer = new Analyzer({ fib });
    analyzer.trackTimeSeries({ routes: ids, start, binNanoseconds: width, bins: 6 });
    analyzer.push(pcap({ linkType: LINKTYPE.EN10MB, records }));
    analyzer.end();
    // the reference: each record's bin from its time, clamped to the first and last bin
    const expected = watched.map(() => ({ packets: new Array(6).fill(0), bytes: new Array(6).fill(0) }));
    const routeOfAddress: Record<string, number> = { '10.1.2.3': 0, '10.9.9.9': 1, '192.0.2.5': 2 };
    for (const record of records) {
      const slot = routeOfAddress[destinations.find((d) => frame(d).every((b, i) => b === record.data[i]))!];
      if (slot === undefined) continue;
      const ns = BigInt(record.ts.sec) * 1_000_000_000n + BigInt(record.ts.frac) * 1000n;
      const from = BigInt(start.seconds) * 1_000_000_000n + BigInt(start.nanoseconds);
      const bin = ns <= from ? 0 : Math.min(Number((ns - from) / BigInt(width)), 5);
      expected[slot].packets[bin]++;
      expected[slot].bytes[bin] += record.origLen!;
    }
    const series = analyzer.timeSeries()!;
    expect(series.map((s) => s.route)).toEqual(ids);
    expect(series.map(({ packets, bytes }) => ({ packets, bytes }))).toEqual(expected);
    const report = analyzer.report();
    watched.forEach((prefix, slot) => {
      expect(series[slot].packets.reduce((a, b) => a + b)).toBe(routeOf(report, prefix)?.packets);
    });
    analyzer.reset();
    expect(analyzer.timeSeries()!.every((s) => s.packets.every((n) => n === 0))).toBe(true);
    expect(() => analyzer.trackTimeSeries({ routes: ids, start, binNanoseconds: 0, bins: 6 })).toThrow(FibscopeArgumentError);
    analyzer.dispose();
  });

  it('counts single frames with their link type and time', async () => {
    const fib = await testFib();
    const analyzer = new Analyzer({ fib });
    analyzer.pushFrame(frame('10.1.2.3'), { linkType: LINKTYPE.EN10MB, time: new Date('2026-11-29T12:00:00.250Z') });
    analyzer.pushFrame(udp4('192.0.2.1', '192.0.2.9'), { linkType: LINKTYPE.RAW, time: { seconds: 1, nanoseconds: 5 }, originalLength: 1500 });
    analyzer.pushFrame(frame('10.1.2.3'), { linkType: 147 });
    const report = analyzer.report();
    expect(report.totals).toMatchObject({ records: 3, counted: 2, unsupportedLink: 1 });
    expect(destinationOf(report, '10.1.2.3')?.firstSeen).toBe('2026-11-29T12:00:00.250000Z');
    expect(destinationOf(report, '192.0.2.9')).toMatchObject({ bytes: 1500, firstSeen: '1970-01-01T00:00:01.000000Z' });
    expect(() => analyzer.pushFrame(frame('10.0.0.1'), { linkType: -1 })).toThrow(FibscopeArgumentError);
    expect(() => analyzer.pushFrame(frame('10.0.0.1'), { linkType: 1, originalLength: 3 })).toThrow(/at least the frame/);
    expect(() => analyzer.pushFrame(new Uint8Array(262145), { linkType: 1 })).toThrow(/over the 262144-byte limit/);
    expect(analyzer.report().totals.records).toBe(3); // the bad calls changed nothing
    analyzer.dispose();
  });
});
