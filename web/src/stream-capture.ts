// Streaming a capture file into an Analyzer in the worker, for analyses and comparisons alike:
// chunk by chunk, progress now and then (with a task boundary, so a cancel message can come in),
// stopping at damage, and a read error recorded on the input as the CLI records it.
import type { Analyzer } from '../../src/index.js';
import { byteStream, type Opened } from './sources.js';

export interface StreamOptions {
  signal: AbortSignal;
  /** How often to report progress, in ms. */
  progressMs: number;
  /** File bytes read so far and the file's size; the stream goes on once it resolves. */
  onProgress(read: number, total: number): Promise<void>;
}

export interface Streamed {
  /** False when the signal stopped it: nothing after the last chunk was read. */
  complete: boolean;
  /** Capture bytes pushed (after gunzip), and the time spent inside `push`. */
  bytes: number;
  pushMs: number;
}

/** Pushes the whole of `opened` into `analyzer` (then the caller ends it). */
export async function streamCapture(analyzer: Analyzer, opened: Opened, options: StreamOptions): Promise<Streamed> {
  const total = opened.blob.size;
  let fileBytes = 0;
  let bytes = 0;
  let pushMs = 0;
  let posted = 0;
  const reader = byteStream(opened, (read) => { fileBytes = read; }).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (options.signal.aborted) {
        await reader.cancel();
        return { complete: false, bytes, pushMs };
      }
      const before = performance.now();
      analyzer.push(value);
      pushMs += performance.now() - before;
      bytes += value.length;
      if (analyzer.failed) {
        await reader.cancel(); // damage: nothing after it counts
        break;
      }
      if (before - posted >= options.progressMs) {
        posted = before;
        await options.onProgress(fileBytes, total);
      }
    }
  } catch (error) {
    // what was read stays counted, as in the CLI
    const message = error instanceof Error ? error.message : String(error);
    analyzer.fail(opened.gzip
      ? `the compressed stream is damaged: ${message}`
      : `the file could not be read to its end: ${message}`);
  }
  return { complete: true, bytes, pushMs };
}
