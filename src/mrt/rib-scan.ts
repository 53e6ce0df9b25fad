// A TABLE_DUMP_V2 RIB dump read in WebAssembly (assembly/mrt/rib-scan.ts), for full tables: the
// file passes through a window of WebAssembly memory this side refills, the scan walks the
// records and writes one addRoutes record per prefix, with the numbers of the
// entry's next hop, AS path and community lists among the file's distinct ones; this side reads
// the few records the scan stops at (PEER_INDEX_TABLE, kinds to skip) and decodes each distinct
// next hop and community list once, with the decoders of src/mrt/attributes.ts; the distinct AS
// paths it copies as bytes, decoded when a route of one is read (src/fib/lazy-as-paths.ts). What routes.ts loads and notes, the
// same routes in the same order; anything else (TABLE_DUMP or BGP4MP records, a malformed or
// truncated record, memory too short) leaves the file to routes.ts, which reads it with its
// messages.
import { Malformed } from '../bgp/message/attributes/attribute.js';
import { formatIPv4 } from '../net/address.js';
import type { AsAttributes } from '../routes/route.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { AsPathTable } from '../fib/lazy-as-paths.js';
import { decodeAs4Path, frozenCommunities, frozenLargeCommunities, isSequencePath, mpReachNextHop } from './attributes.js';
import { recordKindName } from './constants.js';
import { parsePeerFilter } from './peers.js';
import { MrtRecords } from './records.js';
import { choosePeers, recordRole, type MrtLoadNotes, type MrtRoutesOptions } from './routes.js';
import { readPeerIndexTable } from './table-dump-v2.js';

/** Records a scan call reads (V8 optimises WebAssembly between calls, not within a long one). */
const STEP = 16384;
const RIB_SCAN_DONE = 0;
const RIB_SCAN_MORE = -2;
const RIB_SCAN_OTHER = -4;
const RIB_SCAN_NEED_BYTES = -5;
/** Bytes of the file in WebAssembly memory at once (more for a longer record). */
const WINDOW_BYTES = 2 << 20;
const NEXT_HOPS = 0, PATHS = 1, COMMUNITIES = 2, LARGE_COMMUNITIES = 3;
/** The tag of a next hop's bytes: a NEXT_HOP attribute's value (else MP_REACH_NLRI's). */
const TAG_NEXT_HOP = 3;

/**
 * The routes of a scan, in WebAssembly memory until `free()`, in columns
 * (assembly/mrt/rib-routes.ts). `nextHops[n]` is the next hop of number + 1 n (index 0: none);
 * `pathNumbers()`, `pathTable()` and `communityColumn()` give the BGP attributes of each route, best read after the
 * routes are in: they are most of the load's JavaScript objects, and each growth of WebAssembly
 * memory makes V8 collect garbage over every object there is.
 */
export class MrtRibScan {
  readonly count: number;
  /** Index 0: none. */
  readonly nextHops: (string | null)[];
  readonly notes: MrtLoadNotes;
  /** The distinct AS paths, their bytes copied out before release() gives back the table. */
  private readonly paths: AsPathTable;
  private readonly communityLists: (readonly string[] | undefined)[];
  private readonly largeLists: (readonly string[] | undefined)[];
  private readonly both = new Map<number, readonly string[]>();

  private constructor(private readonly wasm: FibscopeExports, notes: MrtLoadNotes) {
    this.count = wasm.mrtRibRouteCount();
    this.notes = notes;
    // the bytes of the distinct values (no call below grows WebAssembly memory, which would detach this view)
    const bytes = new Uint8Array(wasm.memory.buffer, wasm.mrtRibArena() >>> 0, wasm.mrtRibArenaLength());
    // a value that does not decode: routes.ts reads the file and words the error
    this.nextHops = [null, ...decodeValues(wasm, NEXT_HOPS, (at, end, tag) => tag === TAG_NEXT_HOP
      ? formatIPv4(((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0)
      : mpReachNextHop(bytes, at, end))];
    this.paths = copyPaths(wasm, bytes);
    this.communityLists = [undefined, ...decodeValues(wasm, COMMUNITIES, (at, end) => frozenCommunities(bytes, at, end))];
    this.largeLists = [undefined, ...decodeValues(wasm, LARGE_COMMUNITIES, (at, end) => frozenLargeCommunities(bytes, at, end))];
  }

  /** Next-hop numbers + 1 in the order routes first take them (make their attribute classes in this order). */
  hopOrder(): Uint32Array {
    return new Uint32Array(this.wasm.memory.buffer, this.wasm.mrtRibHopOrder() >>> 0, this.wasm.mrtRibHopOrderCount()).map((hop) => hop + 1);
  }

  /** The AS path number of each route (0: none, else its distinct path of pathTable()), copied out of WebAssembly memory. */
  pathNumbers(): Uint32Array {
    return new Uint32Array(this.wasm.memory.buffer, this.wasm.mrtRibColumnPath() >>> 0, this.count).slice();
  }

  /** The scan's distinct AS paths as bytes (LazyAsPaths makes their objects when read). */
  pathTable(): AsPathTable {
    return this.paths;
  }

  /**
   * Gives each route the attribute class `hopClasses[n]` of its next hop number + 1 n; returns the
   * columns of the routes (views of WebAssembly memory: use them before the next call that may grow it).
   */
  columns(hopClasses: Uint32Array): { family: Uint8Array; prefixLength: Uint8Array; metric: Uint32Array; routeClass: Uint32Array; path: Uint32Array } {
    const wasm = this.wasm;
    new Uint32Array(wasm.memory.buffer, wasm.mrtRibHopClasses() >>> 0, hopClasses.length).set(hopClasses);
    wasm.mrtRibGiveClasses();
    const buffer = wasm.memory.buffer;
    const count = this.count;
    return {
      family: new Uint8Array(buffer, wasm.mrtRibColumnFamily() >>> 0, count),
      prefixLength: new Uint8Array(buffer, wasm.mrtRibColumnLength() >>> 0, count),
      metric: new Uint32Array(buffer, wasm.mrtRibColumnMetric() >>> 0, count),
      routeClass: new Uint32Array(buffer, wasm.mrtRibColumnClass() >>> 0, count),
      path: new Uint32Array(buffer, wasm.mrtRibColumnPath() >>> 0, count),
    };
  }

  /** Gives back the memory the insert needed (all but what pathNumbers, pathTable and communityColumn read). */
  release(): void {
    this.wasm.mrtRibRelease();
  }

  /** Whether any route has communities. */
  get hasCommunities(): boolean {
    return this.wasm.mrtRibCommunityRefs() !== 0;
  }

  /** The communities of each route (COMMUNITIES then LARGE_COMMUNITIES, as routes.ts joins them: one array per pair). */
  communityColumn(): (readonly string[] | undefined)[] {
    const refs = new Uint32Array(this.wasm.memory.buffer, this.wasm.mrtRibCommunityRefs() >>> 0, this.count * 2);
    const column = new Array<readonly string[] | undefined>(this.count);
    for (let i = 0; i < this.count; i++) column[i] = this.communities(refs[i * 2], refs[i * 2 + 1]);
    return column;
  }

  private communities(communities: number, large: number): readonly string[] | undefined {
    if (communities === 0 || large === 0) return communities === 0 ? this.largeLists[large] : this.communityLists[communities];
    const key = communities * 2 ** 32 + large;
    let joined = this.both.get(key);
    if (joined === undefined) this.both.set(key, joined = Object.freeze(this.communityLists[communities]!.concat(this.largeLists[large]!)));
    return joined;
  }

  /** Gives back the WebAssembly memory of the scan. */
  free(): void {
    this.wasm.mrtRibFree();
  }

  /**
   * Scans `bytes` (an MRT file); undefined when it is left to routes.ts (parseMrtRoutes), whose
   * errors it may then throw, as it throws those of a PEER_INDEX_TABLE or of a peer not found.
   */
  static run(wasm: FibscopeExports, bytes: Uint8Array, options: MrtRoutesOptions): MrtRibScan | undefined {
    const source = options.source ?? '<bytes>';
    const filter = options.peer === undefined ? undefined : parsePeerFilter(options.peer);
    let kept = false;
    let windowAt = 0;
    let windowSize = 0;
    try {
      if (!wasm.mrtRibStart(bytes.length)) return undefined;
      const records = new MrtRecords(bytes, source);
      const skipped = new Map<string, number>();
      let peers: ReturnType<typeof readPeerIndexTable> | undefined;
      for (;;) {
        const status = wasm.mrtRibScan(STEP);
        if (status === RIB_SCAN_DONE) break;
        if (status === RIB_SCAN_MORE) continue;
        if (status === RIB_SCAN_NEED_BYTES) {
          const offset = wasm.mrtRibNeedOffset();
          const needed = Math.max(wasm.mrtRibNeedLength(), Math.min(WINDOW_BYTES, bytes.length));
          if (needed > windowSize) {
            if (windowSize > 0) wasm.hostBufferFree(windowAt, windowSize);
            windowSize = 0;
            windowAt = wasm.hostBufferCreate(needed) >>> 0;
            if (windowAt === 0) return undefined;
            windowSize = needed;
          }
          const length = Math.min(windowSize, bytes.length - offset);
          new Uint8Array(wasm.memory.buffer, windowAt, length).set(bytes.subarray(offset, offset + length));
          wasm.mrtRibWindow(windowAt, length, offset);
          continue;
        }
        if (status !== RIB_SCAN_OTHER) return undefined;
        const type = wasm.mrtRibStopType();
        const subtype = wasm.mrtRibStopSubtype();
        const role = recordRole(type, subtype);
        if (role === 'skip') {
          const kind = recordKindName(type, subtype);
          skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
        } else if (role === 'peers') {
          records.seek(wasm.mrtRibStopOffset());
          records.next();
          let chosen: Uint8Array;
          try {
            peers = readPeerIndexTable(records);
            chosen = choosePeers(peers, filter, source);
          } catch {
            // routes.ts throws this error, or one of a record before it that only decoding the values would find
            return undefined;
          }
          const chosenAt = wasm.mrtRibPeers(chosen.length) >>> 0;
          if (chosenAt === 0) return undefined;
          new Uint8Array(wasm.memory.buffer, chosenAt, chosen.length).set(chosen);
        } else {
          return undefined; // TABLE_DUMP, BGP4MP: routes.ts keeps their routes in file order with the RIB's
        }
      }
      const notes: MrtLoadNotes = { skipped, entriesPassedOver: wasm.mrtRibEntriesPassedOver(), peers: peers ?? [] };
      let scan: MrtRibScan;
      try {
        scan = new MrtRibScan(wasm, notes);
      } catch (error) {
        if (error instanceof UndecodedValue) return undefined;
        throw error;
      }
      kept = true;
      return scan;
    } finally {
      if (windowSize > 0) wasm.hostBufferFree(windowAt, windowSize);
      if (!kept) wasm.mrtRibFree();
    }
  }
}

class UndecodedValue extends Error {}

/**
 * The distinct AS paths' bytes and where each is, copied out of WebAssembly memory; those other
 * than one AS_SEQUENCE (sets, confederations, 2-octet-looking lengths: rare) decoded, and so
 * checked, at once.
 */
function copyPaths(wasm: FibscopeExports, arena: Uint8Array): AsPathTable {
  const count = wasm.mrtRibValueCount(PATHS);
  const otherPaths = new Map<number, AsAttributes>();
  const stride = wasm.mrtRibValueBytes() >>> 2;
  if (count === 0) return { bytes: new Uint8Array(0), values: new Uint32Array(0), stride, otherPaths };
  const values = new Uint32Array(wasm.memory.buffer, wasm.mrtRibValues(PATHS) >>> 0, count * stride).slice();
  const bytes = arena.slice();
  if (wasm.mrtRibOtherPaths() > 0) {
    for (let n = 0, w = 0; n < count; n++, w += stride) {
      const start = values[w + 1], end = start + values[w + 2];
      if (isSequencePath(bytes, start, end)) continue;
      const path = decodeAs4Path(bytes, start, end);
      if (path instanceof Malformed) throw new UndecodedValue();
      otherPaths.set(n + 1, path);
    }
  }
  return { bytes, values, stride, otherPaths };
}

/** The distinct values of a scan's table `which`, in order, each decoded from its bytes (in the arena). */
function decodeValues<T>(wasm: FibscopeExports, which: number,
  decode: (at: number, end: number, tag: number) => T | Malformed): T[] {
  const count = wasm.mrtRibValueCount(which);
  const values: T[] = [];
  if (count === 0) return values;
  const words = new Uint32Array(wasm.memory.buffer, wasm.mrtRibValues(which) >>> 0, count * (wasm.mrtRibValueBytes() >>> 2));
  const stride = wasm.mrtRibValueBytes() >>> 2;
  for (let n = 0, w = 0; n < count; n++, w += stride) {
    const at = words[w + 1];
    const value = decode(at, at + words[w + 2], words[w + 3]);
    if (value instanceof Malformed) throw new UndecodedValue();
    values.push(value);
  }
  return values;
}
