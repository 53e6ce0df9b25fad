// Distinct byte strings of an MRT file (AS paths, community lists, next hops), numbered in the
// order first seen: open addressing on a hash of the bytes, the bytes confirming a match. The
// file passes through a window (rib-scan.ts), so each new value's bytes are copied into one arena
// that every table shares (a few MB for a full table). A table is a few words in a static block
// (TABLE_BYTES each), not a GC object.

import { free, tryAlloc, tryAllocZeroed, tryRealloc, POOL_OTHER } from '../memory/alloc';

/**
 * A table: @0 slots (8 bytes each: u32 entry number + 1, 0 = free, and u32 hash, so a probe
 * reads no entry it does not match) @4 slot mask @8 entries @12 count @16 entry capacity
 * @20 the entry found or added last + 1 (0: none).
 */
export const TABLE_BYTES: usize = 24;
/** An entry: @0 hash u32 @4 offset of the bytes in the arena u32 @8 length u32 @12 tag u32 (a kind of value within the table). */
export const ENTRY_BYTES: usize = 16;
const FIRST_SLOTS: u32 = 1024;

// the bytes of every table's values; it moves when it grows, so entries keep offsets into it
export let arena: usize = 0;
export let arenaLength: u32 = 0;
let arenaCapacity: u32 = 0;

export function clearArena(): void {
  if (arenaCapacity) free(arena, arenaCapacity, POOL_OTHER);
  arena = 0;
  arenaLength = arenaCapacity = 0;
}

/** Copies `length` bytes at `at` to the end of the arena; their offset, or -1 when memory is too short. */
function keep(at: usize, length: u32): i64 {
  if (arenaLength + length > arenaCapacity && !growArena(max<u32>(1 << 16, (arenaLength + length) * 2))) return -1;
  const offset = arenaLength;
  memory.copy(arena + <usize>offset, at, length);
  arenaLength += length;
  return offset;
}

function growArena(capacity: u32): bool {
  const grown = tryAlloc(capacity, POOL_OTHER);
  if (!grown) return false;
  if (arenaCapacity) {
    memory.copy(grown, arena, arenaLength);
    free(arena, arenaCapacity, POOL_OTHER);
  }
  arena = grown;
  arenaCapacity = capacity;
  return true;
}

@inline export function tableEntries(table: usize): usize { return load<usize>(table, 8); }
@inline export function tableCount(table: usize): u32 { return load<u32>(table, 12); }

/** Empties `table` (its memory freed); safe on a table never used. */
export function clearTable(table: usize): void {
  const capacity = load<u32>(table, 16);
  if (capacity) {
    free(load<usize>(table, 0), (<usize>load<u32>(table, 4) + 1) << 3, POOL_OTHER);
    free(load<usize>(table, 8), <usize>capacity * ENTRY_BYTES, POOL_OTHER);
  }
  memory.fill(table, 0, TABLE_BYTES);
}

export function hashBytes(at: usize, length: u32, tag: u32): u32 {
  let h: u32 = 0x9e3779b9 ^ length ^ (tag << 24);
  let i: u32 = 0;
  for (; i + 4 <= length; i += 4) h = (rotl<u32>(h, 5) ^ load<u32>(at + <usize>i)) * 0x9e3779b1;
  for (; i < length; i++) h = (rotl<u32>(h, 5) ^ <u32>load<u8>(at + <usize>i)) * 0x9e3779b1;
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  return h ^ (h >>> 13);
}

@inline function sameBytes(a: usize, b: usize, length: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= length; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  if (i + 4 <= length) {
    if (load<u32>(a + <usize>i) != load<u32>(b + <usize>i)) return false;
    i += 4;
  }
  for (; i < length; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/**
 * Makes an empty `table` room for about `entries` entries, and the arena for `bytes` more bytes,
 * so that they need not grow (and rehash) as often; false when memory is too short for that (the
 * table then starts small). An estimate: a table outgrowing it grows as any does.
 */
export function reserve(table: usize, entries: u32, bytes: u32): bool {
  if (load<u32>(table, 16)) return true;
  let slots = FIRST_SLOTS;
  while (slots < 1 << 30 && slots >> 1 < entries) slots <<= 1;
  if (!start(table, slots)) return false;
  return arenaLength + bytes <= arenaCapacity || growArena(arenaLength + bytes);
}

/** The address of the slot intern() first reads for bytes of hash `hash` (path-batch.ts loads it ahead). */
@inline export function firstSlot(table: usize, hash: u32): usize {
  return load<usize>(table, 0) + (<usize>(hash & load<u32>(table, 4)) << 3);
}

/** The entry a slot's word `n` names, else the first one: an address to load ahead, without a branch. */
@inline export function slotEntry(table: usize, n: u32): usize {
  const entries = load<usize>(table, 8);
  return select<usize>(entries + <usize>(n - 1) * ENTRY_BYTES, entries, n != 0);
}

/** Where in the arena the bytes of the entry at `entry` are; within the arena even for an entry not written yet (slotEntry's first). */
@inline export function entryBytes(entry: usize): usize {
  return arena + <usize>min<u32>(load<u32>(entry, 4), arenaLength);
}

/** The number of the bytes `[at, at + length)` of kind `tag`, numbering them when new; -1 when memory is too short. */
export function intern(table: usize, at: usize, length: u32, tag: u32): i32 {
  // neighbouring prefixes often share a value: the last one is tried first, without hashing
  const last = lastEntry(table, at, length, tag);
  return last >= 0 ? last : internHashed(table, at, length, tag, hashBytes(at, length, tag));
}

/** The number of the entry found or added last when it holds these bytes, else -1. */
@inline function lastEntry(table: usize, at: usize, length: u32, tag: u32): i32 {
  const last = load<u32>(table, 20);
  if (last) {
    const entry = load<usize>(table, 8) + <usize>(last - 1) * ENTRY_BYTES;
    if (load<u32>(entry, 8) == length && load<u32>(entry, 12) == tag && sameBytes(arena + <usize>load<u32>(entry, 4), at, length)) return <i32>(last - 1);
  }
  return -1;
}

/** intern() of bytes whose hashBytes() is `hash`. */
export function internHashed(table: usize, at: usize, length: u32, tag: u32, hash: u32): i32 {
  if (!load<u32>(table, 16) && !start(table, FIRST_SLOTS)) return -1;
  const last = lastEntry(table, at, length, tag);
  if (last >= 0) return last;
  const entries = load<usize>(table, 8);
  const slots = load<usize>(table, 0);
  const mask = load<u32>(table, 4);
  let slot = hash & mask;
  for (let n = load<u32>(slots + (<usize>slot << 3)); n != 0; n = load<u32>(slots + (<usize>slot << 3))) {
    if (load<u32>(slots + (<usize>slot << 3), 4) == hash) {
      const entry = entries + <usize>(n - 1) * ENTRY_BYTES;
      if (load<u32>(entry, 8) == length && load<u32>(entry, 12) == tag && sameBytes(arena + <usize>load<u32>(entry, 4), at, length)) {
        store<u32>(table, n, 20);
        return <i32>(n - 1);
      }
    }
    slot = (slot + 1) & mask;
  }
  let count = load<u32>(table, 12);
  let capacity = load<u32>(table, 16);
  if (count == capacity) {
    const grown = tryRealloc(entries, <usize>capacity * ENTRY_BYTES, <usize>capacity * 2 * ENTRY_BYTES, POOL_OTHER);
    if (!grown) return -1;
    store<usize>(table, grown, 8);
    store<u32>(table, capacity *= 2, 16);
  }
  const offset = keep(at, length);
  if (offset < 0) return -1;
  const entry = load<usize>(table, 8) + <usize>count * ENTRY_BYTES;
  store<u32>(entry, hash);
  store<u32>(entry, <u32>offset, 4);
  store<u32>(entry, length, 8);
  store<u32>(entry, tag, 12);
  store<u32>(slots + (<usize>slot << 3), count + 1);
  store<u32>(slots + (<usize>slot << 3), hash, 4);
  store<u32>(table, ++count, 12);
  store<u32>(table, count, 20);
  // at most half full
  if (count * 2 > mask + 1 && !rehash(table)) return -1;
  return <i32>(count - 1);
}

function start(table: usize, slotCount: u32): bool {
  const slots = tryAllocZeroed(<usize>slotCount << 3, POOL_OTHER);
  if (!slots) return false;
  const entries = tryAlloc(<usize>(slotCount >> 1) * ENTRY_BYTES, POOL_OTHER);
  if (!entries) {
    free(slots, <usize>slotCount << 3, POOL_OTHER);
    return false;
  }
  store<usize>(table, slots, 0);
  store<u32>(table, slotCount - 1, 4);
  store<usize>(table, entries, 8);
  store<u32>(table, 0, 12);
  store<u32>(table, slotCount >> 1, 16);
  store<u32>(table, 0, 20);
  return true;
}

function rehash(table: usize): bool {
  const oldSlots = load<usize>(table, 0);
  const oldMask = load<u32>(table, 4);
  const size = (oldMask + 1) << 1;
  const slots = tryAllocZeroed(<usize>size << 3, POOL_OTHER);
  if (!slots) return false;
  const mask = size - 1;
  const entries = load<usize>(table, 8);
  const count = load<u32>(table, 12);
  for (let n: u32 = 0; n < count; n++) {
    const hash = load<u32>(entries + <usize>n * ENTRY_BYTES);
    let slot = hash & mask;
    while (load<u32>(slots + (<usize>slot << 3)) != 0) slot = (slot + 1) & mask;
    store<u32>(slots + (<usize>slot << 3), n + 1);
    store<u32>(slots + (<usize>slot << 3), hash, 4);
  }
  free(oldSlots, (<usize>oldMask + 1) << 3, POOL_OTHER);
  store<usize>(table, slots, 0);
  store<u32>(table, mask, 4);
  return true;
}
