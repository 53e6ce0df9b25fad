// The K busiest destinations, picked in one pass over the destination table with a bounded
// min-heap of entry numbers: O(n log k) time, O(k) memory, nothing copied or sorted but the K.
// A scrape of `serve --top-destinations K` calls this instead of copying and sorting every entry.
//
// Order: more packets first; on equal packets a "preferred" entry (the host's current top-K
// members, so equal counts do not make the set flap) first, then the entry that appeared first.
// With nothing preferred this is copySortedDestinations' order (count/destinations.ts).
//
// Result block (freed with topDestinationsFree):
//   @0  packets u64, @8 bytes u64   summed over every destination
//   @16 count u32                   entries picked: min(k, destinations)
//   @TOP_HEADER                     count entries, ENTRY_BYTES each, busiest first; a route that has
//                                   gone since shows as -1 (as countersCopyDestinations does)
//   then count u32                  each entry's number in the table (its order of appearance)

import { alloc, free, POOL_OTHER } from '../memory/alloc';
import { Counters } from '../count/counters';
import { copyEntry, DestinationTable, entryAt, ENTRY_BYTES } from '../count/destinations';
import { routeExists, routeGeneration } from '../fib/routes';

const TOP_HEADER: usize = 64;

function blockBytes(k: u32): usize {
  return TOP_HEADER + <usize>k * (ENTRY_BYTES + 4);
}

@inline function packetsOf(t: DestinationTable, n: u32): u64 {
  return load<u64>(entryAt(t, n), 16);
}

/** Whether entry number `n` is in the ascending list of `count` u32s at `list`. */
function listed(list: usize, count: u32, n: u32): bool {
  let low: u32 = 0, high = count;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const value = load<u32>(list + (<usize>mid << 2));
    if (value == n) return true;
    if (value < n) low = mid + 1;
    else high = mid;
  }
  return false;
}

/** Whether entry `a` ranks below entry `b` (the heap keeps its lowest-ranked entry at the root). */
function ranksBelow(t: DestinationTable, a: u32, b: u32, preferred: usize, preferredCount: u32): bool {
  const pa = packetsOf(t, a), pb = packetsOf(t, b);
  if (pa != pb) return pa < pb;
  if (preferredCount) {
    const la = listed(preferred, preferredCount, a), lb = listed(preferred, preferredCount, b);
    if (la != lb) return lb;
  }
  return a > b;
}

function siftDown(t: DestinationTable, heap: usize, size: u32, at: u32, preferred: usize, preferredCount: u32): void {
  while (true) {
    const left = at * 2 + 1;
    if (left >= size) return;
    let lowest = left;
    const right = left + 1;
    if (right < size && ranksBelow(t, load<u32>(heap + (<usize>right << 2)), load<u32>(heap + (<usize>left << 2)), preferred, preferredCount)) lowest = right;
    const value = load<u32>(heap + (<usize>at << 2));
    const child = load<u32>(heap + (<usize>lowest << 2));
    if (!ranksBelow(t, child, value, preferred, preferredCount)) return;
    store<u32>(heap + (<usize>at << 2), child);
    store<u32>(heap + (<usize>lowest << 2), value);
    at = lowest;
  }
}

function siftUp(t: DestinationTable, heap: usize, at: u32, preferred: usize, preferredCount: u32): void {
  while (at > 0) {
    const parent = (at - 1) >>> 1;
    const value = load<u32>(heap + (<usize>at << 2));
    const above = load<u32>(heap + (<usize>parent << 2));
    if (!ranksBelow(t, value, above, preferred, preferredCount)) return;
    store<u32>(heap + (<usize>at << 2), above);
    store<u32>(heap + (<usize>parent << 2), value);
    at = parent;
  }
}

/**
 * The top `k` destinations of `counters` into a fresh block (layout above). `preferred` holds
 * `preferredCount` entry numbers in ascending order (0 of them: plain busiest-first order).
 */
export function countersTopDestinations(counters: usize, k: u32, preferred: usize, preferredCount: u32): usize {
  const t = changetype<Counters>(counters).destinations;
  const n = t.count;
  const block = alloc(blockBytes(k), POOL_OTHER);
  let packets: u64 = 0, bytes: u64 = 0;
  const heapBytes = <usize>max(k, 1) << 2;
  const heap = alloc(heapBytes, POOL_OTHER);
  let size: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const entry = entryAt(t, i);
    packets += load<u64>(entry, 16);
    bytes += load<u64>(entry, 24);
    if (size < k) {
      store<u32>(heap + (<usize>size << 2), i);
      siftUp(t, heap, size++, preferred, preferredCount);
    } else if (k && ranksBelow(t, load<u32>(heap), i, preferred, preferredCount)) {
      store<u32>(heap, i);
      siftDown(t, heap, size, 0, preferred, preferredCount);
    }
  }
  store<u64>(block, packets);
  store<u64>(block, bytes, 8);
  store<u32>(block, size, 16);
  // popping the root gives the lowest-ranked first: fill the output from its end
  const numbers = block + TOP_HEADER + <usize>k * ENTRY_BYTES;
  for (let place = size; place > 0; place--) {
    const picked = load<u32>(heap);
    const last = place - 1;
    store<u32>(heap, load<u32>(heap + (<usize>last << 2)));
    siftDown(t, heap, last, 0, preferred, preferredCount);
    const out = block + TOP_HEADER + <usize>last * ENTRY_BYTES;
    copyEntry(out, entryAt(t, picked));
    store<u32>(numbers + (<usize>last << 2), picked);
    // a destination whose route has gone since shows as unrouted
    const route = load<i32>(out, 48);
    if (route >= 0 && (!routeExists(route) || load<u32>(out, 56) != routeGeneration(route))) store<i32>(out, -1, 48);
  }
  free(heap, heapBytes, POOL_OTHER);
  return block;
}

export function topDestinationsFree(block: usize, k: u32): void {
  free(block, blockBytes(k), POOL_OTHER);
}

/** Where the picked entries start in a result block. */
export function topDestinationsHeaderBytes(): u32 {
  return <u32>TOP_HEADER;
}
