// One side's route rows (before or after) from the overlay table's (docs/compare.md): run in the
// side table's own instance, which knows its routes' prefixes, metrics and attribute classes, over
// a copy of the overlay's route-rows block. Each overlay row's counters are added to the side
// route its pair names, a multipath overlay row's next hops to the side's next hops they stand
// for; the sums are then taken as an Analyzer's counters are (report/route-rows.ts).

import { ROUTE_COUNTER_BYTES } from '../count/counters';
import { routeCapacity, routeExists, routePathCount } from '../fib/routes';
import { routeRowsOf, ROW_BYTES, ROWS_HEADER } from '../report/route-rows';
import { scratchRegion, SCRATCH_SIDE_COUNTERS, SCRATCH_SIDE_INPUT, SCRATCH_SIDE_PATHS } from '../report/scratch';

const PATH_BYTES: usize = 16;

/** Where the host copies the overlay's rows and the pair maps in (valid until its next request). */
export function sideRowsScratch(bytes: u32): usize {
  return scratchRegion(SCRATCH_SIDE_INPUT, bytes);
}

// the traffic of overlay rows whose pair has no route on this side
let noRoutePackets: u64 = 0;
let noRouteBytes: u64 = 0;

export function sideNoRoutePackets(): u64 {
  return noRoutePackets;
}

export function sideNoRouteBytes(): u64 {
  return noRouteBytes;
}

/**
 * The route rows (report/route-rows.ts layout) of this instance's table from the overlay's
 * route-rows block `rows`, whose metrics are pair indices: `sides` holds the side route id of each
 * of `pairs` pairs (i32, -1: none); `pathStart`, when not 0, per pair the index in the u32s at
 * `paths` of its next-hop map (-1: none), that is its overlay next hop count, then the side next
 * hop each overlay next hop stands for. Returns the block (0 when memory is too short); the
 * traffic with no route on this side is in sideNoRoutePackets/Bytes.
 */
export function sideRouteRowsTake(rows: usize, sides: usize, pairs: u32, pathStart: usize, paths: usize): usize {
  const n = load<u32>(rows);
  const capacity = routeCapacity();
  const countersBytes = <usize>max(capacity, 1) * ROUTE_COUNTER_BYTES;
  // room for the next-hop counters of each multipath side route (at most one per overlay row)
  let pathBytes: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const side = sideOf(rows, i, sides, pairs);
    if (side >= 0 && routePathCount(side) > 1) pathBytes += <u64>routePathCount(side) * PATH_BYTES;
  }
  const counters = scratchRegion(SCRATCH_SIDE_COUNTERS, countersBytes);
  if (!counters) return 0;
  const pathCounters = scratchRegion(SCRATCH_SIDE_PATHS, max<u64>(pathBytes, 16));
  if (!pathCounters) return 0;
  memory.fill(counters, 0, countersBytes);
  memory.fill(pathCounters, 0, <usize>pathBytes);
  let nextPaths = pathCounters;
  noRoutePackets = 0;
  noRouteBytes = 0;
  for (let i: u32 = 0; i < n; i++) {
    const row = rows + ROWS_HEADER + <usize>i * ROW_BYTES;
    const side = sideOf(rows, i, sides, pairs);
    if (side < 0 || !routeExists(side)) {
      noRoutePackets += load<u64>(row);
      noRouteBytes += load<u64>(row, 8);
      continue;
    }
    const at = counters + <usize>side * ROUTE_COUNTER_BYTES;
    store<u64>(at, load<u64>(at) + load<u64>(row));
    store<u64>(at, load<u64>(at, 8) + load<u64>(row, 8), 8);
    // a destination takes one overlay route: the overlay routes of a side route count apart
    store<u32>(at, load<u32>(at, 16) + load<u32>(row, 20), 16);
    const hops = routePathCount(side);
    if (hops < 2) continue;
    if (!load<u32>(at, 24)) {
      store<u32>(at, <u32>nextPaths, 24);
      store<u32>(at, hops, 28);
      nextPaths += <usize>hops * PATH_BYTES;
    }
    const map = pathStart ? load<i32>(pathStart + (<usize>load<u32>(row, 24) << 2)) : -1;
    if (map < 0 || !load<u32>(row, 40)) continue;
    const mapAt = paths + (<usize>map << 2);
    const counted = min(load<u32>(row, 44), load<u32>(mapAt));
    const overlayPaths = rows + <usize>load<u32>(row, 40);
    const sidePaths = <usize>load<u32>(at, 24);
    for (let h: u32 = 0; h < counted; h++) {
      const path = load<u32>(mapAt + (<usize>(h + 1) << 2));
      if (path >= hops) continue;
      const into = sidePaths + <usize>path * PATH_BYTES;
      const from = overlayPaths + <usize>h * PATH_BYTES;
      store<u64>(into, load<u64>(into) + load<u64>(from));
      store<u64>(into, load<u64>(into, 8) + load<u64>(from, 8), 8);
    }
  }
  return routeRowsOf(counters, capacity);
}

/** The side route id of overlay row `i` (its metric is its pair's index); -1 for none. */
@inline function sideOf(rows: usize, i: u32, sides: usize, pairs: u32): i32 {
  const pair = load<u32>(rows + ROWS_HEADER + <usize>i * ROW_BYTES, 24);
  return pair < pairs ? load<i32>(sides + (<usize>pair << 2)) : -1;
}
