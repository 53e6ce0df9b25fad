// The AS paths of the RIB scan (rib-scan.ts) numbered a batch at a time. A full table has some
// 200 000 distinct paths, whose hash-table slots (4 MB) do not stay in cache: numbered one by one
// as the scan met them, each new path waited on memory, one miss after another (the table took
// some 50 ms of a full table's load, two thirds of it on those loads). Queued here instead (the
// routes take a pending number), a batch's slots are loaded together in a loop of a few
// instructions a load, so that the misses overlap, then the entries they name and those entries'
// bytes (a known path's) likewise; the paths are then numbered in the order queued, as before,
// the lines in cache, and the routes given their numbers. WebAssembly has no prefetch instruction: these are plain loads, their values folded
// into `sink` so that they are kept.
//
// The queued values are bytes of the window: the scan flushes the batch before the host may
// refill it (each return of scanRib).

import { entryBytes, firstSlot, hashBytes, internHashed, slotEntry, tableCount } from './blob-table';
import { columnPath, routeCount } from './rib-routes';

/** Paths queued at most: enough misses at once to fill the processor's queue, their lines (some 40 KB) in cache. */
export const PATH_BATCH: u32 = 256;
/** A route's path number + 1 above this (in columnPath) is a queued path's index + 1 + PENDING. */
export const PENDING: u32 = 0x40000000;
const AS_SEQUENCE: u32 = 2;

// per queued path: where its value is (in the window), its length, its hash, then the address to load and its number
const queuedAt = memory.data(<i32>PATH_BATCH * 4);
const queuedLength = memory.data(<i32>PATH_BATCH * 4);
const queuedHash = memory.data(<i32>PATH_BATCH * 4);
const scratch = memory.data(<i32>PATH_BATCH * 4);
let queued: u32 = 0;
/** The first route whose path may be queued. */
let firstPendingRoute: u32 = 0;

/** Distinct AS paths other than one AS_SEQUENCE of 4-octet AS numbers filling the value: the host decodes these at once. */
export let otherPaths: u32 = 0;
/** Folds the loaded values, so that the loads are not left out. */
export let sink: u32 = 0;

export function resetPathBatch(): void {
  queued = firstPendingRoute = otherPaths = 0;
}

/** Whether the batch is full (flushPaths() before queuing). */
@inline export function batchFull(): bool { return queued == PATH_BATCH; }

/** Queues the path value `[at, at + length)`: its pending number (PENDING + index), the last one's again when the same bytes. */
export function queuePath(at: usize, length: u32): i32 {
  if (queued) {
    const last = queued - 1;
    if (load<u32>(queuedLength + (<usize>last << 2)) == length && sameBytes(load<usize>(queuedAt + (<usize>last << 2)), at, length)) return <i32>(PENDING + last);
  }
  const k = <usize>queued << 2;
  store<usize>(queuedAt + k, at);
  store<u32>(queuedLength + k, length);
  store<u32>(queuedHash + k, hashBytes(at, length, 0));
  return <i32>(PENDING + queued++);
}

/** The number of a path that was pending (`path`, PENDING + index) once flushPaths() has numbered the batch; any other as it is. */
export function resolvedPath(path: i32): i32 {
  // signed: -1 (none) is no pending number
  return path >= <i32>PENDING ? load<i32>(scratch + (<usize>(<u32>path - PENDING) << 2)) : path;
}

/**
 * Numbers the queued paths in `paths` (blob-table.ts), in order, and gives the routes since the
 * last flush theirs; false when memory is too short. resolvedPath() gives a pending number's
 * until the next queuePath().
 */
export function flushPaths(paths: usize): bool {
  const count = queued;
  if (!count) return true;
  if (load<u32>(paths, 16)) {
    // the loads, a loop each: the slots, the entries they name, those entries' bytes
    for (let k: usize = 0; k < <usize>count << 2; k += 4) store<usize>(scratch + k, firstSlot(paths, load<u32>(queuedHash + k)));
    for (let k: usize = 0; k < <usize>count << 2; k += 4) store<usize>(scratch + k, slotEntry(paths, load<u32>(load<usize>(scratch + k))));
    for (let k: usize = 0; k < <usize>count << 2; k += 4) store<usize>(scratch + k, entryBytes(load<usize>(scratch + k)));
    let folded = sink;
    for (let k: usize = 0; k < <usize>count << 2; k += 4) folded ^= load<u32>(load<usize>(scratch + k));
    sink = folded;
  }
  for (let k: usize = 0; k < <usize>count << 2; k += 4) {
    const at = load<usize>(queuedAt + k);
    const length = load<u32>(queuedLength + k);
    const known = tableCount(paths);
    const id = internHashed(paths, at, length, 0, load<u32>(queuedHash + k));
    if (id < 0) return false;
    if (<u32>id == known && !isSequencePath(at, length)) otherPaths++;
    store<i32>(scratch + k, id);
  }
  for (let i = firstPendingRoute; i < routeCount; i++) {
    const at = columnPath + (<usize>i << 2);
    const path = load<u32>(at);
    if (path > PENDING) store<u32>(at, load<u32>(scratch + (<usize>(path - PENDING - 1) << 2)) + 1);
  }
  queued = 0;
  firstPendingRoute = routeCount;
  return true;
}

/** One AS_SEQUENCE of 4-octet AS numbers filling the value (as isSequencePath in src/mrt/attributes.ts): nearly every path. */
@inline function isSequencePath(value: usize, length: u32): bool {
  const asns = length >= 2 ? <u32>load<u8>(value, 1) : 0;
  return asns != 0 && <u32>load<u8>(value) == AS_SEQUENCE && length == 2 + asns * 4;
}

@inline function sameBytes(a: usize, b: usize, length: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= length; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < length; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}
