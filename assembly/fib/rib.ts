// The RIB: a binary trie of every prefix that has routes, one per family. Each trie node
// holds the list of routes for its prefix, best first (lowest metric, then the newest), so
// the list head is the winner the lookup structure must show. Nodes that carry no route and
// have no children are pruned, so "has a child" always means "a longer prefix lies below".
//
// Node layout, 12 bytes:
//   @0 child[0] u32   pointer, 0 = none
//   @4 child[1] u32
//   @8 head     i32   best route of this prefix, -1 = none

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

export function newRibNode(): usize {
  const node = alloc(RIB_NODE, POOL_RIB);
  store<u64>(node, 0);
  store<i32>(node, -1, 8);
  return node;
}

// The nodes from the root to the prefix of the last insert, remove or find (0 where there is
// none), so the lookup structure's update can read that path instead of walking it again.
const path: usize = memory.data(129 * sizeof<usize>());

/** The RIB node at `depth` on the path of the last findNode or removal (0 if none). */
@inline export function pathNode(depth: i32): usize {
  return load<usize>(path + (<usize>depth << 2));
}

/** The node for `length` bits of the key, made on the way if `create`; 0 if absent. */
export function findNode(root: usize, hi: u64, lo: u64, length: i32, create: bool): usize {
  let node = root;
  store<usize>(path, node);
  for (let depth = 0; depth < length; depth++) {
    const slot = node + (<usize>keyBit(hi, lo, depth) << 2);
    let next = <usize>load<u32>(slot);
    if (!next) {
      if (!create) {
        memory.fill(path + (<usize>(depth + 1) << 2), 0, <usize>(length - depth) << 2);
        return 0;
      }
      next = newRibNode();
      store<u32>(slot, <u32>next);
    }
    node = next;
    store<usize>(path + (<usize>(depth + 1) << 2), node);
  }
  return node;
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
export function ribRemove(root: usize, id: i32): bool {
  return findNode(root, routeHi(id), routeLo(id), routeLength(id), false) != 0 && removeOnPath(id);
}

/**
 * ribRemove when the last walk (findNode or a removal) went to this route's prefix,
 * so its path is at hand.
 */
export function removeOnPath(id: i32): bool {
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
    const parent = load<usize>(path + (<usize>(depth - 1) << 2));
    store<u32>(parent + (<usize>keyBit(hi, lo, depth - 1) << 2), 0);
    store<usize>(path + (<usize>depth << 2), 0);
    free(n, RIB_NODE, POOL_RIB);
  }
  return true;
}
