// Where `fibscope analyze` writes its report: a file, written straight from each chunk, or
// standard output. Chunks may be views of WebAssembly memory that are reused after the call, so
// anything that keeps a chunk past the call gets a copy.
import { closeSync, openSync, writeSync } from 'node:fs';
import { FibscopeError } from '../errors.js';

export interface ReportSink {
  write(chunk: Uint8Array | string): void;
  /** Resolves once everything written has been handed to the operating system. */
  close(): Promise<void>;
}

/** A sink for `path`, or for standard output when there is none. */
export function openSink(path: string | undefined): ReportSink {
  return path === undefined ? stdoutSink() : fileSink(path);
}

function fileSink(path: string): ReportSink {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new FibscopeError('OUTPUT_UNWRITABLE', `cannot write the report to ${path}: ${(error as Error).message}`);
  }
  return {
    write(chunk) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    },
    async close() {
      closeSync(fd);
    },
  };
}

function stdoutSink(): ReportSink {
  return {
    write(chunk) {
      // a pipe on another system than Linux may queue what it cannot take now: give it a copy
      process.stdout.write(typeof chunk === 'string' ? chunk : chunk.slice());
    },
    close() {
      return new Promise((resolve) => {
        if (process.stdout.writableNeedDrain) process.stdout.once('drain', () => resolve());
        else resolve();
      });
    },
  };
}
