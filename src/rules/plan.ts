/**
 * The decision structure a rule set compiles to, before any WebAssembly is emitted (the IR, with
 * its own interpreter below that the emitted code must agree with).
 *
 * Rules go in blocks of 64, in order; bit j of a block's 64-bit word is rule 64*block + j. For each
 * field a block's rules test (a "dimension": source and destination address per family,
 * protocol, ports, TCP flags, VLAN, interface), every rule's allowed keys become intervals; the
 * ends of all intervals of the block, sorted, cut the key space into elementary intervals, and
 * each elementary interval stores the word of the block's rules that allow it. A packet's key is
 * found by binary search over those ends (a few steps: at most 2*64 ends) and gives a word; the
 * words of the block's dimensions ANDed, the lowest set bit is the first matching rule, since
 * blocks are visited in order. A dimension no rule of a block tests is not visited for it, and a
 * block stops at the first word that comes out zero. Rules with a pcap filter keep their bit
 * and have the filter run, in rule order, only on the bits left.
 *
 * Keys of fields a packet may lack stand one past the field's range (protocol 256, ports 65536,
 * TCP flags 256, VLAN 4096), which only rules not testing the field allow. Address dimensions
 * are visited only for their family; which families each rule allows (non-IP, 4, 6) is a word
 * per family and block, the first word of a block.
 *
 * Table layout, little-endian, each table 8-byte aligned at `at`: `count` ends (u32 each; 16 bytes,
 * high half then low half, for IPv6 addresses), padded to 8, then count + 1 masks (u64).
 */
import { bytesToBigInt } from './reference.js';
import {
  FIELD_DESTINATION_HI, FIELD_DESTINATION_LO, FIELD_DESTINATION_PORT, FIELD_FAMILY, FIELD_FLAGS, FIELD_INTERFACE,
  FIELD_VLAN_OUTER, FIELD_PROTOCOL, FIELD_SOURCE_HI, FIELD_SOURCE_LO, FIELD_SOURCE_PORT, FIELD_TCP_FLAGS,
  FIELD_VLAN_COUNT, FLAG_HAS_PORTS, FLAG_HAS_PROTOCOL, FLAG_HAS_TCP_FLAGS,
} from '../classify/fields.js';
import { complement, intersect, isFull, normalize, type Interval } from './intervals.js';
import type { RuleCondition, RuleSet } from './model.js';

export const BLOCK_RULES = 64;

export type DimensionId = 'src4' | 'dst4' | 'src6' | 'dst6' | 'proto' | 'sport' | 'dport' | 'tcp-flags' | 'vlan' | 'interface';

export interface Dimension {
  id: DimensionId;
  /** Largest key, the "field absent" key included. */
  max: bigint;
  /** 4 or 6: visited only for packets of that family; 0: always. */
  family: 0 | 4 | 6;
  /** Bytes of one end in a table: 4, or 16 for IPv6 addresses. */
  keyBytes: 4 | 16;
}

const U32_MAX = 0xffffffffn;
const U128_MAX = (1n << 128n) - 1n;

/** In the order a block visits them: the most selective first, so a block's word tends to zero early. */
export const DIMENSIONS: readonly Dimension[] = [
  { id: 'dst4', max: U32_MAX, family: 4, keyBytes: 4 },
  { id: 'src4', max: U32_MAX, family: 4, keyBytes: 4 },
  { id: 'dst6', max: U128_MAX, family: 6, keyBytes: 16 },
  { id: 'src6', max: U128_MAX, family: 6, keyBytes: 16 },
  { id: 'dport', max: 65536n, family: 0, keyBytes: 4 },
  { id: 'sport', max: 65536n, family: 0, keyBytes: 4 },
  { id: 'interface', max: U32_MAX, family: 0, keyBytes: 4 },
  { id: 'vlan', max: 4096n, family: 0, keyBytes: 4 },
  { id: 'tcp-flags', max: 256n, family: 0, keyBytes: 4 },
  { id: 'proto', max: 256n, family: 0, keyBytes: 4 },
];

export interface DimensionTable {
  dimension: Dimension;
  /** Number of ends; masks are count + 1. */
  count: number;
  /** Byte offset of the ends in `RulePlan.tables`; the masks follow at `masksAt`. */
  at: number;
  masksAt: number;
}

export interface FilterCheck {
  /** Bit in the block (rule 64*block + bit). */
  bit: number;
  filters: Extract<RuleCondition, { kind: 'filter' }>[];
}

export interface BlockPlan {
  /** Rules allowed for a non-IP packet, an IPv4 one, an IPv6 one. */
  familyWords: { nonIp: bigint; v4: bigint; v6: bigint };
  tables: DimensionTable[];
  /** Rules of the block with filter conditions, by bit. */
  filterChecks: FilterCheck[];
}

export interface RulePlan {
  ruleCount: number;
  blocks: BlockPlan[];
  /** All tables; code addresses them relative to where these bytes are placed. */
  tables: Uint8Array;
}

export interface PlanOptions {
  /** The number fields@20 holds for an interface name, or a negative number when none has it. */
  interfaceNumber: (name: string) => number;
}

interface RuleKeys {
  families: Set<number>;
  keys: Map<DimensionId, Interval[]>;
  filters: Extract<RuleCondition, { kind: 'filter' }>[];
}

function point(value: number): Interval {
  return [BigInt(value), BigInt(value)];
}

function prefixIntervals(condition: Extract<RuleCondition, { kind: 'src' | 'dst' }>, family: 4 | 6): Interval[] {
  const bits = family === 4 ? 32n : 128n;
  const intervals: Interval[] = [];
  for (const prefix of condition.prefixes) {
    if (prefix.family !== family) continue;
    const network = prefix.family === 4 ? BigInt(prefix.v4) : bytesToBigInt(prefix.v6);
    const size = 1n << (bits - BigInt(prefix.length));
    intervals.push([network, network + size - 1n]);
  }
  return normalize(intervals);
}

/** A condition's allowed keys in its dimension(s); negation complements within the field's own range. */
function restrict(rule: RuleKeys, id: DimensionId, allowed: Interval[], valueMax: bigint, negated: boolean): void {
  const set = negated ? complement(normalize(allowed), valueMax) : normalize(allowed);
  const before = rule.keys.get(id);
  rule.keys.set(id, before === undefined ? set : intersect(before, set));
}

function ruleKeys(match: RuleCondition[], options: PlanOptions): RuleKeys {
  const rule: RuleKeys = { families: new Set([0, 4, 6]), keys: new Map(), filters: [] };
  const onlyIp = (): void => void rule.families.delete(0);
  for (const condition of match) {
    switch (condition.kind) {
      case 'family':
        for (const family of [0, 4, 6]) if (family !== condition.family) rule.families.delete(family);
        break;
      case 'src':
      case 'dst':
        onlyIp();
        restrict(rule, `${condition.kind}4`, prefixIntervals(condition, 4), U32_MAX, condition.negated);
        restrict(rule, `${condition.kind}6`, prefixIntervals(condition, 6), U128_MAX, condition.negated);
        break;
      case 'proto':
        restrict(rule, 'proto', condition.protocols.map(point), 255n, condition.negated);
        break;
      case 'sport':
      case 'dport':
        restrict(rule, condition.kind, condition.ranges.map((r): Interval => [BigInt(r.from), BigInt(r.to)]), 65535n, condition.negated);
        break;
      case 'vlan':
        restrict(rule, 'vlan', condition.ids.map(point), 4095n, condition.negated);
        break;
      case 'interface': {
        const numbers = condition.names.map(options.interfaceNumber).filter((n) => n >= 0 && n <= 0xffffffff);
        restrict(rule, 'interface', numbers.map(point), U32_MAX, condition.negated);
        break;
      }
      case 'tcp-flags': {
        const values: Interval[] = [];
        for (let flags = 0; flags < 256; flags++) {
          if (((flags & condition.mask) === condition.value) !== condition.negated) values.push(point(flags));
        }
        restrict(rule, 'tcp-flags', values, 255n, false);
        break;
      }
      case 'filter':
        rule.filters.push(condition);
        break;
    }
  }
  // A family whose address set came out empty can never match: say so in the family word.
  for (const [family, ids] of [[4, ['src4', 'dst4']], [6, ['src6', 'dst6']]] as const) {
    if (ids.some((id) => rule.keys.get(id)?.length === 0)) rule.families.delete(family);
  }
  for (const [id, set] of rule.keys) {
    if (set.length === 0 && !id.endsWith('4') && !id.endsWith('6')) rule.families.clear();
  }
  return rule;
}

/** Grows a byte buffer as tables are appended. */
class TableWriter {
  bytes = new Uint8Array(4096);
  view = new DataView(this.bytes.buffer);
  length = 0;

  reserve(size: number): number {
    const at = (this.length + 7) & ~7;
    if (at + size > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + size));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + size;
    return at;
  }
}

/** Index of the first element of sorted `ends` greater than `key`: the number of ends <= key. */
function upperBound(ends: bigint[], key: bigint): number {
  let lo = 0;
  let hi = ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ends[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function writeTable(writer: TableWriter, dimension: Dimension, sets: (Interval[] | undefined)[]): DimensionTable {
  const full: Interval[] = [[0n, dimension.max]];
  const endSet = new Set<bigint>();
  for (const set of sets) {
    for (const [lo, hi] of set ?? full) {
      if (lo > 0n) endSet.add(lo);
      if (hi < dimension.max) endSet.add(hi + 1n);
    }
  }
  const ends = [...endSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const count = ends.length;
  const endsSize = ((count * dimension.keyBytes) + 7) & ~7;
  const at = writer.reserve(endsSize + (count + 1) * 8);
  const masksAt = at + endsSize;
  const view = writer.view;
  ends.forEach((end, i) => {
    if (dimension.keyBytes === 4) view.setUint32(at + i * 4, Number(end), true);
    else {
      view.setBigUint64(at + i * 16, end >> 64n, true);
      view.setBigUint64(at + i * 16 + 8, end & 0xffffffffffffffffn, true);
    }
  });
  // Masks as two u32 halves: bit j of rule j.
  sets.forEach((set, bit) => {
    const word = masksAt + (bit >= 32 ? 4 : 0);
    const value = 1 << (bit & 31);
    for (const [lo, hi] of set ?? full) {
      const first = upperBound(ends, lo);
      const last = upperBound(ends, hi);
      for (let k = first; k <= last; k++) view.setUint32(word + k * 8, (view.getUint32(word + k * 8, true) | value) >>> 0, true);
    }
  });
  return { dimension, count, at, masksAt };
}

export function planRules(set: RuleSet, options: PlanOptions): RulePlan {
  const rules = set.rules.map((rule) => ruleKeys(rule.match, options));
  const writer = new TableWriter();
  const blocks: BlockPlan[] = [];
  for (let first = 0; first < rules.length; first += BLOCK_RULES) {
    const members = rules.slice(first, first + BLOCK_RULES);
    const familyWord = (family: number): bigint => members.reduce(
      (word, rule, bit) => (rule.families.has(family) ? word | (1n << BigInt(bit)) : word), 0n);
    const tables: DimensionTable[] = [];
    for (const dimension of DIMENSIONS) {
      const sets = members.map((rule) => rule.keys.get(dimension.id));
      // A dimension only rules that allow everything (or no rule) test is not visited.
      if (sets.every((s) => s === undefined || isFull(s, dimension.max))) continue;
      tables.push(writeTable(writer, dimension, sets));
    }
    blocks.push({
      familyWords: { nonIp: familyWord(0), v4: familyWord(4), v6: familyWord(6) },
      tables,
      filterChecks: members.flatMap((rule, bit) => (rule.filters.length > 0 ? [{ bit, filters: rule.filters }] : [])),
    });
  }
  return { ruleCount: rules.length, blocks, tables: writer.bytes.slice(0, writer.length) };
}

/** A packet's key in one dimension, from its fields block, as the emitted code computes it. */
export function dimensionKey(id: DimensionId, fields: DataView, at: number): bigint {
  const flags = fields.getUint8(at + FIELD_FLAGS);
  const u128 = (hi: number, lo: number): bigint => (fields.getBigUint64(at + hi, true) << 64n) | fields.getBigUint64(at + lo, true);
  switch (id) {
    case 'proto': return flags & FLAG_HAS_PROTOCOL ? BigInt(fields.getUint8(at + FIELD_PROTOCOL)) : 256n;
    case 'sport': return flags & FLAG_HAS_PORTS ? BigInt(fields.getUint16(at + FIELD_SOURCE_PORT, true)) : 65536n;
    case 'dport': return flags & FLAG_HAS_PORTS ? BigInt(fields.getUint16(at + FIELD_DESTINATION_PORT, true)) : 65536n;
    case 'tcp-flags': return flags & FLAG_HAS_TCP_FLAGS ? BigInt(fields.getUint8(at + FIELD_TCP_FLAGS)) : 256n;
    case 'vlan': return fields.getUint8(at + FIELD_VLAN_COUNT) > 0 ? BigInt(fields.getUint16(at + FIELD_VLAN_OUTER, true) & 0xfff) : 4096n;
    case 'interface': return BigInt(fields.getUint32(at + FIELD_INTERFACE, true));
    case 'src4': return BigInt(fields.getUint32(at + FIELD_SOURCE_HI, true));
    case 'dst4': return BigInt(fields.getUint32(at + FIELD_DESTINATION_HI, true));
    case 'src6': return u128(FIELD_SOURCE_HI, FIELD_SOURCE_LO);
    case 'dst6': return u128(FIELD_DESTINATION_HI, FIELD_DESTINATION_LO);
  }
}

function lookupTable(plan: RulePlan, table: DimensionTable, key: bigint): bigint {
  const view = new DataView(plan.tables.buffer, plan.tables.byteOffset, plan.tables.byteLength);
  const endAt = (i: number): bigint => (table.dimension.keyBytes === 4
    ? BigInt(view.getUint32(table.at + i * 4, true))
    : (view.getBigUint64(table.at + i * 16, true) << 64n) | view.getBigUint64(table.at + i * 16 + 8, true));
  let lo = 0;
  let hi = table.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (endAt(mid) <= key) lo = mid + 1;
    else hi = mid;
  }
  return view.getBigUint64(table.masksAt + lo * 8, true);
}

function lowestBit(word: bigint): number {
  let bit = 0;
  while ((word & (1n << BigInt(bit))) === 0n) bit++;
  return bit;
}

/**
 * Runs the plan on one fields block the way the emitted code does: the IR's interpreter, which
 * tests hold against the reference evaluator. `filterMatches` answers a filter condition.
 */
export function interpretPlan(plan: RulePlan, fields: DataView, at: number,
  filterMatches: (expression: string) => boolean = () => { throw new Error('a filter rule needs filterMatches'); }): number {
  const family = fields.getUint8(at + FIELD_FAMILY);
  for (let index = 0; index < plan.blocks.length; index++) {
    const block = plan.blocks[index];
    let word = family === 4 ? block.familyWords.v4 : family === 6 ? block.familyWords.v6 : block.familyWords.nonIp;
    for (const table of block.tables) {
      if (word === 0n) break;
      if (table.dimension.family !== 0 && table.dimension.family !== family) continue;
      word &= lookupTable(plan, table, dimensionKey(table.dimension.id, fields, at));
    }
    while (word !== 0n) {
      const bit = lowestBit(word);
      const check = block.filterChecks.find((c) => c.bit === bit);
      if (check === undefined || check.filters.every((f) => filterMatches(f.expression) !== f.negated)) return index * BLOCK_RULES + bit;
      word &= word - 1n;
    }
  }
  return -1;
}
