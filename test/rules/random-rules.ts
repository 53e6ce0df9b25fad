// Random rule sets using every condition kind, and random fields blocks biased to land inside
// the rules' prefixes and ranges (uniform random packets would match almost nothing).
import type { Prefix } from '../../src/net/address.js';
import { maskV4, maskV6 } from '../../src/net/address.js';
import type { Rule, RuleCondition, RuleSet } from '../../src/rules/model.js';
import {
  FIELD_DESTINATION_HI, FIELD_DESTINATION_LO, FIELD_DESTINATION_PORT, FIELD_FAMILY, FIELD_FLAGS, FIELD_INTERFACE,
  FIELD_VLAN_OUTER, FIELD_PROTOCOL, FIELD_SOURCE_HI, FIELD_SOURCE_LO, FIELD_SOURCE_PORT, FIELD_TCP_FLAGS,
  FIELD_VLAN_COUNT, FIELDS_BYTES,
} from '../../src/classify/fields.js';
import { seeded } from '../../bench/tables.js';

export const INTERFACES = ['eth0', 'eth1', 'wlan0', 'lo'];
/** eth0 → 0 ... lo → 3; 'ghost' (named by rules, in no capture) → -1. */
export function interfaceNumber(name: string): number {
  return INTERFACES.indexOf(name);
}

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seeded(seed);
  }
  int(n: number): number {
    return this.next() % n;
  }
  u32(): number {
    return this.next();
  }
  chance(percent: number): boolean {
    return this.int(100) < percent;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const PROTOCOLS = [6, 17, 1, 58, 132];

function randomPrefix(random: Random, pool: Prefix[]): Prefix {
  if (pool.length > 0 && random.chance(50)) {
    // nested in or around an earlier prefix: overlap is where first-match order matters
    const base = random.pick(pool);
    const length = Math.min(base.family === 4 ? 32 : 128, Math.max(0, base.length + random.int(9) - 3));
    if (base.family === 4) return { family: 4, length, v4: maskV4((base.v4 | (random.u32() >>> base.length)) >>> 0, length) };
    const v6 = base.v6.slice();
    v6[15] ^= random.int(256);
    maskV6(v6, 0, length);
    return { family: 6, length, v6 };
  }
  if (random.chance(70)) {
    const length = random.pick([0, 8, 12, 16, 20, 24, 28, 31, 32]);
    return { family: 4, length, v4: maskV4(random.u32(), length) };
  }
  const length = random.pick([0, 16, 32, 48, 64, 96, 127, 128]);
  const v6 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) v6[i] = random.int(256);
  v6[0] = 0x20;
  maskV6(v6, 0, length);
  return { family: 6, length, v6 };
}

function randomRanges(random: Random): { from: number; to: number }[] {
  return Array.from({ length: 1 + random.int(3) }, () => {
    const kind = random.int(4);
    if (kind === 0) return { from: 1024, to: 65535 };
    const from = random.pick([0, 22, 53, 80, 443, 1000, 8080, 65535]) + (kind === 1 ? 0 : random.int(3));
    const capped = Math.min(from, 65535);
    return { from: capped, to: Math.min(65535, capped + (kind === 3 ? random.int(100) : 0)) };
  });
}

function randomCondition(random: Random, pool: Prefix[], filters: string[]): RuleCondition {
  const negated = random.chance(15);
  switch (random.int(10)) {
    case 0: return { kind: 'family', family: random.chance(60) ? 4 : 6 };
    case 1: case 2: case 3: {
      const prefixes = Array.from({ length: 1 + random.int(2) }, () => randomPrefix(random, pool));
      pool.push(...prefixes);
      return { kind: random.chance(50) ? 'src' : 'dst', prefixes, negated };
    }
    case 4: return { kind: 'proto', protocols: Array.from({ length: 1 + random.int(2) }, () => random.pick(PROTOCOLS)), negated };
    case 5: case 6: return { kind: random.chance(70) ? 'dport' : 'sport', ranges: randomRanges(random), negated };
    case 7: return { kind: 'vlan', ids: [random.pick([1, 10, 100, 4095])], negated };
    case 8: return { kind: 'interface', names: [random.pick([...INTERFACES, 'ghost'])], negated };
    default: {
      if (filters.length > 0 && random.chance(30)) return { kind: 'filter', expression: random.pick(filters), negated };
      const mask = random.int(256) | 2;
      return { kind: 'tcp-flags', mask, value: mask & random.int(256), negated };
    }
  }
}

/** `filters`: expressions filter conditions may use (none by default). */
export function randomRuleSet(random: Random, count: number, filters: string[] = []): RuleSet {
  const pool: Prefix[] = [];
  const rules: Rule[] = [];
  for (let i = 0; i < count; i++) {
    // two to four conditions (rarely none): broad rules early would shadow every later one
    const length = random.chance(2) ? 0 : 2 + random.int(3);
    const match = Array.from({ length }, () => randomCondition(random, pool, filters));
    rules.push({ name: `rule${i}`, action: random.pick(['count', 'alert', 'drop'] as const), match });
  }
  return { rules };
}

function addressInside(random: Random, prefix: Prefix | undefined, family: 4 | 6): bigint {
  if (family === 4) {
    const v4 = prefix?.family === 4 && random.chance(80) ? (maskV4(prefix.v4, prefix.length) | (random.u32() >>> prefix.length)) >>> 0 : random.u32();
    if (random.chance(10) && prefix?.family === 4) return BigInt(prefix.v4); // the first address of the prefix
    return BigInt(v4);
  }
  let value = 0n;
  for (let i = 0; i < 4; i++) value = (value << 32n) | BigInt(random.u32());
  if (prefix?.family === 6 && random.chance(80)) {
    let network = 0n;
    for (const byte of prefix.v6) network = (network << 8n) | BigInt(byte);
    const hostBits = BigInt(128 - prefix.length);
    value = network | (random.chance(10) ? 0n : value & ((1n << hostBits) - 1n));
  }
  return value;
}

/** A 64-byte fields block, its values drawn near what the rules test. */
export function randomFields(random: Random, set: RuleSet, into: DataView, at: number): void {
  for (let i = 0; i < FIELDS_BYTES; i++) into.setUint8(at + i, 0);
  const conditions = set.rules.flatMap((rule) => rule.match);
  const prefixes = conditions.flatMap((c) => (c.kind === 'src' || c.kind === 'dst' ? c.prefixes : []));
  const ranges = conditions.flatMap((c) => (c.kind === 'sport' || c.kind === 'dport' ? c.ranges : []));
  const family = random.chance(10) ? 0 : random.chance(65) ? 4 : 6;
  into.setUint8(at + FIELD_FAMILY, family);
  let flags = 0;
  if (family !== 0) {
    if (random.chance(90)) flags |= 32;
    const protocol = random.chance(90) ? random.pick(PROTOCOLS) : random.int(256);
    into.setUint8(at + FIELD_PROTOCOL, protocol);
    if ((protocol === 6 || protocol === 17 || protocol === 132) && random.chance(90)) flags |= 1;
    if (protocol === 6 && random.chance(90)) flags |= 2;
    const port = (): number => {
      const range = ranges.length > 0 && random.chance(70) ? random.pick(ranges) : undefined;
      if (range === undefined) return random.int(65536);
      const edges = [range.from, range.to, Math.max(0, range.from - 1), Math.min(65535, range.to + 1)];
      return random.chance(40) ? random.pick(edges) : range.from + random.int(range.to - range.from + 1);
    };
    into.setUint16(at + FIELD_SOURCE_PORT, port(), true);
    into.setUint16(at + FIELD_DESTINATION_PORT, port(), true);
    into.setUint8(at + FIELD_TCP_FLAGS, random.int(256));
    const writeAddress = (hi: number, lo: number): void => {
      const value = addressInside(random, prefixes.length > 0 ? random.pick(prefixes) : undefined, family);
      if (family === 4) into.setUint32(at + hi, Number(value), true);
      else {
        into.setBigUint64(at + hi, value >> 64n, true);
        into.setBigUint64(at + lo, value & 0xffffffffffffffffn, true);
      }
    };
    writeAddress(FIELD_SOURCE_HI, FIELD_SOURCE_LO);
    writeAddress(FIELD_DESTINATION_HI, FIELD_DESTINATION_LO);
  }
  into.setUint8(at + FIELD_FLAGS, flags);
  const tags = random.chance(30) ? 1 + random.int(2) : 0;
  into.setUint8(at + FIELD_VLAN_COUNT, tags);
  if (tags > 0) into.setUint16(at + FIELD_VLAN_OUTER, random.pick([1, 10, 100, 4095, random.int(4096)]), true);
  into.setUint32(at + FIELD_INTERFACE, random.int(INTERFACES.length + 1), true);
}
