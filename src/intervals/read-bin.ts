// A bin's rows out of the block WebAssembly made (assembly/intervals/bin-difference.ts): the
// difference of two cumulative states of one analysis's counters. Generic over where the states
// come from: anything with a baseline and counters (a compare of two captures, later) reads its
// bins the same way.
import type { Fib, RouteRowFields } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { addCounts, readCount } from '../report/count.js';
import type { Count } from '../analyze/report.js';
import { destinationAddress } from '../analyze/destination-address.js';
import { addBgpFields } from '../analyze/route-bgp-fields.js';
import type { Interval, IntervalDestination, IntervalRoute, IntervalTotals } from './interval.js';

/** The rows of a bin, without its times. */
export type BinRows = Omit<Interval, 'start' | 'end' | 'bins'>;

/**
 * A bin's routes by id, in the order of its rows: for a chart per route, which needs no row
 * objects (a route id names one route while its generation stays).
 */
export interface BinRoutePoints {
  ids: Int32Array;
  generations: Uint32Array;
  /** Numbers: exact below 2^53. */
  packets: Float64Array;
  bytes: Float64Array;
}

export const NO_POINTS: BinRoutePoints = Object.freeze({
  ids: new Int32Array(0), generations: new Uint32Array(0), packets: new Float64Array(0), bytes: new Float64Array(0),
});

/**
 * Closes a bin of `counters` against `baseline` in WebAssembly (its `top` busiest routes, and
 * destinations unless `destinations` is false; 0 for all) and reads it; the counters become the baseline.
 */
export function closeBin(fib: Fib, wasm: FibscopeExports, baseline: number, counters: number, top: number,
  filtered: boolean, destinations = true, describe = true): BinRows & { points: BinRoutePoints } {
  const k = top === 0 ? 0xffffffff : top;
  const block = wasm.intervalsClose(baseline, counters, k, destinations ? k : 0) >>> 0;
  if (block === 0) {
    throw new FibscopeOutOfMemoryError('time bins', `out of WebAssembly memory: no room for a time bin (its baseline, or ${top === 0 ? 'every' : `the top ${top}`} routes and destinations); give a smaller --top`);
  }
  try {
    return readBin(fib, wasm, counters, block, top, filtered, describe);
  } finally {
    wasm.intervalsBinFree(block);
  }
}

/** The picks' places, busiest first, equal packets by key (id, entry number) ascending, as the WebAssembly heap ranks them. */
function busiestFirst(view: DataView, picks: number, count: number, pickBytes: number): Uint32Array {
  const order = new Uint32Array(count);
  const packets = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    order[i] = i;
    packets[i] = Number(readCount(view, picks + i * pickBytes + 8));
  }
  // picks are listed in key order: a stable sort by packets keeps that order for ties
  return Uint32Array.from([...order].sort((a, b) => packets[b] - packets[a] || a - b));
}

function readBin(fib: Fib, wasm: FibscopeExports, counters: number, block: number, top: number, filtered: boolean,
  describe: boolean): BinRows & { points: BinRoutePoints } {
  const view = new DataView(wasm.memory.buffer);
  const count = (field: number) => readCount(view, block + field * 8);
  const totals: IntervalTotals = {
    records: count(0),
    bytes: count(1),
    ...(filtered ? { filtered: count(12) } : {}),
    counted: count(2),
    ipv4: count(3),
    ipv6: count(4),
    nonIp: count(5),
    malformed: count(6),
    unsupportedLink: count(7),
    noRoute: { packets: count(8), bytes: count(9) },
  };
  if (count(10) !== 0) totals.destinationOverflow = { packets: count(10), bytes: count(11) };
  const header = block + wasm.intervalsTotalFields() * 8;
  const routeCount = view.getUint32(header, true);
  const routesPicked = view.getUint32(header + 4, true);
  const destinationCount = view.getUint32(header + 8, true);
  const destinationsPicked = view.getUint32(header + 12, true);
  const pickBytes = wasm.intervalsPickBytes();
  const routePicks = block + wasm.intervalsBinHeaderBytes();
  const destinationPicks = block + view.getUint32(header + 52, true);

  // `top` 0 lists every one, in id (entry) order: busiest first is for rows only
  const all = top === 0;
  const routeOrder = all && describe ? busiestFirst(view, routePicks, routesPicked, pickBytes) : undefined;
  const destinationOrder = all ? busiestFirst(view, destinationPicks, destinationsPicked, pickBytes) : undefined;
  const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  const routes: IntervalRoute[] = [];
  let undescribed = { packets: 0 as Count, bytes: 0 as Count };
  const points: BinRoutePoints = {
    ids: new Int32Array(routesPicked), generations: new Uint32Array(routesPicked),
    packets: new Float64Array(routesPicked), bytes: new Float64Array(routesPicked),
  };
  for (let i = 0; i < routesPicked; i++) {
    const at = routePicks + (routeOrder ? routeOrder[i] : i) * pickBytes;
    const id = view.getInt32(at, true);
    const packets = readCount(view, at + 8);
    const bytes = readCount(view, at + 16);
    points.ids[i] = id;
    points.generations[i] = view.getUint32(at + 4, true);
    points.packets[i] = Number(packets);
    points.bytes[i] = Number(bytes);
    if (!describe) {
      undescribed = { packets: addCounts(undescribed.packets, packets), bytes: addCounts(undescribed.bytes, bytes) };
      continue;
    }
    fib.describeInto(id, row); // (the WebAssembly side picked only routes of the table)
    const route: IntervalRoute = { prefix: row.prefix, nextHop: row.nextHop, dev: row.dev, metric: row.metric, type: row.type, packets, bytes };
    addBgpFields(route, row);
    routes.push(route);
  }
  const entries = wasm.countersDestinationEntries(counters) >>> 0;
  const entryBytes = wasm.destinationEntryBytes();
  const scratch = new Uint8Array(16);
  const prefixes = new Map<number, string | null>();
  const destinations: IntervalDestination[] = new Array(destinationsPicked);
  for (let i = 0; i < destinationsPicked; i++) {
    const at = destinationPicks + (destinationOrder ? destinationOrder[i] : i) * pickBytes;
    const entry = entries + view.getUint32(at, true) * entryBytes;
    const route = view.getInt32(entry + 48, true);
    let prefix: string | null = null;
    if (route >= 0 && wasm.routeIsLive(route, view.getUint32(entry + 56, true))) {
      if (!prefixes.has(route)) prefixes.set(route, fib.describeInto(route, row) ? row.prefix : null);
      prefix = prefixes.get(route)!;
    }
    destinations[i] = { address: destinationAddress(view, entry, scratch), prefix, packets: readCount(view, at + 8), bytes: readCount(view, at + 16) };
  }
  return {
    points,
    totals,
    routes,
    otherRoutes: {
      routes: routeCount - routes.length,
      packets: addCounts(readCount(view, header + 16), undescribed.packets),
      bytes: addCounts(readCount(view, header + 24), undescribed.bytes),
    },
    destinations,
    otherDestinations: { destinations: destinationCount - destinationsPicked, packets: readCount(view, header + 32), bytes: readCount(view, header + 40) },
  };
}
