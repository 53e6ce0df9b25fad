// The RIB records of an MRT TABLE_DUMP_V2 dump (RFC 6396 4.3.2) read in WebAssembly, for dumps of
// a million prefixes (src/mrt/rib-scan.ts drives it). Per record it takes the first entry of a
// chosen peer, as src/mrt/table-dump-v2.ts does, and appends a route (rib-routes.ts) with the
// entry's MULTI_EXIT_DISC as metric, and the numbers of the entry's next hop, AS_PATH,
// COMMUNITIES and LARGE_COMMUNITIES among the distinct ones of the file (blob-table.ts), which
// the host decodes once each (AS paths only when a route of one is read: src/fib/lazy-as-paths.ts).
// The AS paths are numbered a batch at a time (path-batch.ts says why).
//
// The file comes through a window the host refills (RIB_SCAN_NEED_BYTES), so a file of 50 MB
// does not take 50 MB of fresh memory, which costs more to touch than to read.
//
// This is the fast path only. It stops at every record that is not RIB_IPV4_UNICAST or
// RIB_IPV6_UNICAST for the host to read (a PEER_INDEX_TABLE, a record to skip), and gives up on
// anything the host's reader would refuse or word (a malformed or truncated record, an attribute
// of the wrong length): the host then reads the whole file itself, with its messages.

import { free, growAhead, tryAlloc, POOL_OTHER } from '../memory/alloc';
import { clearArena, clearTable, intern, reserve, tableCount, TABLE_BYTES } from './blob-table';
import { batchFull, flushPaths, queuePath, resetPathBatch, resolvedPath } from './path-batch';
import { addRoute, freeRoutes, releaseInserted, startBatches, startRoutes } from './rib-routes';

/** The whole file is read. */
export const RIB_SCAN_DONE: i32 = 0;
/** The host reads the whole file itself. */
export const RIB_SCAN_UNSURE: i32 = -1;
/** Stopped after `records` records: call again. */
export const RIB_SCAN_MORE: i32 = -2;
/** Memory is too short for the scan. */
export const RIB_SCAN_NO_MEMORY: i32 = -3;
/** Stopped at a record of another kind (stopOffset, stopType, stopSubtype) for the host to read; call again to go on after it. */
export const RIB_SCAN_OTHER: i32 = -4;
/** The window holds no whole record more: the host puts the file from needOffset (needLength bytes at least) in it (setWindow). */
export const RIB_SCAN_NEED_BYTES: i32 = -5;

/** The tables of distinct values: next hops (tag NEXT_HOP or MP_REACH_NLRI), AS paths, communities, large communities. */
export const NEXT_HOPS: i32 = 0, PATHS: i32 = 1, COMMUNITIES: i32 = 2, LARGE_COMMUNITIES: i32 = 3;
const tables = memory.data(4 * <i32>TABLE_BYTES);
export function table(which: i32): usize { return tables + <usize>which * TABLE_BYTES; }

const HEADER_BYTES: u32 = 12;
const TABLE_DUMP_V2: u32 = 13, RIB_IPV4_UNICAST: u32 = 2, RIB_IPV6_UNICAST: u32 = 4;
const BGP4MP_ET: u32 = 17, ISIS_ET: u32 = 33, OSPFV3_ET: u32 = 49;
const ATTR_NEXT_HOP: u32 = 3, ATTR_AS_PATH: u32 = 2, ATTR_MED: u32 = 4, ATTR_COMMUNITIES: u32 = 8;
const ATTR_MP_REACH: u32 = 14, ATTR_LARGE_COMMUNITIES: u32 = 32;
const EXTENDED_LENGTH: u32 = 0x10;

/** Heap bytes a load takes per byte of the dump (a full table of one peer: 115 MB for 52 MB). */
const HEAP_PER_DUMP_BYTE: u64 = 2;
const HEAP_AHEAD_MOST: u64 = 256 << 20;
/** File bytes per AS path reserved for at the start, and the most paths reserved for. */
const PATH_RESERVE_BYTES: u32 = 256;
const PATHS_RESERVED: u32 = 1 << 18;

/** Entries not loaded: of peers not chosen, or after the one taken for their prefix. */
export let entriesPassedOver: u32 = 0;
/** File offsets. */
export let stopOffset: u32 = 0;
export let needOffset: u32 = 0;
export let needLength: u32 = 0;
export let stopType: u32 = 0;
export let stopSubtype: u32 = 0;

// the window (`fileLength` bytes from `windowStart` of the file's `totalLength`) and where the scan stands in it
let file: usize = 0;
let fileLength: u32 = 0;
let windowStart: u32 = 0;
let totalLength: u32 = 0;
let pos: u32 = 0;
/** u8 per peer of the PEER_INDEX_TABLE: 1 when its routes load; peerCount -1 before any table. */
let chosen: usize = 0;
let peerCount: i32 = -1;

// the last entry's attributes, and what they gave: neighbouring prefixes often share them
let lastStart: usize = 0;
let lastLength: u32 = 0;
let lastNextHop4: i32 = -1;
let lastNextHopMp: i32 = -1;
let lastPath: i32 = -1;
let lastCommunities: i32 = -1;
let lastLarge: i32 = -1;
let lastMed: u32 = 0;
let haveLast = false;

/** Starts reading a file of `length` bytes (the first call asks for its start); false when memory is too short. */
export function startRibScan(length: u32): bool {
  freeRibScan();
  file = 0;
  fileLength = windowStart = 0;
  totalLength = length;
  // the heap a load of one peer's routes reaches, scan and table: some 2 bytes per byte of the
  // dump, at most HEAP_AHEAD_MOST (a bigger dump is of many peers, whose routes are not all loaded)
  growAhead(min<u64>(<u64>length * HEAP_PER_DUMP_BYTE, HEAP_AHEAD_MOST));
  // a one-prefix, one-entry RIB record takes some 55 bytes or more
  if (!startRoutes(length / 48)) return false;
  // the AS paths' table sized up front, for a full table's some 200 000 paths not to rehash it 9
  // times: a path per 4 prefixes or so (a guess, and a table outgrowing it grows), each some 16
  // bytes; at most PATHS_RESERVED, for a dump of many peers whose routes are not all loaded
  const paths = min<u32>(length / PATH_RESERVE_BYTES, PATHS_RESERVED);
  reserve(table(PATHS), paths, paths * 16);
  return true;
}

/** Room for the host to mark the `peers` peers of a PEER_INDEX_TABLE (u8 each, 1: load its routes); 0 when memory is too short. */
export function ribScanPeers(peers: i32): usize {
  if (peerCount >= 0) free(chosen, <usize>max(peerCount, 1), POOL_OTHER);
  peerCount = -1;
  chosen = tryAlloc(<usize>max(peers, 1), POOL_OTHER);
  if (chosen) peerCount = peers;
  return chosen;
}

/** The window now holds the `length` bytes of the file from `offset` at `at`. */
export function setWindow(at: usize, length: u32, offset: u32): void {
  file = at;
  fileLength = length;
  windowStart = offset;
  pos = 0;
  // the last entry's attributes were in the window
  haveLast = false;
}

/** The record at `at` of the window needs `length` bytes: RIB_SCAN_NEED_BYTES, or RIB_SCAN_UNSURE when the file has not got them. */
function needBytes(at: u32, length: u64): i32 {
  if (<u64>windowStart + <u64>at + length > <u64>totalLength) return RIB_SCAN_UNSURE; // cut: the host's reader says where
  needOffset = windowStart + at;
  needLength = <u32>length;
  return RIB_SCAN_NEED_BYTES;
}

/**
 * Once the routes are in: gives back all but the AS path and community numbers of the routes,
 * which the host reads last (rib-routes.ts releaseInserted says why); it has copied the distinct
 * values' bytes out before.
 */
export function releaseInsertedScan(): void {
  releaseInserted();
  freeHopOrder();
  freeHopClasses();
  for (let t = 0; t < 4; t++) clearTable(table(t));
  clearArena();
}

export function freeRibScan(): void {
  releaseInsertedScan();
  freeRoutes();
  resetPathBatch();
  if (peerCount >= 0) free(chosen, <usize>max(peerCount, 1), POOL_OTHER);
  peerCount = -1;
  memory.fill(hopCache, 0, <usize>HOP_CACHE_SLOTS * 8);
  entriesPassedOver = 0;
  pos = 0;
  haveLast = false;
}

@inline function u16At(at: u32): u32 { return <u32>bswap<u16>(load<u16>(file + <usize>at)); }
@inline function u32At(at: u32): u32 { return bswap<u32>(load<u32>(file + <usize>at)); }

/** Reads on, `limit` records a call (V8 optimises a function only between calls); one of the RIB_SCAN_ statuses. */
export function scanRib(limit: u32): i32 {
  const status = scanRecords(limit);
  // the queued AS paths are bytes of the window, which the host may refill once this returns
  if (!flushQueuedPaths()) return RIB_SCAN_NO_MEMORY;
  if (status == RIB_SCAN_DONE && !endScan()) return RIB_SCAN_NO_MEMORY;
  return status;
}

/** Numbers the queued AS paths (path-batch.ts), the last entry's too; false when memory is too short. */
function flushQueuedPaths(): bool {
  if (!flushPaths(table(PATHS))) return false;
  lastPath = resolvedPath(lastPath);
  return true;
}

function scanRecords(limit: u32): i32 {
  for (let n: u32 = 0; n < limit; n++) {
    const at = pos;
    if (at >= fileLength && windowStart + fileLength >= totalLength) return RIB_SCAN_DONE;
    if (fileLength - at < HEADER_BYTES) return needBytes(at, HEADER_BYTES);
    const type = u16At(at + 4);
    const subtype = u16At(at + 6);
    const length = u32At(at + 8);
    if (<u64>length > <u64>(fileLength - at - HEADER_BYTES)) return needBytes(at, <u64>HEADER_BYTES + <u64>length);
    const bodyEnd = at + HEADER_BYTES + length;
    if ((type == BGP4MP_ET || type == ISIS_ET || type == OSPFV3_ET) && length < 4) return RIB_SCAN_UNSURE;
    pos = bodyEnd;
    if (type != TABLE_DUMP_V2 || (subtype != RIB_IPV4_UNICAST && subtype != RIB_IPV6_UNICAST)) {
      stopOffset = windowStart + at;
      stopType = type;
      stopSubtype = subtype;
      return RIB_SCAN_OTHER;
    }
    if (peerCount < 0) return RIB_SCAN_UNSURE;
    const status = readRib(at + HEADER_BYTES, bodyEnd, subtype == RIB_IPV4_UNICAST ? 4 : 6);
    if (status != 0) return status;
  }
  return RIB_SCAN_MORE;
}

/** One RIB record's body `[at, end)`: 0, or RIB_SCAN_UNSURE / RIB_SCAN_NO_MEMORY. */
function readRib(at: u32, end: u32, family: u32): i32 {
  if (end - at < 5) return RIB_SCAN_UNSURE;
  const prefixLength = <u32>load<u8>(file + <usize>at + 4);
  if (prefixLength > (family == 4 ? 32 : 128)) return RIB_SCAN_UNSURE;
  const octets = (prefixLength + 7) >> 3;
  at += 5;
  if (at + octets + 2 > end) return RIB_SCAN_UNSURE;
  const prefixAt = at;
  at += octets;
  const entries = u16At(at);
  at += 2;
  for (let e: u32 = 0; e < entries; e++) {
    if (at + 8 > end) return RIB_SCAN_UNSURE;
    const peer = u16At(at);
    const attributesLength = u16At(at + 6);
    const attributesStart = at + 8;
    at = attributesStart + attributesLength;
    if (at > end || <i32>peer >= peerCount) return RIB_SCAN_UNSURE;
    if (load<u8>(chosen + <usize>peer) == 0) {
      entriesPassedOver++;
      continue;
    }
    const status = readAttributes(file + <usize>attributesStart, attributesLength);
    if (status != 0) return status;
    entriesPassedOver += entries - e - 1;
    return addEntryRoute(family, prefixLength, file + <usize>prefixAt, octets);
  }
  return 0;
}

/** The attributes of an entry into the last* globals: 0, or RIB_SCAN_UNSURE / RIB_SCAN_NO_MEMORY. */
function readAttributes(start: usize, length: u32): i32 {
  if (haveLast && lastLength == length && sameBytes(lastStart, start, length)) return 0;
  haveLast = false;
  let nextHop4 = -1, nextHopMp = -1;
  let path = -1, communities = -1, large = -1;
  let med: u32 = 0;
  const end = start + <usize>length;
  let i = start;
  while (i < end) {
    const flags = <u32>load<u8>(i);
    const headerLength: usize = (flags & EXTENDED_LENGTH) != 0 ? 4 : 3;
    if (end - i < headerLength) return RIB_SCAN_UNSURE;
    const type = <u32>load<u8>(i, 1);
    const valueLength = headerLength == 4 ? <u32>bswap<u16>(load<u16>(i, 2)) : <u32>load<u8>(i, 2);
    const value = i + headerLength;
    if (value + <usize>valueLength > end) return RIB_SCAN_UNSURE;
    i = value + <usize>valueLength;
    let id = 0;
    if (type == ATTR_NEXT_HOP) {
      if (valueLength != 4) return RIB_SCAN_UNSURE;
      id = nextHop4 = nextHopNumber(value);
    } else if (type == ATTR_AS_PATH) {
      // numbered a batch at a time (path-batch.ts): a pending number until then
      if (batchFull() && !flushQueuedPaths()) return RIB_SCAN_NO_MEMORY;
      id = path = queuePath(value, valueLength);
    } else if (type == ATTR_MED) {
      if (valueLength != 4) return RIB_SCAN_UNSURE;
      med = bswap<u32>(load<u32>(value));
    } else if (type == ATTR_COMMUNITIES) {
      id = communities = intern(table(COMMUNITIES), value, valueLength, 0);
    } else if (type == ATTR_LARGE_COMMUNITIES) {
      id = large = intern(table(LARGE_COMMUNITIES), value, valueLength, 0);
    } else if (type == ATTR_MP_REACH) {
      // interned even when the route takes NEXT_HOP: the host decodes it, and refuses it as routes.ts does
      id = nextHopMp = intern(table(NEXT_HOPS), value, valueLength, ATTR_MP_REACH);
    }
    if (id < 0) return RIB_SCAN_NO_MEMORY;
  }
  lastStart = start;
  lastLength = length;
  lastNextHop4 = nextHop4;
  lastNextHopMp = nextHopMp;
  lastPath = path;
  lastCommunities = communities;
  lastLarge = large;
  lastMed = med;
  haveLast = true;
  return 0;
}

/**
 * Next hops in the order routes first take them (an entry's other next hop may be taken by no
 * route): the host makes their attribute classes in that order, as for any other load.
 */
export let hopOrder: usize = 0;
export let hopOrderCount: u32 = 0;
let hopOrderCapacity: u32 = 0;
/** u8 per next hop number: 1 once in hopOrder. */
let hopTaken: usize = 0;
let hopTakenCapacity: u32 = 0;

function noteHopUsed(hop: i32): bool {
  const n = <u32>hop;
  if (n >= hopTakenCapacity) {
    const next = max<u32>(1024, n * 2);
    const grown = tryAlloc(next, POOL_OTHER);
    if (!grown) return false;
    memory.fill(grown, 0, next);
    if (hopTakenCapacity) {
      memory.copy(grown, hopTaken, hopTakenCapacity);
      free(hopTaken, hopTakenCapacity, POOL_OTHER);
    }
    hopTaken = grown;
    hopTakenCapacity = next;
  }
  if (load<u8>(hopTaken + <usize>n)) return true;
  if (hopOrderCount == hopOrderCapacity) {
    const next = max<u32>(256, hopOrderCapacity * 2);
    const grown = tryAlloc(<usize>next << 2, POOL_OTHER);
    if (!grown) return false;
    if (hopOrderCapacity) {
      memory.copy(grown, hopOrder, <usize>hopOrderCount << 2);
      free(hopOrder, <usize>hopOrderCapacity << 2, POOL_OTHER);
    }
    hopOrder = grown;
    hopOrderCapacity = next;
  }
  store<u8>(hopTaken + <usize>n, 1);
  store<u32>(hopOrder + (<usize>hopOrderCount << 2), n);
  hopOrderCount++;
  return true;
}

function freeHopOrder(): void {
  if (hopTakenCapacity) free(hopTaken, hopTakenCapacity, POOL_OTHER);
  if (hopOrderCapacity) free(hopOrder, <usize>hopOrderCapacity << 2, POOL_OTHER);
  hopTakenCapacity = hopOrderCapacity = hopOrderCount = 0;
  hopTaken = hopOrder = 0;
}

@inline function sameBytes(a: usize, b: usize, length: u32): bool {
  let i: u32 = 0;
  for (; i + 8 <= length; i += 8) if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
  for (; i < length; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

// NEXT_HOP values seen lately by slot, u32 value and u32 number + 1 (0: empty): a table has a
// few next hops, and hashing one for every route costs a fifth of the scan
const HOP_CACHE_SLOTS: u32 = 1024;
const hopCache = memory.data(<i32>HOP_CACHE_SLOTS * 8);

/** The number of the NEXT_HOP value at `value`; -1 when memory is too short. */
@inline function nextHopNumber(value: usize): i32 {
  const address = load<u32>(value);
  const slot = hopCache + (<usize>((address * 0x9e3779b1) >>> 22) << 3);
  const known = load<u32>(slot, 4);
  if (known != 0 && load<u32>(slot) == address) return <i32>(known - 1);
  const id = intern(table(NEXT_HOPS), value, 4, ATTR_NEXT_HOP);
  if (id >= 0) {
    store<u32>(slot, address);
    store<u32>(slot, <u32>id + 1, 4);
  }
  return id;
}

/** Appends the route of the prefix at `prefix` with the last entry's attributes: 0, or RIB_SCAN_NO_MEMORY. */
function addEntryRoute(family: u32, prefixLength: u32, prefix: usize, octets: u32): i32 {
  // as the host's reader: a route's own family's next hop first, else the other
  const nextHop = family == 4 ? (lastNextHop4 >= 0 ? lastNextHop4 : lastNextHopMp) : (lastNextHopMp >= 0 ? lastNextHopMp : lastNextHop4);
  if (nextHop >= 0 && !noteHopUsed(nextHop)) return RIB_SCAN_NO_MEMORY;
  return addRoute(family, prefixLength, prefix, octets, lastMed, lastPath, nextHop, lastCommunities, lastLarge) ? 0 : RIB_SCAN_NO_MEMORY;
}

// --- after the scan

/** u32 per next hop number + 1 (index 0: none): the attribute class the host gives it. */
export let hopClasses: usize = 0;
let hopClassCount: u32 = 0;

/** Room for the classes and the insert's records; false when memory is too short. */
function endScan(): bool {
  freeHopClasses();
  hopClassCount = tableCount(table(NEXT_HOPS)) + 1;
  hopClasses = tryAlloc(<usize>hopClassCount << 2, POOL_OTHER);
  if (!hopClasses || !startBatches()) return false;
  memory.fill(hopClasses, 0, <usize>hopClassCount << 2);
  return true;
}

function freeHopClasses(): void {
  if (hopClasses) free(hopClasses, <usize>hopClassCount << 2, POOL_OTHER);
  hopClasses = 0;
  hopClassCount = 0;
}
