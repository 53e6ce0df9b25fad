// Frames counted by type: why frames are not IP (parse/link.ts nonIpKey) or which link type
// nobody decodes. A fixed block per table, made with the counters: counting never allocates,
// and a capture of many types keeps the first MAX_FRAME_TYPES and counts the rest as `other`.
//
// Layout (the host reads it as it is, src/analyze/frame-types.ts):
//   @0 slots u32   @4 used u32   @8 other u64 (frames of types past the first MAX_FRAME_TYPES)
//   @16 slots of 16 bytes: key u64, count u64; a slot is empty while its count is 0

import { alloc, free, POOL_OTHER } from '../memory/alloc';

/** Most distinct types a table keeps. */
export const MAX_FRAME_TYPES: u32 = 256;
// twice the types: open addressing stays short with every type in
const SLOTS: u32 = MAX_FRAME_TYPES * 2;
const HEADER_BYTES: usize = 16;
export const FRAME_TYPES_BYTES: usize = HEADER_BYTES + (<usize>SLOTS << 4);

export function newFrameTypes(): usize {
  const table = alloc(FRAME_TYPES_BYTES, POOL_OTHER);
  clearFrameTypes(table);
  return table;
}

export function freeFrameTypes(table: usize): void {
  free(table, FRAME_TYPES_BYTES, POOL_OTHER);
}

export function clearFrameTypes(table: usize): void {
  memory.fill(table, 0, FRAME_TYPES_BYTES);
  store<u32>(table, SLOTS);
}

/** Counts one frame of type `key`. */
export function countFrameType(table: usize, key: u64): void {
  // Fibonacci hashing: the top bits of the product pick the slot
  let slot = <u32>((key * 0x9e3779b97f4a7c15) >> 55) & (SLOTS - 1);
  while (true) {
    const at = table + HEADER_BYTES + (<usize>slot << 4);
    const count = load<u64>(at, 8);
    if (count == 0) {
      const used = load<u32>(table, 4);
      if (used == MAX_FRAME_TYPES) break;
      store<u32>(table, used + 1, 4);
      store<u64>(at, key);
      store<u64>(at, 1, 8);
      return;
    }
    if (load<u64>(at) == key) {
      store<u64>(at, count + 1, 8);
      return;
    }
    slot = (slot + 1) & (SLOTS - 1);
  }
  store<u64>(table, load<u64>(table, 8) + 1, 8);
}
