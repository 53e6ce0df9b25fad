// The allocator of linear memory past the static data: the routing table's many small,
// fixed-shape blocks (trie nodes, node arrays, leaf arrays) and the analyzers' few large ones.
//
// No block headers: every caller knows the size of what it frees (a node array's size follows
// from its bitmap), so a caller frees exactly the size it asked for. Two kinds of block:
//
// - Small (up to SMALL_LIMIT bytes, rounded up to 8): carved from slabs of SLAB_BYTES, each
//   slab SLAB_BYTES-aligned and holding blocks of one size only. Its header (first 32 bytes)
//   counts the blocks in use; a slab whose last block is freed goes back to the large blocks,
//   so memory of one size is reusable for any other, except one empty slab per size, kept so
//   that a count going back and forth across a slab's edge does not take and give back a slab
//   each time (trimSlabs gives those back too, and a request that would fail does it first).
//   A block is never handed out bigger than asked: what is freed is exactly what was taken.
// - Large (rounded up to 8): first fit in a free list kept in address order; a block bigger
//   than the request is split, and a freed block merges with free neighbours, so the list
//   never holds two adjacent blocks. A free block that ends at the top of the heap lowers the
//   top instead: after everything is freed, the heap is back where it started.
//
// Sizes and ends are computed in 64 bits, so nothing wraps near 4 GiB. The heap stops at
// `hardLimit` (at most 4 GiB - 64 KiB, which a u32 pointer can still end at). Blocks that are
// optional growth (a bigger destination table, a report's copy, a time series) are taken with
// `tryAlloc`, which fails with 0 instead of going past `softLimit`; the RESERVE between the two
// is for work already under way (a route change half-applied must finish), taken with `alloc`.
// `alloc` past the hard limit records the failure and traps: the host then refuses further use
// of the instance (src/wasm/out-of-memory.ts), so a half-done change is never read.
//
// Bytes in use are counted per pool so `stats()` can tell the lookup structure from the RIB.

export const POOL_FIB4: i32 = 0;
export const POOL_FIB6: i32 = 1;
export const POOL_RIB: i32 = 2;
export const POOL_OTHER: i32 = 3;
const POOLS: i32 = 4;

const ALIGN: u64 = 8;
const SMALL_LIMIT: u64 = 4096;
const SMALL_CLASSES: usize = <usize>(SMALL_LIMIT / ALIGN) + 1;
const SLAB_BYTES: u64 = 65536;
const SLAB_HEADER: u64 = 32;
const PAGE: u64 = 65536;
/** The most a u32 address range can end at, page-aligned. */
const ADDRESS_LIMIT: u64 = 0x100000000 - PAGE;
const DEFAULT_RESERVE: u64 = 64 << 20;

// Slab header:
//   @0 block size u32   @4 blocks in use u32   @8 free list head u32 (0: none)
//   @12 bytes carved so far u32 (from the slab's start)   @16 next u32 / @20 previous u32 slab
//   of its class that has room (0: none)   @24 blocks it holds u32

// per class: the first slab with room, and the empty slab kept; then per-pool byte counters
const slabsWithRoom: usize = memory.data(<i32>(SMALL_CLASSES * sizeof<usize>()));
const emptySlabs: usize = memory.data(<i32>(SMALL_CLASSES * sizeof<usize>()));
const poolBytes: usize = memory.data(POOLS * 8);

let heapBase: u64 = (<u64>__heap_base + ALIGN - 1) & ~(ALIGN - 1);
let heapTop: u64 = heapBase;
/**
 * The highest the heap's top has been. No block ever reached past it, and memory.grow gives
 * zeroed pages, so memory from there on still holds zeros (reallocZeroed need not write them).
 */
let highWater: u64 = heapBase;
// large free blocks, in address order: next u32 @0, size u32 @4
let largeFree: usize = 0;
/**
 * No free large block is bigger than this (an upper bound, exact after a walk that found no fit):
 * a request above it goes to the top of the heap without walking the list. A load takes a slab
 * (64 KiB, aligned) after slab while the list holds only the small pieces alignment left, and
 * walked all of them each time.
 */
let largestFree: u64 = 0;
/**
 * No free large block holds a slab-aligned request of this size or more (a walk for one found
 * none, and no block that big was freed or merged since): the alignment leaves a block of enough
 * bytes unable to hold one, which the bound above cannot tell.
 */
let alignedNoFit: u64 = U64.MAX_VALUE;
let hardLimit: u64 = ADDRESS_LIMIT;
let softLimit: u64 = ADDRESS_LIMIT - DEFAULT_RESERVE;
/** The size of the request that failed, when `alloc` trapped for want of memory; 0 otherwise. */
let failedBytes: u64 = 0;
/** Every byte ever handed out, for soak tests that show memory is reused. */
let takenTotal: u64 = 0;

@inline function roundUp(size: u64): u64 {
  return (size + ALIGN - 1) & ~(ALIGN - 1);
}

/** Moves the heap's top to `end`, growing memory as needed; false when that would pass `limit`. */
function raiseTop(end: u64, limit: u64): bool {
  if (end > limit) return false;
  const have = <u64>memory.size() << 16;
  if (end > have) {
    const needPages = <i32>((end - have + PAGE - 1) >> 16);
    // grow by at least a quarter of what we have (within the limit), so a table that keeps
    // growing does not call memory.grow, and detach every JS view, for each block
    const limitPages = <i32>((limit + PAGE - 1) >> 16) - memory.size();
    const growPages = min(max(needPages, memory.size() >> 2), max(limitPages, needPages));
    if (memory.grow(growPages) < 0 && memory.grow(needPages) < 0) return false;
  }
  heapTop = end;
  if (end > highWater) highWater = end;
  return true;
}

/** A large block of `size` bytes (a multiple of 8) whose address is a multiple of `align`; 0 when none fits under `limit`. */
function takeLarge(size: u64, align: u64, limit: u64): usize {
  let prev: usize = 0;
  const walk = size <= largestFree && (align == ALIGN || size < alignedNoFit);
  let block = walk ? largeFree : 0;
  let largest: u64 = 0;
  while (block) {
    const next = load<usize>(block);
    const start = <u64>block;
    const blockSize = <u64>load<u32>(block, 4);
    const end = start + blockSize;
    if (blockSize > largest) largest = blockSize;
    const at = (start + align - 1) & ~(align - 1);
    if (at + size <= end) {
      // unlink, then give back the pieces before and after the part taken
      if (prev) store<usize>(prev, next); else largeFree = next;
      if (at > start) insertFree(start, at - start);
      if (end > at + size) insertFree(at + size, end - at - size);
      return <usize>at;
    }
    prev = block;
    block = next;
  }
  // nothing fitted: the list was walked (or the bound already said so), and `largest` is exact
  if (walk) largestFree = largest;
  if (align != ALIGN) alignedNoFit = min(alignedNoFit, size);
  const at = (heapTop + align - 1) & ~(align - 1);
  const oldTop = heapTop;
  if (!raiseTop(at + size, limit)) return 0;
  if (at > oldTop) insertFree(oldTop, at - oldTop);
  return <usize>at;
}

/**
 * Puts a free range back in address order, merged with free neighbours; a range that then
 * ends at the top of the heap lowers the top instead.
 */
function insertFree(start: u64, size: u64): void {
  let prev: usize = 0;
  let next = largeFree;
  while (next && <u64>next < start) {
    prev = next;
    next = load<usize>(next);
  }
  // a block freed twice or overlapping a free one would break every later answer
  assert(!next || start + size <= <u64>next, 'freed block overlaps a free block after it');
  assert(!prev || <u64>prev + <u64>load<u32>(prev, 4) <= start, 'freed block overlaps a free block before it');
  let end = start + size;
  if (next && <u64>next == end) {
    // merge with the block after: it leaves the list
    const after = load<usize>(next);
    end += <u64>load<u32>(next, 4);
    if (prev) store<usize>(prev, after); else largeFree = after;
    next = after;
  }
  if (prev && <u64>prev + <u64>load<u32>(prev, 4) == start) {
    // merge into the block before, which stays linked (its next is already `next`)
    if (end == heapTop) {
      unlinkFree(prev);
      heapTop = <u64>prev;
    } else {
      store<u32>(prev, <u32>(end - <u64>prev), 4);
      freeBlockMade(end - <u64>prev);
    }
    return;
  }
  if (end == heapTop) {
    heapTop = start;
    return;
  }
  store<usize>(<usize>start, next);
  store<u32>(<usize>start, <u32>(end - start), 4);
  freeBlockMade(end - start);
  if (prev) store<usize>(prev, <usize>start); else largeFree = <usize>start;
}

/** Keeps the bounds of takeLarge true after a free block of `size` bytes was linked or grew to it. */
@inline function freeBlockMade(size: u64): void {
  largestFree = max(largestFree, size);
  if (size >= alignedNoFit) alignedNoFit = U64.MAX_VALUE;
}

/** Removes `block` from the free list if it is there. */
function unlinkFree(block: usize): void {
  let prev: usize = 0;
  let at = largeFree;
  while (at && at != block) {
    prev = at;
    at = load<usize>(at);
  }
  if (!at) return;
  if (prev) store<usize>(prev, load<usize>(at)); else largeFree = load<usize>(at);
}

@inline function takeSmall(size: u64, limit: u64): usize {
  const head = slabsWithRoom + <usize>(size >> 3) * sizeof<usize>();
  let slab = load<usize>(head);
  if (!slab) {
    slab = takeLarge(SLAB_BYTES, SLAB_BYTES, limit);
    if (!slab) return 0;
    store<u32>(slab, <u32>size);
    store<u32>(slab, 0, 4);
    store<u32>(slab, 0, 8);
    store<u32>(slab, <u32>SLAB_HEADER, 12);
    store<u32>(slab, <u32>((SLAB_BYTES - SLAB_HEADER) / size), 24);
    linkSlab(head, slab);
  }
  const used = load<u32>(slab, 4);
  if (used == 0) {
    // the kept empty slab is empty no more
    const kept = emptySlabs + <usize>(size >> 3) * sizeof<usize>();
    if (load<usize>(kept) == slab) store<usize>(kept, 0);
  }
  let block = <usize>load<u32>(slab, 8);
  if (block) {
    store<u32>(slab, load<u32>(block), 8);
  } else {
    const carved = load<u32>(slab, 12);
    block = slab + <usize>carved;
    store<u32>(slab, carved + <u32>size, 12);
  }
  store<u32>(slab, used + 1, 4);
  // full: no longer a slab with room
  if (used + 1 == load<u32>(slab, 24)) unlinkSlab(head, slab);
  return block;
}

@inline function freeSmall(block: usize, size: u64): void {
  const slab = block & ~<usize>(SLAB_BYTES - 1);
  assert(<u64>load<u32>(slab) == size, 'small block freed with a size other than its own');
  const used = load<u32>(slab, 4);
  const wasFull = used == load<u32>(slab, 24);
  store<u32>(block, load<u32>(slab, 8));
  store<u32>(slab, <u32>block, 8);
  store<u32>(slab, used - 1, 4);
  if (wasFull) {
    linkSlab(slabsWithRoom + <usize>(size >> 3) * sizeof<usize>(), slab);
    if (used > 1) return;
  } else if (used > 1) {
    return;
  }
  // its last block: keep it as the size's empty slab, or give it back
  const kept = emptySlabs + <usize>(size >> 3) * sizeof<usize>();
  if (!load<usize>(kept)) {
    store<usize>(kept, slab);
    return;
  }
  unlinkSlab(slabsWithRoom + <usize>(size >> 3) * sizeof<usize>(), slab);
  insertFree(<u64>slab, SLAB_BYTES);
}

function linkSlab(head: usize, slab: usize): void {
  const first = load<usize>(head);
  store<u32>(slab, <u32>first, 16);
  store<u32>(slab, 0, 20);
  if (first) store<u32>(first, <u32>slab, 20);
  store<usize>(head, slab);
}

function unlinkSlab(head: usize, slab: usize): void {
  const next = <usize>load<u32>(slab, 16);
  const prev = <usize>load<u32>(slab, 20);
  if (prev) store<u32>(prev, <u32>next, 16); else store<usize>(head, next);
  if (next) store<u32>(next, <u32>prev, 20);
}

/** Gives back the empty slabs kept per size; true when there were any. */
export function trimSlabs(): bool {
  let trimmed = false;
  for (let index: usize = 0; index < SMALL_CLASSES; index++) {
    const kept = emptySlabs + index * sizeof<usize>();
    const slab = load<usize>(kept);
    if (!slab) continue;
    store<usize>(kept, 0);
    unlinkSlab(slabsWithRoom + index * sizeof<usize>(), slab);
    insertFree(<u64>slab, SLAB_BYTES);
    trimmed = true;
  }
  return trimmed;
}

@inline function takeOnce(size: u64, limit: u64): usize {
  return size <= SMALL_LIMIT ? takeSmall(size, limit) : takeLarge(size, ALIGN, limit);
}

@inline function take(size: u64, pool: i32, limit: u64): usize {
  if (size > limit) return 0;
  size = roundUp(max<u64>(size, ALIGN));
  let ptr = takeOnce(size, limit);
  // short of memory: the kept empty slabs first
  if (!ptr && trimSlabs()) ptr = takeOnce(size, limit);
  if (!ptr) return 0;
  const counter = poolBytes + (<usize>pool << 3);
  store<u64>(counter, load<u64>(counter) + size);
  takenTotal += size;
  return ptr;
}

/**
 * `size` bytes (rounded up to 8), charged to `pool`, for work that must finish: may use the
 * reserve; past the hard limit it records the failure and traps. Not zeroed: callers write
 * every byte they read.
 */
export function alloc(size: u64, pool: i32): usize {
  const ptr = take(size, pool, hardLimit);
  if (!ptr) {
    failedBytes = max<u64>(size, 1);
    unreachable();
  }
  return ptr;
}

/** `size` bytes for optional growth, or 0 when they would take the heap past the soft limit. */
export function tryAlloc(size: u64, pool: i32): usize {
  return take(size, pool, softLimit);
}

/**
 * Grows memory now, in one step, so that about `bytes` more past the heap's top take no
 * memory.grow (a bulk load that can tell roughly what it will take: a plain table, an MRT dump):
 * the heap otherwise grows a quarter at a time, a dozen steps on the way to a full table's 100 MB,
 * and each costs V8 far more than the pages (17 growths to 190 MB took 10 to 20 ms, one growth
 * to the same size under 3 ms). Only within the soft limit, and nothing when memory cannot grow
 * (allocations then grow it as they need); a hint, nothing taken: pages grown and never used are
 * never touched.
 */
export function growAhead(bytes: u64): void {
  const end = min(heapTop + bytes, softLimit);
  const have = <u64>memory.size() << 16;
  if (end > have) memory.grow(<i32>((end - have + PAGE - 1) >> 16));
}

/**
 * As tryAlloc, the block zeroed: only the bytes the heap handed out before, since those at or
 * past its high water hold zeros still from memory.grow (a hash table's slots, megabytes, are
 * not written twice).
 */
export function tryAllocZeroed(size: u64, pool: i32): usize {
  const untouched = highWater;
  const ptr = tryAlloc(size, pool);
  if (ptr) {
    const end = min(<u64>ptr + size, max(untouched, <u64>ptr));
    if (end > <u64>ptr) memory.fill(ptr, 0, <usize>(end - <u64>ptr));
  }
  return ptr;
}

/**
 * As tryAlloc, but only when `spare` more bytes could still be taken afterwards (room for the
 * copy a report makes of what this block will hold, say); 0 otherwise, and nothing taken.
 */
export function tryAllocLeaving(size: u64, spare: u64, pool: i32): usize {
  if (spare > softLimit) return 0;
  const ptr = take(size, pool, softLimit - spare);
  if (ptr && heapTop + spare > softLimit) {
    free(ptr, size, pool);
    return 0;
  }
  return ptr;
}

/** Gives back a block that `alloc(size, pool)` or `tryAlloc(size, pool)` returned. */
export function free(ptr: usize, size: u64, pool: i32): void {
  size = roundUp(max<u64>(size, ALIGN));
  assert(<u64>ptr >= heapBase && <u64>ptr + size <= heapTop, 'freed block is not in the heap');
  if (size <= SMALL_LIMIT) freeSmall(ptr, size);
  else insertFree(<u64>ptr, size);
  const counter = poolBytes + (<usize>pool << 3);
  store<u64>(counter, load<u64>(counter) - size);
}

/** Moves a block to one of `newSize` bytes, keeping its contents; for work that must finish. */
export function realloc(ptr: usize, oldSize: u64, newSize: u64, pool: i32): usize {
  const next = alloc(newSize, pool);
  if (ptr) {
    memory.copy(next, ptr, <usize>min(oldSize, newSize));
    free(ptr, oldSize, pool);
  }
  return next;
}

/**
 * As realloc, with the bytes past `oldSize` zeroed. Those at or past the heap's high water before
 * the call hold zeros already, so a table growing into fresh memory (a bulk load's route records,
 * tens of megabytes) is not written twice.
 */
export function reallocZeroed(ptr: usize, oldSize: u64, newSize: u64, pool: i32): usize {
  const untouched = highWater;
  const next = realloc(ptr, oldSize, newSize, pool);
  const start = <u64>next + min(oldSize, newSize);
  const end = min(<u64>next + newSize, max(untouched, start));
  if (end > start) memory.fill(<usize>start, 0, <usize>(end - start));
  return next;
}

/** As realloc for optional growth: 0 when it does not fit under the soft limit, the old block kept. */
export function tryRealloc(ptr: usize, oldSize: u64, newSize: u64, pool: i32): usize {
  const next = tryAlloc(newSize, pool);
  if (!next) return 0;
  if (ptr) {
    memory.copy(next, ptr, <usize>min(oldSize, newSize));
    free(ptr, oldSize, pool);
  }
  return next;
}

/** Bytes currently allocated to `pool`. */
export function poolBytesInUse(pool: i32): u64 {
  return load<u64>(poolBytes + (<usize>pool << 3));
}

/** The end of the heap (its highest block's end); back at its start once everything is freed. */
export function heapEnd(): u64 {
  return heapTop;
}

/**
 * Sets the hard limit (capped at 4 GiB - 64 KiB) and the reserve kept below it for work under
 * way. Lowering it below what is in use only stops further growth.
 */
export function setLimits(limit: u64, reserve: u64): void {
  hardLimit = min(limit & ~(ALIGN - 1), ADDRESS_LIMIT);
  softLimit = reserve < hardLimit ? hardLimit - reserve : 0;
}

export function limitBytes(): u64 {
  return hardLimit;
}

export function reserveBytes(): u64 {
  return hardLimit - softLimit;
}

/** Whether the heap is still below the soft limit, so that work may start that could use the reserve. */
export function belowSoftLimit(): bool {
  return heapTop <= softLimit;
}

/** Bytes optional growth could still take: free large blocks plus the room below the soft limit. */
export function availableBytes(): u64 {
  let total: u64 = heapTop < softLimit ? softLimit - heapTop : 0;
  for (let block = largeFree; block; block = load<usize>(block)) total += <u64>load<u32>(block, 4);
  return total;
}

/** Every byte handed out so far, freed or not. */
export function bytesTakenTotal(): u64 {
  return takenTotal;
}

/** The size of the request that made `alloc` trap, 0 when none did. */
export function allocationFailure(): u64 {
  return failedBytes;
}
