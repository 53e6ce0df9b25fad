import { Random } from './random.js';
import { bigIntToV6, v6ToBigInt } from './reference-lpm.js';

export interface TestPrefix {
  family: 4 | 6;
  /** Address as BigInt (IPv4: 32 bits), host bits masked. */
  key: bigint;
  length: number;
}

export function maskKey(key: bigint, length: number, bits: number): bigint {
  if (length === 0) return 0n;
  const host = BigInt(bits - length);
  return (key >> host) << host;
}

/** `count` distinct random prefixes with lengths drawn from `lengths`. */
export function randomPrefixes(random: Random, family: 4 | 6, count: number,
  lengths: readonly (readonly [number, number])[]): TestPrefix[] {
  const bits = family === 4 ? 32 : 128;
  const seen = new Set<string>();
  const out: TestPrefix[] = [];
  let attempts = 0;
  while (out.length < count && attempts++ < count * 20) {
    const length = random.weighted(lengths);
    let key = family === 4 ? BigInt(random.u32()) : v6ToBigInt(random.bytes(16));
    // keep IPv6 keys in 2000::/3 most of the time, like the real table
    if (family === 6 && random.below(10) < 9) key = (key & ((1n << 125n) - 1n)) | (1n << 125n);
    key = maskKey(key, length, bits);
    const name = `${key}/${length}`;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ family, key, length });
  }
  return out;
}

/** Chains of nested more-specifics: /8 ⊃ /16 ⊃ /24 ⊃ /32 and the like, with siblings. */
export function nestedPrefixes(random: Random, family: 4 | 6, chains: number): TestPrefix[] {
  const bits = family === 4 ? 32 : 128;
  const steps = family === 4 ? [0, 8, 12, 16, 19, 24, 25, 30, 31, 32] : [0, 3, 16, 32, 48, 56, 64, 100, 127, 128];
  const out = new Map<string, TestPrefix>();
  for (let c = 0; c < chains; c++) {
    const key = family === 4 ? BigInt(random.u32()) : v6ToBigInt(random.bytes(16));
    for (const length of steps) {
      if (random.below(4) === 0) continue;
      const masked = maskKey(key, length, bits);
      out.set(`${masked}/${length}`, { family, key: masked, length });
    }
  }
  return [...out.values()];
}

/** Text form of a test prefix (written here without the library so the two can disagree). */
export function prefixText(prefix: TestPrefix): string {
  if (prefix.family === 4) {
    const v = Number(prefix.key);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${prefix.length}`;
  }
  const bytes = bigIntToV6(prefix.key);
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `${groups.join(':')}/${prefix.length}`;
}

/**
 * Addresses to look up: inside random prefixes (at their edges and in between), just outside
 * them, and uniformly random.
 */
export function probeAddresses(random: Random, family: 4 | 6, prefixes: TestPrefix[], count: number): bigint[] {
  const bits = family === 4 ? 32 : 128;
  const all = (1n << BigInt(bits)) - 1n;
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random.below(5);
    const random128 = family === 4 ? BigInt(random.u32()) : v6ToBigInt(random.bytes(16));
    if (kind === 0 || prefixes.length === 0) {
      out.push(random128);
      continue;
    }
    const p = prefixes[random.below(prefixes.length)];
    const size = 1n << BigInt(bits - p.length);
    const first = p.key;
    const last = p.key + size - 1n;
    if (kind === 1) out.push(first);
    else if (kind === 2) out.push(last);
    else if (kind === 3) out.push(random.below(2) ? (first - 1n) & all : (last + 1n) & all);
    else out.push(first + (random128 & (size - 1n)));
  }
  return out;
}
