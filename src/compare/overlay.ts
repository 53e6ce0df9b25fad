// The overlay table: one ordinary Fib whose routes stand for pairs (route before, route after),
// so that one analysis classifies every packet by both tables at the cost of one lookup
// (docs/compare.md, "How it is exact").
import { Fib } from '../fib/fib.js';
import { FibscopeArgumentError } from '../errors.js';
import { RouteList } from '../routes/route-list.js';
import type { PrefixColumns, RouteRowFields } from '../fib/fib.js';
import type { NextHop } from '../routes/route.js';
import { coveringPairs, type CoveredPrefixes } from './covering.js';

/**
 * A route of one side as the comparison reads it: what a report row shows of it (its `nextHops`
 * only when it has several), read without making a Route (a comparison reads tens of thousands).
 */
export interface SideRoute extends RouteRowFields {
  id: number;
}

function sideRoute(fib: Fib, id: number): SideRoute {
  // every member made at once, in describeInto's order: one shape for all, no growth per member
  const route: SideRoute = {
    id, prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast', nextHops: undefined,
    originAs: undefined, originAsSet: undefined, asPath: undefined, communities: undefined,
  };
  fib.describeInto(id, route);
  return route;
}

/** What one overlay route stands for. */
export interface OverlayPair {
  /** The route each table's lookup answers for every address of the overlay route's prefix; undefined: none. */
  before: SideRoute | undefined;
  after: SideRoute | undefined;
  /**
   * Per next hop of the overlay route (its `nextHops`, when it has several), the next hop index
   * each side's route takes for the flows that take it; undefined when neither side is multipath.
   */
  paths?: readonly { before: number; after: number }[];
}

/** The table to analyse, a route per prefix of either table, and what each of its routes stands for. */
export interface Overlay {
  /** Its routes' metric is the index of their pair: `pair(route.metric)`. */
  fib: Fib;
  /** How many overlay routes (pairs) there are. */
  count: number;
  /**
   * The pair of overlay route `index` (its metric); undefined for no such index. `prefix`, the
   * overlay route's prefix text when the caller has it, spares making it again for either side.
   */
  pair(index: number, prefix?: string): OverlayPair | undefined;
  /** The route id of `side` of each pair, by pair index (-1: none), without making its objects. */
  sideIds(side: 'before' | 'after'): Int32Array;
  /**
   * The next-hop maps of the multipath pairs for `side`: per pair, the index in `paths` of its
   * map (-1: none), which holds the overlay route's next hop count, then the next hop of `side`
   * each overlay next hop stands for. Undefined when no pair is multipath.
   */
  pathMaps(side: 'before' | 'after'): { start: Int32Array; paths: Uint32Array } | undefined;
}

export interface OverlayOptions {
  /** As Fib.create: the memory limit of the overlay table's WebAssembly instance. */
  memoryLimit?: number;
  module?: WebAssembly.Module;
}

/** The overlay of `before` and `after` (neither is changed, and neither may change while it is in use). */
export async function buildOverlay(before: Fib, after: Fib, options: OverlayOptions = {}): Promise<Overlay> {
  const fib = await Fib.create({ memoryLimit: options.memoryLimit, module: options.module });
  const covered = coveringPairs(before.bestPrefixes(), after.bestPrefixes(), fib.engine().wasm);
  // a multipath pair's route has next hops of its own (pathProduct); every other route is the
  // same but for prefix and metric, so they go in as columns, made into records in WebAssembly
  const products = new Map<number, NonNullable<ReturnType<typeof pathProduct>>>();
  if (before.hasMultipath() || after.hasMultipath()) {
    for (let index = 0; index < covered.count; index++) {
      const idBefore = covered.before[index];
      const idAfter = covered.after[index];
      if ((idBefore >= 0 && before.isMultipath(idBefore)) || (idAfter >= 0 && after.isMultipath(idAfter))) {
        const product = pathProduct(idBefore < 0 ? undefined : sideRoute(before, idBefore), idAfter < 0 ? undefined : sideRoute(after, idAfter));
        if (product) products.set(index, product);
      }
    }
  }
  const source = 'the overlay of the two tables';
  fib.addPrefixColumns(singlePathColumns(covered, products), source);
  if (products.size > 0) fib.load(multipathList(covered, products), { source });
  // made when a pair is first asked for (a report of objects): an Analyzer's report needs none
  let made: (OverlayPair | undefined)[] | undefined;
  let routesBefore: (SideRoute | undefined)[] = [];
  let routesAfter: (SideRoute | undefined)[] = [];
  const makeArrays = (): (OverlayPair | undefined)[] => {
    // arrays of their full length from the start: filled at random indices, a growing array would
    // fall back to a slow dictionary
    // one object per route of a side, however many overlay routes it covers: reports sum by it
    routesBefore = new Array(Math.max(0, ...maxima(covered.before)) + 1).fill(undefined);
    routesAfter = new Array(Math.max(0, ...maxima(covered.after)) + 1).fill(undefined);
    return new Array(covered.count).fill(undefined);
  };
  const routeOf = (fib: Fib, routes: (SideRoute | undefined)[], id: number, own: number, prefix: string | undefined) => {
    if (id < 0) return undefined;
    let route = routes[id];
    if (route === undefined) {
      // a route of the overlay's very prefix: the same text
      if (own === 1 && prefix !== undefined) fib.notePrefixText(id, prefix);
      routes[id] = route = sideRoute(fib, id);
    }
    return route;
  };
  const pathMaps = (side: 'before' | 'after') => {
    if (products.size === 0) return undefined;
    const start = new Int32Array(covered.count).fill(-1);
    let length = 0;
    for (const product of products.values()) length += product.paths.length + 1;
    const paths = new Uint32Array(length);
    let next = 0;
    for (const [index, product] of products) {
      start[index] = next;
      paths[next++] = product.paths.length;
      for (const path of product.paths) paths[next++] = path[side];
    }
    return { start, paths };
  };
  return {
    fib,
    count: covered.count,
    sideIds: (side) => (side === 'before' ? covered.before : covered.after).subarray(0, covered.count),
    pathMaps,
    pair(index, prefix) {
      if (!Number.isInteger(index) || index < 0 || index >= covered.count) return undefined;
      made ??= makeArrays();
      let pair = made[index];
      if (!pair) {
        pair = {
          before: routeOf(before, routesBefore, covered.before[index], covered.ownBefore[index], prefix),
          after: routeOf(after, routesAfter, covered.after[index], covered.ownAfter[index], prefix),
          paths: products.get(index)?.paths,
        };
        made[index] = pair;
      }
      return pair;
    },
  };
}

/** The overlay routes of the pairs without next hops of their own, as columns; metric: the pair index. */
function singlePathColumns(covered: CoveredPrefixes, products: Map<number, unknown>): PrefixColumns {
  const metric = new Uint32Array(covered.count);
  if (products.size === 0) {
    for (let index = 0; index < covered.count; index++) metric[index] = index;
    return { count: covered.count, family: covered.family, length: covered.length, words: covered.words, metric };
  }
  const family = new Uint8Array(covered.count);
  const length = new Uint8Array(covered.count);
  const words = new Uint32Array(covered.count * 4);
  let count = 0;
  for (let index = 0; index < covered.count; index++) {
    if (products.has(index)) continue;
    family[count] = covered.family[index];
    length[count] = covered.length[index];
    words.set(covered.words.subarray(index * 4, index * 4 + 4), count * 4);
    metric[count++] = index;
  }
  return { count, family, length, words, metric };
}

/** The overlay routes of the multipath pairs, with their next hops; metric: the pair index. */
function multipathList(covered: CoveredPrefixes, products: Map<number, { hops: NextHop[] }>): RouteList {
  const list = new RouteList();
  const bytes = new Uint8Array(16);
  const words = new DataView(bytes.buffer);
  for (const [index, { hops }] of products) {
    if (covered.family[index] === 4) list.push4(covered.words[index * 4], covered.length[index], null, null, index, 'unicast', 0, hops);
    else {
      for (let w = 0; w < 4; w++) words.setUint32(w * 4, covered.words[index * 4 + w], false);
      list.push6(bytes, 0, covered.length[index], null, null, index, 'unicast', 0, hops);
    }
  }
  return list;
}

/** The largest of `ids`, as a list of one (spreading a column of a million would overflow the stack). */
function maxima(ids: Int32Array): number[] {
  let most = -1;
  for (const id of ids) if (id > most) most = id;
  return [most];
}

/** A route's prefix and next hops, as pathProduct needs them. */
type Paths = { readonly prefix: string; readonly nextHops?: readonly NextHop[] };

/** Cumulative weights of a route's next hops: one hop of weight 1 for a single next hop or none. */
function cumulative(route: Paths | undefined): number[] {
  const hops = route?.nextHops && route.nextHops.length > 1 ? route.nextHops : undefined;
  if (!hops) return [1];
  let total = 0;
  return hops.map((hop) => (total += Math.max(hop.weight, 1)));
}

/** The most a next hop's weight may be in a table (Fib checks it). */
const MAX_WEIGHT = 0xffff;

/**
 * Next hops for the overlay route whose pick by the flow hash gives each side's own pick
 * (assembly/fib/routes.ts pickPath: next hop i takes the points below its cumulative weight
 * c_i of the total T, the point being floor(hash * T / 2^32)). With T = T_before * T_after and
 * the cut points c_i * T_after and c_j * T_before, the overlay's cuts are each side's own
 * exactly: floor(h * T / 2^32) < c_i * T_after exactly when floor(h * T_before / 2^32) < c_i.
 * Divided by their greatest common divisor they stay exact. Undefined when neither side is multipath.
 */
export function pathProduct(before: Paths | undefined, after: Paths | undefined):
  { hops: NextHop[]; paths: { before: number; after: number }[] } | undefined {
  const cutsBefore = cumulative(before);
  const cutsAfter = cumulative(after);
  if (cutsBefore.length === 1 && cutsAfter.length === 1) return undefined;
  const totalBefore = cutsBefore[cutsBefore.length - 1];
  const totalAfter = cutsAfter[cutsAfter.length - 1];
  const total = totalBefore * totalAfter;
  const cuts = [...new Set([...cutsBefore.map((cut) => cut * totalAfter), ...cutsAfter.map((cut) => cut * totalBefore)])].sort((a, b) => a - b);
  let divisor = 0;
  for (const cut of cuts) divisor = gcd(divisor, cut);
  const hops: NextHop[] = [];
  const paths: { before: number; after: number }[] = [];
  let previous = 0;
  let i = 0;
  let j = 0;
  for (const cut of cuts) {
    while (cutsBefore[i] * totalAfter < cut) i++;
    while (cutsAfter[j] * totalBefore < cut) j++;
    const weight = (cut - previous) / divisor;
    if (weight > MAX_WEIGHT || total / divisor >= 2 ** 32) {
      throw new FibscopeArgumentError(`cannot compare ${before!.prefix} exactly: the next-hop weights of its multipath routes `
        + `(${describeWeights(before)} before, ${describeWeights(after)} after) need a combined weight above ${MAX_WEIGHT}`);
    }
    hops.push({ via: `${i}>${j}`, dev: null, weight });
    paths.push({ before: i, after: j });
    previous = cut;
  }
  return { hops, paths };
}

function describeWeights(route: Paths | undefined): string {
  return route?.nextHops && route.nextHops.length > 1 ? route.nextHops.map((hop) => hop.weight).join('/') : 'one path';
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
