/**
 * Compiles a rule set into one WebAssembly function (plan.ts has the structure):
 *
 *     (import "env" "memory")
 *     (func (export "rules") (param fields frame caplen wirelen linkType i32) (result i32))
 *
 * returning the index of the first rule that matches the packet whose 64-byte fields block is
 * at `fields`, or -1. Each block of 64 rules starts from its family word; each table the block
 * has becomes a balanced tree of compares over the table's ends (kept in the code: the emitter
 * has no data segments), whose leaves are the 64-bit words of the rules allowing that part of
 * the key space; subtrees whose leaves are all the same word collapse into that word. The first
 * zero word ends the block; otherwise the lowest set bit is the rule.
 *
 * Rules with a pcap filter keep their bit through the tables; when the lowest bit left is such
 * a rule, its filters run on the frame (`frame`, `caplen`, `wirelen`, `linkType`: the filter
 * compiler's code, src/filter, inlined here) and, if one fails, the bit is cleared and the next
 * lowest bit is tried. So a filter runs only for packets every other condition of its rule
 * already let through, and only until a rule matches.
 */
import { emitFilterMatch, parseFilter, type FilterAst } from '../filter/index.js';
import { FunctionBuilder, I32, I64, ModuleBuilder } from '../wasm-gen/index.js';
import {
  FIELD_DESTINATION_HI, FIELD_DESTINATION_LO, FIELD_DESTINATION_PORT, FIELD_FAMILY, FIELD_FLAGS, FIELD_INTERFACE,
  FIELD_VLAN_OUTER, FIELD_PROTOCOL, FIELD_SOURCE_HI, FIELD_SOURCE_LO, FIELD_SOURCE_PORT, FIELD_TCP_FLAGS,
  FIELD_VLAN_COUNT, FLAG_HAS_PORTS, FLAG_HAS_PROTOCOL, FLAG_HAS_TCP_FLAGS,
} from '../classify/fields.js';
import type { RuleAction, RuleSet } from './model.js';
import { BLOCK_RULES, planRules, type DimensionId, type DimensionTable, type RulePlan } from './plan.js';

export interface CompileRulesOptions {
  /** The number fields@20 holds for a capture interface name, or -1 when no interface has it. */
  interfaceNumber: (name: string) => number;
}

export interface CompiledRules {
  /** The module: imports env.memory, exports `rules(fields, frame, caplen, wirelen, linkType) -> i32`. */
  bytes: Uint8Array;
  ruleCount: number;
  names: string[];
  actions: RuleAction[];
  /** Interface names the rules test, each once, in order of first use. */
  interfaces: string[];
}

const FIELDS = 0;
const FILTER_LOCALS = { frame: 1, caplen: 2, wirelen: 3, linkType: 4 };

/** The locals the function keeps a packet's keys in (loaded once, up front). */
interface Keys {
  family: number;
  word: number;
  bit: number;
  scan: number;
  u32: Partial<Record<DimensionId, number>>;
  u128: Partial<Record<DimensionId, { hi: number; lo: number }>>;
}

function loadKeys(body: FunctionBuilder): Keys {
  const local32 = (): number => body.addLocal(I32);
  const local64 = (): number => body.addLocal(I64);
  const keys: Keys = { family: local32(), word: local64(), bit: local32(), scan: local64(), u32: {}, u128: {} };
  const flags = local32();
  body.localGet(FIELDS).i32Load8U(FIELD_FAMILY).localSet(keys.family);
  body.localGet(FIELDS).i32Load8U(FIELD_FLAGS).localSet(flags);
  // A field the packet lacks reads as one past its range (plan.ts): select(value, absent, present?)
  const withAbsent = (id: DimensionId, load: () => void, absent: number, presentFlag: number): void => {
    keys.u32[id] = local32();
    load();
    body.i32Const(absent).localGet(flags).i32Const(presentFlag).i32And().select().localSet(keys.u32[id]!);
  };
  withAbsent('proto', () => body.localGet(FIELDS).i32Load8U(FIELD_PROTOCOL), 256, FLAG_HAS_PROTOCOL);
  withAbsent('sport', () => body.localGet(FIELDS).i32Load16U(FIELD_SOURCE_PORT), 65536, FLAG_HAS_PORTS);
  withAbsent('dport', () => body.localGet(FIELDS).i32Load16U(FIELD_DESTINATION_PORT), 65536, FLAG_HAS_PORTS);
  withAbsent('tcp-flags', () => body.localGet(FIELDS).i32Load8U(FIELD_TCP_FLAGS), 256, FLAG_HAS_TCP_FLAGS);
  keys.u32.vlan = local32();
  body.localGet(FIELDS).i32Load16U(FIELD_VLAN_OUTER).i32Const(0xfff).i32And()
    .i32Const(4096).localGet(FIELDS).i32Load8U(FIELD_VLAN_COUNT).select().localSet(keys.u32.vlan);
  const plain = (id: DimensionId, offset: number): void => {
    keys.u32[id] = local32();
    body.localGet(FIELDS).i32Load(offset).localSet(keys.u32[id]!);
  };
  plain('interface', FIELD_INTERFACE);
  plain('src4', FIELD_SOURCE_HI);
  plain('dst4', FIELD_DESTINATION_HI);
  const wide = (id: DimensionId, hiOffset: number, loOffset: number): void => {
    const pair = { hi: local64(), lo: local64() };
    keys.u128[id] = pair;
    body.localGet(FIELDS).i64Load(hiOffset).localSet(pair.hi);
    body.localGet(FIELDS).i64Load(loOffset).localSet(pair.lo);
  };
  wide('src6', FIELD_SOURCE_HI, FIELD_SOURCE_LO);
  wide('dst6', FIELD_DESTINATION_HI, FIELD_DESTINATION_LO);
  return keys;
}

const signed64 = (value: bigint): bigint => BigInt.asIntN(64, value);

/** Reads a table of the plan back: its ends and masks. */
function tableContents(plan: RulePlan, table: DimensionTable): { ends: bigint[]; masks: bigint[] } {
  const view = new DataView(plan.tables.buffer, plan.tables.byteOffset, plan.tables.byteLength);
  const ends: bigint[] = [];
  for (let i = 0; i < table.count; i++) {
    ends.push(table.dimension.keyBytes === 4
      ? BigInt(view.getUint32(table.at + i * 4, true))
      : (view.getBigUint64(table.at + i * 16, true) << 64n) | view.getBigUint64(table.at + i * 16 + 8, true));
  }
  const masks: bigint[] = [];
  for (let i = 0; i <= table.count; i++) masks.push(view.getBigUint64(table.masksAt + i * 8, true));
  return { ends, masks };
}

/**
 * Pushes the i64 word of elementary intervals [lo, hi] for the key: a balanced tree of compares
 * with the end between its halves (key < ends[mid - 1] goes left).
 */
function emitTree(body: FunctionBuilder, keys: Keys, id: DimensionId, ends: bigint[], masks: bigint[], lo: number, hi: number): void {
  let same = true;
  for (let i = lo + 1; i <= hi && same; i++) same = masks[i] === masks[lo];
  if (same) {
    body.i64Const(signed64(masks[lo]));
    return;
  }
  const mid = (lo + hi + 1) >>> 1;
  const end = ends[mid - 1];
  const narrow = keys.u32[id];
  if (narrow !== undefined) {
    body.localGet(narrow).i32Const(Number(end) | 0).i32LtU();
  } else {
    const { hi: keyHi, lo: keyLo } = keys.u128[id]!;
    const endHi = signed64(end >> 64n);
    const endLo = signed64(end & 0xffffffffffffffffn);
    body.localGet(keyHi).i64Const(endHi).i64LtU()
      .localGet(keyHi).i64Const(endHi).i64Eq()
      .localGet(keyLo).i64Const(endLo).i64LtU()
      .i32And().i32Or();
  }
  body.if(I64);
  emitTree(body, keys, id, ends, masks, lo, mid - 1);
  body.else();
  emitTree(body, keys, id, ends, masks, mid, hi);
  body.end();
}

/** `bit` = index of the lowest set bit of `scan` (not zero): six halvings, no ctz needed. */
function emitLowestBit(body: FunctionBuilder, keys: Keys): void {
  body.i32Const(0).localSet(keys.bit);
  for (const width of [32, 16, 8, 4, 2, 1]) {
    body.localGet(keys.scan).i64Const((1n << BigInt(width)) - 1n).i64And().i64Eqz().if()
      .localGet(keys.bit).i32Const(width).i32Add().localSet(keys.bit)
      .localGet(keys.scan).i64Const(BigInt(width)).i64ShrU().localSet(keys.scan)
      .end();
  }
}

function emitBlock(body: FunctionBuilder, keys: Keys, plan: RulePlan, index: number, filterAst: (expression: string) => FilterAst): void {
  const block = plan.blocks[index];
  body.block();
  const next = body.depth;
  const words = block.familyWords;
  body.i64Const(signed64(words.v4)).i64Const(signed64(words.v6)).i64Const(signed64(words.nonIp))
    .localGet(keys.family).i32Const(6).i32Eq().select()
    .localGet(keys.family).i32Const(4).i32Eq().select()
    .localTee(keys.word).i64Eqz().brIfTo(next);
  for (const table of block.tables) {
    const { ends, masks } = tableContents(plan, table);
    const family = table.dimension.family;
    if (family !== 0) body.localGet(keys.family).i32Const(family).i32Eq().if();
    body.localGet(keys.word);
    emitTree(body, keys, table.dimension.id, ends, masks, 0, ends.length);
    body.i64And().localTee(keys.word).i64Eqz().brIfTo(next);
    if (family !== 0) body.end();
  }
  if (block.filterChecks.length === 0) {
    body.localGet(keys.word).localSet(keys.scan);
    emitLowestBit(body, keys);
    body.localGet(keys.bit).i32Const(index * BLOCK_RULES).i32Add().return();
  } else {
    body.loop();
    const scan = body.depth;
    body.localGet(keys.word).localSet(keys.scan);
    emitLowestBit(body, keys);
    for (const check of block.filterChecks) {
      body.localGet(keys.bit).i32Const(check.bit).i32Eq().if();
      // all of the rule's filters: a failing one clears its bit and tries the next bit
      check.filters.forEach((filter, i) => {
        emitFilterMatch(body, filterAst(filter.expression), FILTER_LOCALS);
        if (filter.negated) body.i32Eqz();
        if (i > 0) body.i32And();
      });
      body.i32Eqz().if()
        .localGet(keys.word).i64Const(signed64(~(1n << BigInt(check.bit)))).i64And().localTee(keys.word)
        .i64Eqz().brIfTo(next)
        .brTo(scan)
        .end();
      body.end();
    }
    body.localGet(keys.bit).i32Const(index * BLOCK_RULES).i32Add().return();
    body.end();
  }
  body.end();
}

export function compileRules(set: RuleSet, options: CompileRulesOptions): CompiledRules {
  const plan = planRules(set, options);
  const module = new ModuleBuilder();
  const body = module.addFunction([I32, I32, I32, I32, I32], [I32]);
  const keys = loadKeys(body);
  const asts = new Map<string, FilterAst>();
  const filterAst = (expression: string): FilterAst => {
    let ast = asts.get(expression);
    if (ast === undefined) asts.set(expression, ast = parseFilter(expression));
    return ast;
  };
  for (let index = 0; index < plan.blocks.length; index++) emitBlock(body, keys, plan, index, filterAst);
  body.i32Const(-1).end();
  module.exportFunction('rules', body.index);
  const interfaces: string[] = [];
  for (const rule of set.rules) {
    for (const condition of rule.match) {
      if (condition.kind !== 'interface') continue;
      for (const name of condition.names) if (!interfaces.includes(name)) interfaces.push(name);
    }
  }
  return {
    bytes: module.toBytes(),
    ruleCount: set.rules.length,
    names: set.rules.map((rule) => rule.name),
    actions: set.rules.map((rule) => rule.action),
    interfaces,
  };
}
