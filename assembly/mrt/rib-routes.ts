// The routes a RIB scan (rib-scan.ts) finds, in columns grown as it goes: 18 bytes a route (16
// more for an IPv6 prefix), not the 32 of an addRoutes record, since a million routes' worth of
// fresh memory costs more to touch than the scan costs. The host copies the family, length and
// metric columns as they are, and the attribute class column once giveClasses() has turned next
// hops into classes; the insert writes addRoutes records (index.ts) a batch at a time into one
// small buffer.

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';

/** Per route, 2 u32: the number + 1 (0: none) of its COMMUNITIES and LARGE_COMMUNITIES; made at the first route with either. */
export const COMMUNITY_REFS_BYTES: usize = 8;
/** Routes per insert call: their records fit the batch buffer. */
export const BATCH_ROUTES: u32 = 16384;
const RECORD_BYTES: usize = 32;

export let routeCount: u32 = 0;
let capacity: u32 = 0;
/** Per route: the first 4 bytes of the key (an IPv4 prefix's address, network order) or the number of an IPv6 key in v6Keys. */
let columnKey: usize = 0;
/** Per route, u32: MULTI_EXIT_DISC. */
export let columnMetric: usize = 0;
/** Per route, u32: the number + 1 of its AS_PATH (0: none). */
export let columnPath: usize = 0;
/** Per route, u32: the number + 1 of its next hop (0: none); its attribute class after giveClasses(). */
export let columnClass: usize = 0;
/** Per route, u8. */
export let columnFamily: usize = 0;
export let columnLength: usize = 0;
export let communityRefs: usize = 0;
/** 16 bytes (network order, host bits cleared) per IPv6 route. */
let v6Keys: usize = 0;
let v6Count: u32 = 0;
let v6Capacity: u32 = 0;
export let batch: usize = 0;

/** Room for `expected` routes to start with; false when memory is too short. */
export function startRoutes(expected: u32): bool {
  freeRoutes();
  return growRoutes(max<u32>(1024, expected));
}

/**
 * Appends a route: its prefix's `octets` bytes at `prefix` (host bits are cleared here), its
 * metric and value numbers (-1: none). False when memory is too short.
 */
export function addRoute(family: u32, prefixLength: u32, prefix: usize, octets: u32, metric: u32,
  path: i32, hop: i32, communities: i32, large: i32): bool {
  const i = routeCount;
  if (i == capacity && !growRoutes(capacity * 2)) return false;
  let key: usize;
  if (family == 4) {
    key = columnKey + (<usize>i << 2);
    store<u32>(key, 0);
  } else {
    if (v6Count == v6Capacity && !growV6(max<u32>(1024, v6Capacity * 2))) return false;
    store<u32>(columnKey + (<usize>i << 2), v6Count);
    key = v6Keys + (<usize>v6Count << 4);
    store<u64>(key, 0);
    store<u64>(key, 0, 8);
    v6Count++;
  }
  for (let b: usize = 0; b < <usize>octets; b++) store<u8>(key + b, load<u8>(prefix + b));
  const partial = prefixLength & 7;
  if (partial) store<u8>(key + <usize>octets - 1, load<u8>(key + <usize>octets - 1) & <u8>(<u32>0xff << (8 - partial)));
  store<u32>(columnMetric + (<usize>i << 2), metric);
  store<u32>(columnPath + (<usize>i << 2), <u32>(path + 1));
  store<u32>(columnClass + (<usize>i << 2), <u32>(hop + 1));
  store<u8>(columnFamily + <usize>i, <u8>family);
  store<u8>(columnLength + <usize>i, <u8>prefixLength);
  if (communities >= 0 || large >= 0 || communityRefs) {
    if (!communityRefs && !startCommunityRefs()) return false;
    const refs = communityRefs + <usize>i * COMMUNITY_REFS_BYTES;
    store<u32>(refs, <u32>(communities + 1));
    store<u32>(refs, <u32>(large + 1), 4);
  }
  routeCount = i + 1;
  return true;
}

/** Room for the insert's records, made when the scan ends; false when memory is too short. */
export function startBatches(): bool {
  batch = tryAlloc(<usize>min(max<u32>(routeCount, 1), BATCH_ROUTES) * RECORD_BYTES, POOL_OTHER);
  return batch != 0;
}

/** Turns each route's next-hop number + 1 into the attribute class `hopClasses` (u32 per number + 1) gives it. */
export function giveClasses(hopClasses: usize): void {
  for (let i: usize = 0; i < <usize>routeCount; i++) {
    const at = columnClass + (i << 2);
    store<u32>(at, load<u32>(hopClasses + (<usize>load<u32>(at) << 2)));
  }
}

/** The IPv4 routes among those of the last batchRecords(). */
export let batchIpv4: u32 = 0;

/** Writes the addRoutes records of routes `start`... (`count` at most BATCH_ROUTES) into the batch buffer, ids from `firstId + start`. */
export function batchRecords(start: u32, count: u32, firstId: i32): usize {
  let ipv4: u32 = 0;
  for (let n: u32 = 0; n < count; n++) {
    const i = <usize>(start + n);
    const record = batch + <usize>n * RECORD_BYTES;
    const family = load<u8>(columnFamily + i);
    if (family == 4) {
      store<u64>(record, <u64>load<u32>(columnKey + (i << 2)));
      store<u64>(record, 0, 8);
      ipv4++;
    } else {
      const key = v6Keys + (<usize>load<u32>(columnKey + (i << 2)) << 4);
      store<u64>(record, load<u64>(key));
      store<u64>(record, load<u64>(key, 8), 8);
    }
    store<i32>(record, firstId + <i32>i, 16);
    store<u32>(record, load<u32>(columnMetric + (i << 2)), 20);
    store<u8>(record, family, 24);
    store<u8>(record, load<u8>(columnLength + i), 25);
    store<u8>(record, 0, 26);
    store<u32>(record, load<u32>(columnClass + (i << 2)), 28);
  }
  batchIpv4 = ipv4;
  return batch;
}

function startCommunityRefs(): bool {
  communityRefs = tryAlloc(<usize>capacity * COMMUNITY_REFS_BYTES, POOL_OTHER);
  if (!communityRefs) return false;
  // the routes before had none
  memory.fill(communityRefs, 0, <usize>routeCount * COMMUNITY_REFS_BYTES);
  return true;
}

/** Moves `column` (`bytes` per route) to a block for `next` routes; 0 when memory is too short (the old one kept). */
function moved(column: usize, bytes: usize, next: u32): usize {
  const grown = tryAlloc(<usize>next * bytes, POOL_OTHER);
  if (!grown || !column) return grown;
  memory.copy(grown, column, <usize>routeCount * bytes);
  return grown;
}

function growRoutes(next: u32): bool {
  const key = moved(columnKey, 4, next);
  const metric = moved(columnMetric, 4, next);
  const path = moved(columnPath, 4, next);
  const hop = moved(columnClass, 4, next);
  const family = moved(columnFamily, 1, next);
  const length = moved(columnLength, 1, next);
  const refs = communityRefs ? moved(communityRefs, COMMUNITY_REFS_BYTES, next) : 0;
  if (!key || !metric || !path || !hop || !family || !length || (communityRefs && !refs)) {
    const n = <usize>next;
    if (key) free(key, n << 2, POOL_OTHER);
    if (metric) free(metric, n << 2, POOL_OTHER);
    if (path) free(path, n << 2, POOL_OTHER);
    if (hop) free(hop, n << 2, POOL_OTHER);
    if (family) free(family, n, POOL_OTHER);
    if (length) free(length, n, POOL_OTHER);
    if (refs) free(refs, n * COMMUNITY_REFS_BYTES, POOL_OTHER);
    return false;
  }
  freeColumns();
  columnKey = key;
  columnMetric = metric;
  columnPath = path;
  columnClass = hop;
  columnFamily = family;
  columnLength = length;
  communityRefs = refs;
  capacity = next;
  return true;
}

function growV6(next: u32): bool {
  const grown = tryAlloc(<usize>next << 4, POOL_OTHER);
  if (!grown) return false;
  if (v6Capacity) {
    memory.copy(grown, v6Keys, <usize>v6Count << 4);
    free(v6Keys, <usize>v6Capacity << 4, POOL_OTHER);
  }
  v6Keys = grown;
  v6Capacity = next;
  return true;
}

function freeColumns(): void {
  if (!capacity) return;
  const n = <usize>capacity;
  if (columnKey) free(columnKey, n << 2, POOL_OTHER);
  if (columnMetric) free(columnMetric, n << 2, POOL_OTHER);
  free(columnPath, n << 2, POOL_OTHER);
  if (columnClass) free(columnClass, n << 2, POOL_OTHER);
  if (columnFamily) free(columnFamily, n, POOL_OTHER);
  if (columnLength) free(columnLength, n, POOL_OTHER);
  if (communityRefs) free(communityRefs, n * COMMUNITY_REFS_BYTES, POOL_OTHER);
  columnKey = columnMetric = columnPath = columnClass = columnFamily = columnLength = communityRefs = 0;
  capacity = 0;
}

/**
 * Gives back what the insert needed and the AS path and community numbers do not, once the
 * routes are in: the rebuild of the lookup structure then reuses pages already touched.
 */
export function releaseInserted(): void {
  if (capacity && columnKey) {
    const n = <usize>capacity;
    free(columnKey, n << 2, POOL_OTHER);
    free(columnMetric, n << 2, POOL_OTHER);
    free(columnClass, n << 2, POOL_OTHER);
    free(columnFamily, n, POOL_OTHER);
    free(columnLength, n, POOL_OTHER);
    columnKey = columnMetric = columnClass = columnFamily = columnLength = 0;
  }
  if (v6Capacity) free(v6Keys, <usize>v6Capacity << 4, POOL_OTHER);
  v6Keys = 0;
  v6Count = v6Capacity = 0;
  if (batch) free(batch, <usize>min(max<u32>(routeCount, 1), BATCH_ROUTES) * RECORD_BYTES, POOL_OTHER);
  batch = 0;
}

export function freeRoutes(): void {
  releaseInserted();
  freeColumns();
  routeCount = 0;
}
