// The order a bulk load inserts its routes in: by prefix. Consecutive routes then share most of
// their RIB walk (rib.ts starts each walk where it parts from the last one), and the RIB's nodes
// are laid out in trie order, the order the lookup structure's rebuild reads them in: a table
// given in random order loads in about two thirds of the time this way. A table already in
// order (what `ip route`, bgpdump and most dumps write) costs one pass to find that out.
//
// The sort is stable, so the routes of one prefix keep the order they were given in (among
// equal metrics the last given wins, rib.ts insertAt); routes of different prefixes never meet
// in the RIB, so their order changes nothing but speed.
//
// Every pass runs in pieces, each a call of a function of its own: V8 runs a WebAssembly
// function in its baseline code until it has been called often enough, so one call over a
// million routes would run there from start to end.

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';
import { loadHi } from './keys';

const DIGIT_BITS: u32 = 11;
const BUCKETS: usize = 1 << DIGIT_BITS;
const PASSES: u32 = 3; // 33 bits: the family, then the top 32 bits of the key
const PIECE: u32 = 16384;

/**
 * A key that follows the prefix: the family, then the top 32 bits of its key (an IPv4 address
 * whole). Kept in 33 bits, so three passes of 11 sort it.
 */
@inline function sortKey(record: usize): u64 {
  const family6: u64 = load<u8>(record, 24) == 6 ? 1 : 0;
  return (family6 << 32) | (loadHi(record) >> 32);
}

/**
 * The indexes 0 … count - 1 of the `recordBytes`-byte records at `records`, ordered by prefix, as
 * u32s in a block of `count` * 4 bytes (POOL_OTHER) the caller frees; 0 when they are in order
 * already, or when memory is short (the order is only for speed, so it is optional growth).
 */
export function prefixOrder(records: usize, count: u32, recordBytes: usize): usize {
  let inOrder = true;
  for (let from: u32 = 0; from < count && inOrder; from += PIECE) {
    // each piece from the last key of the one before, so the pieces join
    inOrder = keysAscend(records, from == 0 ? 0 : from - 1, min(count, from + PIECE), recordBytes);
  }
  if (inOrder) return 0;

  let from = tryAlloc(<u64>count << 3, POOL_OTHER);
  let to = from ? tryAlloc(<u64>count << 3, POOL_OTHER) : 0;
  const counts = to ? tryAlloc(<u64>BUCKETS << 2, POOL_OTHER) : 0;
  const order = counts ? tryAlloc(<u64>count << 2, POOL_OTHER) : 0;
  if (!order) {
    if (counts) free(counts, <u64>BUCKETS << 2, POOL_OTHER);
    if (to) free(to, <u64>count << 3, POOL_OTHER);
    if (from) free(from, <u64>count << 3, POOL_OTHER);
    return 0;
  }
  // entries: key << 31 | index (fewer than 2^31 routes), sorted by key, least significant digit first
  for (let start: u32 = 0; start < count; start += PIECE) writeEntries(records, recordBytes, from, start, min(count, start + PIECE));
  for (let pass: u32 = 0; pass < PASSES; pass++) {
    const shift = <u64>(31 + pass * DIGIT_BITS);
    memory.fill(counts, 0, BUCKETS << 2);
    for (let start: u32 = 0; start < count; start += PIECE) countDigits(from, start, min(count, start + PIECE), shift, counts);
    let next: u32 = 0;
    for (let b: usize = 0; b < BUCKETS; b++) {
      const n = load<u32>(counts + (b << 2));
      store<u32>(counts + (b << 2), next);
      next += n;
    }
    for (let start: u32 = 0; start < count; start += PIECE) scatter(from, to, start, min(count, start + PIECE), shift, counts);
    const swap = from;
    from = to;
    to = swap;
  }
  for (let start: u32 = 0; start < count; start += PIECE) writeIndexes(from, order, start, min(count, start + PIECE));
  free(counts, <u64>BUCKETS << 2, POOL_OTHER);
  free(to, <u64>count << 3, POOL_OTHER);
  free(from, <u64>count << 3, POOL_OTHER);
  return order;
}

/** Whether the keys of records `from` to `to` - 1 never go down. */
function keysAscend(records: usize, from: u32, to: u32, recordBytes: usize): bool {
  let previous = sortKey(records + <usize>from * recordBytes);
  for (let i = from + 1; i < to; i++) {
    const key = sortKey(records + <usize>i * recordBytes);
    if (key < previous) return false;
    previous = key;
  }
  return true;
}

function writeEntries(records: usize, recordBytes: usize, entries: usize, from: u32, to: u32): void {
  for (let i = from; i < to; i++) store<u64>(entries + (<usize>i << 3), (sortKey(records + <usize>i * recordBytes) << 31) | <u64>i);
}

function countDigits(entries: usize, from: u32, to: u32, shift: u64, counts: usize): void {
  for (let i = from; i < to; i++) {
    const bucket = counts + (<usize>((load<u64>(entries + (<usize>i << 3)) >> shift) & (BUCKETS - 1)) << 2);
    store<u32>(bucket, load<u32>(bucket) + 1);
  }
}

function scatter(entries: usize, out: usize, from: u32, to: u32, shift: u64, starts: usize): void {
  for (let i = from; i < to; i++) {
    const entry = load<u64>(entries + (<usize>i << 3));
    const bucket = starts + (<usize>((entry >> shift) & (BUCKETS - 1)) << 2);
    const at = load<u32>(bucket);
    store<u32>(bucket, at + 1);
    store<u64>(out + (<usize>at << 3), entry);
  }
}

function writeIndexes(entries: usize, order: usize, from: u32, to: u32): void {
  for (let i = from; i < to; i++) store<u32>(order + (<usize>i << 2), <u32>load<u64>(entries + (<usize>i << 3)) & 0x7fffffff);
}
