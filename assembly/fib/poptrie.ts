// The lookup structure (FIB): a Poptrie-style compressed multibit trie per family, built from
// the RIB and rebuilt piecewise as routes change. Lookups live in lookup.ts; this file builds.
//
// Layout
//   direct[2^S]  u32 per entry, indexed by the top S key bits (S = 18 for IPv4, 20 for IPv6, or
//                24 for a large table in use, as DPDK's DIR-24-8; see direct-tier.ts):
//                odd  = leaf: (route id + 1) << 1 | 1   (so 1 means "no route")
//                even = pointer to a top node for a slot that holds longer prefixes: a node
//                       with its leaves right after it (24 + 4 * leaves bytes), so the lookups
//                       that end there, most of them, read one place instead of two;
//                       with bit 1 set (leaf-only) = a top node without child nodes, which is
//                       just its leafvec (u64) and its leaves (8 + 4 * leaves bytes)
//   node, 24 bytes, one per 64-ary branch covering 6 key bits:
//     @0  vector  u64  bit v set: child v is a node
//     @8  leafvec u64  bit v set: a run of equal leaves starts at child v (leaf children only)
//     @16 leaves  u32  pointer to i32 route ids, one per set bit of leafvec (-1 = no route)
//     @20 children u32 pointer to the child nodes, one per set bit of vector, contiguous
//   Child v of a node is found by popcount: node children[popcnt(vector & bits 0..v) - 1],
//   or leaf leaves[popcnt(leafvec & bits 0..v) - 1]. Runs of equal leaves are stored once,
//   which is what keeps a full table in a few MiB.
//
// Updates touch only what a change can reach. A prefix of length L <= S refills the 2^(S-L)
// direct slots it covers. A longer one walks down to the node whose 6 bits hold L and
// re-derives just the children under the prefix, keeping the rest of that node (its other
// leaves, its other child subtrees) as they are; a node left with a single run of leaves and
// no children is folded back into its parent, so updates leave the same shape a fresh build
// would. Everything runs between lookups (one thread), so no lookup sees half a change.

import { alloc, free, tryAlloc } from '../memory/alloc';
import { keyChunk } from './keys';
import { bestAbove, child, hasChildren, head, nodeBits, nodeLength, pathNode, Rib } from './rib';

export const NODE_BYTES: usize = 24;
export const STRIDE: i32 = 6;
export const LEAF_ONLY: u32 = 2;

@inline function leafOnlyBytes(leafCount: i32): usize {
  return 8 + (<usize>leafCount << 2);
}

/** A table descriptor: where its direct array is, its S, its memory pool and its RIB. */
@unmanaged export class Poptrie {
  direct: usize;
  directBits: i32;
  pool: i32;
  rib: Rib;
  /** the direct array was just allocated and holds garbage: the rebuild writes each slot without reading it */
  fresh: bool;
}

@inline export function leafEntry(route: i32): u32 {
  return (<u32>(route + 1) << 1) | 1;
}

// Per recursion level, the 64 children being built: best route (i32) then RIB node (u32).
// IPv6 has (128 - 20) / 6 + 1 = 19 levels below the direct array.
const MAX_LEVELS: i32 = 20;
const LEVEL_BYTES: usize = 64 * 8;
const RIB_COLUMN: usize = 256;
const scratch: usize = memory.data(<i32>(MAX_LEVELS * <i32>LEVEL_BYTES));

/**
 * Records, for each of the 64 children below a node at depth `target - 6`, the best route
 * covering it and its RIB node (if longer prefixes lie below it). The RIB position (rib.ts) is
 * (`n`, `depth`), key bits `index`.
 */
function collect(n: usize, depth: i32, index: u32, best: i32, target: i32, level: usize): void {
  if (!n) {
    collectRun(index << (target - depth), (index + 1) << (target - depth), best, level);
    return;
  }
  const length = nodeLength(n);
  if (length > depth) {
    if (depth == target) {
      // longer prefixes lie below: `n` itself
      store<i32>(level + (<usize>index << 2), best);
      store<u32>(level + RIB_COLUMN + (<usize>index << 2), <u32>n);
      return;
    }
    // a compressed chain: only the part on n's prefix lies below anything
    const to = min(length, target);
    const at = (index << (to - depth)) | nodeBits(n, depth, to - depth);
    collectRun(index << (target - depth), at << (target - to), best, level);
    collect(n, to, at, best, target, level);
    collectRun((at + 1) << (target - to), (index + 1) << (target - depth), best, level);
    return;
  }
  const h = head(n);
  if (h >= 0) best = h;
  if (depth == target) {
    store<i32>(level + (<usize>index << 2), best);
    store<u32>(level + RIB_COLUMN + (<usize>index << 2), hasChildren(n) ? <u32>n : 0);
    return;
  }
  collect(child(n, 0), depth + 1, index << 1, best, target, level);
  collect(child(n, 1), depth + 1, (index << 1) | 1, best, target, level);
}

/** Children `first` to `end` - 1 as leaves of `best`, nothing below them. */
function collectRun(first: u32, end: u32, best: i32, level: usize): void {
  for (let v = first; v < end; v++) {
    store<i32>(level + (<usize>v << 2), best);
    store<u32>(level + RIB_COLUMN + (<usize>v << 2), 0);
  }
}

// Per recursion level of buildNode, the 64 children below the node being built as segments, in
// order: a run of children with one best route and nothing below them, or one child with longer
// prefixes below it. A sparse part of the table (most of IPv6) is a few segments a node where
// a child-by-child list would be 64 entries to write and read back.
//   u32 first child, i32 best route, u32 RIB node (0: none below)
const SEGMENT_BYTES: usize = 12;
const LEVEL_SEGMENTS_BYTES: usize = 64 * SEGMENT_BYTES;
const segments: usize = memory.data(<i32>(MAX_LEVELS * <i32>LEVEL_SEGMENTS_BYTES));
let segmentCount: i32 = 0;

/** Appends a segment, or widens the last one when it is a run of the same best route. */
@inline function appendSegment(area: usize, first: u32, best: i32, rib: usize): void {
  if (segmentCount > 0 && !rib) {
    const last = area + <usize>(segmentCount - 1) * SEGMENT_BYTES;
    if (!load<u32>(last, 8) && load<i32>(last, 4) == best) return;
  }
  const at = area + <usize>segmentCount * SEGMENT_BYTES;
  store<u32>(at, first);
  store<i32>(at, best, 4);
  store<u32>(at, <u32>rib, 8);
  segmentCount++;
}

/** As collect, into segments at `area` (segmentCount counts them). */
function collectSegments(n: usize, depth: i32, index: u32, best: i32, target: i32, area: usize): void {
  if (!n) {
    appendSegment(area, index << (target - depth), best, 0);
    return;
  }
  const length = nodeLength(n);
  if (length > depth) {
    if (depth == target) {
      appendSegment(area, index, best, n);
      return;
    }
    // a compressed chain: runs of `best` on either side of the part on n's prefix
    const to = min(length, target);
    const at = (index << (to - depth)) | nodeBits(n, depth, to - depth);
    const first = index << (target - depth);
    const start = at << (target - to);
    if (start > first) appendSegment(area, first, best, 0);
    collectSegments(n, to, at, best, target, area);
    const after = (at + 1) << (target - to);
    if (after < (index + 1) << (target - depth)) appendSegment(area, after, best, 0);
    return;
  }
  const h = head(n);
  if (h >= 0) best = h;
  if (depth == target) {
    appendSegment(area, index, best, hasChildren(n) ? n : 0);
    return;
  }
  collectSegments(child(n, 0), depth + 1, index << 1, best, target, area);
  collectSegments(child(n, 1), depth + 1, (index << 1) | 1, best, target, area);
}

/**
 * Fills `node` from the RIB position (`rib`, `depth`), whose own route is already folded into
 * `best`. With `node` 0 it makes a top node, leaves inline (see the layout above). Returns the node.
 */
function buildNode(node: usize, rib: usize, depth: i32, best: i32, level: i32, pool: i32): usize {
  const area = segments + <usize>level * LEVEL_SEGMENTS_BYTES;
  const target = depth + STRIDE;
  segmentCount = 0;
  collectSegments(rib, depth, 0, best, target, area);
  const count = segmentCount; // the calls below collect their own levels

  let vector: u64 = 0;
  let leafvec: u64 = 0;
  let leafCount: i32 = 0;
  let previous: i32 = 0;
  for (let k = 0; k < count; k++) {
    const segment = area + <usize>k * SEGMENT_BYTES;
    const first = <u64>load<u32>(segment);
    if (load<u32>(segment, 8)) {
      vector |= <u64>1 << first;
      continue;
    }
    const leaf = load<i32>(segment, 4);
    if (leafCount == 0 || leaf != previous) {
      leafvec |= <u64>1 << first;
      previous = leaf;
      leafCount++;
    }
  }

  let leaves: usize = 0;
  if (!node && vector == 0) {
    // a top node without children keeps only what a lookup reads: leafvec, then the leaves
    const compact = alloc(leafOnlyBytes(leafCount), pool);
    store<u64>(compact, leafvec);
    writeLeaves(area, count, compact + 8);
    return compact | LEAF_ONLY;
  }
  if (!node) {
    node = alloc(topNodeBytes(leafCount), pool);
    leaves = node + NODE_BYTES;
  } else if (leafCount) {
    leaves = alloc(<usize>leafCount << 2, pool);
  }
  if (leafCount) writeLeaves(area, count, leaves);
  const childCount = <i32>popcnt(vector);
  let children: usize = 0;
  if (childCount) {
    children = alloc(<usize>childCount * NODE_BYTES, pool);
    let out = children;
    for (let k = 0; k < count; k++) {
      const segment = area + <usize>k * SEGMENT_BYTES;
      const below = <usize>load<u32>(segment, 8);
      if (!below) continue;
      buildNode(out, below, target, load<i32>(segment, 4), level + 1, pool);
      out += NODE_BYTES;
    }
  }
  store<u64>(node, vector);
  store<u64>(node, leafvec, 8);
  store<u32>(node, <u32>leaves, 16);
  store<u32>(node, <u32>children, 20);
  return node;
}

/** Writes the leaf of each run of the `count` segments at `area` (where leafvec has a bit) to `out`. */
function writeLeaves(area: usize, count: i32, out: usize): void {
  let leafCount = 0;
  let previous: i32 = 0;
  for (let k = 0; k < count; k++) {
    const segment = area + <usize>k * SEGMENT_BYTES;
    if (load<u32>(segment, 8)) continue;
    const leaf = load<i32>(segment, 4);
    if (leafCount == 0 || leaf != previous) {
      store<i32>(out, leaf);
      out += 4;
      previous = leaf;
      leafCount++;
    }
  }
}

@inline function topNodeBytes(leafCount: i32): usize {
  return NODE_BYTES + (<usize>leafCount << 2);
}

/** Frees a top node, its inline leaves and everything below it. */
function freeTopNode(node: usize, pool: i32): void {
  freeChildren(node, pool);
  free(node, topNodeBytes(<i32>popcnt(load<u64>(node, 8))), pool);
}

/** Frees what `node` points to (not the node's own 24 bytes, which live in its parent's array). */
function freeNodeContents(node: usize, pool: i32): void {
  const leafCount = <usize>popcnt(load<u64>(node, 8));
  if (leafCount) free(load<u32>(node, 16), leafCount << 2, pool);
  freeChildren(node, pool);
}

function freeChildren(node: usize, pool: i32): void {
  const childCount = <usize>popcnt(load<u64>(node));
  if (childCount) {
    const children = <usize>load<u32>(node, 20);
    for (let k: usize = 0; k < childCount; k++) freeNodeContents(children + k * NODE_BYTES, pool);
    free(children, childCount * NODE_BYTES, pool);
  }
}

/** Points direct slot `slot` at the RIB position (`rib`, S; 0: nothing) below `best`, and frees what it held. */
function setSlot(t: Poptrie, slot: u32, rib: usize, best: i32): void {
  let entry: u32;
  let below = false;
  if (rib) {
    if (nodeLength(rib) > t.directBits) {
      below = true;
    } else {
      const h = head(rib);
      if (h >= 0) best = h;
      below = hasChildren(rib);
    }
  }
  if (below) {
    entry = <u32>buildNode(0, rib, t.directBits, best, 0, t.pool);
  } else {
    entry = leafEntry(best);
  }
  const at = t.direct + (<usize>slot << 2);
  const old = load<u32>(at);
  store<u32>(at, entry);
  if (!t.fresh) freeEntry(old, t.pool);
}

/** Frees what a direct slot's entry points to: a top node and all below it, or a leaf-only node. */
function freeEntry(entry: u32, pool: i32): void {
  if (entry & 1) return;
  if (entry & LEAF_ONLY) {
    const compact = <usize>(entry & ~LEAF_ONLY);
    free(compact, leafOnlyBytes(<i32>popcnt(load<u64>(compact))), pool);
  } else {
    freeTopNode(entry, pool);
  }
}

/**
 * Points `count` direct slots from `first` at the leaf of `best`. Most of a rebuild is this (an
 * IPv6 table's 2^20 slots are nearly all uncovered), so slots that held a leaf, all of them in a
 * fresh table, are overwritten in place and only the others go through setSlot to be freed.
 */
@inline function fillLeaves(t: Poptrie, first: u32, count: u32, best: i32): void {
  const entry = leafEntry(best);
  const at = t.direct + (<usize>first << 2);
  if (t.fresh) {
    for (let k: u32 = 0; k < count; k++) store<u32>(at + (<usize>k << 2), entry);
    return;
  }
  for (let k: u32 = 0; k < count; k++) {
    const slot = at + (<usize>k << 2);
    if (load<u32>(slot) & 1) store<u32>(slot, entry);
    else setSlot(t, first + k, 0, best);
  }
}

/** Refills every direct slot under the RIB position (`n`, `depth`; 0: nothing), key bits `index`. */
function fillSlots(t: Poptrie, n: usize, depth: i32, index: u32, best: i32): void {
  const s = t.directBits;
  if (depth == s) {
    setSlot(t, index, n, best);
    return;
  }
  const span = s - depth;
  if (!n) {
    fillLeaves(t, index << span, 1 << span, best);
    return;
  }
  const length = nodeLength(n);
  if (length > depth) {
    // a compressed chain: leaves of `best` on either side of the part on n's prefix
    const to = min(length, s);
    const at = (index << (to - depth)) | nodeBits(n, depth, to - depth);
    const first = index << span;
    const start = at << (s - to);
    if (start > first) fillLeaves(t, first, start - first, best);
    if (to == s) setSlot(t, at, n, best); else fillSlots(t, n, to, at, best);
    const after = (at + 1) << (s - to);
    const end = (index + 1) << span;
    if (end > after) fillLeaves(t, after, end - after, best);
    return;
  }
  const h = head(n);
  if (h >= 0) best = h;
  fillSlots(t, child(n, 0), depth + 1, index << 1, best);
  fillSlots(t, child(n, 1), depth + 1, (index << 1) | 1, best);
}

/** Rebuilds direct slot `slot` from the RIB path of the change. */
function rebuildSlot(t: Poptrie, slot: u32): void {
  setSlot(t, slot, pathNode(t.directBits), bestAbove(t.rib, t.directBits));
}

/**
 * Re-derives the children of `node` (at `depth`) that lie under the prefix (hi, lo)/`length`,
 * depth < length <= depth + 6, and keeps every other child as it is. A top node (level 0)
 * whose leaf count changes moves, with the direct slot following it. Returns the node.
 */
function updateChildren(t: Poptrie, node: usize, depth: i32, hi: u64, lo: u64, length: i32, level: i32): usize {
  const scratchLevel = scratch + <usize>level * LEVEL_BYTES;
  const span = depth + STRIDE - length;
  const first = (keyChunk(hi, lo, depth) >> span) << span;
  const count: u32 = 1 << span;

  // the children under the prefix, from the RIB node at `length` and the best route above it
  collect(pathNode(length), length, first >> span, bestAbove(t.rib, length), depth + STRIDE, scratchLevel);

  const oldVector = load<u64>(node);
  const oldLeafvec = load<u64>(node, 8);
  const oldLeaves = <usize>load<u32>(node, 16);
  const oldChildren = <usize>load<u32>(node, 20);
  const range = ((<u64>1 << count) - 1) << first; // count == 64 only when span == 6, never here
  let vector = oldVector & ~range;
  for (let v = first; v < first + count; v++) {
    if (load<u32>(scratchLevel + RIB_COLUMN + (<usize>v << 2))) vector |= <u64>1 << v;
  }

  // leaves: every leaf position, old ones decoded in place, new ones from the scratch
  let leafvec: u64 = 0;
  let leafCount: i32 = 0;
  let previous: i32 = 0;
  for (let v: u32 = 0; v < 64; v++) {
    if (vector & (<u64>1 << v)) continue;
    const leaf = v - first < count
      ? load<i32>(scratchLevel + (<usize>v << 2))
      : load<i32>(oldLeaves + ((<usize>popcnt(oldLeafvec << (63 - v)) - 1) << 2));
    // stash the value so the write below need not decode again (the old array may be reused)
    store<i32>(scratchLevel + (<usize>v << 2), leaf);
    if (leafCount == 0 || leaf != previous) {
      leafvec |= <u64>1 << v;
      previous = leaf;
      leafCount++;
    }
  }
  const oldLeafCount = <i32>popcnt(oldLeafvec);
  const oldNode = node;
  let leaves = oldLeaves;
  if (leafCount != oldLeafCount) {
    if (level == 0) {
      node = alloc(topNodeBytes(leafCount), t.pool);
      leaves = node + NODE_BYTES;
    } else {
      leaves = leafCount ? alloc(<usize>leafCount << 2, t.pool) : 0;
    }
  }
  let out = leaves;
  for (let bits = leafvec; bits; bits &= bits - 1) {
    store<i32>(out, load<i32>(scratchLevel + (<usize>ctz(bits) << 2)));
    out += 4;
  }
  if (leaves != oldLeaves && oldLeafCount && level != 0) free(oldLeaves, <usize>oldLeafCount << 2, t.pool);

  // children: rebuild those under the prefix; the others keep their subtrees
  let children = oldChildren;
  if (vector == oldVector) {
    for (let bits = vector & range; bits; bits &= bits - 1) {
      const v = ctz(bits);
      const record = oldChildren + (<usize>popcnt(oldVector << (63 - v)) - 1) * NODE_BYTES;
      freeNodeContents(record, t.pool);
      buildNode(record, load<u32>(scratchLevel + RIB_COLUMN + (<usize>v << 2)), depth + STRIDE,
        load<i32>(scratchLevel + (<usize>v << 2)), level + 1, t.pool);
    }
  } else {
    const childCount = <usize>popcnt(vector);
    children = childCount ? alloc(childCount * NODE_BYTES, t.pool) : 0;
    let record = children;
    for (let bits = vector; bits; bits &= bits - 1) {
      const v = ctz(bits);
      if ((range >> v) & 1) {
        buildNode(record, load<u32>(scratchLevel + RIB_COLUMN + (<usize>v << 2)), depth + STRIDE,
          load<i32>(scratchLevel + (<usize>v << 2)), level + 1, t.pool);
      } else {
        memory.copy(record, oldChildren + (<usize>popcnt(oldVector << (63 - v)) - 1) * NODE_BYTES, NODE_BYTES);
      }
      record += NODE_BYTES;
    }
    for (let bits = oldVector & range; bits; bits &= bits - 1) {
      freeNodeContents(oldChildren + (<usize>popcnt(oldVector << (63 - ctz(bits))) - 1) * NODE_BYTES, t.pool);
    }
    const oldChildCount = <usize>popcnt(oldVector);
    if (oldChildCount) free(oldChildren, oldChildCount * NODE_BYTES, t.pool);
  }

  store<u64>(node, vector);
  store<u64>(node, leafvec, 8);
  store<u32>(node, <u32>leaves, 16);
  store<u32>(node, <u32>children, 20);
  if (node != oldNode) {
    store<u32>(t.direct + (<usize>(hi >> (64 - t.directBits)) << 2), <u32>node);
    free(oldNode, topNodeBytes(oldLeafCount), t.pool);
  }
  return node;
}

@inline function isTrivial(node: usize): bool {
  return load<u64>(node) == 0 && popcnt(load<u64>(node, 8)) == 1;
}

// the nodes passed on the way down, for folding trivial ones back into their parents
const trail: usize = memory.data(MAX_LEVELS * 4);

/**
 * Brings the lookup structure up to date after the RIB changed at prefix (hi, lo)/length.
 * Reads the RIB along the path that change walked (rib.ts pathNode), so call it right after.
 */
export function updatePrefix(t: Poptrie, hi: u64, lo: u64, length: i32): void {
  const s = t.directBits;
  if (length <= s) {
    fillSlots(t, pathNode(length), length, length == 0 ? 0 : <u32>(hi >> (64 - length)), bestAbove(t.rib, length));
    return;
  }
  const slot = <u32>(hi >> (64 - s));
  const entry = load<u32>(t.direct + (<usize>slot << 2));
  if (entry & (1 | LEAF_ONLY)) {
    // a leaf, or a top node without children: nothing below to keep, the slot is built afresh
    rebuildSlot(t, slot);
    return;
  }
  let node = <usize>entry;
  let depth = s;
  let level = 0;
  while (true) {
    store<u32>(trail + (<usize>level << 2), <u32>node);
    if (length <= depth + STRIDE) {
      node = updateChildren(t, node, depth, hi, lo, length, level);
      break;
    }
    const v = keyChunk(hi, lo, depth);
    const vector = load<u64>(node);
    if (!(vector & (<u64>1 << v))) {
      // no branch below here yet: the one child holding the prefix is re-derived whole
      node = updateChildren(t, node, depth, hi, lo, depth + STRIDE, level);
      break;
    }
    node = <usize>load<u32>(node, 20) + (<usize>popcnt(vector << (63 - v)) - 1) * NODE_BYTES;
    depth += STRIDE;
    level++;
  }
  // fold nodes left with one run of leaves back into their parents
  while (isTrivial(node)) {
    if (level == 0) {
      rebuildSlot(t, slot);
      return;
    }
    level--;
    depth -= STRIDE;
    node = updateChildren(t, <usize>load<u32>(trail + (<usize>level << 2)), depth, hi, lo, depth + STRIDE, level);
  }
  // a top node left without children takes the leaf-only form a fresh build would give it
  const top = load<u32>(t.direct + (<usize>slot << 2));
  if (!(top & (1 | LEAF_ONLY)) && load<u64>(top) == 0) rebuildSlot(t, slot);
}

/** Rebuilds the whole lookup structure from the RIB (after a bulk load). */
export function rebuildAll(t: Poptrie): void {
  fillSlots(t, t.rib.root, 0, 0, -1);
}

export function initPoptrie(t: Poptrie, directBits: i32, pool: i32, rib: Rib): void {
  t.directBits = directBits;
  t.pool = pool;
  t.rib = rib;
  t.fresh = false;
  t.direct = alloc((<usize>1 << directBits) << 2, pool);
  fillEmpty(t.direct, directBits);
}

/** No route anywhere: the leaf entry of -1 in each of the 2^bits slots, four a store. */
function fillEmpty(direct: usize, bits: i32): void {
  const slots = <usize>1 << bits;
  const empty = i32x4.splat(<i32>leafEntry(-1));
  for (let i: usize = 0; i < slots; i += 4) v128.store(direct + (i << 2), empty);
}

/**
 * Rebuilds the whole lookup structure from the RIB on a new direct array of `directBits` (S)
 * bits, freeing the old one and all it held. The new array is not cleared first: the rebuild
 * writes every slot (at S = 24, clearing 64 MiB first took as long as the rest of the work on
 * it). False, and nothing changed, when the array does not fit under the memory limit.
 */
export function rebuildResized(t: Poptrie, directBits: i32): bool {
  if (directBits == t.directBits) {
    rebuildAll(t);
    return true;
  }
  const direct = tryAlloc((<usize>1 << directBits) << 2, t.pool);
  if (!direct) return false;
  const slots = <u32>1 << t.directBits;
  for (let slot: u32 = 0; slot < slots; slot++) freeEntry(load<u32>(t.direct + (<usize>slot << 2)), t.pool);
  free(t.direct, <usize>slots << 2, t.pool);
  t.direct = direct;
  t.directBits = directBits;
  t.fresh = true;
  rebuildAll(t);
  t.fresh = false;
  return true;
}
