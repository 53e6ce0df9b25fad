// A route into its table, or every route of a prefix out of it: the RIB list of the prefix and,
// unless deferred to a rebuild, the lookup structure. What addRoutes, plainInsert, removePrefix
// (index.ts) and a run of updates (route-updates.ts) share.

import { updatePrefix } from './poptrie';
import { listRemoved } from './removed-ids';
import { findNode, head, insertAt, refreshAbove, removeOnPath } from './rib';
import { clearRoute, ensureRouteCapacity, routeMetric, routeNext, writeRoute } from './routes';
import { tableOf } from './tables';

/** After insertRoute: the id of the identical route that was already there (the new id then holds nothing), or -1. */
export let insertedOver: i32 = -1;

/**
 * Inserts route `id`. With `replace`, the other routes of the prefix go (those of its metric, or
 * all with `everyMetric`), listed in removed-ids.ts from place `removed` on. Returns the number of
 * ids listed so far.
 */
export function insertRoute(id: i32, family: i32, hi: u64, lo: u64, length: i32, metric: u32, attributeClass: u32,
  replace: bool, everyMetric: bool, removed: i32, deferLookup: bool): i32 {
  const t = tableOf(family);
  ensureRouteCapacity(id + 1);
  writeRoute(id, family, hi, lo, length, metric, attributeClass);
  const node = findNode(t.rib, hi, lo, length, true);
  const existing = insertAt(node, id);
  const kept = existing >= 0 ? existing : id;
  if (existing >= 0) clearRoute(id);
  if (replace) {
    // the node keeps the route inserted (or its twin), so the path holds
    let cur = head(node);
    while (cur >= 0) {
      const next = routeNext(cur);
      if (cur != kept && (everyMetric || routeMetric(cur) == metric)) {
        removeOnPath(t.rib, cur);
        clearRoute(cur);
        listRemoved(removed++, cur);
      }
      cur = next;
    }
  }
  refreshAbove(t.rib, hi, length);
  if (!deferLookup) updatePrefix(t, hi, lo, length);
  insertedOver = existing;
  return removed;
}

/**
 * Removes every route of the prefix, listed in removed-ids.ts from place `removed` on. Returns the
 * number of ids listed so far (`removed` when the prefix had none).
 */
export function removeAllOfPrefix(family: i32, hi: u64, lo: u64, length: i32, removed: i32): i32 {
  const t = tableOf(family);
  const node = findNode(t.rib, hi, lo, length, false);
  if (!node) return removed;
  let id = head(node);
  while (id >= 0) {
    const next = routeNext(id);
    removeOnPath(t.rib, id);
    clearRoute(id);
    listRemoved(removed++, id);
    id = next;
  }
  refreshAbove(t.rib, hi, length);
  updatePrefix(t, hi, lo, length);
  return removed;
}
