// The bogon classifier: an address's class mask (BOGON_SOURCE, BOGON_DESTINATION, PRIVATE; the
// same bits as src/checks/classes.ts) from a table of sorted, disjoint address ranges that the
// host builds (src/checks/bogon-ranges.ts: the special-purpose registries, most specific block
// winning, plus any --bogons list) and copies in. A lookup is a binary search, with no allocation.
// A big table (a full-bogons feed: 100,000 ranges) also gets an index by the address's first 16
// bits, so the search runs over the few ranges of that slice instead of 17 steps over the whole.
//
// Table layout (little-endian, sorted by start, ranges disjoint):
//   IPv4, RANGE4_BYTES a range: @0 start u32  @4 end u32 (inclusive)  @8 mask u32
//   IPv6, RANGE6_BYTES a range: @0 start hi u64  @8 start lo u64  @16 end hi u64  @24 end lo u64
//                               @32 mask u32  @36 zero
// Addresses are host-order: IPv4 as a u32, IPv6 as two u64 halves (as in classify/fields.ts).
// Index, INDEX_ENTRIES u32s a family: entry k is the first range whose end's top 16 bits are k or
// more. An address whose top 16 bits are k can only be in ranges entry k ..= entry k + 1: those
// before end below it, and those after entry k + 1 start past the slice (ranges are disjoint).

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';
import { FIELD_FAMILY } from '../classify/fields';

export const BOGON_SOURCE: u32 = 1;
export const BOGON_DESTINATION: u32 = 2;
export const PRIVATE: u32 = 4;

export const RANGE4_BYTES: usize = 12;
export const RANGE6_BYTES: usize = 40;

/** Tables of fewer ranges are searched whole: the index would cost more than it saves. */
const INDEX_FROM: i32 = 64;
const INDEX_ENTRIES: usize = 65537;

let index4: usize = 0;
let index6: usize = 0;
let table4: usize = 0;
let ranges4: i32 = 0;
let table6: usize = 0;
let ranges6: i32 = 0;

export function rangeCount(family: i32): i32 {
  return family == 4 ? ranges4 : family == 6 ? ranges6 : 0;
}

export function rangeTable(family: i32): usize {
  return family == 4 ? table4 : family == 6 ? table6 : 0;
}

/** Gives back the table; every address is then in no class. */
export function freeTable(): void {
  if (table4) free(table4, <u32>(<usize>ranges4 * RANGE4_BYTES), POOL_OTHER);
  if (table6) free(table6, <u32>(<usize>ranges6 * RANGE6_BYTES), POOL_OTHER);
  if (index4) free(index4, <u32>(INDEX_ENTRIES << 2), POOL_OTHER);
  if (index6) free(index6, <u32>(INDEX_ENTRIES << 2), POOL_OTHER);
  table4 = table6 = index4 = index6 = 0;
  ranges4 = ranges6 = 0;
}

function buildIndex(table: usize, count: i32, family: i32): usize {
  if (count < INDEX_FROM) return 0;
  // without memory for it the search is only slower, never wrong
  const index = tryAlloc(<u32>(INDEX_ENTRIES << 2), POOL_OTHER);
  if (!index) return 0;
  let range = 0;
  for (let k: u32 = 0; k < <u32>INDEX_ENTRIES; k++) {
    while (range < count) {
      const endTop = family == 4
        ? load<u32>(table + <usize>range * RANGE4_BYTES, 4) >>> 16
        : <u32>(load<u64>(table + <usize>range * RANGE6_BYTES, 16) >>> 48);
      if (endTop >= k) break;
      range++;
    }
    store<u32>(index + (<usize>k << 2), range);
  }
  return index;
}

/** Indexes the table the host has filled (a table without its index is searched whole). */
export function indexTable(): void {
  if (!index4) index4 = buildIndex(table4, ranges4, 4);
  if (!index6) index6 = buildIndex(table6, ranges6, 6);
}

/** Replaces the table by an empty one of `count4` + `count6` ranges for the host to fill; false when memory is short (the table is then empty). */
export function reserveTable(count4: i32, count6: i32): bool {
  freeTable();
  const bytes4 = <u64>count4 * <u64>RANGE4_BYTES;
  const bytes6 = <u64>count6 * <u64>RANGE6_BYTES;
  if (bytes4 > 0xffff0000 || bytes6 > 0xffff0000) return false;
  if (count4 > 0) {
    table4 = tryAlloc(<u32>bytes4, POOL_OTHER);
    if (!table4) return false;
    ranges4 = count4;
  }
  if (count6 > 0) {
    table6 = tryAlloc(<u32>bytes6, POOL_OTHER);
    if (!table6) {
      freeTable();
      return false;
    }
    ranges6 = count6;
  }
  return true;
}

/** The class mask of a host-order IPv4 address. */
export function bogonClasses4(address: u32): u32 {
  // the first range that starts past the address; the one before it is the only candidate
  let low = 0;
  let high = ranges4;
  if (index4) {
    const entry = index4 + (<usize>(address >>> 16) << 2);
    low = <i32>load<u32>(entry);
    high = min(<i32>load<u32>(entry, 4) + 1, ranges4);
  }
  const first = low;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (load<u32>(table4 + <usize>middle * RANGE4_BYTES) <= address) low = middle + 1;
    else high = middle;
  }
  if (low == first) return 0;
  const range = table4 + <usize>(low - 1) * RANGE4_BYTES;
  return address <= load<u32>(range, 4) ? load<u32>(range, 8) : 0;
}

@inline function atMost(aHi: u64, aLo: u64, bHi: u64, bLo: u64): bool {
  return aHi < bHi || (aHi == bHi && aLo <= bLo);
}

/** The class mask of an IPv6 address given as its two host-order halves. */
export function bogonClasses6(hi: u64, lo: u64): u32 {
  let low = 0;
  let high = ranges6;
  if (index6) {
    const entry = index6 + (<usize>(hi >>> 48) << 2);
    low = <i32>load<u32>(entry);
    high = min(<i32>load<u32>(entry, 4) + 1, ranges6);
  }
  const first = low;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const range = table6 + <usize>middle * RANGE6_BYTES;
    if (atMost(load<u64>(range), load<u64>(range, 8), hi, lo)) low = middle + 1;
    else high = middle;
  }
  if (low == first) return 0;
  const range = table6 + <usize>(low - 1) * RANGE6_BYTES;
  return atMost(hi, lo, load<u64>(range, 16), load<u64>(range, 24)) ? load<u32>(range, 32) : 0;
}

/** The class mask of the address at `hiOffset` (FIELD_SOURCE_HI or FIELD_DESTINATION_HI) of a fields block; 0 when not IP. */
@inline export function bogonClassesOfField(fields: usize, hiOffset: usize): u32 {
  const family = load<u8>(fields + FIELD_FAMILY);
  if (family == 4) return bogonClasses4(<u32>load<u64>(fields + hiOffset));
  if (family == 6) return bogonClasses6(load<u64>(fields + hiOffset), load<u64>(fields + hiOffset, 8));
  return 0;
}
