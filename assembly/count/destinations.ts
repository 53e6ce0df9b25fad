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

// a radix sort's digit counts
const counts: usize = memory.data(65536 * 4);

/**
 * Copies every destination entry to `out` (count * ENTRY_BYTES), busiest first; entries with
 * equal packet counts keep their table order. A stable two-pass radix sort on the packet count
 * (16 bits a pass, counts above 2^32 - 1 taken as that) over `keys` and `scratch`, which hold
 * count u64s each.
 */
export function copySortedDestinations(t: DestinationTable, out: usize, keys: usize, scratch: usize): u32 {
  let n: u32 = 0;
  for (let slot: u32 = 0; slot <= t.mask; slot++) {
    const entry = t.entries + <usize>slot * ENTRY_BYTES;
    if (!load<u8>(entry, 52)) continue;
    const packets = min(load<u64>(entry, 16), <u64>0xffffffff);
    // descending packets: sort ascending on the complement; the low half says where the entry is
    store<u64>(keys + (<usize>n << 3), ((0xffffffff - packets) << 32) | <u64>slot);
    n++;
  }
  let from = keys, to = scratch;
  for (let shift: u64 = 32; shift < 64; shift += 16) {
    memory.fill(counts, 0, 65536 * 4);
    for (let i: u32 = 0; i < n; i++) {
      const digit = <usize>((load<u64>(from + (<usize>i << 3)) >> shift) & 0xffff);
      store<u32>(counts + (digit << 2), load<u32>(counts + (digit << 2)) + 1);
    }
    let total: u32 = 0;
    for (let digit: usize = 0; digit < 65536; digit++) {
      const c = load<u32>(counts + (digit << 2));
      store<u32>(counts + (digit << 2), total);
      total += c;
    }
    for (let i: u32 = 0; i < n; i++) {
      const key = load<u64>(from + (<usize>i << 3));
      const digit = <usize>((key >> shift) & 0xffff);
      const place = load<u32>(counts + (digit << 2));
      store<u32>(counts + (digit << 2), place + 1);
      store<u64>(to + (<usize>place << 3), key);
    }
    const swap = from;
    from = to;
    to = swap;
  }
  for (let i: u32 = 0; i < n; i++) {
    const slot = <u32>load<u64>(from + (<usize>i << 3));
    memory.copy(out + <usize>i * ENTRY_BYTES, t.entries + <usize>slot * ENTRY_BYTES, ENTRY_BYTES);
  }
  return n;
}
