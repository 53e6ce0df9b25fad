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
   * WebAssembly memory, valid only until `write` returns: copy it to keep it. With `indent`,
   * every line after the first of each destination's text is indented that many more blanks
   * (a report nested that deep in another document: `compare`).
   */
  write(write: (chunk: Uint8Array) => void, indent?: number): void;
}

const encoder = new TextEncoder();
/** Printable ASCII without quotes or backslashes: JSON text is the string in quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const QUOTE = 0x22;

/**
 * A writer over destination entries copied out of WebAssembly (`entries`, `entryBytes` each),
 * whose route ids index their prefixes in `prefixOf`; times get `digits` decimals.
 */
export function destinationJsonSource(wasm: FibscopeExports, entries: Uint8Array, entryBytes: number, count: number,
  prefixOf: readonly (string | undefined)[], digits: number): DestinationJsonSource {
  return {
    count,
    write(write, indent = 0) {
      if (count === 0) return;
      // the prefix table: (offset, length) per route id, then the prefixes' JSON text; a prefix
      // is plain ASCII (its quoted text is itself), but anything else is encoded properly
      const slots = Math.max(1, prefixOf.length);
      let textBytes = 0;
      const encoded = new Map<number, Uint8Array>();
      for (let id = 0; id < prefixOf.length; id++) {
        const prefix = prefixOf[id];
        if (prefix === undefined) continue;
        if (PLAIN.test(prefix)) textBytes += prefix.length + 2;
        else {
          const text = encoder.encode(JSON.stringify(prefix));
          encoded.set(id, text);
          textBytes += text.length;
        }
      }
      const block = Math.min(BLOCK, count);
      const entriesBytes = block * entryBytes;
      const outBytes = block * wasm.destinationJsonBytes();
      const tableBytes = slots * 8 + textBytes;
      // a destination's text holds 8 line feeds (its separator's included)
      const indentedBytes = indent > 0 ? block * (wasm.destinationJsonBytes() + 8 * indent) : 0;
      const size = entriesBytes + outBytes + tableBytes + indentedBytes;
      const base = wasm.hostBufferCreate(size) >>> 0;
      try {
        const blockAt = base;
        const outAt = base + entriesBytes;
        const tableAt = outAt + outBytes;
        const indentedAt = tableAt + tableBytes;
        // no WebAssembly call until the table is written: these views stay attached
        const table = new DataView(wasm.memory.buffer, tableAt, tableBytes);
        const bytes = new Uint8Array(wasm.memory.buffer, tableAt, tableBytes);
        bytes.fill(0, 0, slots * 8);
        const limit = wasm.prefixTextBytes();
        let at = slots * 8;
        for (let id = 0; id < prefixOf.length; id++) {
          const prefix = prefixOf[id];
          if (prefix === undefined) continue;
          const start = at;
          const text = encoded.get(id);
          if (text) {
            bytes.set(text, at);
            at += text.length;
          } else {
            bytes[at++] = QUOTE;
            for (let i = 0; i < prefix.length; i++) bytes[at++] = prefix.charCodeAt(i);
            bytes[at++] = QUOTE;
          }
          if (at - start > limit) throw new Error(`route ${id}'s prefix text is over ${limit} bytes`);
          table.setUint32(id * 8, start, true);
          table.setUint32(id * 8 + 4, at - start, true);
        }
        for (let start = 0; start < count; start += block) {
          const n = Math.min(block, count - start);
          new Uint8Array(wasm.memory.buffer).set(entries.subarray(start * entryBytes, (start + n) * entryBytes), blockAt);
          const written = wasm.destinationsJson(blockAt, n, start === 0, tableAt, slots, digits, outAt);
          if (indent > 0) write(new Uint8Array(wasm.memory.buffer, indentedAt, wasm.indentLines(outAt, written, indentedAt, indent)));
          else write(new Uint8Array(wasm.memory.buffer, outAt, written));
        }
      } finally {
        wasm.hostBufferFree(base, size);
      }
    },
  };
}
