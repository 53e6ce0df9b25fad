// The RIB: a binary trie of every prefix that has routes, one per family. Each trie node
// holds the list of routes for its prefix, best first (lowest metric, then the newest), so
// the list head is the winner the lookup structure must show. Nodes that carry no route and
// have no children are pruned, so "has a child" always means "a longer prefix lies below".
//
// Node layout, 12 bytes:
//   @0 child[0] u32   pointer, 0 = none
//   @4 child[1] u32
//   @8 head     i32   best route of this prefix, -1 = none
//
// A walk to a prefix longer than 16 bits starts at depth 16, from `shortcut` (the node for each
// value of the top 16 bits); `above` holds, for each, the best route of the shorter prefixes
// covering it, which is what the skipped part of the walk would have folded.

import { alloc, free, POOL_RIB } from '../memory/alloc';
import { keyBit } from './keys';
import { routeClass, routeHi, routeLo, routeLength, routeMetric, routeNext, setRouteNext } from './routes';

export const RIB_NODE: usize = 12;

@inline export function child(node: usize, bit: u32): usize {
  return load<u32>(node + (<usize>bit << 2));
}
@inline export function head(node: usize): i32 {
  return load<i32>(node, 8);
}
@inline export function hasChildren(node: usize): bool {
  return load<u64>(node) != 0;
}

export const SHORTCUT_DEPTH: i32 = 16;
const SHORTCUT_SLOTS: usize = 1 << SHORTCUT_DEPTH;

@unmanaged export class Rib {
  root: usize;
  shortcut: usize;
  above: usize;
}

export function initRib(rib: Rib): void {
  rib.root = newRibNode();
  rib.shortcut = alloc(SHORTCUT_SLOTS << 2, POOL_RIB);
  memory.fill(rib.shortcut, 0, SHORTCUT_SLOTS << 2);
  rib.above = alloc(SHORTCUT_SLOTS << 2, POOL_RIB);
  memory.fill(rib.above, 0xff, SHORTCUT_SLOTS << 2); // -1: no route
}

@inline function topBits(hi: u64): usize {
  return <usize>(hi >> (64 - SHORTCUT_DEPTH));
}

export function newRibNode(): usize {
  const node = alloc(RIB_NODE, POOL_RIB);
  store<u64>(node, 0);
  store<i32>(node, -1, 8);
  return node;
}

// The nodes from the root to the prefix of the last walk (0 where there is none), so the
// lookup structure's update can read that path instead of walking it again. After a walk that
// started at the shortcut, the entries above SHORTCUT_DEPTH are not filled: `pathFromRoot` says.
const path: usize = memory.data(129 * sizeof<usize>());
let pathFromRoot = true;
let pathTop: usize = 0;
// The last walk that made its way (create): its RIB and key, while `path` still holds its nodes
// (0: none; a removal that frees nodes forgets it). A load of sorted prefixes walks the same
// first 20-odd bits again and again: the next walk starts where the two keys part.
let fingerRib: usize = 0;
let fingerHi: u64 = 0;
let fingerLo: u64 = 0;
let fingerLength: i32 = 0;

/** How many leading bits `hi, lo` and the finger's key share, at most `limit`. */
@inline function sharedBits(hi: u64, lo: u64, limit: i32): i32 {
  const high = hi ^ fingerHi;
  const shared = high != 0 ? <i32>clz(high) : 64 + <i32>clz(lo ^ fingerLo);
  return min(shared, limit);
}

/** The RIB node at `depth` on the path of the last walk (0 if none); depth >= 16 unless the walk began at the root. */
@inline export function pathNode(depth: i32): usize {
  return load<usize>(path + (<usize>depth << 2));
}

/** The best route of the prefixes shorter than `depth` on the path of the last walk. */
export function bestAbove(rib: Rib, depth: i32): i32 {
  let best: i32 = -1;
  let d = 0;
  if (!pathFromRoot) {
    best = load<i32>(rib.above + (pathTop << 2));
    d = SHORTCUT_DEPTH;
  }
  for (; d < depth; d++) {
    const node = pathNode(d);
    if (!node) break;
    const h = head(node);
    if (h >= 0) best = h;
  }
  return best;
}

/** The node for `length` bits of the key, made on the way if `create`; 0 if absent. */
export function findNode(rib: Rib, hi: u64, lo: u64, length: i32, create: bool): usize {
  if (create && fingerRib == changetype<usize>(rib) && length > SHORTCUT_DEPTH) {
    // the path down to where this key leaves the last one is the last walk's
    const shared = sharedBits(hi, lo, min(length, fingerLength));
    if (shared >= SHORTCUT_DEPTH) return walkFrom(rib, load<usize>(path + (<usize>shared << 2)), shared, hi, lo, length);
  }
  pathTop = topBits(hi);
  let node = rib.root;
  let depth = 0;
  pathFromRoot = true;
  if (length > SHORTCUT_DEPTH) {
    const start = <usize>load<u32>(rib.shortcut + (pathTop << 2));
    if (start) {
      node = start;
      depth = SHORTCUT_DEPTH;
      pathFromRoot = false;
    }
  }
  store<usize>(path + (<usize>depth << 2), node);
  if (!create) {
    fingerRib = 0;
    for (; depth < length; depth++) {
      const next = <usize>load<u32>(node + (<usize>keyBit(hi, lo, depth) << 2));
      if (!next) {
        memory.fill(path + (<usize>(depth + 1) << 2), 0, <usize>(length - depth) << 2);
        return 0;
      }
      node = next;
      store<usize>(path + (<usize>(depth + 1) << 2), node);
    }
    return node;
  }
  return walkFrom(rib, node, depth, hi, lo, length);
}

/**
 * The rest of a walk that makes its way: from `node` at `depth` (on `path` already, with
 * `pathFromRoot` and `pathTop` set for this key) down to `length`; the walk becomes the finger.
 */
function walkFrom(rib: Rib, node: usize, depth: i32, hi: u64, lo: u64, length: i32): usize {
  for (; depth < length; depth++) {
    const slot = node + (<usize>keyBit(hi, lo, depth) << 2);
    let next = <usize>load<u32>(slot);
    if (!next) {
      next = newRibNode();
      store<u32>(slot, <u32>next);
      if (depth + 1 == SHORTCUT_DEPTH) store<u32>(rib.shortcut + (pathTop << 2), <u32>next);
    }
    node = next;
    store<usize>(path + (<usize>(depth + 1) << 2), node);
  }
  fingerRib = changetype<usize>(rib);
  fingerHi = hi;
  fingerLo = lo;
  fingerLength = length;
  return node;
}

/**
 * After the routes of a prefix shorter than the shortcut changed: refreshes `above` for the
 * top-16-bit values under it. Needs the path from the root (walks to such prefixes start there).
 */
export function refreshAbove(rib: Rib, hi: u64, length: i32): void {
  if (length >= SHORTCUT_DEPTH) return;
  fillAbove(rib, pathNode(length), length, length == 0 ? 0 : <u32>(hi >> (64 - length)), bestAbove(rib, length));
}

function fillAbove(rib: Rib, node: usize, depth: i32, index: u32, best: i32): void {
  if (depth == SHORTCUT_DEPTH) {
    store<i32>(rib.above + (<usize>index << 2), best);
    return;
  }
  if (!node) {
    const span = SHORTCUT_DEPTH - depth;
    const first = <usize>index << span;
    for (let k: usize = 0, n = <usize>1 << span; k < n; k++) store<i32>(rib.above + ((first + k) << 2), best);
    return;
  }
  const h = head(node);
  if (h >= 0) best = h;
  fillAbove(rib, child(node, 0), depth + 1, index << 1, best);
  fillAbove(rib, child(node, 1), depth + 1, (index << 1) | 1, best);
}

/** Recomputes `above` everywhere (after a bulk load). */
export function rebuildAbove(rib: Rib): void {
  fillAbove(rib, rib.root, 0, 0, -1);
}

/**
 * Puts route `id` into the list of its prefix's `node` (from findNode), keeping the list best
 * first. If the prefix already has the same route (equal metric and attribute class), that one
 * is moved to where the new one would go (it is now the last given) and its id returned; `id`
 * is then not used. Returns -1 when `id` was inserted.
 */
export function insertAt(node: usize, id: i32): i32 {
  const metric = routeMetric(id);
  const attributeClass = routeClass(id);
  let existing: i32 = -1;
  // unlink an identical route, if any
  let prev: i32 = -1;
  for (let cur = head(node); cur >= 0; cur = routeNext(cur)) {
    if (routeMetric(cur) == metric && routeClass(cur) == attributeClass) {
      if (prev < 0) store<i32>(node, routeNext(cur), 8); else setRouteNext(prev, routeNext(cur));
      existing = cur;
      break;
    }
    prev = cur;
  }
  const entry = existing >= 0 ? existing : id;
  // goes before every route with an equal or higher metric: equal metrics, the last given wins
  prev = -1;
  let cur = head(node);
  while (cur >= 0 && routeMetric(cur) < metric) {
    prev = cur;
    cur = routeNext(cur);
  }
  setRouteNext(entry, cur);
  if (prev < 0) store<i32>(node, entry, 8); else setRouteNext(prev, entry);
  return existing;
}

/** Takes route `id` out of its prefix's list and prunes nodes left empty. Returns false if absent. */
export function ribRemove(rib: Rib, id: i32): bool {
  return findNode(rib, routeHi(id), routeLo(id), routeLength(id), false) != 0 && removeOnPath(rib, id);
}

/**
 * ribRemove when the last walk (findNode or a removal) went to this route's prefix,
 * so its path is at hand.
 */
export function removeOnPath(rib: Rib, id: i32): bool {
  const length = routeLength(id);
  const node = pathNode(length);
  let prev: i32 = -1;
  let cur = head(node);
  while (cur >= 0 && cur != id) {
    prev = cur;
    cur = routeNext(cur);
  }
  if (cur < 0) return false;
  if (prev < 0) store<i32>(node, routeNext(id), 8); else setRouteNext(prev, routeNext(id));
  setRouteNext(id, -1);
  // prune empty leaves upward; the root stays
  const hi = routeHi(id), lo = routeLo(id);
  for (let depth = length; depth > 0; depth--) {
    const n = load<usize>(path + (<usize>depth << 2));
    if (head(n) >= 0 || hasChildren(n)) break;
    if (depth == SHORTCUT_DEPTH) {
      // pruning reaches the shortcut: its entry goes, and the parents above come from the root
      store<u32>(rib.shortcut + (topBits(hi) << 2), 0);
      if (!pathFromRoot) findNode(rib, hi, lo, SHORTCUT_DEPTH, false); // walks from the root at this length
    }
    const parent = load<usize>(path + (<usize>(depth - 1) << 2));
    store<u32>(parent + (<usize>keyBit(hi, lo, depth - 1) << 2), 0);
    store<usize>(path + (<usize>depth << 2), 0);
    free(n, RIB_NODE, POOL_RIB);
    fingerRib = 0;
  }
  return true;
}
