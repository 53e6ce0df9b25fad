// A TABLE_DUMP_V2 RIB dump read in WebAssembly (assembly/mrt/rib-scan.ts), for full tables: the
// scan walks the records and writes one addRoutes record per prefix, with the numbers of the
// entry's next hop, AS path and community lists among the file's distinct ones; this side reads
// the few records the scan stops at (PEER_INDEX_TABLE, kinds to skip) and decodes each distinct
// value once, with the decoders of src/mrt/attributes.ts. What routes.ts loads and notes, the
// same routes in the same order; anything else (TABLE_DUMP or BGP4MP records, a malformed or
// truncated record, memory too short) leaves the file to routes.ts, which reads it with its
// messages.
import { Malformed } from '../bgp/message/attributes/attribute.js';
import { formatIPv4 } from '../net/address.js';
import type { AsAttributes } from '../routes/route.js';
import type { FibscopeExports } from '../wasm/module.js';
import { decodeAs4Path, EMPTY_PATH, frozenCommunities, frozenLargeCommunities, mpReachNextHop } from './attributes.js';
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
const NEXT_HOPS = 0, PATHS = 1, COMMUNITIES = 2, LARGE_COMMUNITIES = 3;
/** The tag of a next hop's bytes: a NEXT_HOP attribute's value (else MP_REACH_NLRI's). */
const TAG_NEXT_HOP = 3;

/**
 * The routes of a scan, in WebAssembly memory until `free()`: `count` addRoutes records at
 * `recordsAt`, whose ids and attribute classes `finish` writes, and the columns it fills
 * (assembly/mrt/exports.ts). `nextHops[n]` and `paths[n]` are the values of the numbers + 1 the
 * scan gives (index 0: none), `communities(c, l)` those of the communities.
 */
export class MrtRibScan {
  readonly count: number;
  readonly recordsAt: number;
  /** Index 0: none. */
  readonly nextHops: (string | null)[];
  /** Index 0: no AS_PATH (an empty path, as routes.ts keeps it). */
  readonly paths: AsAttributes[];
  readonly notes: MrtLoadNotes;
  private readonly communityLists: (readonly string[] | undefined)[];
  private readonly largeLists: (readonly string[] | undefined)[];
  private readonly both = new Map<number, readonly string[]>();

  private constructor(private readonly wasm: FibscopeExports, private readonly fileAt: number, private readonly fileSize: number,
    bytes: Uint8Array, notes: MrtLoadNotes) {
    this.count = wasm.mrtRibRouteCount();
    this.recordsAt = wasm.mrtRibRecords() >>> 0;
    this.notes = notes;
    // a value that does not decode: routes.ts reads the file and words the error
    this.nextHops = [null, ...decodeValues(wasm, fileAt, bytes, NEXT_HOPS, (at, end, tag) => tag === TAG_NEXT_HOP
      ? formatIPv4(((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0)
      : mpReachNextHop(bytes, at, end))];
    this.paths = decodePaths(wasm, fileAt, bytes);
    this.communityLists = [undefined, ...decodeValues(wasm, fileAt, bytes, COMMUNITIES, (at, end) => frozenCommunities(bytes, at, end))];
    this.largeLists = [undefined, ...decodeValues(wasm, fileAt, bytes, LARGE_COMMUNITIES, (at, end) => frozenLargeCommunities(bytes, at, end))];
  }

  /** Next-hop numbers + 1 in the order routes first take them (make their attribute classes in this order). */
  hopOrder(): Uint32Array {
    return new Uint32Array(this.wasm.memory.buffer, this.wasm.mrtRibHopOrder() >>> 0, this.wasm.mrtRibHopOrderCount()).map((hop) => hop + 1);
  }

  /**
   * Gives the routes the ids `firstId`... and the attribute class `hopClasses[n]` of their next
   * hop number + 1 n, in their records; returns the columns of the routes (views of WebAssembly memory).
   */
  finish(firstId: number, hopClasses: Uint32Array): { family: Uint8Array; prefixLength: Uint8Array; metric: Uint32Array; routeClass: Uint32Array; path: Uint32Array } {
    const wasm = this.wasm;
    new Uint32Array(wasm.memory.buffer, wasm.mrtRibHopClasses() >>> 0, hopClasses.length).set(hopClasses);
    wasm.mrtRibFinish(firstId);
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

  /** Whether any route has communities. */
  get hasCommunities(): boolean {
    return this.wasm.mrtRibCommunityRefs() !== 0;
  }

  /** The communities of each route (COMMUNITIES then LARGE_COMMUNITIES, as routes.ts joins them: one array per pair). */
  communityColumn(): (readonly string[] | undefined)[] {
    const refs = new Uint32Array(this.wasm.memory.buffer, this.wasm.mrtRibCommunityRefs() >>> 0, this.count * 2);
    const column: (readonly string[] | undefined)[] = [];
    for (let i = 0; i < this.count; i++) column.push(this.communities(refs[i * 2], refs[i * 2 + 1]));
    return column;
  }

  private communities(communities: number, large: number): readonly string[] | undefined {
    if (communities === 0 || large === 0) return communities === 0 ? this.largeLists[large] : this.communityLists[communities];
    const key = communities * 2 ** 32 + large;
    let joined = this.both.get(key);
    if (joined === undefined) this.both.set(key, joined = Object.freeze(this.communityLists[communities]!.concat(this.largeLists[large]!)));
    return joined;
  }

  /** Gives back the WebAssembly memory of the scan and of the file's copy. */
  free(): void {
    this.wasm.mrtRibFree();
    this.wasm.hostBufferFree(this.fileAt, this.fileSize);
  }

  /**
   * Scans `bytes` (an MRT file); undefined when it is left to routes.ts (parseMrtRoutes), whose
   * errors it may then throw, as it throws those of a PEER_INDEX_TABLE or of a peer not found.
   */
  static run(wasm: FibscopeExports, bytes: Uint8Array, options: MrtRoutesOptions): MrtRibScan | undefined {
    const source = options.source ?? '<bytes>';
    const filter = options.peer === undefined ? undefined : parsePeerFilter(options.peer);
    const size = Math.max(bytes.length, 1);
    const fileAt = wasm.hostBufferCreate(size) >>> 0;
    if (fileAt === 0) return undefined;
    let kept = false;
    try {
      new Uint8Array(wasm.memory.buffer, fileAt, bytes.length).set(bytes);
      if (!wasm.mrtRibStart(fileAt, bytes.length)) return undefined;
      const records = new MrtRecords(bytes, source);
      const skipped = new Map<string, number>();
      let peers: ReturnType<typeof readPeerIndexTable> | undefined;
      for (;;) {
        const status = wasm.mrtRibScan(STEP);
        if (status === RIB_SCAN_DONE) break;
        if (status === RIB_SCAN_MORE) continue;
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
        scan = new MrtRibScan(wasm, fileAt, size, bytes, notes);
      } catch (error) {
        if (error instanceof UndecodedValue) return undefined;
        throw error;
      }
      kept = true;
      return scan;
    } finally {
      if (!kept) {
        wasm.mrtRibFree();
        wasm.hostBufferFree(fileAt, size);
      }
    }
  }
}

class UndecodedValue extends Error {}

const utf8 = new TextDecoder('utf-8');

/**
 * EMPTY_PATH, then the scan's distinct AS paths: the common ones sliced from one text WebAssembly
 * wrote (assembly/mrt/path-text.ts), the others decoded here.
 */
function decodePaths(wasm: FibscopeExports, fileAt: number, bytes: Uint8Array): AsAttributes[] {
  const paths: AsAttributes[] = [EMPTY_PATH];
  const count = wasm.mrtRibValueCount(PATHS);
  if (count === 0) return paths;
  const textsAt = wasm.mrtRibPathTexts() >>> 0;
  const buffer = wasm.memory.buffer;
  const textAt = wasm.mrtRibPathText() >>> 0;
  const text = utf8.decode(new Uint8Array(buffer, textAt, wasm.mrtRibPathTextLength()));
  const texts = new Uint32Array(buffer, textsAt, count * 3);
  const stride = wasm.mrtRibValueBytes() >>> 2;
  const entries = new Uint32Array(buffer, wasm.mrtRibValues(PATHS) >>> 0, count * stride);
  for (let n = 0; n < count; n++) {
    const start = texts[n * 3];
    if (start !== 0xffffffff) {
      paths.push(Object.freeze({ asPath: text.slice(start, texts[n * 3 + 1]), originAs: texts[n * 3 + 2] }));
      continue;
    }
    const at = entries[n * stride + 1] - fileAt;
    const path = decodeAs4Path(bytes, at, at + entries[n * stride + 2]);
    if (path instanceof Malformed) throw new UndecodedValue();
    paths.push(path);
  }
  return paths;
}

/** The distinct values of a scan's table `which`, in order, each decoded from its bytes in `bytes`. */
function decodeValues<T>(wasm: FibscopeExports, fileAt: number, bytes: Uint8Array, which: number,
  decode: (at: number, end: number, tag: number) => T | Malformed): T[] {
  const count = wasm.mrtRibValueCount(which);
  const values: T[] = [];
  if (count === 0) return values;
  const words = new Uint32Array(wasm.memory.buffer, wasm.mrtRibValues(which) >>> 0, count * (wasm.mrtRibValueBytes() >>> 2));
  const stride = wasm.mrtRibValueBytes() >>> 2;
  for (let n = 0, w = 0; n < count; n++, w += stride) {
    const at = words[w + 1] - fileAt;
    const value = decode(at, at + words[w + 2], words[w + 3]);
    if (value instanceof Malformed) throw new UndecodedValue();
    values.push(value);
  }
  return values;
}
