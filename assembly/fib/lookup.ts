// Longest-prefix-match lookups over the Poptrie layout documented in poptrie.ts.
// Kept apart from the builder: these are the hot path, tiny and inlined into the batch loops.

import { LEAF_ONLY, NODE_BYTES } from './poptrie';

/**
 * The direct array's bits (S, poptrie.ts) a table starts with, and a large one's (DIR-24-8's
 * first level, as DPDK's rte_fib and rte_fib6 have it; direct-tier.ts).
 */
export const DIRECT_BITS_V4: i32 = 18;
export const DIRECT_BITS_V6: i32 = 20;
export const DIRECT_BITS_LARGE: i32 = 24;

/** The child node at branch `v` of `node`, whose vector has bit `v` set. */
@inline function childAt(node: usize, vector: u64, v: u64): usize {
  return <usize>load<u32>(node, 20) + (<usize>popcnt(vector << (63 - v)) - 1) * NODE_BYTES;
}

/** The address of the route id of leaf branch `v` of `node`: its run's entry in the leaf array. */
@inline function leafAddress(node: usize, v: u64): usize {
  return <usize>load<u32>(node, 16) + ((<usize>popcnt(load<u64>(node, 8) << (63 - v)) - 1) << 2);
}

/** The address of the route id of branch `v` of a leaf-only top node (see poptrie.ts). */
@inline function leafOnlyAddress(entry: u32, v: u64): usize {
  const node = <usize>(entry & ~LEAF_ONLY);
  return node + 8 + ((<usize>popcnt(load<u64>(node) << (63 - v)) - 1) << 2);
}

/** Route id for a host-order IPv4 address, -1 if none; `bits`: the table's direct bits (S). */
@inline export function lookup4(direct: usize, bits: u32, addr: u32): i32 {
  let entry = load<u32>(direct + (<usize>(addr >> (32 - bits)) << 2));
  if (entry & 1) return <i32>(entry >> 1) - 1;
  if (entry & LEAF_ONLY) return load<i32>(leafOnlyAddress(entry, <u64>((addr << bits) >> 26)));
  let node = <usize>entry;
  let depth = bits;
  while (true) {
    // IPv4 branches sit at depths S, S + 6...; past 32 the low bits of the chunk are padding
    const v = <u64>((addr << depth) >> 26);
    const vector = load<u64>(node);
    if (vector & (<u64>1 << v)) {
      node = childAt(node, vector, v);
      depth += 6;
    } else {
      return load<i32>(leafAddress(node, v));
    }
  }
}

/** Route id for the IPv6 address (hi, lo), -1 if none; `bits`: the table's direct bits (S). */
@inline export function lookup6(direct: usize, bits: u64, hi: u64, lo: u64): i32 {
  let entry = load<u32>(direct + (<usize>(hi >> (64 - bits)) << 2));
  if (entry & 1) return <i32>(entry >> 1) - 1;
  // the key as a 128-bit shift register: the next 6 bits are always the top of `hi`
  hi = (hi << bits) | (lo >> (64 - bits));
  lo <<= bits;
  if (entry & LEAF_ONLY) return load<i32>(leafOnlyAddress(entry, hi >> 58));
  let node = <usize>entry;
  while (true) {
    const v = hi >> 58;
    const vector = load<u64>(node);
    if (vector & (<u64>1 << v)) {
      node = childAt(node, vector, v);
      hi = (hi << 6) | (lo >> 58);
      lo <<= 6;
    } else {
      return load<i32>(leafAddress(node, v));
    }
  }
}

// Batch lookups walk LANES addresses in lockstep, one trie level per round: the loads of one
// round are independent of each other, so the processor overlaps their cache misses instead
// of waiting for each address's chain of loads in turn. IPv6, whose walks are longer, also keeps
// its branches off loads that may miss: a lane moves to its child or stays on its node by a
// select, the leaf's address is worked out once, in the round where the lane ends, and the route
// ids of the lanes that ended are read together at the end (5% more lookups a second on the full
// table, and 2.5% more than working out the leaf's address at every level; IPv4 measured slower
// that way: most of its lanes end at the direct array, and the extra pass costs more than it saves).
// A u64 holds which lanes are pending, so 64 is the most; fewer (16, 32) measured no faster.
const LANES: i32 = 64;
const laneNode: usize = memory.data(LANES * 4);
/** where a lane that ended finds its route id */
const laneLeaf: usize = memory.data(LANES * 4);
const laneHi: usize = memory.data(LANES * 8);

/** Reads the route ids of the lanes in `ended` from their laneLeaf addresses into `outBlock`. */
@inline function readLeaves(ended: u64, outBlock: usize): void {
  for (let bits = ended; bits; bits &= bits - 1) {
    const lane = <usize>ctz(bits);
    store<i32>(outBlock + (lane << 2), load<i32>(<usize>load<u32>(laneLeaf + (lane << 2))));
  }
}

/** Route ids for `count` host-order IPv4 addresses at `input`, written to `output`; `bits` as lookup4's. */
export function lookup4Many(direct: usize, bits: u32, input: usize, output: usize, count: i32): void {
  if (count == 1) {
    store<i32>(output, lookup4(direct, bits, load<u32>(input)));
    return;
  }
  // a large table's loop with its shifts known when compiled: a shift by a variable is three
  // micro-operations on x86 and needs its count in CL, reloaded every address
  if (bits == DIRECT_BITS_LARGE) lookup4Blocks(direct, DIRECT_BITS_LARGE, input, output, count);
  else lookup4Blocks(direct, bits, input, output, count);
}

@inline function lookup4Blocks(direct: usize, bits: u32, input: usize, output: usize, count: i32): void {
  for (let i = 0; i < count; i += LANES) {
    const inBlock = input + (<usize>i << 2);
    const outBlock = output + (<usize>i << 2);
    const lanes = min(LANES, count - i);
    let pending: u64 = 0;
    for (let lane = 0; lane < lanes; lane++) {
      const addr = load<u32>(inBlock + (<usize>lane << 2));
      const entry = load<u32>(direct + (<usize>(addr >> (32 - bits)) << 2));
      if (entry & 1) {
        store<i32>(outBlock + (<usize>lane << 2), <i32>(entry >> 1) - 1);
      } else if (entry & LEAF_ONLY) {
        store<i32>(outBlock + (<usize>lane << 2), load<i32>(leafOnlyAddress(entry, <u64>((addr << bits) >> 26))));
      } else {
        store<u32>(laneNode + (<usize>lane << 2), entry);
        pending |= <u64>1 << lane;
      }
    }
    let depth = bits;
    while (pending) {
      let next: u64 = 0;
      for (let bits = pending; bits; bits &= bits - 1) {
        const lane = <usize>ctz(bits);
        const node = <usize>load<u32>(laneNode + (lane << 2));
        const v = <u64>((load<u32>(inBlock + (lane << 2)) << depth) >> 26);
        const vector = load<u64>(node);
        if (vector & (<u64>1 << v)) {
          store<u32>(laneNode + (lane << 2), <u32>childAt(node, vector, v));
          next |= <u64>1 << <u64>lane;
        } else {
          store<i32>(outBlock + (lane << 2), load<i32>(leafAddress(node, v)));
        }
      }
      pending = next;
      depth += 6;
    }
  }
}

/**
 * The 16-byte address at `at` (network order) with each half in host order: one byte shuffle,
 * where bswap<u64> is a dozen WebAssembly instructions (it has no byte-swap).
 */
@inline function keyHalves(at: usize): v128 {
  const bytes = v128.load(at);
  return i8x16.shuffle(bytes, bytes, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
}

/** The 6 key bits at `depth` (> 58: they may reach into, or lie in, the low half) of the IPv6 key (hi, lo). */
@inline function keyBits6(hi: u64, lo: u64, depth: u64): u64 {
  if (depth >= 64) return (lo << (depth - 64)) >> 58;
  return ((hi << depth) | (lo >> (64 - depth))) >> 58;
}

/**
 * One round of `lane`'s walk at branch `v` of its node: the lane moves to the child when there is
 * one and stays on its node when not, without a branch on the bit it read (see above). Returns
 * the lane's bit when it goes on down.
 */
@inline function descend6(lane: usize, v: u64): u64 {
  const node = <usize>load<u32>(laneNode + (lane << 2));
  const vector = load<u64>(node);
  const down = (vector >> v) & 1;
  store<u32>(laneNode + (lane << 2), <u32>select<usize>(childAt(node, vector, v), node, down != 0));
  return down << <u64>lane;
}

/** Notes where the lanes in `ended`, which stopped at branch `v` of their nodes, find their route ids. */
@inline function endAt(lane: usize, v: u64): void {
  store<u32>(laneLeaf + (lane << 2), <u32>leafAddress(<usize>load<u32>(laneNode + (lane << 2)), v));
}

/** Route ids for `count` 16-byte IPv6 addresses at `input`, written to `output`; `bits` as lookup6's. */
export function lookup6Many(direct: usize, bits: u64, input: usize, output: usize, count: i32): void {
  if (count == 1) {
    const key = keyHalves(input);
    store<i32>(output, lookup6(direct, bits, <u64>i64x2.extract_lane(key, 0), <u64>i64x2.extract_lane(key, 1)));
    return;
  }
  for (let i = 0; i < count; i += LANES) {
    const inBlock = input + (<usize>i << 4);
    const outBlock = output + (<usize>i << 2);
    const lanes = min(LANES, count - i);
    // the high halves in host order, once
    for (let lane = 0; lane < lanes; lane++) {
      const hi = <u64>i64x2.extract_lane(keyHalves(inBlock + (<usize>lane << 4)), 0);
      store<u64>(laneHi + (<usize>lane << 3), hi);
      store<u32>(laneNode + (<usize>lane << 2), load<u32>(direct + (<usize>(hi >> (64 - bits)) << 2)));
    }
    let pending: u64 = 0;
    let ended: u64 = 0;
    for (let lane = 0; lane < lanes; lane++) {
      const entry = load<u32>(laneNode + (<usize>lane << 2));
      if (entry & 1) {
        store<i32>(outBlock + (<usize>lane << 2), <i32>(entry >> 1) - 1);
      } else if (entry & LEAF_ONLY) {
        const hi = load<u64>(laneHi + (<usize>lane << 3));
        store<u32>(laneLeaf + (<usize>lane << 2), <u32>leafOnlyAddress(entry, (hi << bits) >> 58));
        ended |= <u64>1 << lane;
      } else {
        pending |= <u64>1 << lane;
      }
    }
    // every pending lane is at the same depth in a round, so its 6 key bits come straight from
    // the key at that depth: from the high half alone while they lie there (most rounds)
    let depth = bits;
    while (pending) {
      let next: u64 = 0;
      if (depth <= 58) {
        for (let rest = pending; rest; rest &= rest - 1) {
          const lane = <usize>ctz(rest);
          next |= descend6(lane, (load<u64>(laneHi + (lane << 3)) << depth) >> 58);
        }
        for (let rest = pending & ~next; rest; rest &= rest - 1) {
          const lane = <usize>ctz(rest);
          endAt(lane, (load<u64>(laneHi + (lane << 3)) << depth) >> 58);
        }
      } else {
        for (let rest = pending; rest; rest &= rest - 1) {
          const lane = <usize>ctz(rest);
          // the low half only here: few walks go past bit 58
          const lo = <u64>i64x2.extract_lane(keyHalves(inBlock + (lane << 4)), 1);
          const v = keyBits6(load<u64>(laneHi + (lane << 3)), lo, depth);
          const down = descend6(lane, v);
          if (!down) endAt(lane, v);
          next |= down;
        }
      }
      ended |= pending & ~next;
      pending = next;
      depth += 6;
    }
    readLeaves(ended, outBlock);
  }
}
