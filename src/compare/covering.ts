// The covering routes of the overlay table (docs/compare.md): for every prefix of either table,
// the route each table's own lookup answers for every address of that prefix. A sort of the
// union and one walk with a stack, not a lookup per prefix; typed columns, no object per prefix
// (a full table has a million).
import type { BestPrefixes } from '../fib/fib.js';

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
export function coveringPairs(before: BestPrefixes, after: BestPrefixes): CoveredPrefixes {
  const v4 = sortedV4(before, after);
  const v6 = sortedV6(before, after);
  // each item: its table (bit 25) and its index there
  const order = new Uint32Array(v4.length + v6.length);
  order.set(v4);
  order.set(v6, v4.length);
  const capacity = order.length;
  const out: CoveredPrefixes = {
    count: 0, family: new Uint8Array(capacity), length: new Uint8Array(capacity), words: new Uint32Array(capacity * 4),
    before: new Int32Array(capacity), after: new Int32Array(capacity), ownBefore: new Uint8Array(capacity), ownAfter: new Uint8Array(capacity),
  };
  const stack = new Int32Array(130);
  let depth = 0;
  for (let k = 0; k < order.length; k++) {
    const side = order[k] >>> 25;
    const i = order[k] & INDEX_MASK;
    const table = side === 0 ? before : after;
    const family = table.family[i];
    const length = table.length[i];
    const w = i * 4;
    let at = out.count - 1;
    // the same prefix in the other table: one entry for both
    if (at < 0 || out.family[at] !== family || out.length[at] !== length || !sameWords(out.words, at * 4, table.words, w)) {
      at = out.count++;
      out.family[at] = family;
      out.length[at] = length;
      out.words.set(table.words.subarray(w, w + 4), at * 4);
      while (depth > 0 && !contains(out, stack[depth - 1], at)) depth--;
      const parent = depth > 0 ? stack[depth - 1] : -1;
      out.before[at] = parent < 0 ? -1 : out.before[parent];
      out.after[at] = parent < 0 ? -1 : out.after[parent];
      stack[depth++] = at;
    }
    if (side === 0) {
      out.before[at] = table.ids[i];
      out.ownBefore[at] = 1;
    } else {
      out.after[at] = table.ids[i];
      out.ownAfter[at] = 1;
    }
  }
  return { ...out, family: out.family.subarray(0, out.count), length: out.length.subarray(0, out.count),
    words: out.words.subarray(0, out.count * 4), before: out.before.subarray(0, out.count), after: out.after.subarray(0, out.count),
    ownBefore: out.ownBefore.subarray(0, out.count), ownAfter: out.ownAfter.subarray(0, out.count) };
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

/** The IPv6 prefixes of both tables in the same order (far fewer than IPv4 in real tables). */
function sortedV6(before: BestPrefixes, after: BestPrefixes): Uint32Array {
  const items: number[] = [];
  [before, after].forEach((table, side) => {
    for (let i = 0; i < table.count; i++) if (table.family[i] === 6) items.push((side << 25) | i);
  });
  const tables = [before, after];
  items.sort((a, b) => {
    const ta = tables[a >>> 25];
    const tb = tables[b >>> 25];
    const ia = a & INDEX_MASK;
    const ib = b & INDEX_MASK;
    for (let w = 0; w < 4; w++) {
      const x = ta.words[ia * 4 + w];
      const y = tb.words[ib * 4 + w];
      if (x !== y) return x - y;
    }
    return ta.length[ia] - tb.length[ib] || (a >>> 25) - (b >>> 25);
  });
  return Uint32Array.from(items);
}

function sameWords(a: Uint32Array, at: number, b: Uint32Array, bt: number): boolean {
  return a[at] === b[bt] && a[at + 1] === b[bt + 1] && a[at + 2] === b[bt + 2] && a[at + 3] === b[bt + 3];
}

/** Whether union entry `outer` contains entry `inner`: same family, no longer, same leading bits. */
function contains(union: CoveredPrefixes, outer: number, inner: number): boolean {
  if (union.family[outer] !== union.family[inner] || union.length[outer] > union.length[inner]) return false;
  let bits = union.length[outer];
  for (let w = 0; bits > 0; w++, bits -= 32) {
    const x = union.words[outer * 4 + w] ^ union.words[inner * 4 + w];
    if (bits >= 32 ? x !== 0 : (x >>> (32 - bits)) !== 0) return false;
  }
  return true;
}
