// A small allocator over linear memory past the static data, for the routing table's many
// small, fixed-shape blocks (trie nodes, node arrays, leaf arrays) and a few large ones.
//
// No block headers: every caller knows the size of what it frees (a node array's size follows
// from its bitmap), so a block costs exactly its size rounded up to 8 bytes. Small sizes have
// exact-size free lists, which suits blocks that come in a few dozen shapes; large blocks go to a
// first-fit list. Nothing is split or merged: the table's shapes repeat, so freed blocks are
// reused as they are.
//
// Bytes in use are counted per pool so `stats()` can tell the lookup structure from the RIB.

export const POOL_FIB4: i32 = 0;
export const POOL_FIB6: i32 = 1;
export const POOL_RIB: i32 = 2;
export const POOL_OTHER: i32 = 3;
const POOLS: i32 = 4;

const ALIGN: usize = 8;
const SMALL_LIMIT: usize = 4096;
const SMALL_CLASSES: usize = SMALL_LIMIT / ALIGN + 1;

// free-list heads for small classes, then per-pool byte counters
const smallFree: usize = memory.data(<i32>(SMALL_CLASSES * sizeof<usize>()));
const poolBytes: usize = memory.data(POOLS * 8);

let heapTop: usize = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
// large free blocks: a singly linked list threaded through the blocks (next @0, size @4)
let largeFree: usize = 0;

@inline function roundUp(size: usize): usize {
  return (size + ALIGN - 1) & ~(ALIGN - 1);
}

function bump(size: usize): usize {
  const ptr = heapTop;
  const end = ptr + size;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const needPages = <i32>((end - have + 0xffff) >> 16);
    // grow by at least a quarter of what we have, so a table that keeps growing
    // does not call memory.grow (and detach every JS view) for each block
    const growPages = max(needPages, memory.size() >> 2);
    if (memory.grow(growPages) < 0 && memory.grow(needPages) < 0) unreachable(); // out of memory
  }
  heapTop = end;
  return ptr;
}

/** Returns `size` bytes (rounded up to 8), charged to `pool`. Not zeroed: callers write every byte they read. */
export function alloc(size: usize, pool: i32): usize {
  size = roundUp(size);
  let ptr: usize = 0;
  if (size <= SMALL_LIMIT) {
    const head = smallFree + (size >> 3) * sizeof<usize>();
    ptr = load<usize>(head);
    if (ptr) store<usize>(head, load<usize>(ptr));
  } else {
    // first fit among large free blocks of exactly or more than this size
    let prev: usize = 0;
    let block = largeFree;
    while (block) {
      const next = load<usize>(block);
      const blockSize = load<usize>(block, 4);
      if (blockSize >= size) {
        if (prev) store<usize>(prev, next); else largeFree = next;
        ptr = block;
        size = blockSize;
        break;
      }
      prev = block;
      block = next;
    }
  }
  if (!ptr) ptr = bump(size);
  const counter = poolBytes + (<usize>pool << 3);
  store<u64>(counter, load<u64>(counter) + <u64>size);
  return ptr;
}

/** Gives back a block that `alloc(size, pool)` returned. */
export function free(ptr: usize, size: usize, pool: i32): void {
  size = roundUp(size);
  if (size <= SMALL_LIMIT) {
    const head = smallFree + (size >> 3) * sizeof<usize>();
    store<usize>(ptr, load<usize>(head));
    store<usize>(head, ptr);
  } else {
    store<usize>(ptr, largeFree);
    store<usize>(ptr, size, 4);
    largeFree = ptr;
  }
  const counter = poolBytes + (<usize>pool << 3);
  store<u64>(counter, load<u64>(counter) - <u64>size);
}

/** Bytes currently allocated to `pool`. */
export function poolBytesInUse(pool: i32): u64 {
  return load<u64>(poolBytes + (<usize>pool << 3));
}

/** Moves a block to a bigger one, keeping its contents. */
export function realloc(ptr: usize, oldSize: usize, newSize: usize, pool: i32): usize {
  const next = alloc(newSize, pool);
  if (ptr) {
    memory.copy(next, ptr, min(oldSize, newSize));
    free(ptr, oldSize, pool);
  }
  return next;
}
