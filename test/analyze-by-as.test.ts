// Traffic by origin AS (`--by as`, `--by src-as`, `--matrix src-as,as`): byOriginAs and
// byOriginAsMatrix over an Analyzer's report, against models counted packet by packet from what
// the test sent, with the route of each address from the slow reference longest match and its
// origin AS from the test's own reading of the route line. Also: random rows against a
// BigInt-summing model, the JSON rows, the message when no route has AS data, and a real
// capture with the RouteViews pfx2as table.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Analyzer, analyzeFile, Fib, formatJson, type Report } from '../src/node.js';
import { byOriginAs, byOriginAsMatrix, missingAsData, type OriginAsRow } from '../src/analyze/by-as.js';
import { pcap } from './helpers/captures.js';
import { ipv4, IPPROTO, LINKTYPE, udp } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { ReferenceLpm } from './helpers/reference-lpm.js';

interface TableRoute {
  prefix: string;
  /** null: loaded from plain text, without AS data */
  originAs: number | null;
  line: string;
}

const ipv4Text = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');

/** A random IPv4 table, distinct prefixes in 10/8, 20/8 and 30/8 (no default: some traffic has no route); a fifth without AS data. */
function randomTable(random: Random, count: number): TableRoute[] {
  const seen = new Set<string>();
  const routes: TableRoute[] = [];
  while (routes.length < count) {
    const length = 8 + random.below(17);
    const base = ([10, 20, 30][random.below(3)] << 24) | random.below(1 << 24);
    const masked = length === 0 ? 0 : (base & (0xffffffff << (32 - length))) >>> 0;
    const prefix = `${ipv4Text(masked)}/${length}`;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    if (random.below(5) === 0) {
      routes.push({ prefix, originAs: null, line: `${prefix} 192.0.2.1` });
      continue;
    }
    // a few origin ASes, so several routes share one; sometimes an AS_SET origin
    const origin = 64500 + random.below(12);
    const path = random.below(6) === 0 ? `3356 {${origin},${origin + 100}}` : `3356 ${random.below(2) ? '1299 ' : ''}${origin}`;
    routes.push({ prefix, originAs: origin, line: `TABLE_DUMP2|1|B|10.0.0.1|3356|${prefix}|${path}|IGP|10.0.0.1|0|0|3356:${origin}|NAG||` });
  }
  return routes;
}

interface Sent { src: number; dst: number; wire: number }

function traffic(random: Random, count: number): { sent: Sent[]; capture: Uint8Array } {
  const address = () => ([10, 20, 30, 40][random.below(4)] << 24 | random.below(1 << 24)) >>> 0;
  const sent: Sent[] = [];
  const records = [];
  for (let i = 0; i < count; i++) {
    const p = { src: address(), dst: address(), wire: 0 };
    const data = ipv4({ src: ipv4Text(p.src), dst: ipv4Text(p.dst), proto: IPPROTO.UDP, payload: udp({ srcPort: 1000, dstPort: 53 }) });
    p.wire = data.length + random.below(1400);
    sent.push(p);
    records.push({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data, origLen: p.wire });
  }
  return { sent, capture: pcap({ linkType: LINKTYPE.RAW, records }) };
}

async function tableOf(routes: TableRoute[]): Promise<{ fib: Fib; originOf: (address: number) => number | null | undefined }> {
  const fib = await Fib.create();
  fib.load(routes.filter((r) => r.originAs !== null).map((r) => r.line).join('\n'), { format: 'bgpdump' });
  fib.load(routes.filter((r) => r.originAs === null).map((r) => r.line).join('\n'), { format: 'plain' });
  const reference = new ReferenceLpm(32);
  routes.forEach((route, i) => {
    const [base, length] = route.prefix.split('/');
    reference.add(i, BigInt(base.split('.').reduce((v, part) => v * 256 + Number(part), 0)), Number(length), 0);
  });
  // undefined: no route at all; null: a route without AS data
  const originOf = (address: number) => {
    const id = reference.lookup(BigInt(address));
    return id < 0 ? undefined : routes[id].originAs;
  };
  return { fib, originOf };
}

function analyze(fib: Fib, capture: Uint8Array, views: ConstructorParameters<typeof Analyzer>[0]['views']): Report {
  const analyzer = new Analyzer({ fib, views });
  try {
    analyzer.push(capture);
    analyzer.end();
    return analyzer.report();
  } finally {
    analyzer.dispose();
  }
}

/** Packets and bytes by key, counted from what was sent. */
function tally<K>(sent: Sent[], key: (p: Sent) => K | undefined): Map<K, { packets: number; bytes: number }> {
  const map = new Map<K, { packets: number; bytes: number }>();
  for (const p of sent) {
    const k = key(p);
    if (k === undefined) continue;
    const entry = map.get(k) ?? { packets: 0, bytes: 0 };
    entry.packets++;
    entry.bytes += p.wire;
    map.set(k, entry);
  }
  return map;
}

const counts = (rows: { as: number | null; packets: unknown; bytes: unknown }[]) =>
  new Map(rows.map((row) => [row.as, { packets: row.packets, bytes: row.bytes }]));

describe('traffic by origin AS from an Analyzer', () => {
  it('--by as, --by src-as and --matrix src-as,as equal the packet-by-packet models (random tables and captures)', async () => {
    for (const seed of [1, 2, 3]) {
      const random = new Random(seed);
      const routes = randomTable(random, 60 + random.below(100));
      const { fib, originOf } = await tableOf(routes);
      const { sent, capture } = traffic(random, 800);
      const report = analyze(fib, capture, { sourceRoutes: true, matrix: { top: 100000 } });

      const byAs = byOriginAs(report.routes);
      expect(counts(byAs), `seed ${seed}`).toEqual(tally(sent, (p) => originOf(p.dst)));
      const bySrcAs = byOriginAs(report.sourceRoutes!);
      expect(counts(bySrcAs), `seed ${seed}`).toEqual(tally(sent, (p) => originOf(p.src)));
      // both kinds of rows, and AS_SET origins, are exercised
      expect(byAs.some((row) => row.as === null) && report.routes.some((row) => row.originAsSet)).toBe(true);
      // prefixes: the distinct routes that carried traffic, per AS
      const prefixes = new Map<number | null, Set<string>>();
      for (const row of report.routes) {
        const set = prefixes.get(row.originAs ?? null) ?? new Set();
        set.add(row.prefix);
        prefixes.set(row.originAs ?? null, set);
      }
      expect(new Map(byAs.map((row) => [row.as, row.prefixes]))).toEqual(new Map([...prefixes].map(([as, set]) => [as, set.size])));
      // the sums are the routes' sums, and busiest first
      expect(byAs.reduce((sum, row) => sum + Number(row.packets), 0)).toBe(report.routes.reduce((sum, row) => sum + Number(row.packets), 0));
      expect(byAs.map((row) => Number(row.packets))).toEqual(byAs.map((row) => Number(row.packets)).sort((a, b) => b - a));

      // the matrix: every pair is a cell here (top is large), so no other
      const matrix = byOriginAsMatrix(report.matrix!);
      const pairs = tally(sent, (p) => `${originOf(p.src) ?? null} ${originOf(p.dst) ?? null}`);
      expect(new Map(matrix.cells.map((cell) => [`${cell.from} ${cell.to}`, { packets: cell.packets, bytes: cell.bytes }]))).toEqual(pairs);
      expect(matrix.other).toEqual({ cells: 0, packets: 0, bytes: 0 });
      expect(missingAsData('--by as', report.routes)).toBeUndefined();
      expect(missingAsData('--matrix src-as,as', report.matrix!)).toBeUndefined();
      expect(missingAsData('--by as', fib)).toBeUndefined();
    }
  });

  it('a small matrix: the top cells by AS pair, its other stays other, the totals exact', async () => {
    const random = new Random(9);
    const { fib, originOf } = await tableOf(randomTable(random, 80));
    const { sent, capture } = traffic(random, 600);
    const report = analyze(fib, capture, { matrix: { top: 7 } });
    const matrix = byOriginAsMatrix(report.matrix!);
    expect(matrix.other).toEqual(report.matrix!.other);
    expect(Number(report.matrix!.other.cells)).toBeGreaterThan(0);
    // each AS cell is the sum of the route-pair cells of that pair, and no more than the pair's traffic
    const pairs = tally(sent, (p) => `${originOf(p.src) ?? null} ${originOf(p.dst) ?? null}`);
    for (const cell of matrix.cells) {
      const routePairs = report.matrix!.cells.filter((c) => (c.fromOriginAs ?? null) === cell.from && (c.toOriginAs ?? null) === cell.to);
      expect(cell.packets).toBe(routePairs.reduce((sum, c) => sum + Number(c.packets), 0));
      expect(Number(cell.packets)).toBeLessThanOrEqual(pairs.get(`${cell.from} ${cell.to}`)!.packets);
    }
    const total = matrix.cells.reduce((sum, cell) => sum + Number(cell.packets), 0) + Number(matrix.other.packets);
    expect(total).toBe(sent.length);
  });

  it('JSON route rows carry originAs, asPath and communities when known, and only then', async () => {
    const random = new Random(4);
    const routes = randomTable(random, 50);
    const { fib } = await tableOf(routes);
    const { capture } = traffic(random, 300);
    const report = analyze(fib, capture, { sourceRoutes: true });
    const json = JSON.parse(formatJson(report)) as { routes: Record<string, unknown>[]; sourceRoutes: Record<string, unknown>[] };
    const byPrefix = new Map(routes.map((route) => [route.prefix, route]));
    for (const rows of [json.routes, json.sourceRoutes]) {
      expect(rows.length).toBeGreaterThan(5);
      for (const row of rows) {
        const route = byPrefix.get(row.prefix as string)!;
        if (route.originAs === null) {
          expect(Object.keys(row)).not.toContain('originAs');
          expect(Object.keys(row)).not.toContain('asPath');
          continue;
        }
        const fields = route.line.split('|');
        expect(row.originAs).toBe(route.originAs);
        expect(row.asPath).toBe(fields[6]);
        expect(row.communities).toEqual([fields[11]]);
      }
    }
  });

  it('says what is missing when no route has AS data', async () => {
    const fib = await Fib.create();
    fib.load('10.0.0.0/8 192.0.2.1\n20.0.0.0/8 192.0.2.2\n', { format: 'plain' });
    const { capture } = traffic(new Random(5), 100);
    const report = analyze(fib, capture, { sourceRoutes: true, matrix: { top: 10 } });
    expect(missingAsData('--by as', fib)).toBe('--by as needs routes with AS data (bgpdump -m or pfx2as): the routing table has no origin AS for any route');
    expect(missingAsData('--by src-as', report.sourceRoutes!)).toMatch(/^--by src-as needs routes with AS data \(bgpdump -m or pfx2as\): none of the \d+ routes that carried traffic has an origin AS$/);
    expect(missingAsData('--matrix src-as,as', report.matrix!)).toMatch(/^--matrix src-as,as needs routes with AS data \(bgpdump -m or pfx2as\): none of the routes of the \d+ busiest route pairs/);
    // the view itself still adds up: everything under null
    const rows = byOriginAs(report.routes);
    expect(rows.map((row) => row.as)).toEqual([null]);
    expect(rows[0].packets).toBe(Number(report.totals.counted) - Number(report.totals.noRoute.packets));
    expect(missingAsData('--by as', [])).toBeUndefined();
  });
});

describe('byOriginAs on random rows', () => {
  it('sums exactly, bigints too, against a BigInt model', () => {
    const random = new Random(77);
    for (let round = 0; round < 20; round++) {
      const rows: OriginAsRow[] = Array.from({ length: 1 + random.below(200) }, (_, i) => {
        const big = random.below(10) === 0;
        const packets = big ? 2n ** 53n + BigInt(random.below(1000)) : random.below(1000) + 1;
        const as = random.below(6) === 0 ? undefined : random.below(8);
        return {
          prefix: `10.${random.below(20)}.0.0/16`,
          packets,
          bytes: big ? BigInt(packets) * 1500n : Number(packets) * (40 + i % 100),
          ...(as === undefined ? {} : { originAs: as }),
        };
      });
      const model = new Map<number | null, { packets: bigint; bytes: bigint; prefixes: Set<string> }>();
      for (const row of rows) {
        const entry = model.get(row.originAs ?? null) ?? { packets: 0n, bytes: 0n, prefixes: new Set<string>() };
        entry.packets += BigInt(row.packets);
        entry.bytes += BigInt(row.bytes);
        entry.prefixes.add(row.prefix);
        model.set(row.originAs ?? null, entry);
      }
      const out = byOriginAs(rows);
      expect(out.length).toBe(model.size);
      for (const row of out) {
        const entry = model.get(row.as)!;
        expect(BigInt(row.packets)).toBe(entry.packets);
        expect(BigInt(row.bytes)).toBe(entry.bytes);
        // one form per value: a number whenever it is safe
        expect(typeof row.packets === 'bigint').toBe(entry.packets > BigInt(Number.MAX_SAFE_INTEGER));
        expect(row.prefixes).toBe(entry.prefixes.size);
      }
      for (let i = 1; i < out.length; i++) expect(BigInt(out[i - 1].packets) >= BigInt(out[i].packets)).toBe(true);
    }
  });
});

const DATA = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const PFX2AS = `${DATA}routes/routeviews-2016-v4.pfx2as.gz`;
const CAPTURE = `${DATA}captures/pcapplusplus/Pcap++Test/PcapExamples/example.pcap`;

describe('a real capture with a real table', () => {
  it.skipIf(!existsSync(PFX2AS) || !existsSync(CAPTURE))('pfx2as origins on the report rows, and their sums by AS (skipped without ../shared/data)', async () => {
    const text = gunzipSync(readFileSync(PFX2AS)).toString('utf8');
    const fib = await Fib.create();
    fib.load(text, { format: 'pfx2as' });
    // the origin of each prefix by the file's own split
    const origin = new Map<string, number>();
    for (const line of text.split('\n')) {
      const [address, length, asn] = line.split('\t');
      if (asn !== undefined) origin.set(`${address}/${length}`, Number(asn.split(/[_,]/)[0]));
    }
    const report = await analyzeFile(CAPTURE, { fib, views: { sourceRoutes: true } });
    expect(report.routes.length).toBeGreaterThan(3);
    for (const rows of [report.routes, report.sourceRoutes!]) {
      const model = new Map<number, number>();
      for (const row of rows) {
        expect(row.originAs, row.prefix).toBe(origin.get(row.prefix));
        model.set(origin.get(row.prefix)!, (model.get(origin.get(row.prefix)!) ?? 0) + Number(row.packets));
      }
      expect(new Map(byOriginAs(rows).map((row) => [row.as, Number(row.packets)]))).toEqual(model);
    }
    const routed = Number(report.totals.counted) - Number(report.totals.noRoute.packets);
    expect(byOriginAs(report.routes).reduce((sum, row) => sum + Number(row.packets), 0)).toBe(routed);
  });
});
