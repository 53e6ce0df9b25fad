// The covering routes of the overlay table (docs/compare.md): for every prefix of either table,
// the route each table's own lookup answers for every address of that prefix. A sort of the
// union and one walk with a stack, not a lookup per prefix; typed columns, no object per prefix
// (a full table has a million).
import { FibscopeOutOfMemoryError } from '../errors.js';
import type { BestPrefixes } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';

/**
 * The union of two tables' prefixes in address order (a prefix right after those containing it),
 * each with the route of the longest prefix of each table that contains it (-1: none).
 */
export interface CoveredPrefixes {
  count: number;
  family: Uint8Array;
  length: Uint8Array;
  /** 4 u32 per prefix, most significant first; IPv4 in the first. */
  words: Uint32Array;
  before: Int32Array;
  after: Int32Array;
  /** 1 where the prefix is one of that table's own (its route is of this very prefix). */
  ownBefore: Uint8Array;
  ownAfter: Uint8Array;
}

/**
 * Every distinct prefix of `before` and `after` with its covering pair. Any address's longest
 * match among these prefixes carries (lookup in before, lookup in after) for that address: a
 * longer prefix of either table containing the address would be in the union itself.
 */
export function coveringPairs(before: BestPrefixes, after: BestPrefixes, wasm: FibscopeExports): CoveredPrefixes {
  const v4 = sortedV4(before, after);
  const v6 = itemsV6(before, after);
  // each item: its table (bit 25) and its index there
  const n = v4.length + v6.length;
  // the walk in WebAssembly (assembly/compare/covering.ts): columns in, union columns out
  const layout = new Layout();
  const orderAt = layout.take(n * 4);
  const tableAt = [before, after].map((table) => [table.count, table.count, table.count * 16, table.count * 4].map((bytes) => layout.take(bytes)));
  const tablesAt = layout.take(32);
  const outAt = [n, n, n * 16, n * 4, n * 4, n, n].map((bytes) => layout.take(bytes));
  const outHeaderAt = layout.take(28);
  const spareAt = layout.take(v6.length * 4);
  const digitsAt = layout.take(v6.length * 4);
  const base = wasm.hostBufferCreate(layout.bytes) >>> 0;
  if (base === 0) throw new FibscopeOutOfMemoryError('the overlay table', `out of WebAssembly memory: no room to walk ${n} prefixes of the two tables`);
  try {
    const memory = wasm.memory.buffer;
    const header = new Uint32Array(memory, base + tablesAt, 8);
    const order = new Uint32Array(memory, base + orderAt, n);
    order.set(v4);
    order.set(v6, v4.length);
    [before, after].forEach((table, side) => {
      const [familyAt, lengthAt, wordsAt, idsAt] = tableAt[side];
      new Uint8Array(memory, base + familyAt, table.count).set(table.family.subarray(0, table.count));
      new Uint8Array(memory, base + lengthAt, table.count).set(table.length.subarray(0, table.count));
      new Uint32Array(memory, base + wordsAt, table.count * 4).set(table.words.subarray(0, table.count * 4));
      new Int32Array(memory, base + idsAt, table.count).set(table.ids.subarray(0, table.count));
      header.set([familyAt, lengthAt, wordsAt, idsAt].map((at) => base + at), side * 4);
    });
    new Uint32Array(memory, base + outHeaderAt, 7).set(outAt.map((at) => base + at));
    // the IPv6 prefixes sorted there too: a sort in JavaScript runs cold, once
    wasm.coveringSortV6(base + orderAt + v4.length * 4, v6.length, base + tablesAt, base + spareAt, base + digitsAt);
    const count = wasm.coveringWalk(base + orderAt, n, base + tablesAt, base + outHeaderAt);
    const column = <T>(make: new (buffer: ArrayBuffer, at: number, length: number) => T & { slice(): T }, index: number, length: number): T =>
      new make(memory, base + outAt[index], length).slice();
    return {
      count,
      family: column(Uint8Array, 0, count),
      length: column(Uint8Array, 1, count),
      words: column(Uint32Array, 2, count * 4),
      before: column(Int32Array, 3, count),
      after: column(Int32Array, 4, count),
      ownBefore: column(Uint8Array, 5, count),
      ownAfter: column(Uint8Array, 6, count),
    };
  } finally {
    wasm.hostBufferFree(base, layout.bytes);
  }
}

/** Offsets of the regions of one block, each 8-byte aligned. */
class Layout {
  bytes = 0;

  take(bytes: number): number {
    const at = this.bytes;
    this.bytes += (bytes + 7) & ~7;
    return at;
  }
}

const INDEX_MASK = 0x1ffffff;

/**
 * The IPv4 prefixes of both tables by address, then length, then table (before first): sorted
 * natively as u64 (address << 32 | length << 26 | table << 25 | index), no comparator call.
 * Each item: table << 25 | index.
 */
function sortedV4(before: BestPrefixes, after: BestPrefixes): Uint32Array {
  let count = 0;
  for (const table of [before, after]) for (let i = 0; i < table.count; i++) if (table.family[i] === 4) count++;
  const keys = new BigUint64Array(count);
  const halves = new Uint32Array(keys.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let k = 0;
  [before, after].forEach((table, side) => {
    if (table.count > INDEX_MASK) throw new RangeError('a table of more than 33 million prefixes');
    for (let i = 0; i < table.count; i++) {
      if (table.family[i] !== 4) continue;
      halves[k * 2 + (little ? 1 : 0)] = table.words[i * 4];
      halves[k * 2 + (little ? 0 : 1)] = ((table.length[i] << 26) | (side << 25) | i) >>> 0;
      k++;
    }
  });
  keys.sort();
  const out = new Uint32Array(count);
  for (let j = 0; j < count; j++) out[j] = halves[j * 2 + (little ? 0 : 1)] & 0x3ffffff;
  return out;
}

/** The IPv6 prefixes of both tables as items (table << 25 | index), to be sorted in WebAssembly. */
function itemsV6(before: BestPrefixes, after: BestPrefixes): Uint32Array {
  let count = 0;
  for (const table of [before, after]) for (let i = 0; i < table.count; i++) if (table.family[i] === 6) count++;
  const items = new Uint32Array(count);
  let k = 0;
  [before, after].forEach((table, side) => {
    for (let i = 0; i < table.count; i++) if (table.family[i] === 6) items[k++] = ((side << 25) | i) >>> 0;
  });
  return items;
}
