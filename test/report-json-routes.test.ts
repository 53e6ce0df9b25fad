import { describe, expect, it } from 'vitest';
import { Analyzer, Fib, formatIPv6, type AnalyzerOptions, type Report } from '../src/node.js';
import { formatJson, formatReport, writeJson } from '../src/report/index.js';
import { ROUTE_JSON } from '../src/analyze/route-rows.js';
import { ROUTE_TYPES, type NextHop } from '../src/routes/route.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { ETHERTYPE, ethernet, LINKTYPE, udp4, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { analyzerInsides, referenceRouteRows } from './helpers/report-routes-reference.js';

// The routes of a report are sorted and written as JSON in WebAssembly (src/analyze/route-rows.ts).
// The reference is the JavaScript path they came from (test/helpers/report-routes-reference.ts):
// row objects read from the counters one by one, sorted with a comparator, written by
// JSON.stringify. Both must give the same text byte for byte, and the same objects.

const FORMATS = ['table', 'csv', 'ndjson', 'prom'] as const;
const HOPS = ['192.0.2.1', '2001:db8::1', 'peer-a', null, 'quote"and\\back', 'über-hop'] as const;
const DEVS = ['eth0', null, 'wg-ü', 'tab\tdev'] as const;
const COMMUNITIES: readonly (readonly string[])[] = [['3356:100', 'no-export'], [], ['65000:1'], ['"quoted"\\back']];
/** Communities of other scripts: the BGP text is then encoded text by text. */
const COMMUNITIES_UTF8: readonly (readonly string[])[] = [...COMMUNITIES, ['größe:ü']];

interface TableRoute {
  prefix: string;
  /** an address inside the prefix, from random host bits */
  address: (random: Random) => string;
}

/** A random prefix of either family, and how to pick addresses inside it. */
function randomPrefix(random: Random): TableRoute {
  if (random.below(3) > 0) {
    const length = 8 + random.below(21);
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    const base = (random.u32() & mask) >>> 0;
    const dotted = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
    return { prefix: `${dotted(base)}/${length}`, address: (r) => dotted((base | (r.u32() & ~mask)) >>> 0) };
  }
  const length = 16 + random.below(49);
  const bytes = random.bytes(16);
  // some prefixes with zero groups, so the text has `::` in varied places
  for (let i = 0; i < 16; i += 2) if (random.below(3) === 0) bytes[i] = bytes[i + 1] = 0;
  for (let bit = length; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  const prefix = `${formatIPv6(bytes)}/${length}`;
  return {
    prefix,
    address: (r) => {
      const address = bytes.slice();
      for (let bit = length; bit < 128; bit++) if (r.below(2)) address[bit >> 3] |= 0x80 >> (bit & 7);
      return formatIPv6(address);
    },
  };
}

/** Random attributes: multipath, BGP attributes, odd texts; some prefixes twice (another metric). */
async function randomTable(random: Random, count: number, communities = COMMUNITIES): Promise<{ fib: Fib; routes: TableRoute[] }> {
  const fib = await Fib.create();
  const routes: TableRoute[] = [];
  for (let i = 0; i < count; i++) {
    const route = random.below(10) === 0 && routes.length > 0 ? routes[random.below(routes.length)] : randomPrefix(random);
    const nextHops: NextHop[] | undefined = random.below(5) === 0
      ? Array.from({ length: 2 + random.below(2) }, () => ({ via: HOPS[random.below(HOPS.length)], dev: DEVS[random.below(DEVS.length)], weight: 1 + random.below(3) }))
      : undefined;
    const bgp = random.below(5) < 2;
    fib.add(route.prefix, {
      type: random.below(8) === 0 ? ROUTE_TYPES[random.below(ROUTE_TYPES.length)] : 'unicast',
      ...(nextHops ? { nextHops } : { nextHop: HOPS[random.below(HOPS.length)], dev: DEVS[random.below(DEVS.length)] }),
      metric: [0, 10, 4294967295][random.below(3)],
      ...(bgp ? {
        asPath: random.below(4) === 0 ? '3356 {64496,64497}' : `3356 ${random.below(3) ? 1299 : ''} ${64496 + random.below(4)}`.replace('  ', ' '),
        communities: communities[random.below(communities.length)],
        ...(random.below(3) === 0 ? { source: 'bgp 192.0.2.1' } : {}),
      } : {}),
    });
    routes.push(route);
  }
  return { fib, routes };
}

/** Packets to addresses inside the routes, few sizes so that packets and bytes tie often. */
function randomCapture(random: Random, routes: TableRoute[], packets: number): Uint8Array {
  const records: PcapRecord[] = [];
  for (let i = 0; i < packets; i++) {
    const route = routes[random.below(routes.length)];
    const dst = route.address(random);
    const v6 = dst.includes(':');
    // varied sources: a multipath route spreads flows over its next hops
    const src = v6 ? `2001:db8::${random.below(60000).toString(16)}` : `198.51.100.${random.below(256)}`;
    records.push({
      ts: { sec: 1_700_000_000 + i, frac: 0 },
      data: ethernet({ etherType: v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4, payload: v6 ? udp6(src, dst) : udp4(src, dst) }),
      origLen: [100, 200, 1500][random.below(3)],
    });
  }
  return pcap({ linkType: LINKTYPE.EN10MB, records });
}

const MAX_SAFE = 2n ** 53n - 1n;

/**
 * Makes some routes' counts big (around 2^53 and up to 2^64 - 1, next hops' too) and some equal
 * to another's, straight in the counters: a capture that big would take days.
 */
function pokeCounters(random: Random, analyzer: Analyzer): void {
  const { wasm, counters } = analyzerInsides(analyzer);
  const base = wasm.countersRoutes(counters) >>> 0;
  const bytes = wasm.routeCounterBytes();
  const view = new DataView(wasm.memory.buffer);
  const counted: number[] = [];
  for (let id = 0; id < wasm.countersRouteCapacity(counters); id++) if (view.getBigUint64(base + id * bytes, true) !== 0n) counted.push(id);
  const big = () => [MAX_SAFE - BigInt(random.below(3)), MAX_SAFE + BigInt(random.below(3)), 2n ** 64n - 1n - BigInt(random.below(2)), 2n ** 32n + BigInt(random.below(2))][random.below(4)];
  for (const id of counted) {
    const at = base + id * bytes;
    const choice = random.below(6);
    if (choice === 0) {
      view.setBigUint64(at, big(), true);
      view.setBigUint64(at + 8, big(), true);
    } else if (choice === 1 && counted.length > 1) {
      // a tie with another route, in packets or in both
      const other = base + counted[random.below(counted.length)] * bytes;
      view.setBigUint64(at, view.getBigUint64(other, true), true);
      if (random.below(2)) view.setBigUint64(at + 8, view.getBigUint64(other + 8, true), true);
    }
    const paths = view.getUint32(at + 24, true);
    if (paths !== 0 && random.below(2)) {
      for (let h = 0; h < view.getUint32(at + 28, true); h++) view.setBigUint64(paths + h * 16 + random.below(2) * 8, big(), true);
    }
  }
}

/**
 * Checks one analyzer's report against the reference: the JSON text (routes written in
 * WebAssembly) against the reference rows written by JSON.stringify, the lazy row objects
 * against the reference rows, and every other format made from either.
 */
function expectSameAsReference(analyzer: Analyzer, formats: readonly (typeof FORMATS)[number][] = FORMATS): { text: string; report: Report } {
  const report = analyzer.report();
  const reference = referenceRouteRows(analyzer);
  expect((report as { [ROUTE_JSON]?: unknown })[ROUTE_JSON]).toBeDefined();
  const text = formatJson(report);
  const slow = analyzer.report();
  slow.routes = reference;
  void slow.destinations;
  expect((slow as { [ROUTE_JSON]?: unknown })[ROUTE_JSON]).toBeUndefined();
  expect(text).toBe(formatJson(slow));
  // the objects, once read, are the reference's, and so is their JSON
  expect(report.routes).toStrictEqual(reference);
  expect(formatJson(report)).toBe(text);
  for (const format of formats) {
    expect(formatReport(analyzer.report(), format, { top: 0 }), format).toBe(formatReport(slow, format, { top: 0 }));
  }
  return { text, report };
}

function analyzerOf(fib: Fib, bytes: Uint8Array, options: Omit<AnalyzerOptions, 'fib'> = {}): Analyzer {
  const analyzer = new Analyzer({ fib, name: 'routes.pcap', ...options });
  analyzer.push(bytes);
  analyzer.end();
  return analyzer;
}

describe('JSON routes written in WebAssembly', () => {
  it('match the JavaScript path on random tables: multipath, BGP attributes, ties, counts above 2^53', async () => {
    const seen = { multipath: 0, asPath: 0, communities: 0, utf8Communities: 0, ties: 0, bigint: 0 };
    for (let seed = 1; seed <= 6; seed++) {
      const random = new Random(seed * 7919);
      const { fib, routes } = await randomTable(random, 40 + random.below(200), seed % 3 === 0 ? COMMUNITIES_UTF8 : COMMUNITIES);
      const analyzer = analyzerOf(fib, randomCapture(random, routes, 300 + random.below(1500)));
      try {
        const { report } = expectSameAsReference(analyzer);
        expect(report.routes.length).toBeGreaterThan(10);
        const rows = [report.routes];
        if (seed % 2 === 0) {
          pokeCounters(random, analyzer);
          rows.push(expectSameAsReference(analyzer).report.routes);
        }
        for (const list of rows) {
          seen.multipath += list.filter((route) => route.nextHops).length;
          seen.asPath += list.filter((route) => route.asPath !== undefined).length;
          seen.communities += list.filter((route) => route.communities?.length).length;
          seen.utf8Communities += list.filter((route) => route.communities?.includes('größe:ü')).length;
          seen.bigint += list.filter((route) => typeof route.packets === 'bigint' || typeof route.bytes === 'bigint').length;
          seen.ties += list.filter((route, i) => i > 0 && route.packets === list[i - 1].packets && route.bytes === list[i - 1].bytes).length;
        }
      } finally {
        analyzer.dispose();
      }
    }
    // what the random tables are for did occur
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(5);
  });

  it('sort equal counts by prefix text and then by table order, as the comparator did', async () => {
    const fib = await Fib.create();
    // prefixes whose text order is not their numeric order, and one prefix three times
    const prefixes = ['10.0.0.0/8', '9.0.0.0/8', '100.0.0.0/8', '2001:db8::/32', '2001:db8::/48', '10.0.0.0/16'];
    for (const prefix of prefixes) fib.add(prefix, { nextHop: 'a' });
    fib.add('9.0.0.0/8', { nextHop: 'b', metric: 5 });
    fib.add('9.0.0.0/8', { nextHop: 'c', metric: 7 });
    const records: PcapRecord[] = ['10.1.1.1', '9.1.1.1', '100.1.1.1', '2001:db8:1::1', '2001:db8::1', '10.0.1.1']
      .map((dst, i) => ({ ts: { sec: i, frac: 0 }, origLen: 100, data: ethernet({ etherType: dst.includes(':') ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4, payload: dst.includes(':') ? udp6('2001:db8::9', dst) : udp4('192.0.2.9', dst) }) }));
    const analyzer = analyzerOf(fib, pcap({ linkType: LINKTYPE.EN10MB, records }));
    try {
      expectSameAsReference(analyzer);
      // the two other routes of 9.0.0.0/8 count too, poked: equal counts everywhere
      const { wasm, counters } = analyzerInsides(analyzer);
      const view = new DataView(wasm.memory.buffer);
      const base = wasm.countersRoutes(counters) >>> 0;
      for (let id = 0; id < 8; id++) {
        view.setBigUint64(base + id * 32, 3n, true);
        view.setBigUint64(base + id * 32 + 8, 300n, true);
      }
      const { report } = expectSameAsReference(analyzer);
      expect(report.routes.map((route) => `${route.prefix} ${route.nextHop}`)).toEqual([
        '10.0.0.0/16 a', '10.0.0.0/8 a', '100.0.0.0/8 a', '2001:db8::/32 a', '2001:db8::/48 a', '9.0.0.0/8 a', '9.0.0.0/8 b', '9.0.0.0/8 c',
      ]);
    } finally {
      analyzer.dispose();
    }
  });

  it('match with rules, checks and every view on, and in empty reports', async () => {
    const random = new Random(77);
    const { fib, routes } = await randomTable(random, 120);
    const capture = randomCapture(random, routes, 800);
    const analyzer = analyzerOf(fib, capture, {
      rules: 'rule ten count dst 10.0.0.0/8\nrule other alert', checks: true,
      views: { sourceRoutes: true, sources: true, interfaces: true, matrix: { top: 5 } },
    });
    try {
      const { text } = expectSameAsReference(analyzer);
      const parsed = JSON.parse(text);
      expect(Object.keys(parsed)).toEqual(['fibscope', 'inputs', 'totals', 'routes', 'rules', 'anomalies', 'sourceRoutes', 'interfaces', 'matrix', 'destinations', 'sources']);
    } finally {
      analyzer.dispose();
    }
    const empty = analyzerOf(fib, pcap({ linkType: LINKTYPE.EN10MB, records: [] }));
    expect(formatJson(empty.report())).toContain('"routes": [],');
    expect(empty.report().routes).toEqual([]);
    empty.dispose();
    // packets, but none under a route
    const lonely = await Fib.create();
    lonely.add('10.0.0.0/8');
    const unrouted = analyzerOf(lonely, randomCapture(random, [{ prefix: '', address: () => '192.0.2.1' }], 5));
    expect(formatJson(unrouted.report())).toContain('"routes": [],');
    unrouted.dispose();
  });

  it('write many routes in chunks, a route longer than a chunk on its own', async () => {
    const random = new Random(3);
    const { fib, routes } = await randomTable(random, 3000);
    const long = randomPrefix(random);
    fib.add(long.prefix, { nextHop: 'x', dev: 'd'.repeat(300_000), metric: 1 });
    routes.push(long);
    const bytes = randomCapture(random, [...routes, long, long, long], 9000);
    const analyzer = analyzerOf(fib, bytes);
    try {
      const report = analyzer.report();
      const chunks: Uint8Array[] = [];
      writeJson(report, (chunk) => chunks.push(chunk.slice()));
      expect(chunks.length).toBeGreaterThan(6);
      // the table of a 300,000-character device is past what its layout library writes
      const { text } = expectSameAsReference(analyzer, ['csv', 'ndjson']);
      expect(new TextDecoder().decode(Buffer.concat(chunks))).toBe(text);
      expect(text).toContain('d'.repeat(300_000));
      // nested a level deeper, as `compare` writes each side: the same text, its lines indented
      const nested: Uint8Array[] = [];
      writeJson(report, (chunk) => nested.push(chunk.slice()), 2);
      expect(new TextDecoder().decode(Buffer.concat(nested))).toBe(text.slice(0, -1).replaceAll('\n', '\n  '));
    } finally {
      analyzer.dispose();
    }
  });

  it('keep the routes as they were at report time, whatever changes after', async () => {
    const random = new Random(11);
    const { fib, routes } = await randomTable(random, 60);
    const analyzer = analyzerOf(fib, randomCapture(random, routes, 400));
    try {
      const report = analyzer.report();
      const reference = referenceRouteRows(analyzer);
      const text = formatJson(report);
      // the busiest route goes, another comes, counting carries on
      fib.remove(reference[0].prefix);
      fib.add('203.0.113.0/24', { nextHop: 'late' });
      analyzer.nextInput('more.pcap');
      analyzer.push(randomCapture(random, routes, 50));
      expect(formatJson(report)).toBe(text);
      expect(report.routes).toStrictEqual(reference);
      expect(report.destinations.some((d) => d.prefix === reference[0].prefix)).toBe(true);
    } finally {
      analyzer.dispose();
    }
  });
});
