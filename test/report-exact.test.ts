import * as client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import type { Count, Report, RouteCounters } from '../src/analyze/report.js';
import { registerFibscopeMetrics } from '../src/metrics/prom-client.js';
import { TopDestinations } from '../src/report/prom.js';
import { formatCsv, formatJson, formatNdjson, formatProm, formatTable, reportRows } from '../src/report/index.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { LINKTYPE, udp4 } from './helpers/packets.js';

// Sums above 2^53 reach every output exactly. Records claim wire lengths near 2^32 - 1 (the most
// a pcap record can), so about 2^21 of them pass 2^53 bytes; one chunk of records is pushed again
// and again, and the oracle is the chunk's sums, taken as BigInts, times the number of pushes.

const ROUTES = `10.0.0.0/8 via 192.0.2.1 dev eth0
10.1.0.0/16 via 192.0.2.1 dev eth0
10.2.0.0/16 proto static
\tnexthop via 192.0.2.2 dev eth1 weight 1
\tnexthop via 192.0.2.3 dev eth1 weight 1
`;
const TWO_53 = 2n ** 53n;
const CHUNK = 8191;
/** Pushes of the chunk: 5.7M records, 2.5e16 bytes. */
const PUSHES = 701;

/** Who gets each record of the chunk: route A's one destination, route B, the multipath route's flows, no route. */
function destinationOf(i: number): { dst: string; src: string } {
  const slot = i % 10;
  if (slot < 4) return { dst: '10.0.0.1', src: '192.0.2.100' };
  if (slot < 5) return { dst: `10.1.0.${i % 200}`, src: '192.0.2.100' };
  if (slot < 9) return { dst: `10.2.${(i >> 8) & 255}.${i & 255}`, src: `198.51.100.${i % 251}` };
  return { dst: `172.16.0.${i % 50}`, src: '192.0.2.100' };
}

/**
 * A wire length near 2^32, odd but for records 5 and 9: with an odd number of pushes this makes
 * every sum below odd (route A's 3,277 records, the multipath route's 3,276 and one even, all
 * 8,191 with two even), so no float64 above 2^53 holds it.
 */
const origLenOf = (i: number) => 0xffffffff - 2 * ((i * 7919) % 4093) - (i === 5 || i === 9 ? 1 : 0);

function chunkRecords(): PcapRecord[] {
  return Array.from({ length: CHUNK }, (_, i) => {
    const { dst, src } = destinationOf(i);
    return { ts: { sec: 1_700_000_000, frac: i }, data: udp4(src, dst), origLen: origLenOf(i) };
  });
}

/** The sums the report must hold, as BigInts, for one chunk. */
function chunkOracle() {
  const sums = { total: 0n, a: 0n, aPackets: 0n, b: 0n, bPackets: 0n, multipath: 0n, multipathPackets: 0n, none: 0n, records: 0n };
  for (let i = 0; i < CHUNK; i++) {
    const bytes = BigInt(origLenOf(i));
    const { dst } = destinationOf(i);
    sums.total += bytes;
    sums.records++;
    if (dst === '10.0.0.1') { sums.a += bytes; sums.aPackets++; }
    else if (dst.startsWith('10.1.')) { sums.b += bytes; sums.bPackets++; }
    else if (dst.startsWith('10.2.')) { sums.multipath += bytes; sums.multipathPackets++; }
    else sums.none += bytes;
  }
  return sums;
}

const times = (sums: Record<string, bigint>, n: bigint) =>
  Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v * n])) as ReturnType<typeof chunkOracle>;

/** A count as a BigInt, checking the one form: a bigint only above 2^53 - 1. */
function big(count: Count | undefined): bigint {
  if (count === undefined) throw new Error('no such count');
  if (typeof count === 'number') {
    expect(Number.isSafeInteger(count)).toBe(true);
    return BigInt(count);
  }
  expect(count > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
  return count;
}

const route = (report: Report, prefix: string): RouteCounters => {
  const found = report.routes.find((r) => r.prefix === prefix);
  if (!found) throw new Error(`no route ${prefix}`);
  return found;
};

/** JSON.parse that keeps every integer of more than 15 digits as a BigInt (strings left alone). */
function parseExact(text: string): any {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\d{16,}(?![.eE\d])/g, (token) => (token[0] === '"' ? token : `"${token}n"`));
  return JSON.parse(marked, (_key, value) => (typeof value === 'string' && /^-?\d{16,}n$/.test(value) ? BigInt(value.slice(0, -1)) : value));
}

/**
 * The Prometheus text format as Prometheus reads it: HELP and TYPE lines, then
 * `name{label="value",...} value` with a float value (Go's ParseFloat syntax). Returns the
 * value text of every sample by `name{labels}`, after checking each line against the grammar.
 */
function parseProm(text: string): Map<string, string> {
  const samples = new Map<string, string>();
  const label = String.raw`[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"`;
  const line = new RegExp(String.raw`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:${label}(?:,${label})*)?,?\})? ([^ ]+)(?: -?\d+)?$`);
  const float = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|NaN)$/;
  for (const row of text.split('\n')) {
    if (row === '' || row.startsWith('#')) continue;
    const match = line.exec(row);
    expect(match, row).not.toBeNull();
    expect(match![3], row).toMatch(float);
    expect(Number.isNaN(Number(match![3].replace('Inf', 'Infinity')))).toBe(match![3].endsWith('NaN'));
    samples.set(`${match![1]}${match![2] ?? ''}`, match![3]);
  }
  return samples;
}

describe('counts above 2^53', () => {
  let fib: Fib;
  let analyzer: Analyzer;
  let report: Report;
  let want: ReturnType<typeof chunkOracle>;
  let hops: bigint[];

  beforeAll(async () => {
    fib = await Fib.create();
    fib.load(ROUTES, { format: 'ip' });
    const records = chunkRecords();
    const file = pcap({ linkType: LINKTYPE.RAW, records, nanosecond: true });
    const body = file.subarray(24);

    // one chunk alone gives the multipath route's split by next hop (a flow always takes the same one)
    const once = new Analyzer({ fib });
    once.push(file);
    hops = route(once.report(), '10.2.0.0/16').nextHops!.map((hop) => big(hop.bytes));
    once.dispose();

    analyzer = new Analyzer({ fib });
    analyzer.push(file);
    for (let i = 1; i < PUSHES; i++) analyzer.push(body);
    report = analyzer.report();
    want = times(chunkOracle(), BigInt(PUSHES));
    hops = hops.map((bytes) => bytes * BigInt(PUSHES));
  }, 60_000);

  afterAll(() => analyzer?.dispose());

  it('is sized so that a float64 would lose them', () => {
    for (const value of [want.total, want.a, hops[0] + hops[1] + want.a + want.b]) {
      expect(value > TWO_53).toBe(true);
      expect(BigInt(Number(value))).not.toBe(value);
    }
    // each next hop alone is a safe number, their sum is not: the device row must go to BigInt
    for (const bytes of hops) expect(bytes < TWO_53).toBe(true);
    expect(hops[0] + hops[1] > TWO_53).toBe(true);
    expect(BigInt(Number(hops[0] + hops[1]))).not.toBe(hops[0] + hops[1]);
  });

  it('holds exact totals, routes, next hops and destinations in the report', () => {
    expect(big(report.totals.records)).toBe(want.records);
    expect(big(report.totals.bytes)).toBe(want.total);
    expect(big(report.totals.noRoute.bytes)).toBe(want.none);
    expect(big(route(report, '10.0.0.0/8').bytes)).toBe(want.a);
    expect(big(route(report, '10.1.0.0/16').bytes)).toBe(want.b);
    const multipath = route(report, '10.2.0.0/16');
    expect(big(multipath.bytes)).toBe(want.multipath);
    expect(multipath.nextHops!.map((hop) => big(hop.bytes))).toEqual(hops);
    const busiest = report.destinations[0];
    expect(busiest.address).toBe('10.0.0.1');
    expect(big(busiest.packets)).toBe(want.aPackets);
    expect(big(busiest.bytes)).toBe(want.a);
    // routes sort by packets, then bytes, exactly
    const aFirst = want.aPackets > want.multipathPackets || (want.aPackets === want.multipathPackets && want.a > want.multipath);
    expect(report.routes.map((r) => r.prefix)).toEqual(aFirst
      ? ['10.0.0.0/8', '10.2.0.0/16', '10.1.0.0/16'] : ['10.2.0.0/16', '10.0.0.0/8', '10.1.0.0/16']);
  });

  it('sums next-hop and device rows exactly', () => {
    const byHop = new Map(reportRows(report, 'nexthop', 'bytes').map((row) => [row.nextHop, big(row.bytes)]));
    expect(byHop.get('192.0.2.1')).toBe(want.a + want.b);
    expect(byHop.get('192.0.2.2')).toBe(hops[0]);
    expect(byHop.get('192.0.2.3')).toBe(hops[1]);
    const byDev = new Map(reportRows(report, 'dev', 'bytes').map((row) => [row.dev, big(row.bytes)]));
    expect(byDev.get('eth0')).toBe(want.a + want.b);
    expect(byDev.get('eth1')).toBe(hops[0] + hops[1]);
    // rows are in the order of their exact sums
    const devs = reportRows(report, 'dev', 'bytes').map((row) => row.dev);
    expect(devs).toEqual(want.a + want.b > hops[0] + hops[1] ? ['eth0', 'eth1'] : ['eth1', 'eth0']);
  });

  it('writes plain JSON integers that a BigInt-aware parse reads back digit for digit', () => {
    const text = formatJson(report);
    expect(text).not.toMatch(/\d[eE][+-]?\d/);
    const plain = JSON.parse(text); // valid JSON
    expect(plain.totals.bytes).toBe(Number(want.total));
    const exact = parseExact(text);
    expect(exact.totals.bytes).toBe(want.total);
    expect(exact.totals.records).toBe(Number(want.records));
    expect(exact.routes.find((r: any) => r.prefix === '10.0.0.0/8').bytes).toBe(want.a);
    expect(exact.routes.find((r: any) => r.prefix === '10.2.0.0/16').nextHops.map((h: any) => BigInt(h.bytes))).toEqual(hops);
    // the destinations come from WebAssembly's own writer
    expect(exact.destinations[0].bytes).toBe(want.a);
    // and the same text once the destination objects have been read
    void report.destinations.length;
    expect(parseExact(formatJson(report))).toEqual(exact);
  });

  it('writes exact digits in ndjson, csv and the plain-numbers table', () => {
    const dev = formatNdjson(report, { by: 'dev', sort: 'bytes' }).trimEnd().split('\n').map(parseExact);
    expect(dev[0].bytes).toBe(want.total);
    expect(dev.find((row) => row.dev === 'eth1').bytes).toBe(hops[0] + hops[1]);
    const csv = formatCsv(report, { by: 'nexthop', sort: 'bytes' });
    expect(csv).toContain(`\n192.0.2.1,2,${want.aPackets + want.bPackets},${want.a + want.b},`);
    const table = formatTable(report, { by: 'dev', sort: 'bytes', top: 0, humanUnits: false });
    expect(table).toContain(`${want.total} bytes`);
    expect(table).toContain(` ${hops[0] + hops[1]} `);
  });

  it('writes exact Prometheus samples that the text format parses', () => {
    const samples = parseProm(formatProm(report));
    expect(BigInt(samples.get('fibscope_bytes_total')!)).toBe(want.total);
    expect(BigInt(samples.get('fibscope_unrouted_bytes_total')!)).toBe(want.none);
    expect(BigInt(samples.get('fibscope_route_bytes_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"}')!)).toBe(want.a);
    expect(BigInt(samples.get('fibscope_route_bytes_total{prefix="10.2.0.0/16",next_hop="192.0.2.3",dev="eth1",family="ipv4"}')!)).toBe(hops[1]);
    // a parser that reads float64 gets the nearest float64, as Prometheus stores it
    expect(Number(samples.get('fibscope_bytes_total'))).toBe(Number(want.total));
  });

  it('sums the top destinations and other exactly', () => {
    const samples = parseProm(formatProm(report, { destinations: new TopDestinations(1) }));
    const series = (address: string, prefix: string) => BigInt(samples.get(`fibscope_destination_bytes_total{address="${address}",prefix="${prefix}"}`)!);
    expect(series('10.0.0.1', '10.0.0.0/8')).toBe(want.a);
    // a first scrape: the top destination has its whole count, other the rest, exactly
    expect(series('other', '') + series('10.0.0.1', '10.0.0.0/8')).toBe(want.total);
    expect(series('other', '')).toBe(want.total - want.a);
  });

  it('hands prom-client the nearest float64, as it holds numbers', async () => {
    const registry = new client.Registry();
    registerFibscopeMetrics(client, { analyzer, registry });
    const samples = parseProm(await registry.metrics());
    expect(Number(samples.get('fibscope_bytes_total'))).toBe(Number(want.total));
    expect(Number(samples.get('fibscope_route_bytes_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"}'))).toBe(Number(want.a));
  });
});
