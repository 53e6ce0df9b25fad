// The table the WebAssembly classifier searches: per family, sorted disjoint address ranges, each
// with its class mask, built once by the host from the special-purpose blocks (most specific block
// wins) and an optional bogon list. Building uses bigint; it runs once per load, never per packet.

import { parsePrefix } from '../net/address.js';
import type { Prefix } from '../net/address.js';
import { BOGON_BOTH, PRIVATE } from './classes.js';
import { SPECIAL_PURPOSE_BLOCKS } from './special-purpose.js';
import type { SpecialPurposeBlock } from './special-purpose.js';
import type { BogonList } from './bogon-list.js';

/** A range of addresses [start, end], both inclusive, as unsigned integers of the family's width. */
export interface ClassRange {
  start: bigint;
  end: bigint;
  mask: number;
}

export interface BogonRanges {
  readonly v4: readonly ClassRange[];
  readonly v6: readonly ClassRange[];
}

const V4_LAST = 0xffffffffn;
const V6_LAST = (1n << 128n) - 1n;

/** The first and last address of a prefix, host bits ignored. */
export function prefixRange(prefix: Prefix): { start: bigint; end: bigint } {
  const bits = prefix.family === 4 ? 32 : 128;
  let value = 0n;
  if (prefix.family === 4) value = BigInt(prefix.v4 >>> 0);
  else for (const byte of prefix.v6) value = (value << 8n) | BigInt(byte);
  const hostBits = BigInt(bits - prefix.length);
  const start = (value >> hostBits) << hostBits;
  return { start, end: start + (1n << hostBits) - 1n };
}

/**
 * Lays `over` on `under` (both sorted and disjoint): each piece of the address space takes
 * `combine(mask under or -1, mask over or -1)`; pieces of mask 0 are left out, equal neighbours
 * merge. Linear in the number of ranges.
 */
function overlay(under: readonly ClassRange[], over: readonly ClassRange[], last: bigint,
  combine: (below: number, above: number) => number): ClassRange[] {
  const out: ClassRange[] = [];
  let i = 0;
  let j = 0;
  let at = 0n;
  while (at <= last) {
    while (i < under.length && under[i].end < at) i++;
    while (j < over.length && over[j].end < at) j++;
    const inUnder = i < under.length && under[i].start <= at;
    const inOver = j < over.length && over[j].start <= at;
    let next = last + 1n; // the first address past this piece
    if (i < under.length) next = min(next, inUnder ? under[i].end + 1n : under[i].start);
    if (j < over.length) next = min(next, inOver ? over[j].end + 1n : over[j].start);
    const mask = combine(inUnder ? under[i].mask : -1, inOver ? over[j].mask : -1);
    if (mask > 0) {
      const previous = out[out.length - 1];
      if (previous && previous.mask === mask && previous.end + 1n === at) previous.end = next - 1n;
      else out.push({ start: at, end: next - 1n, mask });
    }
    at = next;
  }
  return out;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The built-in blocks of one family as ranges: broader blocks first, each more specific one laid on top. */
function builtInRanges(blocks: readonly SpecialPurposeBlock[], family: 4 | 6): ClassRange[] {
  const last = family === 4 ? V4_LAST : V6_LAST;
  const parsed = blocks
    .filter((block) => block.terminated === null)
    .map((block) => ({ block, prefix: parsePrefix(block.prefix)! }))
    .filter(({ prefix }) => prefix.family === family)
    .sort((a, b) => a.prefix.length - b.prefix.length);
  let ranges: ClassRange[] = [];
  for (const { block, prefix } of parsed) {
    ranges = overlay(ranges, [{ ...prefixRange(prefix), mask: block.classes }], last,
      (below, above) => (above >= 0 ? above : below));
  }
  return ranges;
}

/** A list's prefixes of one family as the union of their ranges. */
function listRanges(prefixes: readonly Prefix[], family: 4 | 6): ClassRange[] {
  const ranges = prefixes.filter((p) => p.family === family).map(prefixRange)
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: ClassRange[] = [];
  for (const range of ranges) {
    const previous = out[out.length - 1];
    if (previous && range.start <= previous.end + 1n) {
      if (range.end > previous.end) previous.end = range.end;
    } else {
      out.push({ start: range.start, end: range.end, mask: BOGON_BOTH });
    }
  }
  return out;
}

/**
 * The classifier's table: the built-in blocks and, with `list`, its prefixes as bogons both ways,
 * except inside private-use space, which stays `private` (a full-bogons feed lists RFC 1918 too).
 */
export function buildBogonRanges(list?: BogonList, blocks: readonly SpecialPurposeBlock[] = SPECIAL_PURPOSE_BLOCKS): BogonRanges {
  const family = (f: 4 | 6): ClassRange[] => {
    const builtIn = builtInRanges(blocks, f);
    if (!list) return builtIn;
    return overlay(builtIn, listRanges(list.prefixes, f), f === 4 ? V4_LAST : V6_LAST, (below, listed) => {
      const base = below < 0 ? 0 : below;
      if (listed < 0 || base & PRIVATE) return base;
      return base | BOGON_BOTH;
    });
  };
  return { v4: family(4), v6: family(6) };
}
