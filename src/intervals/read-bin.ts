// A bin's rows out of the block WebAssembly made (assembly/intervals/bin-difference.ts): the
// difference of two cumulative states of one analysis's counters. Generic over where the states
// come from: anything with a baseline and counters (a compare of two captures, later) reads its
// bins the same way.
import type { Fib, RouteRowFields } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { readCount } from '../report/count.js';
import { destinationAddress } from '../analyze/destination-address.js';
import { addBgpFields } from '../analyze/route-bgp-fields.js';
import type { Interval, IntervalDestination, IntervalRoute, IntervalTotals } from './interval.js';

/** The rows of a bin, without its times. */
export type BinRows = Omit<Interval, 'start' | 'end' | 'bins'>;

/** The route ids of a bin's routes, in the order of its rows (for a chart per route). */
export interface BinRouteIds {
  ids: number[];
  generations: number[];
}

/**
 * Closes a bin of `counters` against `baseline` in WebAssembly (its `top` busiest routes and
 * destinations; 0 for all) and reads it; the counters become the baseline.
 */
export function closeBin(fib: Fib, wasm: FibscopeExports, baseline: number, counters: number, top: number,
  filtered: boolean, ids?: BinRouteIds): BinRows {
  const k = top === 0 ? 0xffffffff : top;
  const block = wasm.intervalsClose(baseline, counters, k) >>> 0;
  if (block === 0) throw new FibscopeOutOfMemoryError('time bins', 'out of WebAssembly memory: no room for the baseline of the time bins');
  try {
    return readBin(fib, wasm, counters, block, filtered, ids);
  } finally {
    wasm.intervalsBinFree(block);
  }
}

function readBin(fib: Fib, wasm: FibscopeExports, counters: number, block: number, filtered: boolean, ids?: BinRouteIds): BinRows {
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

  const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  const routes: IntervalRoute[] = [];
  for (let i = 0; i < routesPicked; i++) {
    const at = routePicks + i * pickBytes;
    const id = view.getInt32(at, true);
    if (!fib.describeInto(id, row)) continue; // (the WebAssembly side kept only routes of the table)
    const route: IntervalRoute = {
      prefix: row.prefix, nextHop: row.nextHop, dev: row.dev, metric: row.metric, type: row.type,
      packets: readCount(view, at + 8), bytes: readCount(view, at + 16),
    };
    addBgpFields(route, row);
    routes.push(route);
    ids?.ids.push(id);
    ids?.generations.push(view.getUint32(at + 4, true));
  }
  const entries = wasm.countersDestinationEntries(counters) >>> 0;
  const entryBytes = wasm.destinationEntryBytes();
  const scratch = new Uint8Array(16);
  const prefixes = new Map<number, string | null>();
  const destinations: IntervalDestination[] = new Array(destinationsPicked);
  for (let i = 0; i < destinationsPicked; i++) {
    const at = destinationPicks + i * pickBytes;
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
    totals,
    routes,
    otherRoutes: { routes: routeCount - routes.length, packets: readCount(view, header + 16), bytes: readCount(view, header + 24) },
    destinations,
    otherDestinations: { destinations: destinationCount - destinationsPicked, packets: readCount(view, header + 32), bytes: readCount(view, header + 40) },
  };
}
