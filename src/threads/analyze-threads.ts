// `analyze --threads N`: plain capture files analysed by N threads, each with its own
// WebAssembly instance of the table, over whole files or ranges of large ones, then merged
// exactly (merge-pieces.ts): the report is the one a single thread makes, byte for byte. The main
// thread reads a first stretch of the captures itself (its table is loaded already, where a
// worker would start and load one), N - 1 workers the rest (planPieces).
import { statSync, openSync, readSync, closeSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { nodeWorkerThreads } from '../node-builtins.js';
import type { Fib } from '../fib/fib.js';
import type { Report } from '../analyze/report.js';
import type { ProgressListener } from '../analyze/analyze-file.js';
import { FibscopeError } from '../errors.js';
import { splitCapture, type CaptureRange } from './split-capture.js';
import { mergePieces, NotMergeable, PieceMerge, type FilePieces } from './merge-pieces.js';
import type { PieceResult, PieceTask, WorkerSetup } from './piece.js';
import { ReplayRefused, TrackerReplay } from './tracker-replay.js';
import { threadCpuMs } from './thread-cpu.js';
import { threadsWorthUsing, workerWorthBytes } from './thread-count.js';
import { analysePiece } from './analyse-piece.js';
import { compileModule } from '../wasm/module.js';
import { WORKER_URL } from '../worker-url.js';

/** Below this a file is not cut: the workers' start-up would cost more than the cut saves. */
// (FIBSCOPE_THREADS_MIN_RANGE lowers it for the tests, which cut small captures)
const MIN_RANGE = Number(process.env.FIBSCOPE_THREADS_MIN_RANGE ?? 32 << 20);

/**
 * The main thread's share of the bytes, against each worker's: it starts at once while the
 * workers load their tables; with checks (the workers log anomalies, and the main thread replays
 * the logs, and merges the destinations as the pieces come) it reads less: about 0.39 of the
 * whole against one worker, as measured on the bench's four files (0.5 left it idle for 0.46 s
 * waiting for the worker's last piece; 0.75 made the worker wait).
 */
const MAIN_SHARE = 1.3;
const MAIN_SHARE_WITH_CHECKS = 0.65;

export interface ThreadedRun {
  paths: string[];
  threads: number;
  fib: Fib;
  setup: WorkerSetup;
  onInput?: (path: string) => void;
  onProgress?: ProgressListener;
}

/**
 * The files' report on up to `threads` threads, or undefined when they must be read on one:
 * standard input, a pipe or a gzip file among them, too few bytes to pay for a worker's start and
 * table (thread-count.ts), or pieces whose merge could not be exact.
 */
export async function analyzeThreaded(run: ThreadedRun): Promise<Report | undefined> {
  const sizes: number[] = [];
  for (const path of run.paths) {
    if (path === '-') return undefined;
    const stats = statSync(path);
    if (!stats.isFile() || isGzip(path)) return undefined;
    sizes.push(stats.size);
  }
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const { ipv4Routes, ipv6Routes } = run.fib.stats();
  // (FIBSCOPE_THREADS_MIN_RANGE, which the tests set to cut small captures, stands for it too)
  const workerBytes = process.env.FIBSCOPE_THREADS_MIN_RANGE ? MIN_RANGE
    : Math.max(MIN_RANGE, workerWorthBytes(ipv4Routes + ipv6Routes, Boolean(run.setup.checks)));
  const threads = threadsWorthUsing(run.threads, totalBytes, workerBytes, run.setup.checks ? MAIN_SHARE_WITH_CHECKS : MAIN_SHARE);
  if (threads < 2) {
    if (process.env.FIBSCOPE_DEBUG_THREADS) process.stderr.write(`threads: one: ${totalBytes} bytes do not pay for a worker (each should read ${Math.round(workerBytes)})\n`);
    return undefined;
  }
  const { files, tasks, mainTasks } = planPieces({ ...run, threads }, sizes);
  // one piece: a worker would only add its start and the merge
  if (tasks.length < 2) return undefined;
  const began = performance.now();
  const fileOf = tasks.map((task) => run.paths.indexOf(task.path));
  const replay = new TrackerReplay(run.fib.engine().wasm, fileOf);
  try {
    return await readAndMerge(run, files, tasks, replay, began, mainTasks);
  } finally {
    replay.dispose();
  }
}

/**
 * The files as pieces, in capture order. The main thread reads a first stretch of them itself
 * (`mainTasks` pieces: whole files, then the first range of the file where its share ends), the
 * workers the rest (ranges of about an equal share each); 0 when the stretch would be no piece
 * (a first file that cannot be cut), and the workers read everything.
 */
function planPieces(run: ThreadedRun, sizes: number[]): { files: FilePieces[]; tasks: PieceTask[]; mainTasks: number } {
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const mainShare = run.setup.checks ? MAIN_SHARE_WITH_CHECKS : MAIN_SHARE;
  const prefix = (totalBytes * mainShare) / (mainShare + run.threads - 1);
  const target = Math.max(MIN_RANGE, Math.ceil((totalBytes - prefix) / Math.max(1, run.threads - 1)));
  const tasks: PieceTask[] = [];
  let mainTasks = 0;
  let offset = 0;
  const files: FilePieces[] = run.paths.map((path, file) => {
    const size = sizes[file];
    const before = offset;
    offset += size;
    // how much of this file falls in the main thread's stretch, and how many workers' ranges the rest makes
    const mine = Math.min(size, Math.max(0, prefix - before));
    const others = Math.min(run.threads - 1, Math.ceil((size - mine) / target));
    let ranges: CaptureRange[];
    let mainRanges = 0;
    if (mine >= size - MIN_RANGE / 4 || others === 0) {
      ranges = [{ start: 0, end: size, head: new Uint8Array(0) }];
      mainRanges = mine > 0 && mainTasks === tasks.length ? 1 : 0;
    } else if (mine <= MIN_RANGE / 4 || mainTasks !== tasks.length) {
      ranges = splitCapture(path, size, others);
    } else {
      // the first range the main thread's, the others equal
      ranges = splitCapture(path, size, others + 1, (mine * others) / (size - mine));
      mainRanges = ranges.length > 1 ? 1 : mine * 2 > size ? 1 : 0;
    }
    return {
      path,
      pieces: ranges.map((range, i) => {
        if (i < mainRanges) mainTasks++;
        tasks.push({ index: tasks.length, path, start: range.start, end: range.end, head: range.head, logs: false });
        return { result: undefined as unknown as PieceResult, start: range.start, headBytes: range.head.length, last: i === ranges.length - 1 };
      }),
    };
  });
  // the pieces after the first stretch read in order by one thread log their anomalies
  const inOrder = Math.max(mainTasks, 1);
  for (const task of tasks) task.logs = task.index >= inOrder;
  return { files, tasks, mainTasks };
}

async function readAndMerge(run: ThreadedRun, files: FilePieces[], tasks: PieceTask[], replay: TrackerReplay, began: number,
  mainTasks: number): Promise<Report | undefined> {
  const mainCpu = threadCpuMs();
  const merge = new PieceMerge(run.fib, files);
  // each result goes to its piece of `files` as it comes, for the merge to take it in order
  const pieces = files.flatMap((file) => file.pieces);
  const onResult = (result: PieceResult) => {
    pieces[result.index].result = result;
    replay.addResult(result);
  };
  try {
    const results = await runTasks(tasks, run, onResult, merge, replay, mainTasks);
    if (process.env.FIBSCOPE_DEBUG_THREADS) {
      // (the main thread's own piece has no worker's figures)
      const workers = [...new Set(results.filter((result) => result.threadCpuMs).map((result) => `${result.threadCpuMs!.total} (table ${result.threadCpuMs!.setup})`))];
      process.stderr.write(`threads: ${tasks.length} pieces${mainTasks ? ` (the first ${mainTasks} on the main thread)` : ''} in ${(performance.now() - began).toFixed(0)} ms; main thread ${mainCpu.toFixed(0)} ms before, ${(threadCpuMs() - mainCpu).toFixed(0)} ms during; pieces' workers (cpu ms so far) ${workers.join(' ')}\n`);
    }
    const merging = performance.now();
    const report = mergePieces(files, merge, () => replay.tops());
    if (process.env.FIBSCOPE_DEBUG_THREADS) process.stderr.write(`threads: merged in ${(performance.now() - merging).toFixed(0)} ms; main thread ${threadCpuMs().toFixed(0)} ms so far\n`);
    return report;
  } catch (error) {
    if (error instanceof NotMergeable || error instanceof ReplayRefused) {
      if (process.env.FIBSCOPE_DEBUG_THREADS) process.stderr.write(`threads: one thread instead: ${error.message}\n`);
      return undefined;
    }
    throw error;
  } finally {
    merge.dispose();
  }
}

/**
 * The first tasks, read in order on this thread with its table, each piece's anomaly trackers
 * carried into the next (none logs); each result goes to `results` and the replay as it comes.
 */
async function readFirstHere(tasks: PieceTask[], run: ThreadedRun, replay: TrackerReplay, progress: (index: number, bytes: number) => void,
  begin: (task: PieceTask) => void, deliver: (result: PieceResult) => void): Promise<void> {
  let trackers: Uint8Array | undefined;
  for (const task of tasks) {
    begin(task);
    let result: PieceResult;
    try {
      result = await analysePiece(run.fib, run.setup, task, {
        log: (index, part) => replay.addPart(index, part),
        progress,
        yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
      }, trackers);
    } catch (error) {
      throw pieceError(task, (error as Error).message, (error as { code?: string }).code);
    }
    trackers = result.anomalies?.trackers;
    deliver(result);
  }
}

/** A piece's reading failed: the error names the file and the piece's bytes. */
function pieceError(task: PieceTask, message: string, code?: string): FibscopeError {
  return new FibscopeError(code ?? 'CAPTURE_UNREADABLE', `${task.path} (bytes ${task.start}..${task.end}): ${message}`);
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(2);
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/**
 * Runs the tasks: this thread reads the first `mainTasks` in order, workers the others, each
 * taking the next task when done. Each result is delivered as it comes; then, this thread
 * being otherwise idle, the merge takes the pieces it can. Returns the results by task index.
 */
async function runTasks(tasks: PieceTask[], run: ThreadedRun, onResult: (result: PieceResult) => void, merge: PieceMerge,
  replay: TrackerReplay, mainTasks: number): Promise<PieceResult[]> {
  const results: PieceResult[] = new Array(tasks.length);
  const deliver = (result: PieceResult) => {
    results[result.index] = result;
    onResult(result);
  };
  const done = new Map<string, number>();
  const sizeOf = new Map<string, number>();
  for (const task of tasks) sizeOf.set(task.path, (sizeOf.get(task.path) ?? 0) + task.end - task.start);
  const started = new Set<string>();
  let next = mainTasks;
  const workers: Worker[] = [];
  /** Says when a file's first piece starts, whichever thread reads it. */
  const begin = (task: PieceTask) => {
    if (started.has(task.path)) return;
    started.add(task.path);
    run.onInput?.(task.path);
  };
  const progress = (index: number, bytes: number) => {
    const path = tasks[index].path;
    const read = (done.get(path) ?? 0) + bytes;
    done.set(path, read);
    run.onProgress?.(read, sizeOf.get(path));
  };
  // compiled once, here: the workers instantiate it rather than compile it each
  const module = await compileModule();
  try {
    const workerCount = Math.min(mainTasks ? run.threads - 1 : run.threads, tasks.length - mainTasks);
    const workersDone = Promise.all(Array.from({ length: workerCount }, () => new Promise<void>((resolve, reject) => {
      const worker = new (nodeWorkerThreads().Worker)(WORKER_URL, { workerData: { ...run.setup, module } });
      workers.push(worker);
      const give = () => {
        if (next >= tasks.length) {
          worker.postMessage(null);
          resolve();
          return;
        }
        const task = tasks[next++];
        begin(task);
        worker.postMessage(task);
      };
      worker.on('message', (message: { ready?: true; result?: PieceResult; log?: { index: number; part?: Uint8Array }; progress?: { index: number; bytes: number }; error?: { index: number; message: string; code?: string } }) => {
        if (message.ready) give();
        else if (message.progress) {
          progress(message.progress.index, message.progress.bytes);
        } else if (message.log) {
          replay.addPart(message.log.index, message.log.part);
        } else if (message.result) {
          deliver(message.result);
          // the worker's next task first, then the merge while it reads
          give();
          merge.offer();
        } else if (message.error) {
          reject(pieceError(tasks[message.error.index], message.error.message, message.error.code));
        }
      });
      worker.on('error', reject);
    })));
    // started after the workers, which load their tables meanwhile (they take their tasks when
    // this reading yields, every few megabytes)
    const mainPieces = readFirstHere(tasks.slice(0, mainTasks), run, replay, progress, begin, deliver)
      .then(() => merge.offer());
    await Promise.all([workersDone, mainPieces]);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return results;
}
