/**
 * Updates in step with the capture (src/updates/applier.ts): analysing a capture with an update
 * stream equals analysing each piece of it between two update moments with a fresh analyzer on
 * a table holding the routes of that moment, summed. The pieces' tables come from a slow obvious
 * model of the updates (add beside, replace every route of the prefix, del those that match);
 * the sum follows route lives as the counters do: a route counts from the piece where it came
 * (or came back), a destination under the route of its last packet while that route lives.
 * Random tables, captures (some times equal, a few going backwards) and streams in each format.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib, type Report } from '../../src/node.js';
import { compareMoments, type Moment } from '../../src/analyze/capture-clock.js';
import { addCounts } from '../../src/report/count.js';
import type { Count } from '../../src/analyze/report.js';
import { UpdateApplier } from '../../src/updates/applier.js';
import { parseUpdates } from '../../src/updates/detect.js';
import { pcap, type PcapRecord } from '../helpers/captures.js';
import { ipv4, ipv6, udp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';

const PREFIXES = [
  '0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.128/25', '10.2.0.0/16', '10.2.3.0/24',
  '172.16.0.0/12', '192.168.0.0/16', '192.168.1.0/24',
  '::/0', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1:2::/64',
];
const HOPS4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
const HOPS6 = ['2001:db8:ffff::1', '2001:db8:ffff::2'];

type Format = 'fibscope' | 'linx' | 'bgpdump';

interface ModelRoute {
  prefix: string;
  nextHop: string;
  metric: number;
  /** The piece its counters start in. */
  born: number;
}

interface ModelUpdate extends Moment {
  kind: 'add' | 'replace' | 'del';
  prefix: string;
  nextHop?: string;
  metric: number;
}

const key = (route: { prefix: string; nextHop: string | null; metric: number }) => `${route.prefix} ${route.nextHop} ${route.metric}`;
const isV6 = (prefix: string) => prefix.includes(':');

/** The slow obvious table: routes in the order given (the last given wins a tie of metrics). */
class ModelTable {
  routes: ModelRoute[] = [];
  withdrawnNothing = 0;

  apply(update: ModelUpdate, piece: number): void {
    const same = (route: ModelRoute) => route.prefix === update.prefix && route.nextHop === update.nextHop && route.metric === update.metric;
    if (update.kind === 'del') {
      const before = this.routes.length;
      this.routes = this.routes.filter((route) => route.prefix !== update.prefix || (update.nextHop !== undefined && route.nextHop !== update.nextHop));
      if (this.routes.length === before) this.withdrawnNothing++;
      return;
    }
    const present = this.routes.find(same);
    if (update.kind === 'replace') this.routes = this.routes.filter((route) => route.prefix !== update.prefix || route === present);
    // an identical route keeps its life (and becomes the last given)
    this.routes = this.routes.filter((route) => route !== present);
    this.routes.push(present ?? { prefix: update.prefix, nextHop: update.nextHop!, metric: update.metric, born: piece });
  }
}

function randomRoute(random: Random, metrics: readonly number[]): { prefix: string; nextHop: string; metric: number } {
  const prefix = PREFIXES[random.below(PREFIXES.length)];
  const hops = isV6(prefix) ? HOPS6 : HOPS4;
  return { prefix, nextHop: hops[random.below(hops.length)], metric: metrics[random.below(metrics.length)] };
}

function destinationPool(random: Random): string[] {
  const n = () => random.below(256);
  const h = () => random.below(0x10000).toString(16);
  const pool: string[] = [];
  for (let i = 0; i < 12; i++) {
    pool.push(`10.1.2.${n()}`, `10.1.${n()}.${n()}`, `10.2.3.${n()}`, `192.168.1.${n()}`, `8.8.${n()}.${n()}`);
    if (i % 2 === 0) pool.push(`2001:db8:1:2::${h()}`, `2001:db8:1:${h()}::1`, `2400::${h()}`);
  }
  return pool;
}

function timeText(moment: Moment, format: Format, random: Random): string {
  if (format === 'fibscope' && random.below(3) === 0) {
    const iso = new Date(moment.seconds * 1000).toISOString().slice(0, 19);
    return `${iso}.${String(moment.nanoseconds).padStart(9, '0')}Z`;
  }
  return `${moment.seconds}.${String(moment.nanoseconds).padStart(9, '0')}`;
}

function updateLine(update: ModelUpdate, format: Format, random: Random): string {
  const time = timeText(update, format, random);
  if (format === 'linx') return update.kind === 'del' ? `${time} w ${update.prefix} 0.0.0.0` : `${time} a ${update.prefix} ${update.nextHop}`;
  if (format === 'bgpdump') {
    const peer = '195.66.224.175|13030';
    return update.kind === 'del'
      ? `BGP4MP|${time}|W|${peer}|${update.prefix}`
      : `BGP4MP|${time}|A|${peer}|${update.prefix}|13030 ${64500 + random.below(3)}|IGP|${update.nextHop}|0|${update.metric}|13030:${random.below(9)}|NAG||`;
  }
  const via = update.nextHop === undefined ? '' : ` via ${update.nextHop}`;
  return `${time} ${update.kind} ${update.prefix}${via}${update.kind !== 'del' && update.metric ? ` metric ${update.metric}` : ''}`;
}

interface Scenario {
  initial: ModelRoute[];
  records: (PcapRecord & { time: Moment })[];
  updates: ModelUpdate[];
  text: string;
}

function scenario(seed: number, format: Format, size = { records: 300, updates: 50 }): Scenario {
  const random = new Random(seed);
  const metrics = format === 'linx' ? [0] : [0, 10];
  const initial: ModelRoute[] = [];
  const table = new ModelTable();
  for (let i = 0; i < 8; i++) table.apply({ seconds: 0, nanoseconds: 0, kind: 'add', ...randomRoute(random, metrics) }, 0);
  initial.push(...table.routes);

  const pool = destinationPool(random);
  const records: Scenario['records'] = [];
  let nanos = 1_700_000_000n * 1_000_000_000n;
  for (let i = 0; i < size.records; i++) {
    const step = random.below(10);
    if (step < 7) nanos += BigInt(random.below(200_000_000));
    else if (step === 9) nanos -= BigInt(random.below(50_000_000));
    const time = { seconds: Number(nanos / 1_000_000_000n), nanoseconds: Number(nanos % 1_000_000_000n) };
    const dst = pool[random.below(pool.length)];
    const payload = udp({ srcPort: 1000 + random.below(100), dstPort: 53, payload: new Uint8Array(random.below(200)) });
    const data = isV6(dst) ? ipv6({ src: '2001:db8:aaaa::1', dst, nextHeader: 17, payload }) : ipv4({ src: '198.51.100.7', dst, proto: 17, payload });
    records.push({ ts: { sec: time.seconds, frac: time.nanoseconds }, data, origLen: data.length + random.below(1000), time });
  }

  const updates: ModelUpdate[] = [];
  const kinds = format === 'fibscope' ? ['add', 'replace', 'del'] as const : ['replace', 'del'] as const;
  for (let i = 0; i < size.updates; i++) {
    const where = random.below(10);
    const base = records[random.below(records.length)].time;
    let time: Moment;
    if (where < 2) time = base;
    else if (where < 8) time = { seconds: base.seconds, nanoseconds: Math.min(999_999_999, base.nanoseconds + 1 + random.below(100_000_000)) };
    else if (where === 8) time = { seconds: records[0].time.seconds - 1 - random.below(5), nanoseconds: random.below(1e9) };
    else time = { seconds: records[records.length - 1].time.seconds + 1 + random.below(5), nanoseconds: random.below(1e9) };
    const kind = kinds[random.below(kinds.length)];
    const route = randomRoute(random, metrics);
    if (kind === 'del') {
      const narrowed = format === 'fibscope' && random.below(2) === 0;
      updates.push({ ...time, kind, prefix: route.prefix, metric: 0, ...(narrowed ? { nextHop: route.nextHop } : {}) });
    } else updates.push({ ...time, kind, ...route });
  }
  updates.sort(compareMoments);
  const text = `# random updates, seed ${seed}\n${updates.map((update) => updateLine(update, format, random)).join('\n')}\n`;
  return { initial, records, updates, text };
}

async function fibOf(routes: readonly ModelRoute[]): Promise<Fib> {
  const fib = await Fib.create();
  for (const route of routes) fib.add(route.prefix, { nextHop: route.nextHop, metric: route.metric });
  return fib;
}

function analyze(fib: Fib, records: readonly PcapRecord[], listener?: UpdateApplier, random?: Random): Report {
  const analyzer = new Analyzer({ fib });
  if (listener) analyzer.addClockListener(listener);
  const bytes = pcap({ linkType: 101, nanosecond: true, records });
  for (let offset = 0; offset < bytes.length;) {
    const size = random ? 1 + random.below(4000) : bytes.length;
    analyzer.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  analyzer.end();
  const report = analyzer.report();
  analyzer.dispose();
  return report;
}

/** The expected report parts from the pieces, each analysed on the model's table of its moment. */
async function expectedFromPieces(s: Scenario) {
  const table = new ModelTable();
  table.routes = s.initial.map((route) => ({ ...route }));
  const pieces: { records: PcapRecord[]; routes: ModelRoute[] }[] = [];
  let next = 0;
  for (const record of s.records) {
    let applied = false;
    while (next < s.updates.length && compareMoments(s.updates[next], record.time) <= 0) {
      table.apply(s.updates[next++], pieces.length);
      applied = true;
    }
    if (applied || pieces.length === 0) pieces.push({ records: [], routes: table.routes.map((route) => ({ ...route })) });
    pieces[pieces.length - 1].records.push(record);
  }
  const reports: Report[] = [];
  for (const piece of pieces) reports.push(analyze(await fibOf(piece.routes), piece.records));

  const sum = (pick: (report: Report) => Count) => reports.reduce<Count>((total, report) => addCounts(total, pick(report)), 0);
  const alive = new Map(table.routes.map((route) => [key(route), route]));
  // each destination: its counts, and the route of its last packet, while that route lives
  const destinations = new Map<string, { packets: Count; bytes: Count; firstSeen: string; lastSeen: string; route: string | null; piece: number }>();
  reports.forEach((report, piece) => {
    const rowOf = new Map(report.routes.map((row) => [row.prefix, key(row)]));
    for (const d of report.destinations) {
      const seen = destinations.get(d.address);
      const route = d.prefix === null ? null : rowOf.get(d.prefix)!;
      if (!seen) destinations.set(d.address, { packets: d.packets, bytes: d.bytes, firstSeen: d.firstSeen, lastSeen: d.lastSeen, route, piece });
      else {
        seen.packets = addCounts(seen.packets, d.packets);
        seen.bytes = addCounts(seen.bytes, d.bytes);
        if (d.firstSeen < seen.firstSeen) seen.firstSeen = d.firstSeen;
        if (d.lastSeen > seen.lastSeen) seen.lastSeen = d.lastSeen;
        seen.route = route;
        seen.piece = piece;
      }
    }
  });
  const attributed = (d: { route: string | null; piece: number }) => {
    const route = d.route === null ? undefined : alive.get(d.route);
    return route !== undefined && route.born <= d.piece ? route : undefined;
  };
  const routes = table.routes.map((route) => {
    let packets: Count = 0;
    let bytes: Count = 0;
    reports.forEach((report, piece) => {
      if (piece < route.born) return;
      const row = report.routes.find((r) => key(r) === key(route));
      if (row) {
        packets = addCounts(packets, row.packets);
        bytes = addCounts(bytes, row.bytes);
      }
    });
    const count = [...destinations.values()].filter((d) => attributed(d) === route).length;
    return { prefix: route.prefix, nextHop: route.nextHop, metric: route.metric, packets, bytes, destinations: count };
  }).filter((route) => route.packets !== 0);
  return {
    totals: {
      counted: sum((r) => r.totals.counted), ipv4: sum((r) => r.totals.ipv4), ipv6: sum((r) => r.totals.ipv6),
      noRoute: { packets: sum((r) => r.totals.noRoute.packets), bytes: sum((r) => r.totals.noRoute.bytes) },
    },
    routes: sortRoutes(routes),
    destinations: [...destinations.entries()].map(([address, d]) => ({
      address, prefix: attributed(d)?.prefix ?? null, packets: d.packets, bytes: d.bytes, firstSeen: d.firstSeen, lastSeen: d.lastSeen,
    })).sort((a, b) => (a.address < b.address ? -1 : 1)),
    applied: next,
    withdrawnNothing: table.withdrawnNothing,
    pieces: pieces.length,
  };
}

function sortRoutes<T extends { prefix: string; nextHop: string | null; metric: number }>(routes: T[]): T[] {
  return routes.sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

describe('a capture analysed with updates equals its pieces between updates, summed', () => {
  // the last two: more updates than WebAssembly stages at once (assembly/updates/in-step.ts), so
  // windows of staged updates end inside a feed, between feeds and at narrowed dels
  const large = { records: 700, updates: 300 };
  const cases: [number, Format, typeof large?][] = [[1, 'fibscope'], [2, 'fibscope'], [3, 'linx'], [4, 'linx'], [5, 'bgpdump'], [6, 'bgpdump'], [7, 'fibscope'],
    [8, 'fibscope', large], [9, 'linx', large]];
  for (const [seed, format, size] of cases) {
    it(`${format} updates, seed ${seed}${size ? `, ${size.updates} updates` : ''}`, async () => {
      const s = scenario(seed, format, size);
      const expected = await expectedFromPieces(s);
      const fib = await fibOf(s.initial);
      const stream = parseUpdates(s.text, { source: 'updates.txt' });
      expect(stream.updates.length).toBe(s.updates.length);
      const applier = new UpdateApplier(fib, stream);
      const report = analyze(fib, s.records, applier, new Random(seed + 1000));
      // the scenario cuts the capture in many pieces, some updates wait past its end
      expect(expected.pieces).toBeGreaterThan(10);
      expect(s.updates.length - expected.applied).toBeGreaterThan(0);

      const { counted, ipv4, ipv6, noRoute } = report.totals;
      expect({ counted, ipv4, ipv6, noRoute }).toEqual(expected.totals);
      expect(counted).toBe(s.records.length);
      expect(sortRoutes(report.routes.map(({ prefix, nextHop, metric, packets, bytes, destinations }) =>
        ({ prefix, nextHop, metric, packets, bytes, destinations })))).toEqual(expected.routes);
      expect(report.destinations.map(({ address, prefix, packets, bytes, firstSeen, lastSeen }) => ({ address, prefix, packets, bytes, firstSeen, lastSeen }))
        .sort((a, b) => (a.address < b.address ? -1 : 1))).toEqual(expected.destinations);
      const summary = applier.summary();
      expect(summary).toMatchObject({ applied: expected.applied, pending: s.updates.length - expected.applied, withdrawnNothing: expected.withdrawnNothing });
      // the table left is the model's after the applied updates
      const left = sortRoutes([...fib.routes()].map(({ prefix, nextHop, metric }) => ({ prefix, nextHop, metric })));
      const model = new ModelTable();
      model.routes = s.initial.map((route) => ({ ...route }));
      s.updates.slice(0, expected.applied).forEach((update) => model.apply(update, 0));
      expect(left).toEqual(sortRoutes(model.routes.map(({ prefix, nextHop, metric }) => ({ prefix, nextHop, metric }))));
    });
  }
});
