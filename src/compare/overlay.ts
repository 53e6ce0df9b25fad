// The overlay table: one ordinary Fib whose routes stand for pairs (route before, route after),
// so that one analysis classifies every packet by both tables at the cost of one lookup
// (docs/compare.md, "How it is exact").
import { Fib } from '../fib/fib.js';
import { FibscopeArgumentError } from '../errors.js';
import { parsePrefixText, type PrefixKey } from '../net/prefix.js';
import { RouteList } from '../routes/route-list.js';
import type { NextHop, Route } from '../routes/route.js';
import { coveringPairs, type TablePrefix } from './covering.js';

/** What one overlay route stands for. Its index is the overlay route's metric. */
export interface OverlayPair {
  /** The overlay route's prefix text, as the overlay table writes it. */
  prefix: string;
  /** The route each table's lookup answers for every address of the prefix; undefined: none. */
  before: Route | undefined;
  after: Route | undefined;
  /**
   * Per next hop of the overlay route (its `nextHops`, when it has several), the next hop index
   * each side's route takes for the flows that take it; undefined when neither side is multipath.
   */
  paths?: readonly { before: number; after: number }[];
}

export interface Overlay {
  /** The table to analyse: a route per prefix of either table, its metric the index of its pair. */
  fib: Fib;
  pairs: OverlayPair[];
}

export interface OverlayOptions {
  /** As Fib.create: the memory limit of the overlay table's WebAssembly instance. */
  memoryLimit?: number;
  module?: WebAssembly.Module;
}

/** The overlay of `before` and `after` (neither is changed). */
export async function buildOverlay(before: Fib, after: Fib, options: OverlayOptions = {}): Promise<Overlay> {
  const beforeRoutes: Route[] = [];
  const afterRoutes: Route[] = [];
  const covered = coveringPairs(tablePrefixes(before, beforeRoutes), tablePrefixes(after, afterRoutes));
  const list = new RouteList();
  const pairs: OverlayPair[] = new Array(covered.length);
  const key: PrefixKey = { family: 4, length: 0, v4: 0, v6: new Uint8Array(16) };
  covered.forEach((entry, index) => {
    const pair: OverlayPair = {
      prefix: '',
      before: entry.before < 0 ? undefined : beforeRoutes[entry.before],
      after: entry.after < 0 ? undefined : afterRoutes[entry.after],
    };
    const product = pathProduct(pair.before, pair.after);
    if (product) pair.paths = product.paths;
    pairs[index] = pair;
    if (entry.family === 4) list.push4(Number(entry.address), entry.length, null, null, index, 'unicast', 0, product?.hops);
    else {
      writeV6(entry.address, key.v6);
      list.push6(key.v6, 0, entry.length, null, null, index, 'unicast', 0, product?.hops);
    }
  });
  const fib = await Fib.create({ memoryLimit: options.memoryLimit, module: options.module });
  fib.load(list, { source: 'the overlay of the two tables' });
  for (const route of fib.routes()) pairs[route.metric].prefix = route.prefix;
  return { fib, pairs };
}

/**
 * Every prefix of `fib` with the route its lookups answer (the best of the prefix), whose
 * index in `routes` (filled here) is the prefix's `route`.
 */
function tablePrefixes(fib: Fib, routes: Route[]): TablePrefix[] {
  const byPrefix = new Map<string, Route>();
  const shared = new Set<string>();
  for (const route of fib.routes()) {
    if (byPrefix.has(route.prefix)) shared.add(route.prefix);
    else byPrefix.set(route.prefix, route);
  }
  // several routes of one prefix (metrics): the table's own order says which answers
  for (const prefix of shared) byPrefix.set(prefix, fib.routesFor(prefix)[0]);
  const key: PrefixKey = { family: 4, length: 0, v4: 0, v6: new Uint8Array(16) };
  const prefixes: TablePrefix[] = [];
  for (const route of byPrefix.values()) {
    parsePrefixText(route.prefix, key);
    prefixes.push({ family: key.family, length: key.length, address: key.family === 4 ? BigInt(key.v4) : readV6(key.v6), route: routes.length });
    routes.push(route);
  }
  return prefixes;
}

function readV6(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function writeV6(value: bigint, into: Uint8Array): void {
  for (let i = 15; i >= 0; i--) {
    into[i] = Number(value & 0xffn);
    value >>= 8n;
  }
}

/** Cumulative weights of a route's next hops: one hop of weight 1 for a single next hop or none. */
function cumulative(route: Route | undefined): number[] {
  const hops = route && route.nextHops.length > 1 ? route.nextHops : undefined;
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
export function pathProduct(before: Route | undefined, after: Route | undefined):
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

function describeWeights(route: Route | undefined): string {
  return route && route.nextHops.length > 1 ? route.nextHops.map((hop) => hop.weight).join('/') : 'one path';
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
