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
   * WebAssembly memory, valid only until `write` returns: copy it to keep it. With `indent`,
   * every line after the first of each destination's text is indented that many more blanks
   * (a report nested that deep in another document: `compare`).
   */
  write(write: (chunk: Uint8Array) => void, indent?: number): void;
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

const encoder = new TextEncoder();
/** Printable ASCII without quotes or backslashes: JSON text is the string in quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const QUOTE = 0x22;

/**
 * The prefix table of prefixes given as text by route id, for writers without route rows in
 * WebAssembly (a merge of the reports of worker threads). A prefix is plain ASCII, whose quoted
 * text is itself; anything else is encoded properly.
 */
export function prefixTableOf(wasm: FibscopeExports, prefixOf: readonly (string | undefined)[]): PrefixTable {
  const slots = Math.max(1, prefixOf.length);
  const texts = prefixOf.map((prefix) => (prefix === undefined ? undefined
    : PLAIN.test(prefix) ? prefix : encoder.encode(JSON.stringify(prefix))));
  const textBytes = texts.reduce((sum, text) => sum + (text === undefined ? 0 : typeof text === 'string' ? text.length + 2 : text.length), 0);
  return {
    slots,
    bytes: slots * 8 + textBytes,
    fill(at) {
      const table = new DataView(wasm.memory.buffer, at, slots * 8 + textBytes);
      const bytes = new Uint8Array(wasm.memory.buffer, at, slots * 8 + textBytes);
      bytes.fill(0, 0, slots * 8);
      const limit = wasm.prefixTextBytes();
      let offset = slots * 8;
      texts.forEach((text, id) => {
        if (text === undefined) return;
        const start = offset;
        if (typeof text === 'string') {
          bytes[offset++] = QUOTE;
          for (let i = 0; i < text.length; i++) bytes[offset++] = text.charCodeAt(i);
          bytes[offset++] = QUOTE;
        } else {
          bytes.set(text, offset);
          offset += text.length;
        }
        if (offset - start > limit) throw new Error(`route ${id}'s prefix text is over ${limit} bytes`);
        table.setUint32(id * 8, start, true);
        table.setUint32(id * 8 + 4, offset - start, true);
      });
    },
  };
}

/**
 * A writer over destination entries copied out of WebAssembly (`entries`, `entryBytes` each),
 * whose route ids index their prefixes in `prefixes`; times get `digits` decimals.
 */
export function destinationJsonSource(wasm: FibscopeExports, entries: Uint8Array, entryBytes: number, count: number,
  prefixes: PrefixTable, digits: number): DestinationJsonSource {
  return {
    count,
    write(write, indent = 0) {
      if (count === 0) return;
      const block = Math.min(BLOCK, count);
      const entriesBytes = block * entryBytes;
      // a destination's text holds 8 line feeds (its separator's included), each indented in WebAssembly
      const outBytes = block * (wasm.destinationJsonBytes() + 8 * indent);
      const tableBytes = prefixes.bytes;
      const slots = prefixes.slots;
      const size = entriesBytes + outBytes + tableBytes;
      // a scratch region kept between reports (assembly/report/scratch.ts): nothing to free
      const base = wasm.destinationJsonScratch(size) >>> 0;
      if (base === 0) throw new FibscopeOutOfMemoryError('a report', `out of WebAssembly memory: no room to write ${count} destinations as JSON`);
      const blockAt = base;
      const outAt = base + entriesBytes;
      const tableAt = outAt + outBytes;
      prefixes.fill(tableAt);
      for (let start = 0; start < count; start += block) {
        const n = Math.min(block, count - start);
        new Uint8Array(wasm.memory.buffer).set(entries.subarray(start * entryBytes, (start + n) * entryBytes), blockAt);
        const written = wasm.destinationsJson(blockAt, n, start === 0, tableAt, slots, digits, outAt, indent);
        write(new Uint8Array(wasm.memory.buffer, outAt, written));
      }
    },
  };
}
