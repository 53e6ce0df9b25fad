// Exports for reading MRT RIB dumps (rib-scan.ts): the host passes the file through a window,
// marks the chosen peers of each PEER_INDEX_TABLE and scans; it decodes each distinct next hop and
// community list once, copies the AS paths' bytes (decoded when a route is read),
// gives the next hops their classes (mrtRibGiveClasses), copies the columns (rib-routes.ts), and
// inserts the routes with mrtRibInsert (index.ts), a batch a call.

import {
  entriesPassedOver, freeRibScan, hopClasses, releaseInsertedScan, hopOrder, hopOrderCount, needLength, needOffset, ribScanPeers, scanRib, setWindow,
  startRibScan, stopOffset, stopSubtype, stopType, table, PATHS,
} from './rib-scan';
import {
  batchIpv4, columnClass, columnFamily, columnLength, columnMetric, columnPath, communityRefs, giveClasses, routeCount, BATCH_ROUTES,
} from './rib-routes';
import { otherPaths } from './path-batch';
import { arena, arenaLength, ENTRY_BYTES, tableCount, tableEntries } from './blob-table';

/** Starts a scan of a file of `length` bytes; false when memory is too short. */
export function mrtRibStart(length: u32): bool { return startRibScan(length); }
/** The host has put the `length` bytes of the file from `offset` at `at` (kept until the next call or mrtRibFree). */
export function mrtRibWindow(at: usize, length: u32, offset: u32): void { setWindow(at, length, offset); }
/** After RIB_SCAN_NEED_BYTES: the file offset the window should start at, and the bytes it needs at least. */
export function mrtRibNeedOffset(): u32 { return needOffset; }
export function mrtRibNeedLength(): u32 { return needLength; }
/** Goes on, at most `records` records: a RIB_SCAN_ status of rib-scan.ts. */
export function mrtRibScan(records: u32): i32 { return scanRib(records); }
/** u8 per peer of the PEER_INDEX_TABLE just read, for the host to mark (1: load its routes); 0 when memory is too short. */
export function mrtRibPeers(peers: i32): usize { return ribScanPeers(peers); }
export function mrtRibRouteCount(): u32 { return routeCount; }
/** Per route, 2 u32: the number + 1 (0: none) of its COMMUNITIES and LARGE_COMMUNITIES; 0 when no route has either. */
export function mrtRibCommunityRefs(): usize { return communityRefs; }
export function mrtRibEntriesPassedOver(): u32 { return entriesPassedOver; }
export function mrtRibStopOffset(): u32 { return stopOffset; }
export function mrtRibStopType(): u32 { return stopType; }
export function mrtRibStopSubtype(): u32 { return stopSubtype; }
/** The distinct values of table `which` (NEXT_HOPS 0, PATHS 1, COMMUNITIES 2, LARGE_COMMUNITIES 3): ENTRY_BYTES each, @4 offset in the arena @8 length @12 tag. */
export function mrtRibValues(which: i32): usize { return tableEntries(table(which)); }
export function mrtRibValueCount(which: i32): u32 { return tableCount(table(which)); }
export function mrtRibValueBytes(): u32 { return <u32>ENTRY_BYTES; }
/** The bytes of the values, `mrtRibArenaLength()` of them. */
export function mrtRibArena(): usize { return arena; }
export function mrtRibArenaLength(): u32 { return arenaLength; }
/** Next-hop numbers (u32) in the order routes first take them. */
export function mrtRibHopOrder(): usize { return hopOrder; }
export function mrtRibHopOrderCount(): u32 { return hopOrderCount; }
/** Distinct AS paths other than one AS_SEQUENCE of 4-octet AS numbers (0: the host need not look for them). */
export function mrtRibOtherPaths(): u32 { return otherPaths; }
/** u32 per next hop number + 1 (index 0: none), for the host to write the attribute class of each into. */
export function mrtRibHopClasses(): usize { return hopClasses; }
/** Gives each route the class of its next hop (mrtRibHopClasses, filled by the host) in the class column. */
export function mrtRibGiveClasses(): void { giveClasses(hopClasses); }
/** Per route: u8 family, u8 prefix length, u32 metric, u32 attribute class (after mrtRibGiveClasses), u32 AS path number + 1. */
export function mrtRibColumnFamily(): usize { return columnFamily; }
export function mrtRibColumnLength(): usize { return columnLength; }
export function mrtRibColumnMetric(): usize { return columnMetric; }
export function mrtRibColumnClass(): usize { return columnClass; }
export function mrtRibColumnPath(): usize { return columnPath; }
/** Routes a mrtRibInsert call takes at most. */
export function mrtRibBatchRoutes(): u32 { return BATCH_ROUTES; }
/** The IPv4 routes among those of the last mrtRibInsert call. */
export function mrtRibBatchIpv4(): u32 { return batchIpv4; }
/** Once the routes are in: gives back all but what mrtRibColumnPath and mrtRibCommunityRefs give. */
export function mrtRibRelease(): void { releaseInsertedScan(); }
/** Gives back the memory of the last scan. */
export function mrtRibFree(): void { freeRibScan(); }
