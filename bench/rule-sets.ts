// Seeded ClassBench-like 5-tuple rule sets (100, 1,000, 10,000 rules) for the rule benchmarks:
// source and destination prefixes clustered around a few hundred networks with lengths skewed to
// /16../32 and some wildcards, protocols tcp/udp/any, port fields any, an exact well-known port,
// 1024-65535 or a small range. The objects have the shape of fibscope's RuleSet
// (src/rules/model.ts; bench/ cannot import src/, so the shape is repeated here) and
// `ruleSetText` writes them in fibscope's rule format (docs/rules.md).
import { seeded } from './tables.js';

export interface BenchPrefix { family: 4; length: number; v4: number }
export type BenchCondition =
  | { kind: 'src' | 'dst'; prefixes: BenchPrefix[]; negated: boolean }
  | { kind: 'proto'; protocols: number[]; negated: boolean }
  | { kind: 'sport' | 'dport'; ranges: { from: number; to: number }[]; negated: boolean };
export interface BenchRule { name: string; action: 'count' | 'alert' | 'drop'; match: BenchCondition[] }
export interface BenchRuleSet { rules: BenchRule[] }

export const RULE_SET_SIZES = [100, 1_000, 10_000] as const;

const WELL_KNOWN_PORTS = [20, 21, 22, 23, 25, 53, 80, 110, 123, 143, 161, 179, 389, 443, 445, 465, 514, 587, 993, 995, 1433, 1521, 3306, 3389, 5060, 5432, 8080, 8443];
/** Prefix lengths, weighted: ClassBench's ACL seeds put most at /32, /24 and /16..31. */
const LENGTH_MIX: [number, number][] = [[32, 30], [24, 22], [16, 8], [28, 6], [30, 5], [29, 5], [27, 4], [26, 4], [25, 4], [23, 3], [22, 3], [20, 3], [21, 2], [19, 1]];

function pickWeighted(random: () => number, mix: [number, number][]): number {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let x = (random() / 2 ** 32) * total;
  for (const [value, weight] of mix) if ((x -= weight) < 0) return value;
  return mix[0][0];
}

function mask(address: number, length: number): number {
  return length === 0 ? 0 : (address & (0xffffffff << (32 - length))) >>> 0;
}

export function classBenchRuleSet(count: number, seed = 12): BenchRuleSet {
  const random = seeded(seed);
  const chance = (percent: number): boolean => random() / 2 ** 32 < percent / 100;
  // Rules cluster around networks, as real ACLs name a site's subnets again and again.
  const networks = Array.from({ length: Math.max(8, Math.round(Math.sqrt(count) * 4)) }, () => (random() & 0xffff0000) >>> 0);
  const prefix = (): BenchPrefix => {
    const length = pickWeighted(random, LENGTH_MIX);
    const base = networks[random() % networks.length];
    return { family: 4, length, v4: mask((base | (random() & 0xffff)) >>> 0, length) };
  };
  const portRange = (): { from: number; to: number } => {
    const kind = random() % 100;
    if (kind < 60) {
      const port = WELL_KNOWN_PORTS[random() % WELL_KNOWN_PORTS.length];
      return { from: port, to: port };
    }
    if (kind < 80) return { from: 1024, to: 65535 };
    const from = 1024 + (random() % 60000);
    return { from, to: from + (random() % 64) };
  };
  const rules: BenchRule[] = [];
  for (let i = 0; i < count; i++) {
    const match: BenchCondition[] = [];
    if (!chance(25)) match.push({ kind: 'src', prefixes: [prefix()], negated: false });
    if (!chance(8)) match.push({ kind: 'dst', prefixes: [prefix()], negated: false });
    const protocolDraw = random() % 100;
    const protocol = protocolDraw < 60 ? 6 : protocolDraw < 85 ? 17 : 0;
    if (protocol !== 0) {
      match.push({ kind: 'proto', protocols: [protocol], negated: false });
      if (chance(15)) match.push({ kind: 'sport', ranges: [chance(50) ? { from: 1024, to: 65535 } : portRange()], negated: false });
      if (!chance(20)) match.push({ kind: 'dport', ranges: [portRange()], negated: false });
    }
    const actionDraw = random() % 100;
    rules.push({ name: `r${i + 1}`, action: actionDraw < 80 ? 'count' : actionDraw < 90 ? 'alert' : 'drop', match });
  }
  // As in a real ACL, rules that name neither address (defaults for a protocol or port) come last:
  // before the specific rules they would take nearly every packet.
  const broad = (rule: BenchRule): boolean => !rule.match.some((c) => c.kind === 'src' || c.kind === 'dst');
  return { rules: [...rules.filter((rule) => !broad(rule)), ...rules.filter(broad)] };
}

function prefixText(prefix: BenchPrefix): string {
  const a = prefix.v4;
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}/${prefix.length}`;
}

/** The set in fibscope's rule format, one `rule NAME ACTION CONDITIONS` line each. */
export function ruleSetText(set: BenchRuleSet): string {
  const lines = set.rules.map((rule) => {
    const words = ['rule', rule.name, rule.action];
    for (const condition of rule.match) {
      words.push(condition.kind);
      if (condition.negated) words.push('!');
      if ('prefixes' in condition) words.push(condition.prefixes.map(prefixText).join(','));
      else if ('protocols' in condition) words.push(condition.protocols.join(','));
      else words.push(condition.ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)).join(','));
    }
    return words.join(' ');
  });
  return `# ${set.rules.length} ClassBench-like rules (bench/rule-sets.ts)\n${lines.join('\n')}\n`;
}
