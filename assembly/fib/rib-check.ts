// A check of the RIB's shape (rib.ts), for tests: every rule the trie keeps, walked in full.
// Returns 0 when all hold, else the number of the first rule found broken.

import { keyBit } from './keys';
import { child, hasChildren, head, nodeLength, Rib, SHORTCUT_DEPTH } from './rib';
import { routeHi, routeLength, routeLo, routeNext } from './routes';

let nodes: u32 = 0;
let shortcutsSeen: u32 = 0;

/** How many nodes the last ribCheck walked, the root included. */
export function ribCheckedNodes(): u32 {
  return nodes;
}

export function ribCheck(rib: Rib): i32 {
  nodes = 0;
  shortcutsSeen = 0;
  if (nodeLength(rib.root) != 0) return 1;
  const broken = checkNode(rib, rib.root, 0, 0, -1);
  if (broken) return broken;
  // the shortcut holds nothing but the nodes checkNode expected there
  let entries: u32 = 0;
  for (let v: usize = 0; v < (<usize>1 << SHORTCUT_DEPTH); v++) if (load<u32>(rib.shortcut + (v << 2))) entries++;
  return entries == shortcutsSeen ? 0 : 2;
}

/** Leading bits two keys share. */
function sharedBits(hi: u64, lo: u64, otherHi: u64, otherLo: u64): i32 {
  const high = hi ^ otherHi;
  return high != 0 ? <i32>clz(high) : 64 + <i32>clz(lo ^ otherLo);
}

/** A route at or below `node`, -1 if none. */
function anyRoute(node: usize): i32 {
  if (head(node) >= 0) return head(node);
  for (let bit: u32 = 0; bit < 2; bit++) {
    const below = child(node, bit);
    if (below) {
      const found = anyRoute(below);
      if (found >= 0) return found;
    }
  }
  return -1;
}

/** Checks `node`, whose parent has `parentLength` bits (-1: the root), and everything below it. */
function checkNode(rib: Rib, node: usize, hi: u64, lo: u64, parentLength: i32): i32 {
  nodes++;
  const length = nodeLength(node);
  const isRoot = parentLength < 0;
  if (!isRoot && length <= parentLength) return 3; // children are longer
  if (!isRoot && head(node) < 0 && !(child(node, 0) && child(node, 1))) return 4; // no routes: a branch point
  for (let id = head(node); id >= 0; id = routeNext(id)) {
    if (routeLength(id) != length) return 5; // its routes have its prefix
    if (!isRoot && sharedBits(hi, lo, routeHi(id), routeLo(id)) < length) return 6;
  }
  if (!isRoot && length >= SHORTCUT_DEPTH && parentLength < SHORTCUT_DEPTH) {
    if (load<u32>(rib.shortcut + (<usize>(hi >> (64 - SHORTCUT_DEPTH)) << 2)) != <u32>node) return 7;
    shortcutsSeen++;
  }
  if (!hasChildren(node)) return 0;
  for (let bit: u32 = 0; bit < 2; bit++) {
    const below = child(node, bit);
    if (!below) continue;
    const route = anyRoute(below);
    if (route < 0) return 8;
    const belowHi = routeHi(route), belowLo = routeLo(route);
    // the child's prefix goes on from this one's with `bit`
    if (!isRoot && sharedBits(hi, lo, belowHi, belowLo) < length) return 9;
    if (keyBit(belowHi, belowLo, length) != bit) return 10;
    const broken = checkNode(rib, below, belowHi, belowLo, length);
    if (broken) return broken;
  }
  return 0;
}
