// Per-destination counters: an open-addressing hash table (linear probing) that doubles when
// half full, so it grows to millions of destinations with one cache line per entry.
//
// Entry layout, 64 bytes:
//   @0  hi u64 / @8 lo u64   the address (IPv4: hi = address, lo = 0)
//   @16 packets u64          @24 bytes u64
//   @32 first seen u64       @40 last seen u64   (seconds << 32 | nanoseconds: see capture/time.ts)
//   @48 route i32            the route of its last packet (-1: none)
//   @52 family u8            4 or 6; 0 = empty slot

import { alloc, free, POOL_OTHER } from '../memory/alloc';

export const ENTRY_BYTES: usize = 64;

@unmanaged export class DestinationTable {
  entries: usize;
  mask: u32;
  count: u32;
}

export function initDestinations(t: DestinationTable, capacity: u32): void {
  t.entries = alloc(<usize>capacity * ENTRY_BYTES, POOL_OTHER);
  memory.fill(t.entries, 0, <usize>capacity * ENTRY_BYTES);
  t.mask = capacity - 1;
  t.count = 0;
}

export function freeDestinations(t: DestinationTable): void {
  free(t.entries, (<usize>t.mask + 1) * ENTRY_BYTES, POOL_OTHER);
}

@inline function slotOf(hi: u64, lo: u64, family: u32, mask: u32): u32 {
  let x = hi ^ (lo * 0xff51afd7ed558ccd) ^ <u64>family;
  x *= 0x9e3779b97f4a7c15;
  return <u32>(x >> 32) & mask;
}

/**
 * The entry of a destination; a new one (zeroed counters, family set) if it was not there.
 * `isNew` tells which.
 */
export let isNew = false;

export function findOrAdd(t: DestinationTable, hi: u64, lo: u64, family: u32): usize {
  let slot = slotOf(hi, lo, family, t.mask);
  while (true) {
    const entry = t.entries + <usize>slot * ENTRY_BYTES;
    const entryFamily = <u32>load<u8>(entry, 52);
    if (entryFamily == 0) {
      if ((t.count + 1) * 2 > t.mask + 1) {
        grow(t);
        return findOrAdd(t, hi, lo, family);
      }
      store<u64>(entry, hi);
      store<u64>(entry, lo, 8);
      store<u8>(entry, <u8>family, 52);
      t.count++;
      isNew = true;
      return entry;
    }
    if (entryFamily == family && load<u64>(entry) == hi && load<u64>(entry, 8) == lo) {
      isNew = false;
      return entry;
    }
    slot = (slot + 1) & t.mask;
  }
}

function grow(t: DestinationTable): void {
  const oldEntries = t.entries;
  const oldCapacity = t.mask + 1;
  initDestinations(t, oldCapacity * 2);
  for (let i: u32 = 0; i < oldCapacity; i++) {
    const from = oldEntries + <usize>i * ENTRY_BYTES;
    const family = <u32>load<u8>(from, 52);
    if (!family) continue;
    let slot = slotOf(load<u64>(from), load<u64>(from, 8), family, t.mask);
    while (load<u8>(t.entries + <usize>slot * ENTRY_BYTES, 52)) slot = (slot + 1) & t.mask;
    memory.copy(t.entries + <usize>slot * ENTRY_BYTES, from, ENTRY_BYTES);
    t.count++;
  }
  free(oldEntries, <usize>oldCapacity * ENTRY_BYTES, POOL_OTHER);
}

/** Entry `a` comes before entry `b`: more packets, then more bytes, then lower family and address. */
@inline function before(a: usize, b: usize): bool {
  const pa = load<u64>(a, 16), pb = load<u64>(b, 16);
  if (pa != pb) return pa > pb;
  const ba = load<u64>(a, 24), bb = load<u64>(b, 24);
  if (ba != bb) return ba > bb;
  const fa = load<u8>(a, 52), fb = load<u8>(b, 52);
  if (fa != fb) return fa < fb;
  const ha = load<u64>(a), hb = load<u64>(b);
  if (ha != hb) return ha < hb;
  return load<u64>(a, 8) < load<u64>(b, 8);
}

/**
 * Writes the entry pointers of every destination to `out` (count u32s), busiest first: the
 * order every report lists them in. Heap sort: no recursion, no extra memory.
 */
export function sortedDestinations(t: DestinationTable, out: usize): u32 {
  let n: u32 = 0;
  for (let slot: u32 = 0; slot <= t.mask; slot++) {
    const entry = t.entries + <usize>slot * ENTRY_BYTES;
    if (load<u8>(entry, 52)) {
      store<u32>(out + (<usize>n << 2), <u32>entry);
      n++;
    }
  }
  // a heap whose root is the entry that comes last, then pop roots to the end
  for (let start = <i32>(n >> 1) - 1; start >= 0; start--) siftDown(out, <u32>start, n);
  for (let end = n; end > 1; end--) {
    const last = end - 1;
    const root = load<u32>(out);
    store<u32>(out, load<u32>(out + (<usize>last << 2)));
    store<u32>(out + (<usize>last << 2), root);
    siftDown(out, 0, last);
  }
  return n;
}

function siftDown(heap: usize, root: u32, size: u32): void {
  while (true) {
    let child = root * 2 + 1;
    if (child >= size) return;
    const right = child + 1;
    if (right < size && before(load<u32>(heap + (<usize>child << 2)), load<u32>(heap + (<usize>right << 2)))) child = right;
    const rootEntry = load<u32>(heap + (<usize>root << 2));
    const childEntry = load<u32>(heap + (<usize>child << 2));
    if (!before(rootEntry, childEntry)) return;
    store<u32>(heap + (<usize>root << 2), childEntry);
    store<u32>(heap + (<usize>child << 2), rootEntry);
    root = child;
  }
}
