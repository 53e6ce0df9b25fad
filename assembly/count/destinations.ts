// Per-destination counters: entries stored densely in the order destinations first appear,
// found through an open-addressing index (linear probing) of 8-byte slots that doubles when
// three quarters full. The index stays small enough for the cache (2 MiB for 150,000
// destinations), and the busiest destinations, which tend to appear first, share the first
// pages and cache lines of the entries; a sparse table of whole entries spread them over 32 MiB.
//
// Entry layout, 64 bytes (one cache line: the entries start 64-byte aligned):
//   @0  hi u64 / @8 lo u64   the address (IPv4: hi = address, lo = 0)
//   @16 packets u64          @24 bytes u64
//   @32 first seen u64       @40 last seen u64   (seconds << 32 | nanoseconds: see capture/time.ts)
//   @48 route i32            the route of its last packet (-1: none)
//   @52 family u8            4 or 6
//   @56 generation u32       of that route when it was set (fib/routes.ts routeGeneration)
//
// Index slot, u64: the hash's low 32 bits << 32 | (entry number + 1); 0 = empty.
//
// The table stops growing, rather than fail, when memory runs short: it grows only while a
// report's copy of every entry would still fit afterwards (REPORT_BYTES per entry), so what was
// counted can always be reported. A destination that finds it full is not added (the caller
// counts its packet in an overflow bucket instead).

import { alloc, free, tryAlloc, tryAllocLeaving, POOL_OTHER } from '../memory/alloc';
import { routeExists, routeGeneration } from '../fib/routes';

export const ENTRY_BYTES: usize = 64;
const LINE: usize = 64;
const FIRST_CAPACITY: u32 = 1024;
/** What a report takes per destination: its sorted copy and two u64 sort keys. */
export const REPORT_BYTES: u64 = <u64>ENTRY_BYTES + 16;

@unmanaged export class DestinationTable {
  /** the block allocated for the entries; `entries` is its first cache-line boundary */
  block: usize;
  entries: usize;
  capacity: u32;
  count: u32;
  index: usize;
  mask: u32;
}

export function initDestinations(t: DestinationTable): void {
  t.capacity = FIRST_CAPACITY;
  t.block = alloc(<usize>t.capacity * ENTRY_BYTES + LINE, POOL_OTHER);
  t.entries = (t.block + LINE - 1) & ~(LINE - 1);
  t.count = 0;
  t.mask = FIRST_CAPACITY * 2 - 1;
  t.index = newIndex(t.mask + 1);
}

/** Forgets every destination, keeping the memory. */
export function clearDestinations(t: DestinationTable): void {
  t.count = 0;
  memory.fill(t.index, 0, (<usize>t.mask + 1) << 3);
}

export function freeDestinations(t: DestinationTable): void {
  free(t.block, <usize>t.capacity * ENTRY_BYTES + LINE, POOL_OTHER);
  free(t.index, (<usize>t.mask + 1) << 3, POOL_OTHER);
}

function newIndex(slots: u32): usize {
  const index = alloc(<usize>slots << 3, POOL_OTHER);
  memory.fill(index, 0, <usize>slots << 3);
  return index;
}

@inline export function destinationHash(hi: u64, lo: u64, family: u32): u64 {
  let x = hi ^ (lo * 0xff51afd7ed558ccd) ^ <u64>family;
  x *= 0x9e3779b97f4a7c15;
  return x ^ (x >> 29);
}

/** Entry number `n`. */
@inline export function entryAt(t: DestinationTable, n: u32): usize {
  return t.entries + <usize>n * ENTRY_BYTES;
}

/** Copies one entry from `from` to `to`, 16 bytes a store: memory.copy would be a call out of the compiled code per entry. */
@inline export function copyEntry(to: usize, from: usize): void {
  for (let k: usize = 0; k < ENTRY_BYTES; k += 16) v128.store(to + k, v128.load(from + k));
}

/**
 * The entry of a destination, or 0 when it is not there yet: the caller then adds it with
 * `addDestination` and the same hash.
 */
@inline export function findDestination(t: DestinationTable, hash: u64, hi: u64, lo: u64, family: u32): usize {
  const tag = hash << 32;
  let slot = <u32>(hash >> 32) & t.mask;
  while (true) {
    const value = load<u64>(t.index + (<usize>slot << 3));
    if (value == 0) return 0;
    if ((value & 0xffffffff00000000) == tag) {
      const entry = entryAt(t, <u32>value - 1);
      if (load<u64>(entry) == hi && load<u64>(entry, 8) == lo && <u32>load<u8>(entry, 52) == family) return entry;
    }
    slot = (slot + 1) & t.mask;
  }
}

/**
 * Loads the index slot of `hash` and the entry it names (entry 0 when the slot is empty), for
 * their cache misses to overlap with the other packets' of a batch before they are counted;
 * returns what it read, for the caller to keep the loads alive.
 */
@inline export function touchDestination(t: DestinationTable, hash: u64): u64 {
  const value = load<u64>(t.index + (<usize>(<u32>(hash >> 32) & t.mask) << 3));
  const n = <u32>value;
  return value + load<u64>(entryAt(t, select<u32>(n - 1, 0, n != 0)), 16);
}

/**
 * Appends a destination that findDestination did not find; returns its entry, key and family
 * set, or 0 when the table is full and memory too short to grow it.
 */
export function addDestination(t: DestinationTable, hash: u64, hi: u64, lo: u64, family: u32): usize {
  if (t.count == t.capacity && !growEntries(t)) return 0;
  if (<u64>(t.count + 1) * 4 > (<u64>t.mask + 1) * 3 && !growIndex(t)) return 0;
  const n = t.count++;
  let slot = <u32>(hash >> 32) & t.mask;
  while (load<u64>(t.index + (<usize>slot << 3))) slot = (slot + 1) & t.mask;
  store<u64>(t.index + (<usize>slot << 3), (hash << 32) | <u64>(n + 1));
  const entry = entryAt(t, n);
  store<u64>(entry, hi);
  store<u64>(entry, lo, 8);
  store<u8>(entry, <u8>family, 52);
  return entry;
}

function growEntries(t: DestinationTable): bool {
  const capacity = <u64>t.capacity * 2;
  if (capacity > <u64>u32.MAX_VALUE) return false;
  const bytes = capacity * ENTRY_BYTES + LINE;
  // room left for a report of the grown table, and for its index to double once more
  const block = tryAllocLeaving(bytes, capacity * (REPORT_BYTES + 32), POOL_OTHER);
  if (!block) return false;
  const entries = (block + LINE - 1) & ~(LINE - 1);
  memory.copy(entries, t.entries, <usize>t.count * ENTRY_BYTES);
  free(t.block, <u64>t.capacity * ENTRY_BYTES + LINE, POOL_OTHER);
  t.block = block;
  t.entries = entries;
  t.capacity = <u32>capacity;
  return true;
}

/** Doubles the index; the old one is freed only once the new one is whole. */
function growIndex(t: DestinationTable): bool {
  const slots = (<u64>t.mask + 1) * 2;
  if (slots > <u64>u32.MAX_VALUE) return false;
  const index = tryAlloc(slots << 3, POOL_OTHER);
  if (!index) return false;
  memory.fill(index, 0, <usize>(slots << 3));
  free(t.index, (<u64>t.mask + 1) << 3, POOL_OTHER);
  t.index = index;
  t.mask = <u32>(slots - 1);
  for (let n: u32 = 0; n < t.count; n++) {
    const entry = entryAt(t, n);
    const hash = destinationHash(load<u64>(entry), load<u64>(entry, 8), <u32>load<u8>(entry, 52));
    let slot = <u32>(hash >> 32) & t.mask;
    while (load<u64>(t.index + (<usize>slot << 3))) slot = (slot + 1) & t.mask;
    store<u64>(t.index + (<usize>slot << 3), (hash << 32) | <u64>(n + 1));
  }
  return true;
}

// a radix sort's digit counts
const counts: usize = memory.data(65536 * 4);

/**
 * Copies every destination entry to `out` (count * ENTRY_BYTES), busiest first; entries with
 * equal packet counts keep the order they first appeared in. A stable two-pass radix sort on the packet count
 * (16 bits a pass, counts above 2^32 - 1 taken as that) over `keys` and `scratch`, which hold
 * count u64s each.
 */
export function copySortedDestinations(t: DestinationTable, out: usize, keys: usize, scratch: usize): u32 {
  const n = t.count;
  for (let i: u32 = 0; i < n; i++) {
    const packets = min(load<u64>(entryAt(t, i), 16), <u64>0xffffffff);
    // descending packets: sort ascending on the complement; the low half says which entry
    store<u64>(keys + (<usize>i << 3), ((0xffffffff - packets) << 32) | <u64>i);
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
  for (let i: u32 = 0; i < n; i++) copyEntry(out + <usize>i * ENTRY_BYTES, entryAt(t, <u32>load<u64>(from + (<usize>i << 3))));
  return n;
}

/**
 * Copies the entries of `t`, busiest first, into a fresh block (count * ENTRY_BYTES) for a report,
 * and returns it (0 when memory is too short; the table leaves room for this copy as it grows).
 * An entry whose route has gone since shows as unrouted.
 */
export function copyForReport(t: DestinationTable): usize {
  const count = <u64>max(t.count, 1);
  const out = tryAlloc(count * ENTRY_BYTES, POOL_OTHER);
  const keys = out ? tryAlloc(count << 3, POOL_OTHER) : 0;
  const scratch = keys ? tryAlloc(count << 3, POOL_OTHER) : 0;
  if (!scratch) {
    if (keys) free(keys, count << 3, POOL_OTHER);
    if (out) free(out, count * ENTRY_BYTES, POOL_OTHER);
    return 0;
  }
  const copied = copySortedDestinations(t, out, keys, scratch);
  for (let i: u32 = 0; i < copied; i++) {
    const entry = out + <usize>i * ENTRY_BYTES;
    const route = load<i32>(entry, 48);
    if (route >= 0 && (!routeExists(route) || load<u32>(entry, 56) != routeGeneration(route))) store<i32>(entry, -1, 48);
  }
  free(scratch, count << 3, POOL_OTHER);
  free(keys, count << 3, POOL_OTHER);
  return out;
}
