import { FibscopeArgumentError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { buildReport, type InputState } from './build-report.js';
import type { Report } from './report.js';

export interface AnalyzerOptions {
  /** The routing table to classify by. Analyzers on one table share its WebAssembly instance. */
  fib: Fib;
  /** Names the first input in the report and in errors; '-' by default. */
  name?: string;
}

/**
 * Streaming capture analysis, in Node and browsers: push capture bytes as they arrive (pcap or
 * pcapng, any chunking), read the report at any time. One WebAssembly call per chunk does the
 * framing, parsing, lookups and counting; JavaScript only copies bytes in.
 */
export class Analyzer {
  readonly fib: Fib;
  private readonly wasm: FibscopeExports;
  private readonly ioPointer: number;
  private readonly buffer: number;
  private readonly bufferBytes: number;
  private counters: number;
  private inputs: InputState[] = [];
  private current: InputState;
  /** Bytes of the current input waiting at the start of the capture buffer. */
  private pending = 0;
  private disposed = false;

  constructor(options: AnalyzerOptions) {
    if (!options?.fib) throw new FibscopeArgumentError('new Analyzer({ fib }) needs a Fib (await Fib.create())');
    this.fib = options.fib;
    const { wasm, ioPointer } = options.fib.engine();
    this.wasm = wasm;
    this.ioPointer = ioPointer;
    this.buffer = wasm.captureBufferCreate() >>> 0;
    this.bufferBytes = wasm.captureBufferBytes();
    this.counters = wasm.countersCreate() >>> 0;
    this.current = this.openInput(options.name ?? '-');
  }

  /** The capture stream continues with these bytes. */
  push(chunk: Uint8Array): void {
    this.checkUsable();
    const input = this.current;
    if (input.ended) throw new FibscopeArgumentError(`input ${input.path} has ended; start another with nextInput()`);
    for (let offset = 0; offset < chunk.length && !this.stopped(input);) {
      const room = this.bufferBytes - this.pending;
      const take = Math.min(room, chunk.length - offset);
      // the buffer never moves, but memory may have grown (detaching old views): view it afresh
      new Uint8Array(this.wasm.memory.buffer, this.buffer + this.pending, take).set(chunk.subarray(offset, offset + take));
      offset += take;
      this.pending = this.wasm.inputFeed(input.handle, this.counters, this.buffer, this.pending + take, false);
    }
  }

  /**
   * Lets the caller fill the capture buffer itself (a file read straight into WebAssembly
   * memory): `fill(view)` writes at most `view.length` bytes into it and returns how many.
   */
  async pushFrom(fill: (view: Uint8Array) => Promise<number>): Promise<number> {
    this.checkUsable();
    const input = this.current;
    const room = this.bufferBytes - this.pending;
    const view = new Uint8Array(this.wasm.memory.buffer, this.buffer + this.pending, room);
    const count = await fill(view);
    if (count > 0 && !this.stopped(input)) {
      this.pending = this.wasm.inputFeed(input.handle, this.counters, this.buffer, this.pending + count, false);
    }
    return count;
  }

  /** The current input's stream is over: a record cut short now is damage. */
  end(): void {
    this.checkUsable();
    const input = this.current;
    if (input.ended) return;
    if (!this.stopped(input)) this.pending = this.wasm.inputFeed(input.handle, this.counters, this.buffer, this.pending, true);
    this.pending = 0;
    input.ended = true;
  }

  /** Ends the current input and starts another (a second file); counters carry on. */
  nextInput(name: string): void {
    this.end();
    this.current = this.openInput(name);
  }

  /** True once the current input stopped early (damage, or not a capture at all). */
  get failed(): boolean {
    return this.stopped(this.current);
  }

  /**
   * Stops the current input for a reason found outside the capture format (a compressed stream
   * that breaks off, say): what was counted stays, the input's `error` says why.
   */
  fail(reason: string): void {
    if (!this.stopped(this.current)) this.current.hostError = reason;
  }

  /** The report of everything counted so far (SPEC section 4), without stopping anything. */
  report(): Report {
    this.checkUsable();
    return buildReport(this.fib, this.wasm, this.ioPointer, this.counters, this.inputs);
  }

  /** Gives the WebAssembly memory of the counters and inputs back. The analyzer is unusable after. */
  dispose(): void {
    if (this.disposed) return;
    for (const input of this.inputs) this.wasm.inputFree(input.handle);
    this.wasm.countersFree(this.counters);
    this.wasm.captureBufferFree(this.buffer);
    this.disposed = true;
  }

  private openInput(path: string): InputState {
    const input: InputState = { path, handle: this.wasm.inputCreate() >>> 0, ended: false };
    this.inputs.push(input);
    this.pending = 0;
    return input;
  }

  private stopped(input: InputState): boolean {
    return input.hostError !== undefined || this.wasm.inputError(input.handle) !== 0;
  }

  private checkUsable(): void {
    if (this.disposed) throw new FibscopeArgumentError('this Analyzer was disposed');
  }
}
