// The exact merge of the pieces of a threaded analysis into the report one thread would make:
// totals and routes summed (merge/merge-parts.ts), destinations merged from their raw entries
// in the order first seen, anomaly top lists replayed from the workers' logs. Where one thread's
// answer cannot be rebuilt (a cut that was not a record boundary, a full destination table, a log past the
// memory limit), it says so and the caller reads on one thread instead.
import { VERSION } from '../analyze/build-report.js';
import { DESTINATION_JSON, destinationJsonSource } from '../analyze/destination-json.js';
import { destinationAddress } from '../analyze/destination-address.js';
import { describeBadTimes, describeReadStop } from '../analyze/read-errors.js';
import { ANOMALY_CLASSES, readTracker } from '../analyze/anomaly-report.js';
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

export function mergePieces(files: readonly FilePieces[], wasm: FibscopeExports): Report {
  const used: PieceResult[] = [];
  const inputs = files.map((file) => mergeInput(file, used));
  const digits = Math.max(6, ...used.map((piece) => piece.digits));
  if (used.some((piece) => piece.report.totals.destinationOverflow)) throw new NotMergeable('a destination table overflowed');
  const { entries, count, prefixOf, perPrefix } = mergeDestinationEntries(used);
  const totals = mergeTotals(used.map((piece) => piece.report.totals), digits);
  const report = {
    fibscope: { version: VERSION },
    inputs,
    totals,
    routes: mergeRoutes(used.map((piece) => piece.report.routes), (prefix) => perPrefix.get(prefix) ?? 0, (i) => `piece ${i}`),
  } as Omit<Report, 'destinations'> as Report;
  if (used[0].report.anomalies) {
    const replaying = performance.now();
    const tops = replayTrackers(used, wasm);
    if (process.env.FIBSCOPE_DEBUG_THREADS) process.stderr.write(`threads: trackers replayed in ${(performance.now() - replaying).toFixed(0)} ms\n`);
    report.anomalies = mergeAnomalyCounts(used.map((piece) => piece.report.anomalies!), totals.counted, (index) => tops[index]);
  }
  let destinations: DestinationCounters[] | undefined;
  Object.defineProperty(report, 'destinations', {
    enumerable: true,
    get: () => (destinations ??= readDestinations(entries, count, prefixOf, digits)),
  });
  const source = destinationJsonSource(wasm, entries, ENTRY, count, prefixOf, digits);
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
 * The destination entries of every piece as one table: summed by address, in the order first
 * seen over the pieces, then sorted as assembly/count/destinations.ts sorts them (busiest first,
 * counts above 2^32 - 1 as equal, ties in the order first seen). Route ids become ids of `prefixOf`.
 */
function mergeDestinationEntries(pieces: readonly PieceResult[]) {
  const total = pieces.reduce((sum, piece) => sum + piece.entries.length / piece.entryBytes, 0);
  const merged = new Uint8Array(total * ENTRY);
  const out = new DataView(merged.buffer);
  // IPv4 keys are numbers (int32, cheap to hash), IPv6 keys strings: the two never meet
  const index = new Map<number | string, number>();
  const idOfPrefix = new Map<string, number>();
  const prefixOf: string[] = [];
  let count = 0;
  for (const piece of pieces) {
    if (piece.entryBytes !== ENTRY) throw new Error(`destination entries of ${piece.entryBytes} bytes: this host knows ${ENTRY}`);
    const view = new DataView(piece.entries.buffer, piece.entries.byteOffset, piece.entries.byteLength);
    const n = piece.entries.length / ENTRY;
    // the piece's route ids as ids of prefixOf, looked up once per route
    const localOf = new Map<number, number>();
    for (const [id, prefix] of Object.entries(piece.prefixes)) {
      let local = idOfPrefix.get(prefix);
      if (local === undefined) {
        local = prefixOf.length;
        idOfPrefix.set(prefix, local);
        prefixOf.push(prefix);
      }
      localOf.set(Number(id), local);
    }
    for (let i = 0; i < n; i++) {
      const at = i * ENTRY;
      const family = view.getUint8(at + 52);
      const key = family === 4 ? view.getInt32(at, true)
        : `${view.getUint32(at, true)},${view.getUint32(at + 4, true)},${view.getUint32(at + 8, true)},${view.getUint32(at + 12, true)}`;
      const route = view.getInt32(at + 48, true);
      const local = route < 0 ? -1 : localOf.get(route)!;
      const found = index.get(key);
      if (found === undefined) {
        index.set(key, count);
        merged.set(piece.entries.subarray(at, at + ENTRY), count * ENTRY);
        out.setInt32(count * ENTRY + 48, local, true);
        count++;
        continue;
      }
      const to = found * ENTRY;
      add64(out, to + 16, view, at + 16);
      add64(out, to + 24, view, at + 24);
      if (compareTime(view, at + 32, out, to + 32) < 0) copy64(out, to + 32, view, at + 32);
      if (compareTime(view, at + 40, out, to + 40) > 0) copy64(out, to + 40, view, at + 40);
      // the route of its last packet
      out.setInt32(to + 48, local, true);
    }
  }
  const perPrefix = new Map<string, number>();
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const high = out.getUint32(i * ENTRY + 20, true);
    keys[i] = high > 0 ? 0xffffffff : out.getUint32(i * ENTRY + 16, true);
    const route = out.getInt32(i * ENTRY + 48, true);
    if (route >= 0) perPrefix.set(prefixOf[route], (perPrefix.get(prefixOf[route]) ?? 0) + 1);
  }
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((a, b) => keys[b] - keys[a] || a - b);
  const entries = new Uint8Array(count * ENTRY);
  for (let i = 0; i < count; i++) entries.set(merged.subarray(order[i] * ENTRY, order[i] * ENTRY + ENTRY), i * ENTRY);
  return { entries, count, prefixOf, perPrefix };
}

function add64(to: DataView, at: number, from: DataView, fromAt: number): void {
  const low = to.getUint32(at, true) + from.getUint32(fromAt, true);
  to.setUint32(at, low >>> 0, true);
  to.setUint32(at + 4, (to.getUint32(at + 4, true) + from.getUint32(fromAt + 4, true) + (low > 0xffffffff ? 1 : 0)) >>> 0, true);
}

function copy64(to: DataView, at: number, from: DataView, fromAt: number): void {
  to.setUint32(at, from.getUint32(fromAt, true), true);
  to.setUint32(at + 4, from.getUint32(fromAt + 4, true), true);
}

/** Times as u64 seconds << 32 | nanoseconds. */
function compareTime(a: DataView, at: number, b: DataView, bt: number): number {
  return a.getUint32(at + 4, true) - b.getUint32(bt + 4, true) || a.getUint32(at, true) - b.getUint32(bt, true);
}

/**
 * Every class's top lists as one thread's trackers give them: the first piece's trackers, raw,
 * with the later pieces' logs of counted anomalies replayed into them in capture order
 * (assembly/threads/anomaly-log.ts), by the trackers' own code.
 */
function replayTrackers(pieces: readonly PieceResult[], wasm: FibscopeExports): Pick<AnomalyCounters, 'topSources' | 'topDestinations'>[] {
  const [first, ...later] = pieces.map((piece) => piece.anomalies!);
  if (later.some((anomalies) => anomalies.overflowed)) throw new NotMergeable('an anomaly log outgrew the memory limit');
  const size = wasm.anomalyTrackersBytes() >>> 0;
  const trackers = wasm.anomalyTrackersCreate() >>> 0;
  try {
    new Uint8Array(wasm.memory.buffer, trackers, size).set(first.trackers!);
    for (const { log } of later) {
      const at = wasm.anomalyLogReceive(log!.length) >>> 0;
      if (at === 0 && log!.length > 0) throw new NotMergeable('an anomaly log does not fit under the memory limit');
      new Uint8Array(wasm.memory.buffer, at, log!.length).set(log!);
      wasm.anomalyLogReplay(trackers, at, log!.length);
    }
    const io = wasm.ioPointer() >>> 0;
    wasm.topTrackerLayout(io);
    const [trackerBytes, , slotBytes, slotsAt] = new Uint32Array(wasm.memory.buffer, io, 4);
    const view = new DataView(wasm.memory.buffer, trackers, size);
    const v6 = new Uint8Array(16);
    return ANOMALY_CLASSES.map((_, index) => ({
      topSources: readTracker(view, index * 2 * trackerBytes, slotsAt, slotBytes, v6),
      topDestinations: readTracker(view, (index * 2 + 1) * trackerBytes, slotsAt, slotBytes, v6),
    }));
  } finally {
    wasm.anomalyLogStop();
    wasm.anomalyTrackersFree(trackers);
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
