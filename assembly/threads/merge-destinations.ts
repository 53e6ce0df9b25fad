// The destination entries of `analyze --threads`' pieces as one table, in WebAssembly: the same
// table (count/destinations.ts) the per-packet loop fills, fed with whole entries in capture
// order, so its order first seen, and the sort of its copy, are one thread's.

import { alloc, free, tryAlloc, POOL_OTHER } from '../memory/alloc';
import {
  addDestination, copyEntry, copySortedDestinations, DestinationTable, destinationHash, ENTRY_BYTES, findDestination,
  freeDestinations, initDestinations,
} from '../count/destinations';

export function mergedDestinationsCreate(): usize {
  const t = changetype<DestinationTable>(alloc(offsetof<DestinationTable>(), POOL_OTHER));
  initDestinations(t);
  return changetype<usize>(t);
}

export function mergedDestinationsFree(table: usize): void {
  freeDestinations(changetype<DestinationTable>(table));
  free(table, offsetof<DestinationTable>(), POOL_OTHER);
}

export function mergedDestinationsCount(table: usize): u32 {
  return changetype<DestinationTable>(table).count;
}

/**
 * Adds `count` entries at `from` (a piece's, in the order it first saw them, route ids already
 * the table's): packets and bytes summed, first seen the earliest, last seen and its route the
 * latest piece's. False when the table is full (memory short): the merge cannot be exact.
 */
export function mergedDestinationsAdd(table: usize, from: usize, count: u32): bool {
  const t = changetype<DestinationTable>(table);
  for (let i: u32 = 0; i < count; i++) {
    const entry = from + <usize>i * ENTRY_BYTES;
    const hi = load<u64>(entry);
    const lo = load<u64>(entry, 8);
    const family = <u32>load<u8>(entry, 52);
    const hash = destinationHash(hi, lo, family);
    const found = findDestination(t, hash, hi, lo, family);
    if (found == 0) {
      const added = addDestination(t, hash, hi, lo, family);
      if (added == 0) return false;
      copyEntry(added, entry);
      continue;
    }
    store<u64>(found, load<u64>(found, 16) + load<u64>(entry, 16), 16);
    store<u64>(found, load<u64>(found, 24) + load<u64>(entry, 24), 24);
    if (load<u64>(entry, 32) < load<u64>(found, 32)) store<u64>(found, load<u64>(entry, 32), 32);
    if (load<u64>(entry, 40) > load<u64>(found, 40)) store<u64>(found, load<u64>(entry, 40), 40);
    store<i32>(found, load<i32>(entry, 48), 48);
  }
  return true;
}

/** The entries sorted as a report sorts them, in a fresh block of count * ENTRY_BYTES (0: memory short). */
export function mergedDestinationsSorted(table: usize): usize {
  const t = changetype<DestinationTable>(table);
  const count = <u64>max(t.count, 1);
  const out = tryAlloc(count * ENTRY_BYTES, POOL_OTHER);
  const keys = out ? tryAlloc(count << 3, POOL_OTHER) : 0;
  const scratch = keys ? tryAlloc(count << 3, POOL_OTHER) : 0;
  if (scratch) copySortedDestinations(t, out, keys, scratch);
  if (scratch) free(scratch, count << 3, POOL_OTHER);
  if (keys) free(keys, count << 3, POOL_OTHER);
  if (!scratch && out) {
    free(out, count * ENTRY_BYTES, POOL_OTHER);
    return 0;
  }
  return out;
}

/** Frees a block mergedDestinationsSorted made. */
export function mergedDestinationsRelease(block: usize, bytes: usize): void {
  free(block, <u64>max<usize>(bytes, 1), POOL_OTHER);
}
