// The route counters of `analyze --threads`' pieces summed by route id, in WebAssembly. Every
// thread loads the same routes in the same order, so a route has the same id in each (the
// route-table digest says so, or the merge is refused): a piece sends the counters of the routes
// it counted, and the sum takes the layout of an analysis's route counters (count/counters.ts),
// from which report/route-rows.ts sorts and writes the routes as one thread's report does.
//
// A piece's route counts, one record per route that counted, in id order:
//   @0 id u32  @4 path count u32  @8 packets u64  @16 bytes u64
//   then its path counters (packets u64, bytes u64 per next hop), path count of them

import { free, tryAlloc, tryAllocZeroed, POOL_OTHER } from '../memory/alloc';
import { Counters, ROUTE_COUNTER_BYTES } from '../count/counters';
import { routeCapacity, routeRecord } from '../fib/routes';
import { ENTRY_BYTES } from '../count/destinations';

const RECORD_BYTES: usize = 24;
const PATH_BYTES: usize = 16;
const ROUTE_RECORD_BYTES: usize = 32;

let countsBytes: usize = 0;

/**
 * A digest of every route record (its key, length, metric, class and place in its prefix's
 * list) with its id: two tables with equal digests give their routes the same ids.
 */
export function routeTableDigest(): u64 {
  let digest: u64 = 0x9e3779b97f4a7c15;
  const capacity = routeCapacity();
  for (let id: i32 = 0; id < capacity; id++) {
    const record = routeRecord(id);
    if (load<u8>(record, 24) == 0) continue;
    let x = <u64>id;
    for (let at: usize = 0; at < ROUTE_RECORD_BYTES; at += 8) {
      x = (x ^ load<u64>(record + at)) * 0xff51afd7ed558ccd;
      x ^= x >> 33;
    }
    digest = (digest ^ x) * 0xc4ceb9fe1a85ec53;
    digest ^= digest >> 29;
  }
  return digest;
}

/**
 * The counted routes of an analysis's `counters` (settled: its report was just taken) as route
 * counts (layout above) in a fresh block of routeCountsBytes() bytes, freed with
 * pieceBlockRelease; 0 when memory is short.
 */
export function routeCountsTake(counters: usize): usize {
  const c = changetype<Counters>(counters);
  let bytes: usize = 0;
  for (let id: i32 = 0; id < c.routeCapacity; id++) {
    const at = c.routes + <usize>id * ROUTE_COUNTER_BYTES;
    if (load<u64>(at) == 0) continue;
    bytes += RECORD_BYTES + (load<u32>(at, 24) ? <usize>load<u32>(at, 28) * PATH_BYTES : 0);
  }
  countsBytes = bytes;
  const block = tryAlloc(<u64>max<usize>(bytes, 1), POOL_OTHER);
  if (!block) return 0;
  let out = block;
  for (let id: i32 = 0; id < c.routeCapacity; id++) {
    const at = c.routes + <usize>id * ROUTE_COUNTER_BYTES;
    if (load<u64>(at) == 0) continue;
    const paths = load<u32>(at, 24) ? load<u32>(at, 28) : 0;
    store<u32>(out, id);
    store<u32>(out, paths, 4);
    store<u64>(out, load<u64>(at), 8);
    store<u64>(out, load<u64>(at, 8), 16);
    if (paths) memory.copy(out + RECORD_BYTES, <usize>load<u32>(at, 24), <usize>paths * PATH_BYTES);
    out += RECORD_BYTES + <usize>paths * PATH_BYTES;
  }
  return block;
}

export function routeCountsBytes(): usize {
  return countsBytes;
}

/**
 * Room for `bytes` of what a piece sends, its route counts or its destination entries, for the
 * merge to read: freed with pieceBlockRelease (routeCountsTake's block, too).
 */
export function pieceBlockReceive(bytes: usize): usize {
  return tryAlloc(<u64>max<usize>(bytes, 1), POOL_OTHER);
}

export function pieceBlockRelease(block: usize, bytes: usize): void {
  free(block, <u64>max<usize>(bytes, 1), POOL_OTHER);
}

/** Zeroed route counters for ids below this table's route capacity (0: memory short). */
export function mergedRoutesCreate(): usize {
  return tryAllocZeroed(<u64>max(routeCapacity(), 1) * ROUTE_COUNTER_BYTES, POOL_OTHER);
}

export function mergedRoutesCapacity(): i32 {
  return routeCapacity();
}

/**
 * Adds a piece's route counts (`bytes` at `from`) to `merged`, of `capacity` ids. False when
 * they cannot be one table's (an id past the table, a route's next hops counted apart) or memory
 * is short: the merge cannot be exact.
 */
export function mergedRoutesAdd(merged: usize, capacity: i32, from: usize, bytes: usize): bool {
  const end = from + bytes;
  let record = from;
  while (record < end) {
    const id = load<u32>(record);
    const paths = load<u32>(record, 4);
    if (id >= <u32>capacity) return false;
    const at = merged + <usize>id * ROUTE_COUNTER_BYTES;
    store<u64>(at, load<u64>(at) + load<u64>(record, 8));
    store<u64>(at, load<u64>(at, 8) + load<u64>(record, 16), 8);
    if (paths) {
      let counters = <usize>load<u32>(at, 24);
      if (!counters) {
        counters = tryAllocZeroed(<u64>paths * PATH_BYTES, POOL_OTHER);
        if (!counters) return false;
        store<u32>(at, <u32>counters, 24);
        store<u32>(at, paths, 28);
      } else if (load<u32>(at, 28) != paths) {
        return false;
      }
      for (let p: usize = 0; p < <usize>paths; p++) {
        const to = counters + p * PATH_BYTES;
        const add = record + RECORD_BYTES + p * PATH_BYTES;
        store<u64>(to, load<u64>(to) + load<u64>(add));
        store<u64>(to, load<u64>(to, 8) + load<u64>(add, 8), 8);
      }
    }
    record += RECORD_BYTES + <usize>paths * PATH_BYTES;
  }
  return true;
}

/** Each route's distinct destinations: those of the `count` merged destination entries at `entries` that name it. */
export function mergedRoutesCountDestinations(merged: usize, capacity: i32, entries: usize, count: u32): void {
  for (let i: u32 = 0; i < count; i++) {
    const route = load<i32>(entries + <usize>i * ENTRY_BYTES, 48);
    if (route < 0 || route >= capacity) continue;
    const at = merged + <usize>route * ROUTE_COUNTER_BYTES + 16;
    store<u32>(at, load<u32>(at) + 1);
  }
}

export function mergedRoutesFree(merged: usize, capacity: i32): void {
  for (let id: i32 = 0; id < capacity; id++) {
    const at = merged + <usize>id * ROUTE_COUNTER_BYTES;
    if (load<u32>(at, 24)) free(<usize>load<u32>(at, 24), <u64>load<u32>(at, 28) * PATH_BYTES, POOL_OTHER);
  }
  free(merged, <u64>max(capacity, 1) * ROUTE_COUNTER_BYTES, POOL_OTHER);
}
