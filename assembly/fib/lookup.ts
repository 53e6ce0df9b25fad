// Longest-prefix-match lookups over the Poptrie layout documented in poptrie.ts.
// Kept apart from the builder: these are the hot path, tiny and inlined into the batch loops.

import { NODE_BYTES } from './poptrie';

export const DIRECT_BITS_V4: i32 = 18;
export const DIRECT_BITS_V6: i32 = 16;

/** Route id for a host-order IPv4 address, -1 if none. */
@inline export function lookup4(direct: usize, addr: u32): i32 {
  let entry = load<u32>(direct + (<usize>(addr >> (32 - DIRECT_BITS_V4)) << 2));
  if (entry & 1) return <i32>(entry >> 1) - 1;
  let node = <usize>entry;
  let depth: u32 = DIRECT_BITS_V4;
  while (true) {
    // IPv4 branches sit at depths 18, 24 and 30; at 30 the low 4 bits of the chunk are padding
    const v = <u64>((addr << depth) >> 26);
    const vector = load<u64>(node);
    if (vector & (<u64>1 << v)) {
      node = <usize>load<u32>(node, 20) + (<usize>popcnt(vector << (63 - v)) - 1) * NODE_BYTES;
      depth += 6;
    } else {
      const leafvec = load<u64>(node, 8);
      return load<i32>(<usize>load<u32>(node, 16) + ((<usize>popcnt(leafvec << (63 - v)) - 1) << 2));
    }
  }
}

/** Route id for the IPv6 address (hi, lo), -1 if none. */
@inline export function lookup6(direct: usize, hi: u64, lo: u64): i32 {
  let entry = load<u32>(direct + (<usize>(hi >> (64 - DIRECT_BITS_V6)) << 2));
  if (entry & 1) return <i32>(entry >> 1) - 1;
  let node = <usize>entry;
  // branches at 16, 22, ..., 58 read `hi`; from 64 on they read `lo`, so none straddles the two
  let key = hi << DIRECT_BITS_V6;
  let depth: i32 = DIRECT_BITS_V6;
  while (true) {
    const v = key >> 58;
    const vector = load<u64>(node);
    if (vector & (<u64>1 << v)) {
      node = <usize>load<u32>(node, 20) + (<usize>popcnt(vector << (63 - v)) - 1) * NODE_BYTES;
      depth += 6;
      key = depth < 64 ? key << 6 : lo << <u64>(depth - 64);
    } else {
      const leafvec = load<u64>(node, 8);
      return load<i32>(<usize>load<u32>(node, 16) + ((<usize>popcnt(leafvec << (63 - v)) - 1) << 2));
    }
  }
}
