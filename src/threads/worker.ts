// A worker thread of `analyze --threads`: loads its own copy of the table once, then analyses
// the pieces it is given, each in a fresh analyzer, and sends back their raw counters.
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { Analyzer } from '../analyze/analyzer.js';
import { Fib } from '../fib/fib.js';
import type { RouteRowFields } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { threadCpuMs } from './thread-cpu.js';
import type { PieceResult, PieceTask, WorkerSetup } from './piece.js';

const setup = workerData as WorkerSetup;
const fib = await Fib.create({ memoryLimit: setup.memoryLimit, module: setup.module });
for (const route of setup.routes) fib.load(route.bytes, { format: route.format ?? 'auto', source: route.source, peer: route.peer });

parentPort!.on('message', async (task: PieceTask | null) => {
  if (task === null) {
    parentPort!.close();
    return;
  }
  try {
    const result = await analysePiece(task);
    if (process.env.FIBSCOPE_DEBUG_THREADS) result.threadCpuMs = { setup: setupCpuMs, total: threadCpuMs() };
    const log = result.anomalies?.log ?? result.anomalies?.trackers;
    parentPort!.postMessage({ result }, [result.entries.buffer as ArrayBuffer, ...(log ? [log.buffer as ArrayBuffer] : [])]);
  } catch (error) {
    parentPort!.postMessage({ error: { index: task.index, message: (error as Error).message, code: (error as { code?: string }).code } });
  }
});
// what loading the table cost this worker, for FIBSCOPE_DEBUG_THREADS
const setupCpuMs = process.env.FIBSCOPE_DEBUG_THREADS ? threadCpuMs() : 0;
parentPort!.postMessage({ ready: true });

async function analysePiece(task: PieceTask): Promise<PieceResult> {
  const analyzer = new Analyzer({ fib, name: task.path, filter: setup.filter, interfaceName: setup.interfaceName, checks: setup.checks });
  const { wasm } = analyzer.internals();
  // the first piece's trackers are where the main thread's replay starts; the others log
  if (task.index > 0) wasm.anomalyLogStart();
  try {
    if (task.head.length > 0) analyzer.push(task.head);
    const fd = openSync(task.path, 'r');
    let position = task.start;
    let sinceProgress = 0;
    try {
      while (position < task.end && !analyzer.failed) {
        const count = await analyzer.pushFrom(async (view) => readSync(fd, view, 0, Math.min(view.length, task.end - position), position));
        if (count === 0) break;
        position += count;
        sinceProgress += count;
        if (task.index > 0) sendLogPart(wasm, task.index);
        if (sinceProgress >= 1 << 24) {
          parentPort!.postMessage({ progress: { index: task.index, bytes: sinceProgress } });
          sinceProgress = 0;
        }
      }
    } finally {
      closeSync(fd);
    }
    parentPort!.postMessage({ progress: { index: task.index, bytes: sinceProgress } });
    analyzer.end();
    return collect(task.index, analyzer);
  } finally {
    wasm.anomalyLogStop();
    analyzer.dispose();
  }
}

/** Log parts of this size go to the main thread as they fill, for its replay to follow the reading. */
// (FIBSCOPE_THREADS_LOG_PART lowers it for the tests, whose captures are small)
const LOG_PART = Number(process.env.FIBSCOPE_THREADS_LOG_PART ?? 4 << 20);

function sendLogPart(wasm: FibscopeExports, index: number): void {
  if (wasm.anomalyLogOverflowed()) {
    parentPort!.postMessage({ log: { index, overflowed: true } });
    return;
  }
  const bytes = wasm.anomalyLogBytes() >>> 0;
  if (bytes < LOG_PART) return;
  const part = new Uint8Array(wasm.memory.buffer, wasm.anomalyLogPointer() >>> 0, bytes).slice();
  parentPort!.postMessage({ log: { index, part } }, [part.buffer]);
  wasm.anomalyLogStart();
}

function collect(index: number, analyzer: Analyzer): PieceResult {
  const report = analyzer.report({ destinations: false });
  const { wasm, io, counters, inputs } = analyzer.internals();
  const input = inputs[0].handle;
  const code = wasm.inputError(input);
  const badTimes = wasm.inputBadTimes(input, io);
  const [badRecord, badOffset] = new Float64Array(wasm.memory.buffer, io, 2);
  const count = wasm.countersDestinationCount(counters) >>> 0;
  const entryBytes = wasm.destinationEntryBytes();
  const at = wasm.countersDestinationEntries(counters) >>> 0;
  const entries = new Uint8Array(wasm.memory.buffer, at, count * entryBytes).slice();
  const view = new DataView(entries.buffer);
  const prefixes: Record<number, string> = {};
  const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  for (let i = 0; i < count; i++) {
    const route = view.getInt32(i * entryBytes + 48, true);
    if (route >= 0 && prefixes[route] === undefined && fib.describeInto(route, row)) prefixes[route] = row.prefix;
  }
  let anomalies: PieceResult['anomalies'] = null;
  if (report.anomalies) {
    anomalies = index === 0
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
    prefixes,
    anomalies,
  };
}
