// One time bin's traffic as the difference of cumulative counters between its two boundaries:
// the whole-capture counters (count/counters.ts) keep running untouched, and at each boundary a
// pass over the route counters and destination entries subtracts the state kept at the last one
// (the baseline), picks the bin's K busiest routes and destinations, and makes the counters the
// new baseline. So each packet is in exactly one bin, bins sum exactly to the totals, memory is
// bounded by routes and destinations (not by bins), and counting pays nothing per packet.
//
// Baseline, per route id (ROUTE_SLOT bytes): packets u64, bytes u64, generation u32. A counter
// of another generation than the baseline's belongs to a route that went and whose id was
// reused: it counted from zero, so the bin's difference is the whole counter (never negative).
// Per destination entry (DESTINATION_SLOT bytes, entries in first-seen order): packets u64,
// bytes u64. A count below its baseline (the counters were reset) also counts from zero.
//
// Result block of intervalsClose (freed with intervalsBinFree):
//   @0 TOTAL_FIELDS u64: the totals' differences, in the order of totalField below
//   @TOTALS_END +0 routes u32         routes with traffic in the bin (gone ones included)
//              +4 routes picked u32   +8 destinations u32   +12 destinations picked u32
//              +16 other routes: packets u64, bytes u64 (routes not picked, and routes gone)
//              +32 other destinations: packets u64, bytes u64
//              +48 block bytes u32     +52 where the destination picks start u32
//   @BIN_HEADER    route picks, PICK_BYTES each, busiest first (with k ALL: in id order):
//                  id i32, generation u32, packets u64, bytes u64
//   then           destination picks, PICK_BYTES each, as the routes': entry number u32, 0 u32, packets u64, bytes u64

import { alloc, free, tryAlloc, tryRealloc, POOL_OTHER } from '../memory/alloc';
import { Counters, ROUTE_COUNTER_BYTES } from '../count/counters';
import { entryAt } from '../count/destinations';
import { routeCapacity, routeExists, routeGeneration } from '../fib/routes';

const ROUTE_SLOT: usize = 24;
const DESTINATION_SLOT: usize = 16;
export const TOTAL_FIELDS: i32 = 15;
const TOTALS_END: usize = <usize>TOTAL_FIELDS << 3;
export const BIN_HEADER: usize = TOTALS_END + 56;
export const PICK_BYTES: usize = 24;
/** A `k` that lists every route (or destination) of the bin, in id (entry) order, unsorted. */
export const ALL: u32 = u32.MAX_VALUE;

/** The counters as they were at the last boundary. */
@unmanaged export class IntervalBaseline {
  routes: usize;
  routeSlots: i32;
  destinations: usize;
  destinationSlots: u32;
  destinationCount: u32;
  totals: usize;
}

export function newBaseline(): IntervalBaseline {
  const b = changetype<IntervalBaseline>(alloc(offsetof<IntervalBaseline>(), POOL_OTHER));
  memory.fill(changetype<usize>(b), 0, offsetof<IntervalBaseline>());
  b.totals = alloc(TOTALS_END, POOL_OTHER);
  memory.fill(b.totals, 0, TOTALS_END);
  return b;
}

export function freeBaseline(b: IntervalBaseline): void {
  if (b.routeSlots) free(b.routes, <usize>b.routeSlots * ROUTE_SLOT, POOL_OTHER);
  if (b.destinationSlots) free(b.destinations, <usize>b.destinationSlots * DESTINATION_SLOT, POOL_OTHER);
  free(b.totals, TOTALS_END, POOL_OTHER);
  free(changetype<usize>(b), offsetof<IntervalBaseline>(), POOL_OTHER);
}

/** Totals field `i`: records, bytes, counted, ipv4, ipv6, nonIp, malformed, unsupportedLink,
 * noRoute packets, noRoute bytes, overflow packets, overflow bytes, filtered, and what counters of
 * routes gone held when their id's next route zeroed them (gone packets, gone bytes). */
function totalField(c: Counters, i: i32): u64 {
  switch (i) {
    case 0: return c.records;
    case 1: return c.bytes;
    case 2: return c.counted;
    case 3: return c.ipv4;
    case 4: return c.ipv6;
    case 5: return c.nonIp;
    case 6: return c.malformed;
    case 7: return c.unsupportedLink;
    case 8: return c.noRoutePackets;
    case 9: return c.noRouteBytes;
    case 10: return c.overflowPackets;
    case 11: return c.overflowBytes;
    case 12: return c.filtered;
    case 13: return c.gonePackets;
    default: return c.goneBytes;
  }
}

/** Slots for at least `wanted`: doubling from 1024. */
function nextSlots(slots: u64, wanted: u64): u64 {
  let next = max<u64>(slots, 1024);
  while (next < wanted) next *= 2;
  return next;
}

/** A zeroed slot array grown from `slots` to `next` slots, or 0 when memory is short (the old one kept). */
function grownSlots(at: usize, slots: u64, next: u64, slotBytes: usize): usize {
  const grown = tryRealloc(at, slots * slotBytes, next * slotBytes, POOL_OTHER);
  if (grown) memory.fill(grown + <usize>slots * slotBytes, 0, <usize>(next - slots) * slotBytes);
  return grown;
}

/** Makes room in the baseline for every route id and destination of `c`: false when memory is short. */
function prepareBaseline(b: IntervalBaseline, c: Counters, ids: i32): bool {
  if (ids > b.routeSlots) {
    const next = nextSlots(b.routeSlots, ids);
    const grown = grownSlots(b.routes, b.routeSlots, next, ROUTE_SLOT);
    if (!grown) return false;
    b.routes = grown;
    b.routeSlots = <i32>next;
  }
  const count = c.destinations.count;
  if (count > b.destinationSlots) {
    const next = nextSlots(b.destinationSlots, count);
    const grown = grownSlots(b.destinations, b.destinationSlots, next, DESTINATION_SLOT);
    if (!grown) return false;
    b.destinations = grown;
    b.destinationSlots = <u32>next;
  }
  return true;
}

// A bounded min-heap of picks (PICK_BYTES each) at `heap`: its root is the pick that ranks
// lowest, so one compare decides whether a new one gets in. Rank: more packets, then lower key.

@inline function ranksBelow(a: usize, b: usize): bool {
  const pa = load<u64>(a, 8), pb = load<u64>(b, 8);
  return pa != pb ? pa < pb : load<u32>(a) > load<u32>(b);
}

function swapPicks(a: usize, b: usize): void {
  const k = load<u64>(a), p = load<u64>(a, 8), y = load<u64>(a, 16);
  memory.copy(a, b, PICK_BYTES);
  store<u64>(b, k);
  store<u64>(b, p, 8);
  store<u64>(b, y, 16);
}

function siftDown(heap: usize, size: u32, at: u32): void {
  while (true) {
    const left = at * 2 + 1;
    if (left >= size) return;
    let lowest = left;
    if (left + 1 < size && ranksBelow(heap + <usize>(left + 1) * PICK_BYTES, heap + <usize>left * PICK_BYTES)) lowest = left + 1;
    const here = heap + <usize>at * PICK_BYTES, child = heap + <usize>lowest * PICK_BYTES;
    if (!ranksBelow(child, here)) return;
    swapPicks(here, child);
    at = lowest;
  }
}

function siftUp(heap: usize, at: u32): void {
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    const here = heap + <usize>at * PICK_BYTES, above = heap + <usize>parent * PICK_BYTES;
    if (!ranksBelow(here, above)) return;
    swapPicks(here, above);
    at = parent;
  }
}

// the pick being offered, and what the heap let go of (the offer itself, or the root it replaced)
const offer = memory.data(<i32>PICK_BYTES);
let releasedPackets: u64 = 0;
let releasedBytes: u64 = 0;

/**
 * Offers the pick at `offer` to a heap of at most `k`: returns the new size; sets released*.
 * With `k` ALL the picks are only listed, in the order offered (the host orders them).
 */
function offerPick(heap: usize, size: u32, k: u32): u32 {
  releasedPackets = releasedBytes = 0;
  if (k == ALL) {
    memory.copy(heap + <usize>size * PICK_BYTES, offer, PICK_BYTES);
    return size + 1;
  }
  if (size < k) {
    memory.copy(heap + <usize>size * PICK_BYTES, offer, PICK_BYTES);
    siftUp(heap, size);
    return size + 1;
  }
  if (k == 0 || !ranksBelow(heap, offer)) {
    releasedPackets = load<u64>(offer, 8);
    releasedBytes = load<u64>(offer, 16);
    return size;
  }
  releasedPackets = load<u64>(heap, 8);
  releasedBytes = load<u64>(heap, 16);
  memory.copy(heap, offer, PICK_BYTES);
  siftDown(heap, size, 0);
  return size;
}

/** Orders a heap busiest first, in place (a heapsort: a min-heap leaves the highest rank first). */
function sortHeap(heap: usize, size: u32): void {
  for (let last = size; last > 1; last--) {
    swapPicks(heap, heap + <usize>(last - 1) * PICK_BYTES);
    siftDown(heap, last - 1, 0);
  }
}

/**
 * Closes a bin: the differences of `c` from the baseline `b` into a fresh block (layout above)
 * with the `k` busiest routes and `destinationK` busiest destinations of the bin, and `c` becomes the baseline. Returns
 * 0 when memory is too short (nothing changed). A bin in which no packet was counted costs O(1)
 * in routes and destinations: their counters cannot have moved.
 */
export function closeBin(b: IntervalBaseline, c: Counters, k: u32, destinationK: u32): usize {
  const ids = min(c.routeCapacity, routeCapacity());
  const destinationCount = c.destinations.count;
  const counted = c.counted != load<u64>(b.totals, 16);
  const routeRoom = counted ? min<u32>(k, <u32>max(ids, 0)) : 0;
  const destinationRoom = counted ? min<u32>(destinationK, destinationCount) : 0;
  const routeK = k == ALL ? ALL : routeRoom;
  const destinationKept = destinationK == ALL ? ALL : destinationRoom;
  const bytes = BIN_HEADER + <usize>(routeRoom + destinationRoom) * PICK_BYTES;
  if (counted && !prepareBaseline(b, c, ids)) return 0;
  const block = tryAlloc(bytes, POOL_OTHER);
  if (!block) return 0;
  memory.fill(block, 0, BIN_HEADER);
  store<u32>(block + TOTALS_END, <u32>bytes, 48);
  store<u32>(block + TOTALS_END, <u32>(BIN_HEADER + <usize>routeRoom * PICK_BYTES), 52);
  for (let i = 0; i < TOTAL_FIELDS; i++) {
    const now = totalField(c, i);
    const before = load<u64>(b.totals + (<usize>i << 3));
    store<u64>(block + (<usize>i << 3), now >= before ? now - before : now);
    store<u64>(b.totals + (<usize>i << 3), now);
  }
  if (!counted) return block;

  // routes
  const routeHeap = block + BIN_HEADER;
  let routes: u32 = 0, size: u32 = 0;
  // a route that went in the bin and whose id a new route took: its counter was zeroed then, its
  // count handed to the gone totals; of that, the baseline's part was counted in earlier bins
  let gonePackets = load<u64>(block, 13 << 3), goneBytes = load<u64>(block, 14 << 3);
  let otherPackets: u64 = 0, otherBytes: u64 = 0;
  for (let id = 0; id < ids; id++) {
    const counter = c.routes + <usize>id * ROUTE_COUNTER_BYTES;
    const slot = b.routes + <usize>id * ROUTE_SLOT;
    const packets = load<u64>(counter), bytesNow = load<u64>(counter, 8), generation = load<u32>(counter, 20);
    let basePackets = load<u64>(slot), baseBytes = load<u64>(slot, 8);
    if (load<u32>(slot, 16) != generation) {
      gonePackets -= min(gonePackets, basePackets);
      goneBytes -= min(goneBytes, baseBytes);
      basePackets = baseBytes = 0;
    } else if (packets < basePackets) basePackets = baseBytes = 0;
    if (packets == basePackets) {
      // the whole baseline, not only its generation: a counter of a new generation that has not
      // counted yet is 0 here, and the old count left in the slot would be taken off its first ones
      store<u64>(slot, packets);
      store<u64>(slot, bytesNow, 8);
      store<u32>(slot, generation, 16);
      continue;
    }
    store<u64>(slot, packets);
    store<u64>(slot, bytesNow, 8);
    store<u32>(slot, generation, 16);
    const binPackets = packets - basePackets, binBytes = bytesNow - baseBytes;
    routes++;
    if (!routeExists(id) || routeGeneration(id) != generation) {
      // the route went during the bin: its traffic is in the bin, under no route of the table
      otherPackets += binPackets;
      otherBytes += binBytes;
      continue;
    }
    store<i32>(offer, id);
    store<u32>(offer, generation, 4);
    store<u64>(offer, binPackets, 8);
    store<u64>(offer, binBytes, 16);
    size = offerPick(routeHeap, size, routeK);
    otherPackets += releasedPackets;
    otherBytes += releasedBytes;
  }
  if (routeK != ALL) sortHeap(routeHeap, size);
  otherPackets += gonePackets;
  otherBytes += goneBytes;
  store<u32>(block + TOTALS_END, routes);
  store<u32>(block + TOTALS_END, size, 4);
  store<u64>(block + TOTALS_END, otherPackets, 16);
  store<u64>(block + TOTALS_END, otherBytes, 24);

  // destinations
  const destinationHeap = routeHeap + <usize>routeRoom * PICK_BYTES;
  const t = c.destinations;
  const known = b.destinationCount;
  let destinations: u32 = 0;
  size = 0;
  otherPackets = otherBytes = 0;
  store<u32>(offer, 0, 4);
  for (let n: u32 = 0; n < destinationCount; n++) {
    const entry = entryAt(t, n);
    const slot = b.destinations + <usize>n * DESTINATION_SLOT;
    const packets = load<u64>(entry, 16), bytesNow = load<u64>(entry, 24);
    let basePackets: u64 = 0, baseBytes: u64 = 0;
    if (n < known) {
      basePackets = load<u64>(slot);
      baseBytes = load<u64>(slot, 8);
      if (packets < basePackets) basePackets = baseBytes = 0;
    }
    if (packets == basePackets) continue;
    store<u64>(slot, packets);
    store<u64>(slot, bytesNow, 8);
    destinations++;
    store<u32>(offer, n);
    store<u64>(offer, packets - basePackets, 8);
    store<u64>(offer, bytesNow - baseBytes, 16);
    size = offerPick(destinationHeap, size, destinationKept);
    otherPackets += releasedPackets;
    otherBytes += releasedBytes;
  }
  b.destinationCount = destinationCount;
  if (destinationKept != ALL) sortHeap(destinationHeap, size);
  store<u32>(block + TOTALS_END, destinations, 8);
  store<u32>(block + TOTALS_END, size, 12);
  store<u64>(block + TOTALS_END, otherPackets, 32);
  store<u64>(block + TOTALS_END, otherBytes, 40);
  return block;
}

export function freeBin(block: usize): void {
  free(block, <usize>load<u32>(block + TOTALS_END, 48), POOL_OTHER);
}
