// A run of route updates (src/updates/) applied in one call: the updates that fall at one moment
// of a capture's clock, between two records. Each is what fib.add, fib.replacePrefix or
// fib.remove(prefix) does, in order, through the same incremental RIB and lookup-structure paths
// as addRoutes and removePrefix (index.ts); the host then releases the ids listed as removed.

import { loadHi, loadLo } from './fib/keys';
import { insertedOver, insertRoute, removeAllOfPrefix } from './fib/route-changes';
import { removedIds } from './fib/removed-ids';

/** Update record, 32 bytes, the layout of an addRoutes record (index.ts ROUTE_INPUT) but for:
 *  @0 key 16 bytes, network order (IPv4: 4 bytes then zeros), host bits clear
 *  @16 id i32 (add, replace: a free id for the new route)  @20 metric u32
 *  @24 family u8  @25 prefix length u8  @26 op u8: 0 add, 1 replace (every route of the prefix), 2 del
 *  @27 u8 out: 1 if the new route was already present (add, replace)
 *  @28 u32 attribute class; out: the present id (when @27), or how many routes a del removed */
export const UPDATE_RECORD: i32 = 32;
const OP_ADD: u8 = 0;
const OP_REPLACE: u8 = 1;

/** Where the last updatesApply listed the ids it removed. */
export function updatesRemovedPointer(): usize {
  return removedIds();
}

/**
 * Applies the `count` update records at `records` in order; returns how many route ids it listed
 * at updatesRemovedPointer(). The host has checked the records and made room for the ids.
 */
export function updatesApply(records: usize, count: i32): i32 {
  return applyUpdateRecords(records, count, 0);
}

/**
 * updatesApply listing removed ids from place `removed` on (updates/in-step.ts applies runs
 * inside a feed, and the host takes them all up after it); returns how many are listed.
 */
export function applyUpdateRecords(records: usize, count: i32, removed: i32): i32 {
  for (let i = 0; i < count; i++) {
    const record = records + <usize>i * UPDATE_RECORD;
    const op = load<u8>(record, 26);
    const family = <i32>load<u8>(record, 24);
    const length = <i32>load<u8>(record, 25);
    const hi = loadHi(record);
    const lo = loadLo(record);
    store<u8>(record, 0, 27);
    if (op != OP_ADD && op != OP_REPLACE) {
      // del: every route of the prefix
      const before = removed;
      removed = removeAllOfPrefix(family, hi, lo, length, removed);
      store<u32>(record, <u32>(removed - before), 28);
      continue;
    }
    removed = insertRoute(load<i32>(record, 16), family, hi, lo, length, load<u32>(record, 20), load<u32>(record, 28),
      op == OP_REPLACE, true, removed, false);
    if (insertedOver >= 0) {
      store<u8>(record, 1, 27);
      store<i32>(record, insertedOver, 28);
    }
  }
  return removed;
}
