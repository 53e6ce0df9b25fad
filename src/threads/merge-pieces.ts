// The exact merge of the pieces of a threaded analysis into the report one thread would make:
// totals and routes summed (merge/merge-parts.ts), destinations merged in WebAssembly from their
// raw entries in the order first seen, as the pieces come in (PieceMerge: most of that work is
// done while the last pieces are still being read), anomaly top lists replayed from the
// workers' logs (tracker-replay.ts). Where one thread's answer cannot be rebuilt (a cut that was
// not a record boundary, a destination table or log past the memory limit), it says so and the
// caller reads on one thread instead.
import { VERSION } from '../analyze/build-report.js';
import { DESTINATION_JSON, destinationJsonSource, prefixTableOf } from '../analyze/destination-json.js';
import { destinationAddress } from '../analyze/destination-address.js';
import { describeBadTimes, describeReadStop } from '../analyze/read-errors.js';
import type { AnomalyCounters, DestinationCounters, InputReport, Report } from '../analyze/report.js';
import type { FibscopeExports } from '../wasm/module.js';
import { readCount } from '../report/count.js';
import { mergeAnomalyCounts, mergeRoutes, mergeTotals } from '../merge/merge-parts.js';
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
  const { entries, count, prefixOf, perPrefix } = merge.finish(used.length);
  const wasm = merge.wasm;
  const totals = mergeTotals(used.map((piece) => piece.report.totals), digits);
  const report = {
    fibscope: { version: VERSION },
    inputs,
    totals,
    routes: mergeRoutes(used.map((piece) => piece.report.routes), (prefix) => perPrefix.get(prefix) ?? 0, (i) => `piece ${i}`),
  } as Omit<Report, 'destinations'> as Report;
  if (used[0].report.anomalies) {
    const replayed = tops();
    report.anomalies = mergeAnomalyCounts(used.map((piece) => piece.report.anomalies!), totals.counted, (index) => replayed[index]);
  }
  let destinations: DestinationCounters[] | undefined;
  Object.defineProperty(report, 'destinations', {
    enumerable: true,
    get: () => (destinations ??= readDestinations(entries, count, prefixOf, digits)),
  });
  const source = destinationJsonSource(wasm, entries, ENTRY, count, prefixTableOf(wasm, prefixOf), digits);
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
 * The destination entries of the pieces one reader would use, merged into one table in
 * WebAssembly as their results come in, in file order (assembly/threads/merge-destinations.ts:
 * the order first seen over the pieces), then sorted as one thread's report sorts them. A piece
 * is used as mergeInput uses it: a file's pieces up to the first that stopped. Route ids become
 * ids of `prefixOf`. A failure (memory short) is kept for finish() to throw: `offer` is called
 * from the workers' message handlers.
 */
export class PieceMerge {
  private readonly idOfPrefix = new Map<string, number>();
  private readonly prefixOf: string[] = [];
  private table: number;
  /** the pieces in file order: [file, piece] */
  private readonly order: [number, number][] = [];
  private next = 0;
  private added = 0;
  private stoppedFile = -1;
  private failure: Error | undefined;

  constructor(readonly wasm: FibscopeExports, private readonly files: readonly FilePieces[]) {
    files.forEach((file, f) => file.pieces.forEach((_, p) => this.order.push([f, p])));
    this.table = wasm.mergedDestinationsCreate() >>> 0;
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
      // the merged table has them now
      result.entries = new Uint8Array(0);
    }
  }

  private add(piece: PieceResult): void {
    const wasm = this.wasm;
    if (piece.entryBytes !== ENTRY) throw new Error(`destination entries of ${piece.entryBytes} bytes: this host knows ${ENTRY}`);
    // the piece's route ids as ids of prefixOf, looked up once per route
    const ids = Object.keys(piece.prefixes).map(Number);
    const localOf = new Int32Array(ids.reduce((most, id) => Math.max(most, id), 0) + 1).fill(-1);
    for (const id of ids) {
      const prefix = piece.prefixes[id];
      let local = this.idOfPrefix.get(prefix);
      if (local === undefined) {
        local = this.prefixOf.length;
        this.idOfPrefix.set(prefix, local);
        this.prefixOf.push(prefix);
      }
      localOf[id] = local;
    }
    const words = new Int32Array(piece.entries.buffer, piece.entries.byteOffset, piece.entries.byteLength >> 2);
    for (let at = 12; at < words.length; at += ENTRY >> 2) if (words[at] >= 0) words[at] = localOf[words[at]];
    const bytes = piece.entries.length;
    const block = wasm.mergedDestinationsReceive(bytes) >>> 0;
    if (block === 0) throw new NotMergeable('the destinations do not fit under the memory limit');
    new Uint8Array(wasm.memory.buffer, block, bytes).set(piece.entries);
    const fits = wasm.mergedDestinationsAdd(this.table, block, bytes / ENTRY);
    wasm.mergedDestinationsRelease(block, bytes);
    if (!fits) throw new NotMergeable('the merged destination table is full');
    this.added++;
  }

  /** The merged entries, sorted, once every piece has come; `used`: how many pieces mergeInput used. */
  finish(used: number) {
    this.offer();
    if (this.failure) throw this.failure;
    if (this.added !== used) throw new Error(`the destination merge has ${this.added} pieces, the report ${used}`);
    const wasm = this.wasm;
    const count = wasm.mergedDestinationsCount(this.table) >>> 0;
    const sorted = wasm.mergedDestinationsSorted(this.table) >>> 0;
    if (sorted === 0) throw new NotMergeable('the destinations do not fit under the memory limit');
    const entries = new Uint8Array(wasm.memory.buffer, sorted, count * ENTRY).slice();
    wasm.mergedDestinationsRelease(sorted, Math.max(count, 1) * ENTRY);
    this.dispose();
    const prefixOf = this.prefixOf;
    const perRoute = new Uint32Array(prefixOf.length);
    const words = new Int32Array(entries.buffer);
    for (let at = 12; at < words.length; at += ENTRY >> 2) if (words[at] >= 0) perRoute[words[at]]++;
    const perPrefix = new Map<string, number>(prefixOf.map((prefix, id) => [prefix, perRoute[id]]));
    return { entries, count, prefixOf, perPrefix };
  }

  /** Frees the merged table (finish does; call it when the merge is given up). */
  dispose(): void {
    if (this.table === 0) return;
    this.wasm.mergedDestinationsFree(this.table);
    this.table = 0;
  }
}

/** Destination objects from the sorted entries, for the formats that read them. */
function readDestinations(entries: Uint8Array, count: number, prefixOf: readonly string[], digits: number): DestinationCounters[] {
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
      prefix: route < 0 ? null : prefixOf[route],
      packets: readCount(view, at + 16),
      bytes: readCount(view, at + 24),
      firstSeen: time(at + 32),
      lastSeen: time(at + 40),
    };
  }
  return out;
}
