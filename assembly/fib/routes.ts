// Route records, indexed by route id. The host owns the attributes a lookup never needs
// (next-hop text, device, type); this side keeps what ordering and rebuilding need.
//
// Record layout, 32 bytes:
//   @0  hi   u64   key, most significant half (IPv4: address in the top 32 bits)
//   @8  lo   u64   key, least significant half
//   @16 metric u32 lower wins among routes for one prefix
//   @20 next i32   next route of the same prefix (list ordered best first), -1 ends
//   @24 family u8  4 or 6; 0 = no such route
//   @25 length u8  prefix length
//   @28 class u32  the host's number for the route's other attributes (type, next hops,
//                  device): two routes of one prefix with equal metric and class are the same route

//
// Beside each record, 8 bytes that outlive it (memory/alloc's POOL_RIB as well):
//   @0 generation u32  bumped whenever the id's route goes, so counters kept under the id
//                      (count/counters.ts) can tell a later route of the same id from it
//   @4 paths u32       a multipath route's next hops: 0 for a single path, else a block of
//                      u32 count, then count cumulative weights (see pickPath)

import { alloc, free, reallocZeroed, POOL_RIB } from '../memory/alloc';

export const ROUTE_RECORD: usize = 32;
const EXTRA_BYTES: usize = 8;

let table: usize = 0;
let extras: usize = 0;
let capacity: i32 = 0;
/** Routes removed so far: while it stays the same, no generation has changed (count/counters.ts) */
let removals: u32 = 0;
/** Routes with more than one next hop: while none, counting skips the look at each route's paths */
let multipathRoutes: i32 = 0;

@inline export function routeRemovals(): u32 {
  return removals;
}

/**
 * The ids of the last REMOVAL_LOG routes removed, removal n at n % REMOVAL_LOG: a set of counters
 * that settled after removal s need look only at the ids removed since (count/counters.ts
 * settleCounters), not at every route's counter, while they are still here.
 */
export const REMOVAL_LOG: u32 = 4096;
const removalLog: usize = memory.data(<i32>REMOVAL_LOG * 4);

/** The id of removal `n` (routeRemovals() counts them); valid while routeRemovals() - n <= REMOVAL_LOG. */
@inline export function removedRoute(n: u32): i32 {
  return load<i32>(removalLog + (<usize>(n % REMOVAL_LOG) << 2));
}

@inline export function anyMultipathRoute(): bool {
  return multipathRoutes != 0;
}

@inline function extraOf(id: i32): usize {
  return extras + (<usize>id << 3);
}

/** The generation of route id `id`: it changes each time a route of that id goes. */
@inline export function routeGeneration(id: i32): u32 {
  return load<u32>(extraOf(id));
}

/** Next hops of route `id`: 0 for one, else its paths block (u32 count, cumulative weights). */
@inline export function routePaths(id: i32): usize {
  return <usize>load<u32>(extraOf(id), 4);
}

/** How many next hops route `id` has. */
@inline export function routePathCount(id: i32): u32 {
  const paths = routePaths(id);
  return paths ? load<u32>(paths) : 1;
}

/** Gives route `id` `count` next hops with the u32 weights at `weights` (each at least 1). */
export function setRoutePaths(id: i32, count: u32, weights: usize): void {
  freePaths(id);
  if (count < 2) return;
  const paths = alloc((<usize>count + 1) << 2, POOL_RIB);
  store<u32>(paths, count);
  let total: u32 = 0;
  for (let i: u32 = 0; i < count; i++) {
    total += max(load<u32>(weights + (<usize>i << 2)), 1);
    store<u32>(paths + (<usize>(i + 1) << 2), total);
  }
  store<u32>(extraOf(id), <u32>paths, 4);
  multipathRoutes++;
}

/**
 * The next hop a flow takes on a multipath route: its hash picks a point in the total weight,
 * so each next hop gets a share of flows in proportion to its weight, and a flow always the same.
 */
export function pickPath(paths: usize, flowHash: u32): u32 {
  const count = load<u32>(paths);
  const total = load<u32>(paths + (<usize>count << 2));
  const point = <u32>((<u64>flowHash * <u64>total) >> 32);
  let path: u32 = 0;
  while (point >= load<u32>(paths + (<usize>(path + 1) << 2))) path++;
  return path;
}

function freePaths(id: i32): void {
  const paths = routePaths(id);
  if (!paths) return;
  free(paths, (<usize>load<u32>(paths) + 1) << 2, POOL_RIB);
  store<u32>(extraOf(id), 0, 4);
  multipathRoutes--;
}

@inline export function routeRecord(id: i32): usize {
  return table + (<usize>id << 5);
}

export function routeExists(id: i32): bool {
  return id >= 0 && id < capacity && load<u8>(routeRecord(id), 24) != 0;
}

/** Makes room for ids below `count`. */
export function ensureRouteCapacity(count: i32): void {
  if (count <= capacity) return;
  // doubling for routes added one by one; a bulk load past that gets what it asks for, not up
  // to twice as much (each byte is written here, a full table's ids are tens of megabytes)
  const next = max(max(capacity * 2, 1024), count);
  // family 0 marks an id with no route
  table = reallocZeroed(table, <usize>capacity << 5, <usize>next << 5, POOL_RIB);
  extras = reallocZeroed(extras, <usize>capacity * EXTRA_BYTES, <usize>next * EXTRA_BYTES, POOL_RIB);
  capacity = next;
}

export function routeTableInit(): void {
  capacity = 1024;
  table = alloc(<usize>capacity << 5, POOL_RIB);
  memory.fill(table, 0, <usize>capacity << 5);
  extras = alloc(<usize>capacity * EXTRA_BYTES, POOL_RIB);
  memory.fill(extras, 0, <usize>capacity * EXTRA_BYTES);
}

@inline export function routeHi(id: i32): u64 { return load<u64>(routeRecord(id)); }
@inline export function routeLo(id: i32): u64 { return load<u64>(routeRecord(id), 8); }
@inline export function routeMetric(id: i32): u32 { return load<u32>(routeRecord(id), 16); }
@inline export function routeNext(id: i32): i32 { return load<i32>(routeRecord(id), 20); }
@inline export function setRouteNext(id: i32, next: i32): void { store<i32>(routeRecord(id), next, 20); }
@inline export function routeFamily(id: i32): i32 { return load<u8>(routeRecord(id), 24); }
@inline export function routeLength(id: i32): i32 { return load<u8>(routeRecord(id), 25); }
@inline export function routeClass(id: i32): u32 { return load<u32>(routeRecord(id), 28); }

export function writeRoute(id: i32, family: i32, hi: u64, lo: u64, length: i32, metric: u32, attributeClass: u32): void {
  const record = routeRecord(id);
  store<u64>(record, hi);
  store<u64>(record, lo, 8);
  store<u32>(record, metric, 16);
  store<i32>(record, -1, 20);
  store<u8>(record, <u8>family, 24);
  store<u8>(record, <u8>length, 25);
  store<u32>(record, attributeClass, 28);
}

export function clearRoute(id: i32): void {
  memory.fill(routeRecord(id), 0, ROUTE_RECORD);
  freePaths(id);
  store<u32>(extraOf(id), routeGeneration(id) + 1);
  store<i32>(removalLog + (<usize>(removals % REMOVAL_LOG) << 2), id);
  removals++;
}

/** Ids below this may hold routes. */
export function routeCapacity(): i32 {
  return capacity;
}
