/**
 * The AS paths of an MRT bulk load kept as numbers, their objects made when read
 * (src/fib/lazy-as-paths.ts), against the reader in JavaScript that makes them at once: after
 * the load and after every kind of change to its routes (removals, replaces, adds into freed
 * ids, update runs, a second load on top, a reload), the same attributes on every route by
 * every way of reading them, shared between the routes of one path the same way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Fib, type RouteRowFields } from '../../src/fib/fib.js';
import { MrtRibScan } from '../../src/mrt/rib-scan.js';
import { UpdateApplier } from '../../src/updates/applier.js';
import type { RouteUpdate } from '../../src/updates/types.js';
import { Random } from '../helpers/random.js';
import { randomDump } from './random-table.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The same table twice: `fast` loads MRT through the scan (lazy AS paths), `slow` through parseMrtRoutes. */
class Pair {
  private constructor(readonly fast: Fib, readonly slow: Fib) {}

  static async create(): Promise<Pair> {
    return new Pair(await Fib.create(), await Fib.create());
  }

  /** Loads `bytes` into both; returns whether the fast table's load went through the scan. */
  load(bytes: Uint8Array): boolean {
    const run = vi.spyOn(MrtRibScan, 'run');
    this.fast.load(bytes, { format: 'mrt' });
    const scanned = run.mock.results.some((r) => r.type === 'return' && r.value !== undefined);
    run.mockReturnValue(undefined);
    this.slow.load(bytes, { format: 'mrt' });
    run.mockRestore();
    return scanned;
  }

  both(change: (fib: Fib) => void): void {
    change(this.fast);
    change(this.slow);
  }
}

/** Each id's AS attributes object as the number of the first id that has the same object (-1: none). */
function sharing(fib: Fib, ids: number): number[] {
  const firstOf = new Map<object, number>();
  return Array.from({ length: ids }, (_, id) => {
    const as = fib.sharedBgpOf(id)[0];
    if (as === undefined) return -1;
    if (!firstOf.has(as)) firstOf.set(as, id);
    return firstOf.get(as)!;
  });
}

function rows(fib: Fib, ids: number): (RouteRowFields | null)[] {
  return Array.from({ length: ids }, (_, id) => {
    const row = {} as RouteRowFields;
    return fib.describeInto(id, row) ? { ...row } : null;
  });
}

/** Every way of reading the AS attributes, the lazy ones first read before anything makes their objects. */
function expectSameAttributes(pair: Pair): void {
  const { fast, slow } = pair;
  expect(fast.hasOriginAs()).toBe(slow.hasOriginAs());
  expect(fast.bgpStats()).toEqual(slow.bgpStats());
  expect(fast.hasBgpAttributes()).toBe(slow.hasBgpAttributes());
  const ids = Math.max(...[fast, slow].map((fib) => Math.max(-1, ...Array.from(fib.routes(), (route) => route.id)) + 8));
  expect(sharing(fast, ids)).toEqual(sharing(slow, ids));
  expect(rows(fast, ids)).toEqual(rows(slow, ids));
  expect(Array.from({ length: ids }, (_, id) => fast.route(id) ?? null)).toEqual(Array.from({ length: ids }, (_, id) => slow.route(id) ?? null));
}

describe('AS paths of an MRT bulk load made when read', () => {
  it('the same attributes and sharing as the reader in JavaScript, through removals, replaces, adds, update runs and loads', async () => {
    const random = new Random(31);
    const first = randomDump(31, 1500, 3);
    const second = randomDump(32, 1200, 2);
    const pair = await Pair.create();
    expect(pair.load(first.bytes)).toBe(true);
    expectSameAttributes(pair);

    // a second load through the scan, on top (the first load's paths folded in)
    expect(pair.load(second.bytes)).toBe(true);
    expectSameAttributes(pair);

    // removals in both loads' ranges, then adds without BGP attributes into the freed ids: a stale path would show
    const prefixes = [...first.records, ...second.records].map((record) => record.prefix);
    const removed = prefixes.filter(() => random.below(5) === 0);
    pair.both((fib) => { for (const prefix of removed) fib.remove(prefix); });
    expectSameAttributes(pair);
    pair.both((fib) => {
      for (const [n, prefix] of removed.slice(0, 100).entries()) fib.add(prefix, { nextHop: prefix.includes(':') ? '2001:db8::77' : '192.0.2.77', metric: n });
    });
    expectSameAttributes(pair);

    // replaces of routes of the loads, with and without an AS path
    const replaced = prefixes.filter((prefix) => !removed.includes(prefix) && random.below(6) === 0);
    pair.both((fib) => {
      for (const [n, prefix] of replaced.entries()) {
        const nextHop = prefix.includes(':') ? '2001:db8::78' : '192.0.2.78';
        fib.replacePrefix(prefix, n % 2 === 0 ? { nextHop, asPath: `65010 ${65_100 + (n % 7)}` } : { nextHop });
      }
    });
    expectSameAttributes(pair);

    // replaces by a route identical but for its BGP attributes: the route stays, its attributes change (or go)
    const kept = prefixes.filter((prefix) => !removed.includes(prefix) && !replaced.includes(prefix) && random.below(6) === 0)
      .map((prefix) => pair.slow.routesFor(prefix)[0]).filter((route) => route !== undefined && route.nextHop !== null);
    pair.both((fib) => {
      for (const [n, route] of kept.entries()) {
        fib.replacePrefix(route.prefix, { nextHop: route.nextHop!, metric: route.metric, ...(n % 2 === 0 ? { asPath: `65030 ${65_300 + (n % 3)}` } : {}) });
      }
    });
    expect(kept.map((route) => pair.fast.routesFor(route.prefix)[0]?.id)).toEqual(kept.map((route) => route.id));
    expectSameAttributes(pair);

    // an update run over the loads' prefixes: adds, replaces and dels
    const updates: RouteUpdate[] = prefixes.filter(() => random.below(8) === 0).map((prefix, n) => {
      const nextHop = prefix.includes(':') ? '2001:db8::79' : '192.0.2.79';
      const kind = (['add', 'replace', 'del'] as const)[n % 3];
      return { seconds: 100 + n, nanoseconds: 0, kind, prefix, where: `u:${n + 1}`,
        ...(kind === 'del' ? {} : { attributes: n % 2 === 0 ? { nextHop, asPath: `65020 ${65_200 + (n % 5)}` } : { nextHop, metric: 9 } }) };
    });
    pair.both((fib) => new UpdateApplier(fib, { source: 'u', updates, notes: { skipped: new Map() } }).reach({ seconds: 1e6, nanoseconds: 0 }));
    expectSameAttributes(pair);

    // a reload with ids freed (the reader in JavaScript for both) and single removals by id
    expect(pair.load(randomDump(33, 400, 2).bytes)).toBe(false);
    pair.both((fib) => { for (let id = 0; id < 3000; id += 37) fib.removeRoute(id); });
    expectSameAttributes(pair);
  });

  it('every route of the load removed: no origin AS left, however it was read', async () => {
    const dump = randomDump(34, 300, 2);
    const pair = await Pair.create();
    expect(pair.load(dump.bytes)).toBe(true);
    expect(pair.fast.hasOriginAs()).toBe(true);
    pair.both((fib) => { for (const record of dump.records) fib.remove(record.prefix); });
    expectSameAttributes(pair);
    expect(pair.fast.hasOriginAs()).toBe(false);
    // the freed ids taken again, without BGP attributes
    pair.both((fib) => { for (const record of dump.records.slice(0, 50)) fib.add(record.prefix, { nextHop: record.prefix.includes(':') ? '2001:db8::1' : '192.0.2.1' }); });
    expectSameAttributes(pair);
  });
});
