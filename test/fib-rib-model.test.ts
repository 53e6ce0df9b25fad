import { describe, expect, it } from 'vitest';
import { Fib, type Route } from '../src/index.js';
import { bigIntToV6, v6ToBigInt } from './helpers/reference-lpm.js';
import { Random, uniformLengths } from './helpers/random.js';
import { maskKey, nestedPrefixes, prefixText, probeAddresses, randomPrefixes, type TestPrefix } from './helpers/tables.js';

// The RIB (assembly/fib/rib.ts, a path-compressed trie) and the lookup structure built from it,
// against a slow obvious model of the table: per prefix, a list of routes (metric, next hop), best
// first by metric, then the one given last; an identical route given again moves to the newest
// place. Every kind of change is applied to both: bulk loads (plain text past the bulk threshold,
// into an empty table and into a full one), add, replace, replacePrefix, remove of a prefix, of
// some of its routes, and of one route by id. After each change the table must list the same routes
// per prefix, answer lookups alike, and keep its RIB's shape (fib/rib-check.ts); and piecewise
// changes must leave the lookup structure a fresh build of the same routes would have.

interface ModelRoute { metric: number; nextHop: string; order: number }
type Family = 4 | 6;

class SlowTable {
  readonly byPrefix = new Map<string, ModelRoute[]>();
  private order = 0;

  private static key(p: TestPrefix): string {
    return `${p.family}/${p.length}/${p.key.toString(16)}`;
  }

  routes(p: TestPrefix): ModelRoute[] {
    return [...(this.byPrefix.get(SlowTable.key(p)) ?? [])].sort((a, b) => a.metric - b.metric || b.order - a.order);
  }

  private set(p: TestPrefix, list: ModelRoute[]): void {
    if (list.length === 0) this.byPrefix.delete(SlowTable.key(p)); else this.byPrefix.set(SlowTable.key(p), list);
  }

  add(p: TestPrefix, metric: number, nextHop: string): void {
    const list = (this.byPrefix.get(SlowTable.key(p)) ?? []).filter((r) => !(r.metric === metric && r.nextHop === nextHop));
    list.push({ metric, nextHop, order: this.order++ });
    this.set(p, list);
  }

  /** replace: the routes of the same metric go (replacePrefix: all of them), then add. */
  replace(p: TestPrefix, metric: number, nextHop: string, everyMetric: boolean): void {
    const list = this.byPrefix.get(SlowTable.key(p)) ?? [];
    const identical = list.find((r) => r.metric === metric && r.nextHop === nextHop);
    this.set(p, list.filter((r) => r === identical || !(everyMetric || r.metric === metric)));
    this.add(p, metric, nextHop);
  }

  remove(p: TestPrefix, keep: (r: ModelRoute) => boolean = () => false): void {
    this.set(p, (this.byPrefix.get(SlowTable.key(p)) ?? []).filter(keep));
  }

  /** The best route of the longest prefix holding `address`, with that prefix's length. */
  lookup(family: Family, address: bigint): string {
    const bits = family === 4 ? 32 : 128;
    for (let length = bits; length >= 0; length--) {
      const routes = this.routes({ family, key: maskKey(address, length, bits), length });
      if (routes.length > 0) return `/${length} ${routes[0].metric} ${routes[0].nextHop}`;
    }
    return 'none';
  }
}

const describeRoute = (r: Route | undefined) => (r === undefined ? 'none' : `/${r.prefix.split('/')[1]} ${r.metric} ${r.nextHop}`);
const listed = (routes: (Route | ModelRoute)[]) => routes.map((r) => `${r.metric} ${r.nextHop}`);

interface RibChecks { ribCheckShape(family: number): number; ribCheckedNodes(): number }
const ribOf = (fib: Fib) => fib.engine().wasm as unknown as RibChecks;

class Pair {
  readonly model = new SlowTable();
  constructor(readonly fib: Fib) {}

  check(pool: TestPrefix[], probes: Record<Family, bigint[]>): void {
    for (const family of [4, 6] as const) expect(ribOf(this.fib).ribCheckShape(family), `IPv${family} RIB shape`).toBe(0);
    for (const p of pool) expect(listed(this.fib.routesFor(prefixText(p))), prefixText(p)).toEqual(listed(this.model.routes(p)));
    for (const family of [4, 6] as const) {
      const addresses = probes[family];
      let ids: Int32Array;
      if (family === 4) {
        ids = this.fib.lookup4(Uint32Array.from(addresses, Number));
      } else {
        const bytes = new Uint8Array(addresses.length * 16);
        addresses.forEach((a, i) => bigIntToV6(a, bytes, i * 16));
        ids = this.fib.lookup6(bytes);
      }
      const got = Array.from(ids, (id) => describeRoute(id < 0 ? undefined : this.fib.route(id)));
      expect(got).toEqual(addresses.map((a) => this.model.lookup(family, a)));
    }
  }
}

/** Prefixes of every length and nesting, both families, with the default routes. */
function prefixPool(random: Random, size: number): TestPrefix[] {
  const pool: TestPrefix[] = [];
  for (const family of [4, 6] as const) {
    const bits = family === 4 ? 32 : 128;
    pool.push(...randomPrefixes(random, family, size, uniformLengths(bits)), ...nestedPrefixes(random, family, size >> 3));
    // siblings that part at every depth: long shared stems, what a path-compressed trie splits
    const stem = family === 4 ? BigInt(random.u32()) : v6ToBigInt(random.bytes(16));
    for (let length = 1; length <= bits; length += family === 4 ? 1 : 3) {
      pool.push({ family, key: maskKey(stem ^ (1n << BigInt(bits - length)), length, bits), length });
      pool.push({ family, key: maskKey(stem, length, bits), length });
    }
    pool.push({ family, key: 0n, length: 0 });
  }
  const seen = new Set<string>();
  return pool.filter((p) => !seen.has(prefixText(p)) && seen.add(prefixText(p)));
}

function probesFor(random: Random, pool: TestPrefix[], count: number): Record<Family, bigint[]> {
  return {
    4: probeAddresses(random, 4, pool.filter((p) => p.family === 4), count),
    6: probeAddresses(random, 6, pool.filter((p) => p.family === 6), count),
  };
}

/** A bulk load's text (well past the bulk threshold) drawn from `pool`, applied to the model in file order. */
function bulkLoad(pair: Pair, random: Random, pool: TestPrefix[], lines: number): void {
  const text: string[] = [];
  for (let i = 0; i < lines; i++) {
    const p = pool[random.below(pool.length)];
    const metric = random.below(3);
    const nextHop = p.family === 4 ? `192.0.2.${1 + random.below(3)}` : `2001:db8::${1 + random.below(3)}`;
    text.push(`${prefixText(p)} ${nextHop} - ${metric}`);
    pair.model.add(p, metric, nextHop);
  }
  pair.fib.load(text.join('\n'), { format: 'plain' });
}

function randomChange(pair: Pair, random: Random, pool: TestPrefix[]): TestPrefix {
  const p = pool[random.below(pool.length)];
  const text = prefixText(p);
  const metric = random.below(3);
  const nextHop = p.family === 4 ? `192.0.2.${1 + random.below(3)}` : `2001:db8::${1 + random.below(3)}`;
  const op = random.below(12);
  if (op < 4) {
    pair.fib.add(text, { metric, nextHop });
    pair.model.add(p, metric, nextHop);
  } else if (op < 6) {
    pair.fib.replace(text, { metric, nextHop });
    pair.model.replace(p, metric, nextHop, false);
  } else if (op < 7) {
    pair.fib.replacePrefix(text, { metric, nextHop });
    pair.model.replace(p, metric, nextHop, true);
  } else if (op < 9) {
    pair.fib.remove(text);
    pair.model.remove(p);
  } else if (op < 10) {
    pair.fib.remove(text, { metric });
    pair.model.remove(p, (r) => r.metric !== metric);
  } else {
    const routes = pair.fib.routesFor(text);
    if (routes.length > 0) {
      const gone = routes[random.below(routes.length)];
      expect(pair.fib.removeRoute(gone.id)).toBe(true);
      pair.model.remove(p, (r) => !(r.metric === gone.metric && r.nextHop === gone.nextHop));
    }
  }
  return p;
}

describe('the RIB and the lookup structure against a slow model of the table', () => {
  for (const seed of [1, 2]) {
    it(`agree through bulk loads and every kind of change, down to an empty table (seed ${seed})`, async () => {
      const random = new Random(seed);
      const pool = prefixPool(random, 400);
      const probes = probesFor(random, pool, 3000);
      const pair = new Pair(await Fib.create());
      const emptyLookupBytes = { 4: pair.fib.stats().ipv4LookupBytes, 6: pair.fib.stats().ipv6LookupBytes };

      bulkLoad(pair, random, pool, 6000);
      pair.check(pool, probes);
      for (let step = 1; step <= 1500; step++) {
        const p = randomChange(pair, random, pool);
        // the family changed: its RIB's shape, and the addresses around the prefix
        expect(ribOf(pair.fib).ribCheckShape(p.family)).toBe(0);
        if (step % 300 === 0) pair.check(pool, probes);
        // a bulk load into the full table, once
        if (step === 700) {
          bulkLoad(pair, random, pool, 5000);
          pair.check(pool, probes);
        }
      }
      pair.check(pool, probes);

      // piecewise changes leave the lookup structure a fresh build of the same routes has
      const fresh = await Fib.create();
      for (const route of pair.fib.routes()) fresh.add(route.prefix, route);
      expect(fresh.stats().ipv4LookupBytes).toBe(pair.fib.stats().ipv4LookupBytes);
      expect(fresh.stats().ipv6LookupBytes).toBe(pair.fib.stats().ipv6LookupBytes);

      // everything removed, prefix by prefix: no lookup finds a route, the RIBs are their roots
      for (const p of pool) {
        pair.fib.remove(prefixText(p));
        pair.model.remove(p);
      }
      pair.check(pool, probes);
      for (const family of [4, 6] as const) {
        expect(ribOf(pair.fib).ribCheckShape(family)).toBe(0);
        expect(ribOf(pair.fib).ribCheckedNodes()).toBe(1);
      }
      expect(pair.fib.stats().ipv4LookupBytes).toBe(emptyLookupBytes[4]);
      expect(pair.fib.stats().ipv6LookupBytes).toBe(emptyLookupBytes[6]);

      // and a bulk load into the emptied table
      bulkLoad(pair, random, pool, 6000);
      pair.check(pool, probes);
    });
  }

  it('gives back every RIB node: adding and removing the same routes again takes no more memory', async () => {
    const random = new Random(7);
    const pool = prefixPool(random, 300);
    const fib = await Fib.create();
    const ribBytes: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const p of pool) fib.add(prefixText(p), { metric: random.below(3) });
      for (const p of pool) fib.remove(prefixText(p));
      for (const family of [4, 6] as const) {
        expect(ribOf(fib).ribCheckShape(family)).toBe(0);
        expect(ribOf(fib).ribCheckedNodes()).toBe(1);
      }
      ribBytes.push(fib.stats().ribBytes);
    }
    expect(ribBytes[2]).toBe(ribBytes[1]);
  });
});
