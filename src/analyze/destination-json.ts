// The `destinations` of a report as JSON text made in WebAssembly, in chunks: a capture with a
// million destinations is written without a million objects or one giant string.
import type { FibscopeExports } from '../wasm/module.js';

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

const encoder = new TextEncoder();

/**
 * A writer over destination entries copied out of WebAssembly (`entries`, `entryBytes` each),
 * whose route ids name prefixes through `prefixOf`; times get `digits` decimals.
 */
export function destinationJsonSource(wasm: FibscopeExports, entries: Uint8Array, entryBytes: number, count: number,
  prefixOf: ReadonlyMap<number, string>, digits: number): DestinationJsonSource {
  return {
    count,
    write(write) {
      if (count === 0) return;
      // the prefix table: (offset, length) per route id, then the prefixes' JSON text
      let slots = 1;
      let textBytes = 0;
      const texts = new Map<number, Uint8Array>();
      for (const [id, prefix] of prefixOf) {
        const text = encoder.encode(JSON.stringify(prefix));
        texts.set(id, text);
        textBytes += text.length;
        slots = Math.max(slots, id + 1);
      }
      const block = Math.min(BLOCK, count);
      const entriesBytes = block * entryBytes;
      const outBytes = block * wasm.destinationJsonBytes();
      const tableBytes = slots * 8 + textBytes;
      const size = entriesBytes + outBytes + tableBytes;
      const base = wasm.hostBufferCreate(size) >>> 0;
      try {
        const blockAt = base;
        const outAt = base + entriesBytes;
        const tableAt = outAt + outBytes;
        const memory = () => new Uint8Array(wasm.memory.buffer);
        const table = new DataView(wasm.memory.buffer, tableAt, tableBytes);
        new Uint8Array(wasm.memory.buffer, tableAt, slots * 8).fill(0);
        let textAt = slots * 8;
        const limit = wasm.prefixTextBytes();
        for (const [id, text] of texts) {
          if (text.length > limit) throw new Error(`route ${id}'s prefix text is over ${limit} bytes`);
          table.setUint32(id * 8, textAt, true);
          table.setUint32(id * 8 + 4, text.length, true);
          memory().set(text, tableAt + textAt);
          textAt += text.length;
        }
        for (let start = 0; start < count; start += block) {
          const n = Math.min(block, count - start);
          memory().set(entries.subarray(start * entryBytes, (start + n) * entryBytes), blockAt);
          const written = wasm.destinationsJson(blockAt, n, start === 0, tableAt, slots, digits, outAt);
          write(new Uint8Array(wasm.memory.buffer, outAt, written));
        }
      } finally {
        wasm.hostBufferFree(base, size);
      }
    },
  };
}
