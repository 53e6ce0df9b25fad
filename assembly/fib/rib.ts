// The RIB: a path-compressed binary trie of every prefix that has routes, one per family. Each
// node is a prefix with routes, or a branch point (two children, no routes), or the root (the
// empty prefix, always there); a chain of one-child prefixes without routes is not stored, the
// child hangs straight below the last node that branches or has routes. Each node holds the list
// of routes for its prefix, best first (lowest metric, then the newest), so the list head is the
// winner the lookup structure must show.
//
// Node layout, 16 bytes (24, the last 8 unused, for nodes shorter than the lookup structure's
// direct array: nodeBytes says why):
//   @0  child[0] u32   pointer, 0 = none: the nearest node below whose next key bit is 0
//   @4  child[1] u32
//   @8  head     i32   best route of this prefix, -1 = none
//   @12 length   u8    the node's prefix length
//   @13 top      u24   its first 24 key bits (as a u32 at @12: top << 8 | length)
// Past 24 bits a node does not keep its key: every node but the root has a route, or a route
// below it on the side of child 0 or 1 (a node without routes has two children), whose key
// shares its prefix (keyRoute). The first 24 bits, which an IPv4 table's walks and rebuilds
// mostly need, are read from the node itself. Against a binary trie with a node per bit this
// stores a fifth of the nodes for the bench's 100k table and three quarters for a full tier-1
// table; a sparse IPv6 table's /48s cost two nodes each instead of thirty.
//
// A *position* (node, depth) is the place at `depth` bits on some key: `node` is 0 when nothing
// lies there, else the topmost node at or below it (its length >= depth). The lookup structure's
// builder (poptrie.ts) walks positions, skipping the bits of a compressed chain at once.
//
// A walk to a prefix longer than 16 bits may start from `shortcut`, which holds, for each value of
// the top 16 bits, the position at depth 16 (the node at 16 bits or more whose parent is shorter);
// `above` holds, for each, the best route of the shorter prefixes covering it, which is what the
// skipped part of the walk would have folded.

import { alloc, free, POOL_RIB } from '../memory/alloc';
import { keyBit } from './keys';
import { routeHi, routeLength, routeLo, routeClass, routeMetric, routeNext, setRouteNext } from './routes';

export const RIB_NODE: usize = 16;
const RIB_TOP_NODE: usize = 24;

@inline export function child(node: usize, bit: u32): usize {
  return load<u32>(node + (<usize>bit << 2));
}
@inline export function head(node: usize): i32 {
  return load<i32>(node, 8);
}
@inline export function nodeLength(node: usize): i32 {
  return <i32>load<u8>(node, 12);
}
const INLINE_BITS: i32 = 24;
/** The node's first 24 key bits, most significant first, in the top of a u32. */
@inline function nodeTop(node: usize): u32 {
  return load<u32>(node, 12) & 0xffffff00;
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
  topDepth: i32;
}

/**
 * The bytes of a node of `length` bits: those shorter than the lookup structure's direct array
 * (which its rebuild walks to reach the array's slots) take 24, so they come from slabs of their
 * own, a few megabytes for a full table that the walk reads without the nodes below in between.
 */
@inline function nodeBytes(rib: Rib, length: i32): usize {
  return length < rib.topDepth ? RIB_TOP_NODE : RIB_NODE;
}

/** A RIB whose lookup structure's direct array takes `topDepth` bits (the nodes above are kept apart). */
export function initRib(rib: Rib, topDepth: i32): void {
  rib.topDepth = topDepth;
  rib.root = newRibNode(rib, 0, 0);
  rib.shortcut = alloc(SHORTCUT_SLOTS << 2, POOL_RIB);
  memory.fill(rib.shortcut, 0, SHORTCUT_SLOTS << 2);
  rib.above = alloc(SHORTCUT_SLOTS << 2, POOL_RIB);
  memory.fill(rib.above, 0xff, SHORTCUT_SLOTS << 2); // -1: no route
}

@inline function topBits(hi: u64): usize {
  return <usize>(hi >> (64 - SHORTCUT_DEPTH));
}

/** A node of `length` bits of the key whose most significant half is `hi`. */
function newRibNode(rib: Rib, length: i32, hi: u64): usize {
  const node = alloc(nodeBytes(rib, length), POOL_RIB);
  initRibNode(node, length, hi);
  return node;
}

@inline function initRibNode(node: usize, length: i32, hi: u64): void {
  store<u64>(node, 0);
  store<i32>(node, -1, 8);
  const top = length == 0 ? 0 : <u32>(hi >> 32) & (0xffffff00 << <u32>(INLINE_BITS - min(length, INLINE_BITS)));
  store<u32>(node, top | <u32>length, 12);
}

/**
 * A route whose key starts with the prefix of `node` (not the root): its own best route, or one
 * below it (a node without routes has two children, and the nodes at the bottom have routes).
 */
export function keyRoute(node: usize): i32 {
  let h = head(node);
  while (h < 0) {
    const left = child(node, 0);
    node = left ? left : child(node, 1);
    h = head(node);
  }
  return h;
}

/** `count` (0 to 32) key bits from bit `from` on, as the low bits of the result. */
@inline export function keyBits(hi: u64, lo: u64, from: i32, count: i32): u32 {
  if (count == 0) return 0;
  let top: u64;
  if (from == 0) top = hi;
  else if (from < 64) top = (hi << <u64>from) | (lo >> <u64>(64 - from));
  else top = lo << <u64>(from - 64);
  return <u32>(top >> <u64>(64 - count));
}

/** The bits `from` to `from + count` - 1 of the prefix of `node` (count > 0 only below the root). */
@inline export function nodeBits(node: usize, from: i32, count: i32): u32 {
  if (count == 0) return 0;
  if (from + count <= INLINE_BITS) return (nodeTop(node) << <u32>from) >> <u32>(32 - count);
  const route = keyRoute(node);
  return keyBits(routeHi(route), routeLo(route), from, count);
}

/** How many leading bits two keys share, at most `limit`. */
@inline function sharedBits(hi: u64, lo: u64, otherHi: u64, otherLo: u64, limit: i32): i32 {
  const high = hi ^ otherHi;
  const shared = high != 0 ? <i32>clz(high) : 64 + <i32>clz(lo ^ otherLo);
  return min(shared, limit);
}

/** How many of the first `limit` bits of `node`'s prefix the key shares. */
function sharedWithNode(node: usize, hi: u64, lo: u64, limit: i32): i32 {
  if (limit == 0) return 0;
  if (limit <= INLINE_BITS) return min(<i32>clz((<u32>(hi >> 32) ^ nodeTop(node)) | 0xff), limit);
  const route = keyRoute(node);
  return sharedBits(hi, lo, routeHi(route), routeLo(route), limit);
}

// The last walk: its key, and the nodes on its way from where it began (the root, or the
// shortcut's node) to the deepest node at or above its length that lies on the key, in order;
// `pathNext` is the node the walk stopped at without taking it (the child on the key's side of
// the last one: longer than the walk's length, or off the key), 0 if none. The lookup structure's
// update reads that path instead of walking it again (pathNode, bestAbove).
const path: usize = memory.data(130 * sizeof<usize>());
let pathCount: i32 = 0;
let pathNext: usize = 0;
let walkHi: u64 = 0;
let walkLo: u64 = 0;
let pathFromRoot = true;
let pathTop: usize = 0;
// The last walk that made its way (create), while `path` still holds its nodes (0: none; a
// removal that changes the trie forgets it). A load of sorted prefixes walks the same first
// nodes again and again: the next walk starts from the last node the two keys share.
let fingerRib: usize = 0;

@inline function pathAt(i: i32): usize {
  return load<usize>(path + (<usize>i << 2));
}
@inline function pushPath(node: usize): void {
  store<usize>(path + (<usize>pathCount << 2), node);
  pathCount++;
}

/**
 * The position at `depth` bits on the key of the last walk: the topmost node of at least that
 * length on it, or 0 when nothing lies there. `depth` >= 16 unless the walk began at the root,
 * and at most the walk's length when it found its node.
 */
export function pathNode(depth: i32): usize {
  for (let i = 0; i < pathCount; i++) {
    const node = pathAt(i);
    if (nodeLength(node) >= depth) return node;
  }
  const next = pathNext;
  if (next && nodeLength(next) >= depth && sharedWithNode(next, walkHi, walkLo, depth) == depth) return next;
  return 0;
}

/** The best route of the prefixes shorter than `depth` on the key of the last walk. */
export function bestAbove(rib: Rib, depth: i32): i32 {
  let best: i32 = -1;
  if (!pathFromRoot) best = load<i32>(rib.above + (pathTop << 2));
  for (let i = 0; i < pathCount; i++) {
    const node = pathAt(i);
    if (nodeLength(node) >= depth) break;
    const h = head(node);
    if (h >= 0) best = h;
  }
  return best;
}

/** Sets `shortcut` for the key's top bits when `node`, on the key, now hangs below `parent`. */
@inline function noteShortcut(rib: Rib, parent: usize, node: usize): void {
  if (nodeLength(parent) < SHORTCUT_DEPTH && nodeLength(node) >= SHORTCUT_DEPTH) {
    store<u32>(rib.shortcut + (pathTop << 2), <u32>node);
  }
}

/** The node for `length` bits of the key, made on the way if `create`; 0 if absent. */
export function findNode(rib: Rib, hi: u64, lo: u64, length: i32, create: bool): usize {
  return walk(rib, hi, lo, length, create, true);
}

/** findNode; with `useShortcut` false the walk begins at the root, so the path holds every node above. */
function walk(rib: Rib, hi: u64, lo: u64, length: i32, create: bool, useShortcut: bool): usize {
  let node: usize = 0;
  if (create && fingerRib == changetype<usize>(rib)) {
    // the last walk's path down to the last node both keys share
    const shared = sharedBits(hi, lo, walkHi, walkLo, length);
    let keep = pathCount;
    while (keep > 0 && nodeLength(pathAt(keep - 1)) > shared) keep--;
    if (keep > 0) {
      pathCount = keep;
      node = pathAt(keep - 1);
    }
  }
  walkHi = hi;
  walkLo = lo;
  pathNext = 0;
  pathTop = topBits(hi);
  if (!node) {
    pathCount = 0;
    node = rib.root;
    pathFromRoot = true;
    if (useShortcut && length > SHORTCUT_DEPTH) {
      const start = <usize>load<u32>(rib.shortcut + (pathTop << 2));
      const startLength = start ? nodeLength(start) : 0;
      if (start && startLength <= length && sharedWithNode(start, hi, lo, startLength) == startLength) {
        node = start;
        pathFromRoot = false;
      }
    }
    pushPath(node);
  }
  if (!create) fingerRib = 0;
  while (nodeLength(node) < length) {
    const depth = nodeLength(node);
    const bit = keyBit(hi, lo, depth);
    const next = child(node, bit);
    if (next) {
      const nextLength = nodeLength(next);
      if (nextLength <= length && sharedWithNode(next, hi, lo, nextLength) == nextLength) {
        node = next;
        pushPath(node);
        continue;
      }
    }
    if (!create) {
      pathNext = next;
      return 0;
    }
    node = attach(rib, node, bit, next, hi, lo, length);
    break;
  }
  if (create) fingerRib = changetype<usize>(rib);
  return node;
}

/**
 * Makes the node for `length` bits of the key below `parent` (on the key, shorter), where the
 * child on the key's side, `next`, is absent or does not lie on the way. Returns the new node,
 * with it (and a branch node made above it) on the path.
 */
function attach(rib: Rib, parent: usize, bit: u32, next: usize, hi: u64, lo: u64, length: i32): usize {
  if (!next) {
    const node = newRibNode(rib, length, hi);
    store<u32>(parent + (<usize>bit << 2), <u32>node);
    noteShortcut(rib, parent, node);
    pushPath(node);
    return node;
  }
  const nextLength = nodeLength(next);
  const shared = sharedWithNode(next, hi, lo, min(nextLength, length));
  const aboveLength = min(shared, length);
  // the node made above `next` takes its place in memory and `next` moves (moveDown), when
  // both are blocks of one size
  let above: usize;
  let below: usize;
  if (nodeBytes(rib, aboveLength) == nodeBytes(rib, nextLength)) {
    above = next;
    below = moveDown(rib, next, aboveLength);
    initRibNode(above, aboveLength, hi);
  } else {
    above = newRibNode(rib, aboveLength, hi);
    below = next;
    store<u32>(parent + (<usize>bit << 2), <u32>above);
  }
  noteShortcut(rib, parent, above);
  pushPath(above);
  if (shared == length) {
    // the new prefix covers `next`: it goes between
    store<u32>(above + (<usize>nodeBits(below, length, 1) << 2), <u32>below);
    return above;
  }
  // the two part after `shared` bits: a branch node there holds both
  const node = newRibNode(rib, length, hi);
  const side = keyBit(hi, lo, shared);
  store<u32>(above + (<usize>side << 2), <u32>node);
  store<u32>(above + (<usize>(side ^ 1) << 2), <u32>below);
  noteShortcut(rib, above, node);
  pushPath(node);
  return node;
}

/**
 * Copies `next` to a new node, whose address it returns, for a node of `aboveLength` bits made
 * above it to take its place. So a bulk load in prefix order lays a node out before the nodes
 * below it, mostly, the order the lookup structure's rebuild reads them in; and the parent's
 * pointer stays as it is. Only the shortcut may point at a node besides its parent.
 */
function moveDown(rib: Rib, next: usize, aboveLength: i32): usize {
  const moved = alloc(nodeBytes(rib, nodeLength(next)), POOL_RIB);
  v128.store(moved, v128.load(next));
  if (aboveLength < SHORTCUT_DEPTH && nodeLength(moved) >= SHORTCUT_DEPTH) {
    store<u32>(rib.shortcut + (<usize>(nodeTop(moved) >> 16) << 2), <u32>moved);
  }
  return moved;
}

/**
 * After the routes of a prefix shorter than the shortcut changed: refreshes `above` for the
 * top-16-bit values under it. Needs the path from the root (walks to such prefixes start there).
 */
export function refreshAbove(rib: Rib, hi: u64, length: i32): void {
  if (length >= SHORTCUT_DEPTH) return;
  fillAbove(rib, pathNode(length), length, length == 0 ? 0 : <u32>(hi >> (64 - length)), bestAbove(rib, length));
}

function fillAboveRange(rib: Rib, first: u32, end: u32, best: i32): void {
  for (let k = first; k < end; k++) store<i32>(rib.above + (<usize>k << 2), best);
}

/** Sets `above` under the position (node, depth), key bits `index`, below the best route `best`. */
function fillAbove(rib: Rib, node: usize, depth: i32, index: u32, best: i32): void {
  if (depth == SHORTCUT_DEPTH) {
    store<i32>(rib.above + (<usize>index << 2), best);
    return;
  }
  const span = SHORTCUT_DEPTH - depth;
  if (!node) {
    fillAboveRange(rib, index << span, (index + 1) << span, best);
    return;
  }
  const length = nodeLength(node);
  if (length > depth) {
    // a compressed chain: only the part on the node's prefix lies below anything
    const to = min(length, SHORTCUT_DEPTH);
    const at = (index << (to - depth)) | nodeBits(node, depth, to - depth);
    fillAboveRange(rib, index << span, at << (SHORTCUT_DEPTH - to), best);
    fillAbove(rib, node, to, at, best);
    fillAboveRange(rib, (at + 1) << (SHORTCUT_DEPTH - to), (index + 1) << span, best);
    return;
  }
  const h = head(node);
  if (h >= 0) best = h;
  fillAbove(rib, child(node, 0), depth + 1, index << 1, best);
  fillAbove(rib, child(node, 1), depth + 1, (index << 1) | 1, best);
}

/** Recomputes `above` everywhere. */
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
 * ribRemove when the last walk (findNode or a removal) went to this route's prefix, so its path
 * is at hand. When nodes go, the path is cut back to those that stay, as a walk after would find.
 */
export function removeOnPath(rib: Rib, id: i32): bool {
  const length = routeLength(id);
  if (pathCount == 0) return false;
  const node = pathAt(pathCount - 1);
  if (nodeLength(node) != length) return false;
  let prev: i32 = -1;
  let cur = head(node);
  while (cur >= 0 && cur != id) {
    prev = cur;
    cur = routeNext(cur);
  }
  if (cur < 0) return false;
  const hi = routeHi(id), lo = routeLo(id);
  const left = child(node, 0), right = child(node, 1);
  // the node goes when this was its last route, unless it is the root or a branch point
  const goes = prev < 0 && routeNext(id) < 0 && !(left && right) && length != 0;
  if (goes && !pathFromRoot) {
    // the nodes above it are needed: its parent, and the parent's when that goes too (it has no
    // routes and is left with one child); found before the route leaves (keys are read from routes)
    const parentGoes = !(left || right) && pathCount >= 2 && head(pathAt(pathCount - 2)) < 0;
    if (pathCount < 2 || (parentGoes && pathCount < 3)) walk(rib, hi, lo, length, false, false);
  }
  if (prev < 0) store<i32>(node, routeNext(id), 8); else setRouteNext(prev, routeNext(id));
  setRouteNext(id, -1);
  if (!goes) return true;
  const parent = pathAt(pathCount - 2);
  const bit = keyBit(hi, lo, nodeLength(parent));
  const below = left ? left : right;
  store<u32>(parent + (<usize>bit << 2), <u32>below);
  dropShortcut(rib, parent, node, below);
  free(node, nodeBytes(rib, length), POOL_RIB);
  // the path now ends above the node, and `pathNext` is what took its place
  pathCount--;
  pathNext = below;
  if (!below && pathCount >= 2 && head(parent) < 0) {
    // the parent, without routes (not the root), is left with one child: it goes too
    const grand = pathAt(pathCount - 2);
    const remaining = child(parent, bit ^ 1);
    store<u32>(grand + (<usize>keyBit(hi, lo, nodeLength(grand)) << 2), <u32>remaining);
    dropShortcut(rib, grand, parent, remaining);
    free(parent, nodeBytes(rib, nodeLength(parent)), POOL_RIB);
    pathCount--;
    pathNext = remaining;
  }
  fingerRib = 0;
  return true;
}

/**
 * Keeps `shortcut` true when `gone`, a node on the key of the last walk, leaves `parent` and
 * `below` (0: nothing) takes its place.
 */
@inline function dropShortcut(rib: Rib, parent: usize, gone: usize, below: usize): void {
  if (nodeLength(parent) < SHORTCUT_DEPTH && nodeLength(gone) >= SHORTCUT_DEPTH) {
    store<u32>(rib.shortcut + (pathTop << 2), <u32>below);
  }
}
