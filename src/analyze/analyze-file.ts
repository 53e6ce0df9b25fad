// Node: analyze capture files (plain or gzip, recognised by their first bytes) or standard input.
import { readSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { FibscopeError } from '../errors.js';
import { Fib } from '../fib/fib.js';
import { Analyzer, type AnalyzerOptions } from './analyzer.js';
import { readFileAhead } from './read-ahead.js';
import type { Report } from './report.js';
import type { RouteSource } from '../threads/piece.js';
import { UpdateApplier, type ApplyUpdatesOptions } from '../updates/applier.js';
import type { UpdateStream } from '../updates/types.js';
import type { Interval } from '../intervals/interval.js';
import type { IntervalOptions, IntervalTracking } from '../intervals/tracker.js';

/** Longest stretch of synchronous reading before the event loop gets a turn. */
const YIELD_MS = 50;

/** Called as a capture is read: bytes of the file so far, and its size when known. */
export type ProgressListener = (read: number, total: number | undefined) => void;

export interface AnalyzeOptions extends Pick<AnalyzerOptions, 'filter' | 'rules' | 'interfaceName' | 'checks' | 'views'> {
  /** The routing table; without one, only destinations are counted. */
  fib?: Fib;
  /** Called as each capture starts being read. */
  onInput?: (path: string) => void;
  onProgress?: ProgressListener;
  /**
   * The most worker threads to analyse plain capture files on (docs/library.md, "Threads"); 1 by default.
   * They rebuild the table from `routeSources`, so without them (and with a `fib`) one thread
   * reads; rules and views are counted on one thread too. The report is the same either way.
   */
  threads?: number;
  /** The routes inputs `fib` was loaded from, in order: what the worker threads load. */
  routeSources?: RouteSource[];
  /** The WebAssembly memory limit the worker threads' tables are made with (Fib.create). */
  memoryLimit?: number;
  /**
   * Route updates applied to `fib` in step with the captures' clock (docs/updates.md); the report
   * gains `updates`. The captures are then read on one thread.
   */
  updates?: ApplyUpdatesOptions & { stream: UpdateStream };
  /**
   * Traffic in time bins too (docs/intervals.md), read on one thread: each bin goes to
   * `onBin` as it closes, or without one into the report's `intervals`.
   */
  interval?: Omit<IntervalOptions, 'onBin'> & { onBin?: IntervalOptions['onBin'] };
}

/**
 * The report (docs/report.md) for one capture file ('-' for standard input). A damaged capture resolves
 * with everything read before the damage and the input's `error` set; only a file that cannot
 * be opened rejects.
 */
export async function analyzeFile(path: string, options: AnalyzeOptions = {}): Promise<Report> {
  return analyzeFiles([path], options);
}

/** One report over several captures, read one after another into the same counters. */
export async function analyzeFiles(paths: string[], options: AnalyzeOptions = {}): Promise<Report> {
  const fib = options.fib ?? await Fib.create();
  const { filter, rules, interfaceName, checks, views } = options;
  const threads = options.threads ?? 1;
  // unordered times refused here, before any capture is read
  const updates = options.updates && new UpdateApplier(fib, options.updates.stream, options.updates);
  if (threads > 1 && !updates && paths.length > 0 && options.interval === undefined && (options.fib === undefined || options.routeSources) && rules === undefined && views === undefined) {
    const { analyzeThreaded } = await import('../threads/analyze-threads.js');
    const report = await analyzeThreaded({
      paths, threads, fib, onInput: options.onInput, onProgress: options.onProgress,
      setup: { routes: options.routeSources ?? [], memoryLimit: options.memoryLimit, filter, interfaceName, checks },
    });
    if (report) return report;
  }
  const analyzer = new Analyzer({ fib, name: paths[0], filter, rules, interfaceName, checks, views });
  const intervals: Interval[] = [];
  const interval = options.interval;
  let tracking: IntervalTracking | undefined;
  try {
    tracking = interval && analyzer.trackIntervals({ ...interval, onBin: interval.onBin ?? ((bin) => intervals.push(bin)) });
    // after the bins: at a moment both wait for, a bin closes on the table it was counted by
    if (updates) analyzer.addClockListener(updates);
    for (const [index, path] of paths.entries()) {
      if (index > 0) analyzer.nextInput(path);
      options.onInput?.(path);
      await readCapture(analyzer, path, options.onProgress);
      analyzer.end();
    }
    tracking?.finish();
    const report = analyzer.report();
    if (interval && !interval.onBin) report.intervals = intervals;
    if (updates) report.updates = updates.summary();
    return report;
  } finally {
    tracking?.cancel(); // (after finish: nothing)
    analyzer.dispose();
  }
}

/** Feeds one file, or standard input for '-', into the analyzer's current input. */
export async function readCapture(analyzer: Analyzer, path: string, onProgress?: ProgressListener): Promise<void> {
  if (path === '-') {
    await pump(analyzer, process.stdin, onProgress);
    return;
  }
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw cannotOpen(path, error);
  }
  try {
    const stats = await file.stat();
    // opening a directory succeeds on Linux; reading it is what fails, with a bare EISDIR
    if (stats.isDirectory()) throw isDirectory(path);
    if (!stats.isFile()) {
      // a named pipe or a device (`<(zcat x.pcap.gz)`): no seeking, no size; read as standard input is
      await pump(analyzer, file.createReadStream({ highWaterMark: 1 << 20, autoClose: false }), onProgress);
      return;
    }
    const total = stats.size;
    const head = new Uint8Array(2);
    const { bytesRead } = await file.read(head, 0, 2, 0);
    if (bytesRead === 2 && isGzip(head)) {
      const compressed = file.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false });
      let read = 0;
      compressed.on('data', (chunk) => onProgress?.((read += chunk.length), total));
      await pumpChunks(analyzer, compressed.pipe(createGunzip()));
      return;
    }
    // a plain file is read straight into WebAssembly memory: ahead of the counting where it can
    // be (read-ahead.ts); else synchronously, a page-cached capture reading faster so than through
    // a promise per MiB (165 ms of 1M packets, issue 11), with a turn for the event loop every
    // YIELD_MS (progress bars, a server's requests)
    if (await readFileAhead(analyzer, file.fd, onProgress && ((position) => onProgress(position, total)))) return;
    let position = 0;
    let turn = performance.now();
    while (!analyzer.failed) {
      const count = analyzer.pushFromSync((view) => readSync(file.fd, view, 0, view.length, position));
      if (count === 0) break;
      position += count;
      onProgress?.(position, total);
      if (performance.now() - turn > YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        turn = performance.now();
      }
    }
  } finally {
    await file.close();
  }
}

/**
 * Rejects, as readCapture would, a capture path that does not exist or is a directory: for
 * callers that want to know before they create their output ('-' is always fine). It looks
 * without opening, so a named pipe is left for readCapture to open once.
 */
export async function checkCapturePath(path: string): Promise<void> {
  if (path === '-') return;
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    throw cannotOpen(path, error);
  }
  if (stats.isDirectory()) throw isDirectory(path);
}

function cannotOpen(path: string, error: unknown): FibscopeError {
  if ((error as { code?: unknown } | null)?.code === 'EISDIR') return isDirectory(path);
  return new FibscopeError('CAPTURE_UNREADABLE', `cannot open capture ${path}: ${(error as Error).message}`);
}

function isDirectory(path: string): FibscopeError {
  return new FibscopeError('CAPTURE_UNREADABLE', `${path}: is a directory, not a capture file`);
}

/** The gzip magic, 1f 8b, at the start of `bytes`. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Feeds a stream that cannot be looked at before it is read (standard input, a named pipe):
 * gunzipped when it starts with the gzip magic, as files are. `onProgress` gets the bytes read
 * from the stream, with no total.
 */
async function pump(analyzer: Analyzer, stream: Readable, onProgress?: ProgressListener): Promise<void> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  let read = 0;
  const counted = async function* (first: Uint8Array[]): AsyncGenerator<Uint8Array> {
    yield* first;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      onProgress?.((read += next.value.length), undefined);
      yield next.value;
    }
  };
  try {
    // the first two bytes may come in two chunks
    const head: Uint8Array[] = [];
    let headBytes = 0;
    while (headBytes < 2) {
      let next;
      try {
        next = await chunks.next();
      } catch (error) {
        analyzer.fail(`the stream broke off: ${(error as Error).message}`);
        return;
      }
      if (next.done) break;
      head.push(next.value);
      headBytes += next.value.length;
      onProgress?.((read += next.value.length), undefined);
    }
    const start = head.length === 1 ? head[0] : Buffer.concat(head);
    if (headBytes >= 2 && isGzip(start)) {
      await pumpChunks(analyzer, Readable.from(counted([start])).pipe(createGunzip()));
    } else {
      await pumpChunks(analyzer, counted(head));
    }
  } finally {
    // stop reading a stream left early (damage found): as leaving a for-await loop over it does
    await chunks.return?.();
  }
}

async function pumpChunks(analyzer: Analyzer, stream: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const chunk of stream) {
      analyzer.push(chunk as Uint8Array);
      if (analyzer.failed) break;
    }
  } catch (error) {
    // a compressed stream that breaks off: what was read stays counted
    analyzer.fail(`the compressed stream is damaged: ${(error as Error).message}`);
  }
}
