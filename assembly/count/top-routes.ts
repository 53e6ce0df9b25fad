// The K busiest routes, picked in one pass over the route counters with a bounded min-heap of
// route ids: O(n log k) time, O(k) memory, nothing copied or sorted but the K. A scrape of
// `serve --top-routes K` calls this instead of making a report object per route.
//
// Order: more packets first; on equal packets a "preferred" id (the host's current members, so
// equal counts do not make the set flap) first, then the lower id.
//
// Result block (freed with topRoutesFree):
//   @0  packets u64, @8 bytes u64   summed over every route of the table
//   @16 count u32                   routes picked: min(k, routes that counted)
//   @24 counted bytes u64           wire bytes of every counted packet (the destinations' and
//                                   the overflow's): the totals have no such figure
//   @TOP_HEADER                     count records, PICK_BYTES each, busiest first:
//                                   id i32, generation u32, packets u64, bytes u64

import { alloc, free, POOL_OTHER } from '../memory/alloc';
import { Counters, ROUTE_COUNTER_BYTES, settleCounters } from './counters';
import { routeCapacity, routeExists, routeGeneration } from '../fib/routes';

const TOP_HEADER: usize = 32;
const PICK_BYTES: usize = 24;

function blockBytes(k: u32): usize {
  return TOP_HEADER + <usize>k * PICK_BYTES;
}

/** Whether `id` is in the ascending list of `count` i32s at `list`. */
function listed(list: usize, count: u32, id: i32): bool {
  let low: u32 = 0, high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const value = load<i32>(list + (<usize>mid << 2));
    if (value == id) return true;
    if (value < id) low = mid + 1;
    else high = mid;
  }
  return false;
}

@inline function packetsOf(routes: usize, id: i32): u64 {
  return load<u64>(routes + <usize>id * ROUTE_COUNTER_BYTES);
}

/** Whether route `a` ranks below route `b` (the heap keeps its lowest-ranked route at the root). */
function ranksBelow(routes: usize, a: i32, b: i32, preferred: usize, preferredCount: u32): bool {
  const pa = packetsOf(routes, a), pb = packetsOf(routes, b);
  if (pa != pb) return pa < pb;
  if (preferredCount) {
    const la = listed(preferred, preferredCount, a), lb = listed(preferred, preferredCount, b);
    if (la != lb) return lb;
  }
  return a > b;
}

function siftDown(routes: usize, heap: usize, size: u32, at: u32, preferred: usize, preferredCount: u32): void {
  while (true) {
    const left = at * 2 + 1;
    if (left >= size) return;
    let lowest = left;
    const right = left + 1;
    if (right < size && ranksBelow(routes, load<i32>(heap + (<usize>right << 2)), load<i32>(heap + (<usize>left << 2)), preferred, preferredCount)) lowest = right;
    const value = load<i32>(heap + (<usize>at << 2));
    const child = load<i32>(heap + (<usize>lowest << 2));
    if (!ranksBelow(routes, child, value, preferred, preferredCount)) return;
    store<i32>(heap + (<usize>at << 2), child);
    store<i32>(heap + (<usize>lowest << 2), value);
    at = lowest;
  }
}

function siftUp(routes: usize, heap: usize, at: u32, preferred: usize, preferredCount: u32): void {
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    const value = load<i32>(heap + (<usize>at << 2));
    const above = load<i32>(heap + (<usize>parent << 2));
    if (!ranksBelow(routes, value, above, preferred, preferredCount)) return;
    store<i32>(heap + (<usize>at << 2), above);
    store<i32>(heap + (<usize>parent << 2), value);
    at = parent;
  }
}

/**
 * The top `k` routes of `counters` into a fresh block (layout above), of those with `atLeast`
 * packets: the host passes the K-th count of the last pick, which counts that only grow cannot
 * have lowered; should fewer than `k` routes be picked, it asks again with 0 (routes went). The
 * counters are settled first (the routes removed since, from the log of removed ids): a counter
 * of a route gone is then 0, and the pass reads the counters alone. `preferred` holds
 * `preferredCount` ids in ascending order.
 */
export function countersTopRoutes(counters: usize, k: u32, preferred: usize, preferredCount: u32, atLeast: u64): usize {
  const c = changetype<Counters>(counters);
  settleCounters(c);
  const routes = c.routes;
  const ids = min(c.routeCapacity, routeCapacity());
  const block = alloc(blockBytes(k), POOL_OTHER);
  const heapBytes = <usize>max(k, 1) << 2;
  const heap = alloc(heapBytes, POOL_OTHER);
  let packets: u64 = 0, bytes: u64 = 0;
  let size: u32 = 0;
  // the packets of the heap's lowest route once full (or `atLeast` until then): most routes are
  // below it, one compare each
  let floor: u64 = atLeast;
  for (let id = 0; id < ids; id++) {
    const counter = routes + <usize>id * ROUTE_COUNTER_BYTES;
    const count = load<u64>(counter);
    if (count == 0) continue;
    packets += count;
    bytes += load<u64>(counter, 8);
    if (count < atLeast) continue;
    if (size < k) {
      store<i32>(heap + (<usize>size << 2), id);
      siftUp(routes, heap, size++, preferred, preferredCount);
      if (size == k) floor = packetsOf(routes, load<i32>(heap));
    } else if (k && (count > floor || (count == floor && preferredCount && listed(preferred, preferredCount, id)))
      && ranksBelow(routes, load<i32>(heap), id, preferred, preferredCount)) {
      // (ids rise along the pass: on equal packets only a preferred id can outrank the heap's)
      store<i32>(heap, id);
      siftDown(routes, heap, size, 0, preferred, preferredCount);
      floor = packetsOf(routes, load<i32>(heap));
    }
  }
  store<u64>(block, packets);
  store<u64>(block, bytes, 8);
  store<u32>(block, size, 16);
  store<u64>(block, c.countedBytes, 24);
  // popping the root gives the lowest-ranked first: fill the output from its end
  for (let place = size; place > 0; place--) {
    const picked = load<i32>(heap);
    const last = place - 1;
    store<i32>(heap, load<i32>(heap + (<usize>last << 2)));
    siftDown(routes, heap, last, 0, preferred, preferredCount);
    const out = block + TOP_HEADER + <usize>last * PICK_BYTES;
    const counter = routes + <usize>picked * ROUTE_COUNTER_BYTES;
    store<i32>(out, picked);
    store<u32>(out, routeGeneration(picked), 4);
    store<u64>(out, load<u64>(counter), 8);
    store<u64>(out, load<u64>(counter, 8), 16);
  }
  free(heap, heapBytes, POOL_OTHER);
  return block;
}

export function topRoutesFree(block: usize, k: u32): void {
  free(block, blockBytes(k), POOL_OTHER);
}

/** Where the picked routes start in a result block, and the size of each. */
export function topRoutesHeaderBytes(): u32 {
  return <u32>TOP_HEADER;
}

export function topRoutesPickBytes(): u32 {
  return <u32>PICK_BYTES;
}

/** Whether route `id` is still the route of generation `generation` (not removed, its id not reused). */
export function routeIsLive(id: i32, generation: u32): bool {
  return routeExists(id) && routeGeneration(id) == generation;
}

