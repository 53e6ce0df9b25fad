// The exact merge of the pieces of a threaded analysis into the report one thread would make:
// totals summed (merge/merge-parts.ts); route counters summed by route id and destinations
// merged from their raw entries in the order first seen, both in WebAssembly as the pieces come
// in (PieceMerge: most of that work is done while the last pieces are still being read), the
// routes then sorted and written as one thread's report writes them (analyze/route-rows.ts);
// anomaly top lists replayed from the workers' logs (tracker-replay.ts). Where one thread's
// answer cannot be rebuilt (a cut that was not a record boundary, a destination table or log
// past the memory limit, a worker's table with other route ids), it says so and the caller
// reads on one thread instead.
import { VERSION } from '../analyze/build-report.js';
import { DESTINATION_JSON, destinationJsonSource } from '../analyze/destination-json.js';
import { destinationAddress } from '../analyze/destination-address.js';
import { describeBadTimes, describeReadStop } from '../analyze/read-errors.js';
import type { AnomalyCounters, DestinationCounters, InputReport, Report, RouteCounters } from '../analyze/report.js';
import { ROUTE_JSON, RouteRows, type RouteJsonSource } from '../analyze/route-rows.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { readCount } from '../report/count.js';
import { mergeAnomalyCounts, mergeTotals } from '../merge/merge-parts.js';
import type { PieceResult } from './piece.js';

/** Thrown when the pieces cannot give one thread's report exactly: read on one thread. */
export class NotMergeable extends Error {}

/** A file's pieces, in file order, with the head length each range was read after. */
export interface FilePieces {
  path: string;
  pieces: { result: PieceResult; start: number; headBytes: number; last: boolean }[];
}

/** Code of a record cut short at the end of the input (assembly/capture/errors.ts). */
const CUT_SHORT = 4;

/**
 * The report of the pieces, whose results are all in `files`; `merge` has their destinations (it
 * takes those it has not had yet). `tops()`: the anomaly classes' top lists as one thread's
 * trackers give them (tracker-replay.ts).
 */
export function mergePieces(files: readonly FilePieces[], merge: PieceMerge, tops: () => Pick<AnomalyCounters, 'topSources' | 'topDestinations'>[]): Report {
  const used: PieceResult[] = [];
  const inputs = files.map((file) => mergeInput(file, used));
  const digits = Math.max(6, ...used.map((piece) => piece.digits));
  if (used.some((piece) => piece.report.totals.destinationOverflow)) throw new NotMergeable('a destination table overflowed');
  const { entries, count, routeRows } = merge.finish(used.length);
  const wasm = merge.wasm;
  const totals = mergeTotals(used.map((piece) => piece.report.totals), digits);
  const report = {
    fibscope: { version: VERSION },
    inputs,
    totals,
  } as Omit<Report, 'routes' | 'destinations'> as Report;
  // as build-report.ts: objects only for a reader, the JSON written in WebAssembly otherwise
  let routes: RouteCounters[] | undefined;
  const routeJson = routeRows.jsonSource();
  Object.defineProperty(report, 'routes', {
    enumerable: true,
    get: () => (routes ??= routeRows.objects()),
    set: (value: RouteCounters[]) => { routes = value; },
  });
  Object.defineProperty(report, ROUTE_JSON, { enumerable: false, get: (): RouteJsonSource | undefined => (routes === undefined ? routeJson : undefined) });
  if (used[0].report.anomalies) {
    const replayed = tops();
    report.anomalies = mergeAnomalyCounts(used.map((piece) => piece.report.anomalies!), totals.counted, (index) => replayed[index]);
  }
  let destinations: DestinationCounters[] | undefined;
  Object.defineProperty(report, 'destinations', {
    enumerable: true,
    get: () => (destinations ??= readDestinations(entries, count, routeRows.prefixOf(), digits)),
  });
  const source = destinationJsonSource(wasm, entries, ENTRY, count, routeRows.prefixTable(), digits);
  Object.defineProperty(report, DESTINATION_JSON, { enumerable: false, get: () => (destinations === undefined ? source : undefined) });
  return report;
}

/**
 * One input of the report from its pieces: reading stops at the first piece that stopped, as
 * one reader would, and the later pieces are left out; its record numbers and offsets are
 * made the file's.
 */
function mergeInput(file: FilePieces, used: PieceResult[]): InputReport {
  let records = 0;
  const linkTypes: number[] = [];
  let error: string | null = null;
  let badRecords = 0;
  let firstBad: { record: number; offset: number } | undefined;
  for (const { result, start, headBytes, last } of file.pieces) {
    used.push(result);
    for (const type of result.linkTypes) if (!linkTypes.includes(type)) linkTypes.push(type);
    const offset = (local: number) => (start === 0 ? local : local - headBytes + start);
    if (result.badTimes) {
      badRecords += result.badTimes.records;
      firstBad ??= { record: result.badTimes.record + records, offset: offset(result.badTimes.offset) };
    }
    const stop = result.stop;
    const before = records;
    records += result.records;
    if (stop) {
      // a record cut short where a range ends: the cut was not a record boundary
      if (stop.code === CUT_SHORT && !last) throw new NotMergeable(`${file.path}: a range did not end on a record boundary`);
      error = describeReadStop({ ...stop, record: stop.record + before, offset: offset(stop.offset) });
      break;
    }
  }
  const first = file.pieces[0].result;
  return {
    path: file.path,
    format: first.format,
    linkTypes,
    records,
    error,
    ...(firstBad ? { badTimes: { records: badRecords, message: describeBadTimes({ records: badRecords, ...firstBad }) } } : {}),
  };
}

const ENTRY = 64;

/**
 * The destination entries and route counters of the pieces one reader would use, merged in
 * WebAssembly as their results come in, in file order: the destinations into one table
 * (assembly/threads/merge-destinations.ts: the order first seen over the pieces), then sorted
 * as one thread's report sorts them; the route counters summed by route id
 * (assembly/threads/merge-routes.ts), every piece's table having given its routes the ids of
 * this thread's. A piece is used as mergeInput uses it: a file's pieces up to the first that
 * stopped. A failure (memory short, a table with other ids) is kept for finish() to throw:
 * `offer` is called from the workers' message handlers.
 */
export class PieceMerge {
  readonly wasm: FibscopeExports;
  private table: number;
  private routes: number;
  private readonly capacity: number;
  private readonly digest: bigint;
  /** the pieces in file order: [file, piece] */
  private readonly order: [number, number][] = [];
  private next = 0;
  private added = 0;
  private stoppedFile = -1;
  private failure: Error | undefined;

  constructor(private readonly fib: Fib, private readonly files: readonly FilePieces[]) {
    const wasm = (this.wasm = fib.engine().wasm);
    files.forEach((file, f) => file.pieces.forEach((_, p) => this.order.push([f, p])));
    this.table = wasm.mergedDestinationsCreate() >>> 0;
    this.digest = wasm.routeTableDigest();
    this.capacity = wasm.mergedRoutesCapacity();
    this.routes = wasm.mergedRoutesCreate() >>> 0;
    if (this.routes === 0) this.failure = new NotMergeable('the route counters do not fit under the memory limit');
  }

  /** Merges the pieces whose results have come, in order, up to the first that has not. */
  offer(): void {
    while (this.next < this.order.length && !this.failure) {
      const [f, p] = this.order[this.next];
      const result = this.files[f].pieces[p].result as PieceResult | undefined;
      if (!result) return;
      this.next++;
      if (this.stoppedFile === f) continue;
      if (result.stop) this.stoppedFile = f;
      try {
        this.add(result);
      } catch (error) {
        this.failure = error as Error;
      }
      // the merged tables have them now
      result.entries = new Uint8Array(0);
      result.routeCounts = null;
    }
  }

  private add(piece: PieceResult): void {
    const wasm = this.wasm;
    if (piece.entryBytes !== ENTRY) throw new Error(`destination entries of ${piece.entryBytes} bytes: this host knows ${ENTRY}`);
    if (piece.tableDigest !== undefined && piece.tableDigest !== this.digest) throw new NotMergeable("a worker's table gave its routes other ids than this thread's");
    if (!piece.routeCounts) throw new NotMergeable("a piece's route counters did not fit under the memory limit");
    this.receive(piece.routeCounts, 'the route counters', (block, bytes) => wasm.mergedRoutesAdd(this.routes, this.capacity, block, bytes));
    this.receive(piece.entries, 'the destinations', (block, bytes) => wasm.mergedDestinationsAdd(this.table, block, bytes / ENTRY));
    this.added++;
  }

  /** Copies `bytes` into WebAssembly memory for `merge`, then frees them; NotMergeable when memory is short. */
  private receive(bytes: Uint8Array, what: string, merge: (block: number, bytes: number) => boolean): void {
    const block = this.wasm.pieceBlockReceive(bytes.length) >>> 0;
    if (block === 0) throw new NotMergeable(`${what} do not fit under the memory limit`);
    new Uint8Array(this.wasm.memory.buffer, block, bytes.length).set(bytes);
    const merged = merge(block, bytes.length);
    this.wasm.pieceBlockRelease(block, bytes.length);
    if (!merged) throw new NotMergeable(`${what} could not be merged exactly (memory short, or pieces of different tables)`);
  }

  /**
   * The merged entries, sorted, and the routes' rows once every piece has come; `used`: how many
   * pieces mergeInput used.
   */
  finish(used: number): { entries: Uint8Array; count: number; routeRows: RouteRows } {
    this.offer();
    if (this.failure) throw this.failure;
    if (this.added !== used) throw new Error(`the destination merge has ${this.added} pieces, the report ${used}`);
    const wasm = this.wasm;
    const count = wasm.mergedDestinationsCount(this.table) >>> 0;
    const sorted = wasm.mergedDestinationsSorted(this.table) >>> 0;
    if (sorted === 0) throw new NotMergeable('the destinations do not fit under the memory limit');
    const entries = new Uint8Array(wasm.memory.buffer, sorted, count * ENTRY).slice();
    // each route's distinct destinations, which only the merged destinations can tell
    wasm.mergedRoutesCountDestinations(this.routes, this.capacity, sorted, count);
    wasm.mergedDestinationsRelease(sorted, Math.max(count, 1) * ENTRY);
    const routeRows = RouteRows.copy(this.fib, wasm, wasm.routeRowsOf(this.routes, this.capacity) >>> 0);
    this.dispose();
    return { entries, count, routeRows };
  }

  /** Frees the merged tables (finish does; call it when the merge is given up). */
  dispose(): void {
    if (this.table !== 0) this.wasm.mergedDestinationsFree(this.table);
    this.table = 0;
    if (this.routes !== 0) this.wasm.mergedRoutesFree(this.routes, this.capacity);
    this.routes = 0;
  }
}

/** Destination objects from the sorted entries, for the formats that read them. */
function readDestinations(entries: Uint8Array, count: number, prefixOf: readonly (string | undefined)[], digits: number): DestinationCounters[] {
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const scale = 10 ** (9 - digits);
  const time = (at: number) => `${new Date(view.getUint32(at + 4, true) * 1000).toISOString().slice(0, 20)}${String(Math.floor(view.getUint32(at, true) / scale)).padStart(digits, '0')}Z`;
  const v6 = new Uint8Array(16);
  const out: DestinationCounters[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * ENTRY;
    const route = view.getInt32(at + 48, true);
    out[i] = {
      address: destinationAddress(view, at, v6),
      prefix: route < 0 ? null : prefixOf[route] ?? null,
      packets: readCount(view, at + 16),
      bytes: readCount(view, at + 24),
      firstSeen: time(at + 32),
      lastSeen: time(at + 40),
    };
  }
  return out;
}
