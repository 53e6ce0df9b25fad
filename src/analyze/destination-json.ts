// The `destinations` of a report as JSON text made in WebAssembly, in chunks: a capture with a
// million destinations is written without a million objects or one giant string.
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';

/** Destinations per WebAssembly call: 64 KiB of entries in, at most 640 KiB of text out. */
const BLOCK = 1024;

/** Where a report built by an Analyzer keeps its fast JSON writer (not enumerable). */
export const DESTINATION_JSON: unique symbol = Symbol('fibscope.destinationJson');

export interface DestinationJsonSource {
  /** How many destinations the text holds. */
  readonly count: number;
  /**
   * Hands the text of every destination, as JSON.stringify(report, null, 2) indents it inside
   * the `destinations` array and separated by ",\n", to `write` in chunks. A chunk is a view of
   * WebAssembly memory, valid only until `write` returns: copy it to keep it.
   */
  write(write: (chunk: Uint8Array) => void): void;
}

/**
 * The prefix of each route id as JSON text in WebAssembly memory, as writeDestinationsJson reads
 * it (assembly/report/destinations-json.ts): `slots` pairs of u32 (offset from the table, length;
 * 0 for null) by route id, then the texts, `bytes` in all at most.
 */
export interface PrefixTable {
  readonly slots: number;
  readonly bytes: number;
  /** Writes the table at `at`; WebAssembly memory may not grow meanwhile. */
  fill(at: number): void;
}

/**
 * A writer over destination entries copied out of WebAssembly (`entries`, `entryBytes` each),
 * whose route ids index their prefixes in `prefixes`; times get `digits` decimals.
 */
export function destinationJsonSource(wasm: FibscopeExports, entries: Uint8Array, entryBytes: number, count: number,
  prefixes: PrefixTable, digits: number): DestinationJsonSource {
  return {
    count,
    write(write) {
      if (count === 0) return;
      const block = Math.min(BLOCK, count);
      const entriesBytes = block * entryBytes;
      const outBytes = block * wasm.destinationJsonBytes();
      const tableBytes = prefixes.bytes;
      const slots = prefixes.slots;
      const size = entriesBytes + outBytes + tableBytes;
      const base = wasm.hostBufferCreate(size) >>> 0;
      if (base === 0) throw new FibscopeOutOfMemoryError('a report', `out of WebAssembly memory: no room to write ${count} destinations as JSON`);
      try {
        const blockAt = base;
        const outAt = base + entriesBytes;
        const tableAt = outAt + outBytes;
        prefixes.fill(tableAt);
        for (let start = 0; start < count; start += block) {
          const n = Math.min(block, count - start);
          new Uint8Array(wasm.memory.buffer).set(entries.subarray(start * entryBytes, (start + n) * entryBytes), blockAt);
          const written = wasm.destinationsJson(blockAt, n, start === 0, tableAt, slots, digits, outAt);
          write(new Uint8Array(wasm.memory.buffer, outAt, written));
        }
      } finally {
        wasm.hostBufferFree(base, size);
      }
    },
  };
}
