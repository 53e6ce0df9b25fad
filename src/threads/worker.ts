// A worker thread of `analyze --threads`: loads its own copy of the table once, then analyses
// the pieces it is given (analyse-piece.ts), each in a fresh analyzer, and sends back their raw
// counters.
import { parentPort, workerData } from 'node:worker_threads';
import { Fib } from '../fib/fib.js';
import { threadCpuMs } from './thread-cpu.js';
import { analysePiece, type PieceSink } from './analyse-piece.js';
import type { PieceTask, WorkerSetup } from './piece.js';

const setup = workerData as WorkerSetup;
const fib = await Fib.create({ memoryLimit: setup.memoryLimit, module: setup.module });
for (const route of setup.routes) fib.load(route.bytes, { format: route.format ?? 'auto', source: route.source, peer: route.peer });
// what tells the main thread that this table gives routes its ids (the table never changes here)
const tableDigest = fib.engine().wasm.routeTableDigest();

const sink: PieceSink = {
  log: (index, part) => parentPort!.postMessage({ log: { index, part } }, part ? [part.buffer as ArrayBuffer] : []),
  progress: (index, bytes) => parentPort!.postMessage({ progress: { index, bytes } }),
};

parentPort!.on('message', async (task: PieceTask | null) => {
  if (task === null) {
    parentPort!.close();
    return;
  }
  try {
    const result = await analysePiece(fib, setup, task, sink);
    result.tableDigest = tableDigest;
    if (process.env.FIBSCOPE_DEBUG_THREADS) result.threadCpuMs = { setup: setupCpuMs, total: threadCpuMs() };
    const log = result.anomalies?.log ?? result.anomalies?.trackers;
    const transfers = [result.entries.buffer, result.routeCounts?.buffer, log?.buffer].filter((buffer) => buffer !== undefined) as ArrayBuffer[];
    parentPort!.postMessage({ result }, transfers);
  } catch (error) {
    parentPort!.postMessage({ error: { index: task.index, message: (error as Error).message, code: (error as { code?: string }).code } });
  }
});
// what loading the table cost this worker, for FIBSCOPE_DEBUG_THREADS
const setupCpuMs = process.env.FIBSCOPE_DEBUG_THREADS ? threadCpuMs() : 0;
parentPort!.postMessage({ ready: true });
