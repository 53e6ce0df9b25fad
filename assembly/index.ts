// The WebAssembly module's exports: route changes, lookups and memory figures. All calls pass
// numbers only; bulk data goes through the I/O region (memory/map.ts).

import { alloc, poolBytesInUse, POOL_OTHER } from './memory/alloc';
import { IO_BYTES, IO_OUTPUT, MAX_BATCH4, MAX_BATCH6 } from './memory/map';
import { loadHi, loadLo } from './fib/keys';
import { findNode, head, refreshAbove, ribRemove } from './fib/rib';
import {
  clearRoute, ensureRouteCapacity, routeExists, routeFamily, routeHi, routeLength, routeLo,
  routeNext, routeRecord, setRoutePaths,
} from './fib/routes';
import { rebuildAll, rebuildResized, updatePrefix } from './fib/poptrie';
import { lookupsDone4, lookupsDone6 } from './fib/direct-tier';
import { lookup4 as find4, lookup6 as find6, lookup4Many, lookup6Many } from './fib/lookup';
import { fib4, fib6, tableOf } from './fib/tables';
import {
  freeScan, labelCount as plainScanLabelCount, labels as plainScanLabels, pairCount as plainScanPairCount,
  packColumns, packedClasses, packedIPv4, packedMetrics, pairs as plainScanPairs, recordPairs as plainScanRecordPairs,
  records as plainScanRecords, scanPlain, sortScannedByPrefix,
} from './routes/plain';
import { batchRecords as mrtRibBatch } from './mrt/rib-routes';
import { ribCheck, ribCheckedNodes } from './fib/rib-check';

export * from './analyze';
export * from './classify/rule-exports';
export * from './checks/check-exports';
export * from './views/view-exports';
export * from './memory/exports';
export * from './mrt/exports';

const io = alloc(IO_BYTES, POOL_OTHER);

export function ioPointer(): usize { return io; }
export function ioOutputOffset(): usize { return IO_OUTPUT; }
export function maxBatch4(): i32 { return MAX_BATCH4; }
export function maxBatch6(): i32 { return MAX_BATCH6; }

/** Where the last addRoutes(replace) or removePrefix call listed the ids it removed. */
export function removedPointer(): usize { return removedIds(); }

/** Size of one addRoutes record:
 *  @0 key 16 bytes, network order (IPv4: 4 bytes then zeros)
 *  @16 id i32  @20 metric u32  @24 family u8  @25 prefix length u8
 *  @26 u8 out: 1 if the route was already present  @28 u32 attribute class; out: the present id */
export const ROUTE_INPUT: i32 = 32;

/**
 * Adds `count` routes from the I/O region. The host has checked families, lengths and that
 * each id is free. With `deferLookup` the lookup structure is left stale until `rebuild`,
 * which is cheaper than piecewise updates for a bulk load. With `replace`, routes of the same
 * prefix and metric go first (as `ip route replace`); their ids are listed at `removedPointer()`.
 * Returns how many ids that list holds.
 */
export function addRoutes(count: i32, deferLookup: bool, replace: bool): i32 {
  return insertRecords(io, count, deferLookup, replace, false);
}

/**
 * As addRoutes with `replace`, but each route takes the place of every route of its prefix,
 * whatever their metric (a BGP announcement: src/updates/).
 */
export function addRoutesReplacingPrefix(count: i32): i32 {
  return insertRecords(io, count, false, true, true);
}

/**
 * Writes `count` addRoutes records at `records` from prefix columns (all in this memory): family
 * u8s, length u8s, keys of 4 u32 each (most significant first), metric u32s; record n gets id
 * `firstId` + n and `attributeClass`. For routes whose other attributes are all alike (compare's
 * overlay table), which need nothing of the host per route.
 */
export function recordsFromColumns(records: usize, count: i32, familyAt: usize, lengthAt: usize, keysAt: usize,
  metricsAt: usize, firstId: i32, attributeClass: u32): void {
  // in pieces, as the plain scan's loops (routes/plain.ts countTextLines)
  for (let from = 0; from < count; from += 16384) {
    writeRecordsFromColumns(records, from, min(count, from + 16384), familyAt, lengthAt, keysAt, metricsAt, firstId, attributeClass);
  }
}

function writeRecordsFromColumns(records: usize, from: i32, to: i32, familyAt: usize, lengthAt: usize, keysAt: usize,
  metricsAt: usize, firstId: i32, attributeClass: u32): void {
  for (let i = from; i < to; i++) {
    const record = records + <usize>i * ROUTE_INPUT;
    const key = keysAt + (<usize>i << 4);
    // the key in network order: each word's bytes swapped
    store<u32>(record, bswap<u32>(load<u32>(key)));
    store<u32>(record, bswap<u32>(load<u32>(key, 4)), 4);
    store<u32>(record, bswap<u32>(load<u32>(key, 8)), 8);
    store<u32>(record, bswap<u32>(load<u32>(key, 12)), 12);
    store<i32>(record, firstId + i, 16);
    store<u32>(record, load<u32>(metricsAt + (<usize>i << 2)), 20);
    store<u8>(record, load<u8>(familyAt + <usize>i), 24);
    store<u8>(record, load<u8>(lengthAt + <usize>i), 25);
    store<u8>(record, 0, 26);
    store<u32>(record, attributeClass, 28);
  }
}

/** As addRoutes, for `count` records at `records` (recordsFromColumns') rather than in the I/O region. */
export function addRoutesAt(records: usize, count: i32, deferLookup: bool): void {
  insertRecords(records, count, deferLookup, false, false);
}

/** Records the last addRoutes or plainInsert marked as duplicates of routes present. */
let duplicatesMarked: i32 = 0;

/** How many records the last addRoutes or plainInsert call marked as duplicates: when none, the host need not look. */
export function insertedDuplicates(): i32 {
  return duplicatesMarked;
}

function insertRecords(records: usize, count: i32, deferLookup: bool, replace: bool, everyMetric: bool): i32 {
  let replaced = 0;
  duplicatesMarked = 0;
  for (let i = 0; i < count; i++) {
    const record = records + <usize>i * ROUTE_INPUT;
    replaced = insertRoute(load<i32>(record, 16), <i32>load<u8>(record, 24), loadHi(record), loadLo(record), <i32>load<u8>(record, 25),
      load<u32>(record, 20), load<u32>(record, 28), replace, everyMetric, replaced, deferLookup);
    if (insertedOver >= 0) {
      duplicatesMarked++;
      store<u8>(record, 1, 26);
      store<i32>(record, insertedOver, 28);
    }
  }
  return replaced;
}

// --- routes from plain-format text (routes/plain.ts), in three steps: scan, the host names the
// labels and gives each (next hop, device) pair its attribute class, insert.

/**
 * Scans `length` bytes of plain-format text at `text`, `lines` lines a call: -2 asks for another
 * call; done, the number of routes, or -1: the host parses the text itself.
 */
export function plainScan(text: usize, length: u32, lines: u32): i32 {
  return scanPlain(text, length, lines);
}

/** Distinct labels of the last scan: u32 offset into the text and u32 length each. */
export function plainLabels(): usize { return plainScanLabels; }
export function plainLabelCount(): u32 { return plainScanLabelCount; }
/** Distinct (next hop, device) pairs: i32 label, i32 label (-1: none), u32 attribute class for the host to set. */
export function plainPairs(): usize { return plainScanPairs; }
export function plainPairCount(): u32 { return plainScanPairCount; }
/** The scanned routes as addRoutes records; after plainInsert, duplicates are marked as addRoutes marks them. */
export function plainRecords(): usize { return plainScanRecords; }
/** Per scanned route, u32: the number of its (next hop, device) pair. */
export function plainRecordPairs(): usize { return plainScanRecordPairs; }

/**
 * Adds scanned routes `start` to `start + count` - 1 under the ids the host wrote in their records
 * (free ids first; it made room for them with ensureRouteIds), each with its pair's attribute
 * class (called in pieces, as plainScan). With `deferLookup` the lookup structure waits for `rebuild`.
 */
export function plainInsert(start: i32, count: i32, deferLookup: bool): void {
  for (let i = start; i < start + count; i++) {
    const record = plainScanRecords + <usize>i * ROUTE_INPUT;
    const pair = load<u32>(plainScanRecordPairs + (<usize>i << 2));
    store<u32>(record, load<u32>(plainScanPairs + <usize>pair * 12, 8), 28);
  }
  insertRecords(plainScanRecords + <usize>start * ROUTE_INPUT, count, deferLookup, false, false);
}

/**
 * Puts the `count` scanned routes in prefix order (fib/bulk-order.ts), before the host numbers
 * them, for a bulk load: the RIB walks, the route records and the host's columns then go in order.
 */
export function plainSortByPrefix(count: i32): void {
  sortScannedByPrefix(<u32>count);
}

/**
 * Numbers the `count` scanned routes from `firstId` on and packs the host's columns of them
 * (family u8s, then prefix length u8s at `count`, metrics and classes where the two calls below
 * say): the block, or 0 when memory is short. Call it once the pairs' classes are set.
 */
export function plainPackColumns(count: i32, firstId: i32): usize {
  return packColumns(<u32>count, firstId);
}
export function plainPackedMetrics(): usize { return packedMetrics; }
export function plainPackedClasses(): usize { return packedClasses; }
/** How many of the packed routes are IPv4. */
export function plainPackedIPv4(): u32 { return packedIPv4; }

/**
 * Adds the routes `start` to `start + count` - 1 (at most mrtRibBatchRoutes()) of the last MRT RIB
 * scan (mrt/rib-routes.ts) under the ids `firstId + start`... (room made with ensureRouteIds),
 * through addRoutes records at the address returned, where duplicates are then marked.
 */
export function mrtRibInsert(start: u32, count: u32, firstId: i32, deferLookup: bool): usize {
  const records = mrtRibBatch(start, count, firstId);
  insertRecords(records, <i32>count, deferLookup, false, false);
  return records;
}

/** Makes room for route ids below `count` at once (a bulk load). */
export function ensureRouteIds(count: i32): void {
  ensureRouteCapacity(count);
}

/** Gives back the memory of the last scan. */
export function plainFree(): void {
  freeScan();
}

/** Removes every route of the prefix whose key is at the start of the I/O region; lists their ids at `removedPointer()`. */
export function removePrefix(family: i32, length: i32): i32 {
  return removeAllOfPrefix(family, loadHi(io), loadLo(io), length, 0);
}

/** Removes the `count` route ids listed in the I/O region; returns how many existed. */
export function removeRoutes(count: i32): i32 {
  let removed = 0;
  for (let i = 0; i < count; i++) {
    const id = load<i32>(io + (<usize>i << 2));
    if (!routeExists(id)) continue;
    const t = tableOf(routeFamily(id));
    if (ribRemove(t.rib, id)) {
      refreshAbove(t.rib, routeHi(id), routeLength(id));
      updatePrefix(t, routeHi(id), routeLo(id), routeLength(id));
      removed++;
    }
    clearRoute(id);
  }
  return removed;
}

/** Rebuilds one family's lookup structure from its RIB. */
export function rebuild(family: i32): void {
  rebuildAll(tableOf(family));
}

/** Rebuilds the family's table on a direct array of `bits` bits (tests of both forms of each family); false past the memory limit. */
export function useDirectBits(family: i32, bits: i32): bool {
  return rebuildResized(tableOf(family), bits);
}

/** Lists the ids of the routes for the prefix whose key is at the start of the I/O region, best first. */
export function routesAt(family: i32, length: i32): i32 {
  const node = findNode(tableOf(family).rib, loadHi(io), loadLo(io), length, false);
  if (!node) return 0;
  let count = 0;
  for (let id = head(node); id >= 0; id = routeNext(id)) {
    store<i32>(io + 16 + (<usize>count << 2), id);
    count++;
  }
  return count;
}

export function lookup4(addr: u32): i32 {
  return find4(fib4.direct, fib4.directBits, addr);
}

/** Looks up `count` host-order IPv4 addresses from the I/O region into IO_OUTPUT. */
export function lookup4Batch(count: i32): void {
  lookup4Many(fib4.direct, fib4.directBits, io, io + IO_OUTPUT, count);
  lookupsDone4(count);
}

/** Looks up the 16-byte address at the start of the I/O region. */
export function lookup6(): i32 {
  return find6(fib6.direct, fib6.directBits, loadHi(io), loadLo(io));
}

/** Looks up `count` 16-byte IPv6 addresses from the I/O region into IO_OUTPUT. */
export function lookup6Batch(count: i32): void {
  lookup6Many(fib6.direct, fib6.directBits, io, io + IO_OUTPUT, count);
  lookupsDone6(count);
}

/**
 * Gives route `id` `count` next hops whose u32 weights are at the start of the I/O region
 * (multipath: each flow takes one, in proportion to the weights); fewer than 2 means one.
 */
export function routePathsSet(id: i32, count: u32): void {
  if (routeExists(id)) setRoutePaths(id, min(count, <u32>(IO_BYTES >> 2)), io);
}

/** Where route `id`'s record is (see fib/routes.ts), for the host to read its prefix. */
export function routeRecordPointer(id: i32): usize {
  return routeExists(id) ? routeRecord(id) : 0;
}

/** Bytes in use by pool: 0 IPv4 lookup, 1 IPv6 lookup, 2 RIB and route records, 3 other. */
export function poolBytes(pool: i32): f64 {
  return <f64>poolBytesInUse(pool);
}
export * from './report/top-destinations';
export * from './classify/exports';
export * from './checks/exports';
export * from './report/route-exports';
export * from './threads/anomaly-log';
export * from './threads/merge-destinations';
export * from './threads/merge-routes';
export * from './compare/indent';
export * from './compare/side-rows';
export * from './compare/covering';
export * from './count/top-routes';
export * from './intervals/exports';
export * from './route-updates';
export { updateLinesScan, updateLinesColumn, updateLinesTexts, updateLinesFree } from './updates/update-lines';
export { stepsCapacity, stepsRecordsPointer, stepsTimesPointer, stepsRemovedEndsPointer, stepsStage, stepsApplied, stepsApplyUpTo } from './updates/in-step';

/** For tests: 0 when one family's RIB keeps every rule of its shape (fib/rib-check.ts), else the rule broken. */
export function ribCheckShape(family: i32): i32 {
  return ribCheck(tableOf(family).rib);
}
export { ribCheckedNodes };
