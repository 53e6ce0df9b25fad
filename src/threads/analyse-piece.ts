// One piece of `analyze --threads` analysed in a fresh analyzer over a table already loaded: by a
// worker thread (worker.ts), or by the main thread for the first piece of a single file
// (analyze-threads.ts). What it sends while it reads (log parts, progress) goes through `send`.
import { closeSync, openSync, readSync } from 'node:fs';
import { Analyzer } from '../analyze/analyzer.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { PieceResult, PieceTask, WorkerSetup } from './piece.js';

/** What a piece's reading reports as it goes. */
export interface PieceSink {
  /** A part of the piece's anomaly log (undefined: the log outgrew the memory limit). */
  log(index: number, part: Uint8Array | undefined): void;
  progress(index: number, bytes: number): void;
  /** Lets other work run between chunks (the main thread's event loop); absent in a worker. */
  yieldTurn?: () => Promise<void>;
}

/** Log parts of this size go to the main thread as they fill, for its replay to follow the reading. */
// (FIBSCOPE_THREADS_LOG_PART lowers it for the tests, whose captures are small)
const LOG_PART = Number(process.env.FIBSCOPE_THREADS_LOG_PART ?? 4 << 20);
/** Bytes read between two progress reports. */
const PROGRESS_BYTES = 1 << 24;

/**
 * `startTrackers`: the anomaly trackers as the previous piece, read by the same thread, left them
 * (a piece that does not log carries them on).
 */
export async function analysePiece(fib: Fib, setup: WorkerSetup, task: PieceTask, sink: PieceSink, startTrackers?: Uint8Array): Promise<PieceResult> {
  const analyzer = new Analyzer({ fib, name: task.path, filter: setup.filter, interfaceName: setup.interfaceName, checks: setup.checks });
  const { wasm, counters } = analyzer.internals();
  // the first pieces' trackers are where the main thread's replay starts; the others log
  if (task.logs) wasm.anomalyLogStart();
  else if (startTrackers) new Uint8Array(wasm.memory.buffer, wasm.countersChecksTrackers(counters) >>> 0, startTrackers.length).set(startTrackers);
  try {
    if (task.head.length > 0) analyzer.push(task.head);
    const fd = openSync(task.path, 'r');
    let position = task.start;
    let sinceProgress = 0;
    try {
      while (position < task.end && !analyzer.failed) {
        const count = analyzer.pushFromSync((view) => readSync(fd, view, 0, Math.min(view.length, task.end - position), position));
        if (count === 0) break;
        position += count;
        sinceProgress += count;
        if (task.logs) sendLogPart(wasm, task.index, sink);
        if (sinceProgress >= PROGRESS_BYTES) {
          sink.progress(task.index, sinceProgress);
          sinceProgress = 0;
          await sink.yieldTurn?.();
        }
      }
    } finally {
      closeSync(fd);
    }
    sink.progress(task.index, sinceProgress);
    analyzer.end();
    return collect(task, analyzer);
  } finally {
    wasm.anomalyLogStop();
    analyzer.dispose();
  }
}

function sendLogPart(wasm: FibscopeExports, index: number, sink: PieceSink): void {
  if (wasm.anomalyLogOverflowed()) {
    sink.log(index, undefined);
    return;
  }
  const bytes = wasm.anomalyLogBytes() >>> 0;
  if (bytes < LOG_PART) return;
  sink.log(index, new Uint8Array(wasm.memory.buffer, wasm.anomalyLogPointer() >>> 0, bytes).slice());
  wasm.anomalyLogStart();
}

function collect({ index, logs }: PieceTask, analyzer: Analyzer): PieceResult {
  // the routes go as their raw counters, summed by route id on the main thread, which writes them
  const report = analyzer.report({ destinations: false, routes: false });
  const { wasm, io, counters, inputs } = analyzer.internals();
  const input = inputs[0].handle;
  const code = wasm.inputError(input);
  const badTimes = wasm.inputBadTimes(input, io);
  const [badRecord, badOffset] = new Float64Array(wasm.memory.buffer, io, 2);
  const count = wasm.countersDestinationCount(counters) >>> 0;
  const entryBytes = wasm.destinationEntryBytes();
  const at = wasm.countersDestinationEntries(counters) >>> 0;
  const entries = new Uint8Array(wasm.memory.buffer, at, count * entryBytes).slice();
  const countsAt = wasm.routeCountsTake(counters) >>> 0;
  let routeCounts: Uint8Array | null = null;
  if (countsAt !== 0) {
    const bytes = wasm.routeCountsBytes() >>> 0;
    routeCounts = new Uint8Array(wasm.memory.buffer, countsAt, bytes).slice();
    wasm.pieceBlockRelease(countsAt, bytes);
  }
  let anomalies: PieceResult['anomalies'] = null;
  if (report.anomalies) {
    anomalies = !logs
      ? { trackers: new Uint8Array(wasm.memory.buffer, wasm.countersChecksTrackers(counters) >>> 0, wasm.anomalyTrackersBytes()).slice() }
      : wasm.anomalyLogOverflowed() ? { overflowed: true }
        : { log: new Uint8Array(wasm.memory.buffer, wasm.anomalyLogPointer() >>> 0, wasm.anomalyLogBytes() >>> 0).slice() };
  }
  const [inputReport] = report.inputs;
  return {
    index,
    report: { ...report, destinations: [] },
    format: inputReport.format,
    linkTypes: inputReport.linkTypes,
    records: inputReport.records,
    stop: code === 0 ? null : {
      code, detail: wasm.inputErrorDetail(input), record: wasm.inputErrorRecord(input), offset: wasm.inputErrorOffset(input),
    },
    badTimes: badTimes > 0 ? { records: badTimes, record: badRecord, offset: badOffset } : null,
    digits: Math.max(6, wasm.inputPrecision(input)),
    entries,
    entryBytes,
    routeCounts,
    anomalies,
  };
}
