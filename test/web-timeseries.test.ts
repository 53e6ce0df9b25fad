// The browser demo's time series (web/src/timeseries.ts, counted in WebAssembly by
// Analyzer.trackTimeSeries): captures built here with known record times and destinations,
// binned by a reference that works in BigInt nanoseconds.
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, type Fib, type Report } from '../src/node.js';
import {
  BIN_SECONDS, captureTimeSeries, chooseBinSeconds, reportDigits, type SeriesRoute, type TimeSeries,
} from '../web/src/timeseries.js';
import { testFib } from './helpers/analyze.js';
import { pcap, pcapng, truncate, type PcapngBlock, type PcapRecord } from './helpers/captures.js';
import { arpFrame, ETHERTYPE, ethernet, LINKTYPE, raw, udp4, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

const ROUTES = `
10.0.0.0/8 ten
10.1.0.0/16 ten-one
192.0.2.0/24 doc
2001:db8::/32 doc6
`;
/** Destinations and the prefix of the route each takes (null: none). */
const DESTINATIONS: [string, string | null][] = [
  ['10.1.2.3', '10.1.0.0/16'], ['10.9.9.9', '10.0.0.0/8'], ['192.0.2.7', '192.0.2.0/24'],
  ['2001:db8::5', '2001:db8::/32'], ['203.0.113.1', null],
];
const PREFIXES = ['10.1.0.0/16', '10.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'];
const NS = 1_000_000_000n;
const T0 = 1_767_225_600n; // 2026-01-01T00:00:00Z

/** One record of a test capture: its time in ns since 1970, destination (null: ARP) and wire length. */
interface Packet {
  time: bigint;
  dst: string | null;
  origLen: number;
}

let fib: Fib;
beforeAll(async () => {
  fib = await testFib(ROUTES);
});

const ip = (dst: string) => (dst.includes(':') ? udp6('2001:db8:ffff::1', dst) : udp4('198.51.100.1', dst));
const frame = (dst: string | null) => (dst === null
  ? arpFrame()
  : ethernet({ etherType: dst.includes(':') ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4, payload: ip(dst) }));

/** `count` packets from T0 to exactly T0 + `spanNs`, in time order, mostly routed, some ARP. */
function packets(seed: number, count: number, spanNs: bigint): Packet[] {
  const random = new Random(seed);
  const times = [0n, spanNs, ...Array.from({ length: count - 2 }, () => BigInt(random.below(Number(spanNs / 1000n))) * 1000n)];
  times.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return times.map((offset) => ({
    time: T0 * NS + offset,
    dst: random.below(20) === 0 ? null : DESTINATIONS[random.below(DESTINATIONS.length)][0],
    origLen: 60 + random.below(1400),
  }));
}

const pcapRecords = (list: Packet[], nanosecond = false): PcapRecord[] => list.map((p) => {
  const data = frame(p.dst);
  const frac = Number(p.time % NS);
  return { ts: { sec: Number(p.time / NS), frac: nanosecond ? frac : frac / 1000 }, data, origLen: Math.max(p.origLen, data.length) };
});

/** What each bin of `binSeconds` must hold, per prefix: worked out from the packets themselves. */
function expectedSeries(list: Packet[], binSeconds: number, wireLength: (p: Packet, i: number) => number): TimeSeries['series'] {
  const start = list.reduce((min, p) => (p.time < min ? p.time : min), list[0].time);
  const end = list.reduce((max, p) => (p.time > max ? p.time : max), list[0].time);
  const width = BigInt(Math.round(binSeconds * 1e9));
  const bins = Number((end - start) / width) + 1;
  const series = PREFIXES.map((prefix) => ({ prefix, packets: new Array<number>(bins).fill(0), bytes: new Array<number>(bins).fill(0) }));
  list.forEach((p, i) => {
    const prefix = DESTINATIONS.find(([dst]) => dst === p.dst)?.[1];
    const s = series.find((x) => x.prefix === prefix);
    if (!s) return;
    const bin = Number((p.time - start) / width);
    s.packets[bin]++;
    s.bytes[bin] += wireLength(p, i);
  });
  return series;
}

/** The charted routes with the totals of the whole analysis, as the worker passes them. */
function seriesRoutes(report: Report): SeriesRoute[] {
  return PREFIXES.map((prefix) => {
    const route = report.routes.find((r) => r.prefix === prefix);
    return { prefix, packets: route?.packets ?? 0, bytes: route?.bytes ?? 0 };
  });
}

/** The two passes of the worker: the report and the span, then the series over the same bytes in chunks. */
async function series(bytes: Uint8Array, maxBins: number, routes?: (report: Report) => SeriesRoute[], signal?: AbortSignal): Promise<{ report: Report; series: TimeSeries }> {
  const analyzer = new Analyzer({ fib });
  analyzer.push(bytes);
  analyzer.end();
  const report = analyzer.report();
  const span = analyzer.timeSpan()!;
  analyzer.dispose();
  const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000));
  const options = { routes: (routes ?? seriesRoutes)(report), span, digits: reportDigits(report), maxBins, signal };
  return { report, series: await captureTimeSeries(fib, chunks, options) };
}

describe('pcap', () => {
  const list = packets(1, 400, 9_500_000_000n);
  const records = pcapRecords(list);
  const wire = (_: Packet, i: number) => records[i].origLen as number;

  it('bins a capture in time order: each bin holds exactly its packets, per route', async () => {
    const { series: result } = await series(pcap({ linkType: LINKTYPE.EN10MB, records }), 10);
    expect(result.binSeconds).toBe(1);
    expect(result.start).toBe('2026-01-01T00:00:00.000000Z');
    expect(result.series).toEqual(expectedSeries(list, 1, wire));
    expect(result.series[0].packets.some((n) => n > 0)).toBe(true);
  });

  it('gives the same bins when the records are out of time order, big-endian, in ns', async () => {
    const order = new Random(2);
    const shuffled = records.map((r, i) => ({ r, i, key: order.u32() })).sort((a, b) => a.key - b.key);
    const bytes = pcap({ linkType: LINKTYPE.EN10MB, records: pcapRecords(shuffled.map(({ i }) => list[i]), true), nanosecond: true, bigEndian: true });
    const { series: result } = await series(bytes, 10);
    expect(result.binSeconds).toBe(1);
    expect(result.start).toBe('2026-01-01T00:00:00.000000000Z');
    expect(result.series).toEqual(expectedSeries(list, 1, wire));
  });

  it('puts a packet exactly on a boundary in the later bin, one nanosecond before in the earlier', async () => {
    const at = [0n, 999_999n, 1_000_000n, 1_999_999n, 2_000_000n, 9_500_000n];
    const list = at.map((offset): Packet => ({ time: T0 * NS + offset, dst: '10.1.2.3', origLen: 100 }));
    const { series: result } = await series(pcap({ linkType: LINKTYPE.EN10MB, records: pcapRecords(list, true), nanosecond: true }), 10);
    expect(result.binSeconds).toBe(0.001);
    expect(result.series[0].packets).toEqual([2, 2, 1, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('reads a damaged capture as far as the analysis did, and the bins add up to its totals', async () => {
    const whole = pcap({ linkType: LINKTYPE.EN10MB, records });
    const cut = truncate(whole, whole.length - 30); // into the last record
    const { report, series: result } = await series(cut, 10);
    expect(report.inputs[0].error).toMatch(/cut short/);
    expect(report.inputs[0].records).toBe(399);
    // the last packet (the one at T0 + 9.5 s) is gone, so the span is shorter: recompute
    expect(result.series).toEqual(expectedSeries(list.slice(0, 399), result.binSeconds, wire));
    for (const [i, route] of seriesRoutes(report).entries()) {
      expect(result.series[i].packets.reduce((a, b) => a + b, 0)).toBe(route.packets);
      expect(result.series[i].bytes.reduce((a, b) => a + b, 0)).toBe(route.bytes);
    }
  });

  it('refuses to show bins that do not add up to the analysis', async () => {
    const bytes = pcap({ linkType: LINKTYPE.EN10MB, records });
    const wrong = (report: Report) => seriesRoutes(report).map((r, i) => (i === 0 ? { ...r, packets: Number(r.packets) + 1 } : r));
    await expect(series(bytes, 10, wrong)).rejects.toThrow(/bins of 10\.1\.0\.0\/16 add up to \d+ packets/);
  });

  it('stops when its signal is aborted', async () => {
    const bytes = pcap({ linkType: LINKTYPE.EN10MB, records });
    const controller = new AbortController();
    controller.abort();
    await expect(series(bytes, 10, undefined, controller.signal)).rejects.toThrow(/abort/i);
  });
});

describe('pcapng', () => {
  it('follows sections of both byte orders, interfaces of several resolutions, if_tsoffset, EPB and PB', async () => {
    const list = packets(3, 300, 3_900_000_000n);
    const random = new Random(4);
    // each packet goes to a random (section, interface); section 1 declares its second interface mid-way
    const sections: { blocks: PcapngBlock[] }[] = [{ blocks: [] }, { blocks: [] }];
    const wire: number[] = [];
    let declared = false;
    for (const p of list) {
      const where = random.below(4);
      const data = where === 1 ? raw(ip(p.dst ?? '192.0.2.7')) : frame(p.dst);
      if (where === 1 && p.dst === null) p.dst = '192.0.2.7';
      wire.push(Math.max(p.origLen, data.length));
      const origLen = wire[wire.length - 1];
      if (where === 0) sections[0].blocks.push({ kind: 'epb', interface: 0, ts: p.time, data, origLen }); // ns
      if (where === 1) sections[0].blocks.push({ kind: 'pb', interface: 1, ts: ((p.time / NS - T0) << 20n) | (((p.time % NS) << 20n) / NS), data, origLen });
      if (where === 2) sections[1].blocks.push({ kind: 'epb', interface: 0, ts: p.time / 1000n, data, origLen }); // µs
      if (where === 3) {
        if (!declared) sections[1].blocks.push({ kind: 'idb', linkType: LINKTYPE.EN10MB, tsresol: 3 });
        declared = true;
        p.time -= p.time % 1_000_000n; // the interface keeps milliseconds
        sections[1].blocks.push({ kind: 'epb', interface: 1, ts: p.time / 1_000_000n, data, origLen });
      }
      if (where === 1) p.time = (p.time / NS) * NS + ((((p.time % NS) << 20n) / NS) * NS >> 20n); // ticks of 2^-20 s, as ns
      if (random.below(50) === 0) sections[0].blocks.push({ kind: 'isb', interface: 0, ts: p.time });
    }
    const bytes = pcapng({
      sections: [
        { interfaces: [{ linkType: LINKTYPE.EN10MB, tsresol: 9 }, { linkType: LINKTYPE.RAW, tsresol: 0x80 | 20, tsoffset: T0 }], blocks: sections[0].blocks },
        { bigEndian: true, interfaces: [{ linkType: LINKTYPE.EN10MB }], blocks: sections[1].blocks },
      ],
    });
    const { report, series: result } = await series(bytes, 20);
    expect(report.inputs[0].error).toBeNull();
    expect(report.inputs[0].records).toBe(300);
    expect(result.binSeconds).toBe(0.2);
    expect(result.start).toBe('2026-01-01T00:00:00.000000000Z');
    expect(result.series).toEqual(expectedSeries(list, 0.2, (_, i) => wire[i]));
  });

  it('puts simple packet blocks (no time: 1970) in the first bin, years before the rest', async () => {
    const list: Packet[] = [
      { time: 0n, dst: '10.1.2.3', origLen: 100 },
      { time: 0n, dst: '2001:db8::5', origLen: 200 },
      { time: T0 * NS + 5n, dst: '10.1.2.3', origLen: 300 },
      { time: T0 * NS + 86_400n * NS, dst: '192.0.2.7', origLen: 400 },
    ];
    const bytes = pcapng({
      sections: [{
        interfaces: [{ linkType: LINKTYPE.EN10MB, tsresol: 9 }],
        blocks: list.map((p): PcapngBlock => (p.time === 0n
          ? { kind: 'spb', data: frame(p.dst), origLen: p.origLen }
          : { kind: 'epb', interface: 0, ts: p.time, data: frame(p.dst), origLen: p.origLen })),
      }],
    });
    const { series: result } = await series(bytes, 100);
    expect(result.binSeconds).toBe(365 * 86400);
    expect(result.start).toBe('1970-01-01T00:00:00.000000000Z');
    expect(result.series).toEqual(expectedSeries(list, 365 * 86400, (p) => p.origLen));
    expect(result.series[0].packets[0]).toBe(1);
    expect(result.series[0].packets[56]).toBe(1);
  });
});

describe('bins', () => {
  it('picks the narrowest io,stat width that gives at most maxBins bins', () => {
    expect(chooseBinSeconds(0, 100)).toBe(1e-6);
    expect(chooseBinSeconds(9.5, 10)).toBe(1);
    expect(chooseBinSeconds(10, 10)).toBe(2);
    expect(chooseBinSeconds(0.0995, 100)).toBe(0.001);
    expect(chooseBinSeconds(3600, 60)).toBe(120);
    expect(chooseBinSeconds(2 ** 32, 100)).toBe(730 * 86400);
    expect(chooseBinSeconds(1e12, 100)).toBe(BIN_SECONDS[BIN_SECONDS.length - 1]);
  });

  it('reads a pcap microsecond field of a million or more as a later second', async () => {
    const data = frame('10.1.2.3');
    const records: PcapRecord[] = [
      { ts: { sec: Number(T0), frac: 0 }, data },
      { ts: { sec: Number(T0), frac: 1_500_000 }, data },
      { ts: { sec: Number(T0) + 2, frac: 999_999 }, data },
    ];
    const { series: result } = await series(pcap({ linkType: LINKTYPE.EN10MB, records }), 3);
    expect(result.binSeconds).toBe(1);
    expect(result.series[0].packets).toEqual([1, 1, 1]);
  });
});
