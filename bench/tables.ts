// Routing tables for the benchmarks: the real ones from ../shared/data when present,
// otherwise seeded synthetic tables with the same size and prefix-length mix.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const SHARED_ROUTES = fileURLToPath(new URL('../../../shared/data/routes/', import.meta.url));

/** Text of a shared routes file, or undefined when the shared data is not beside the project. */
export function sharedRoutes(name: string): string | undefined {
  const path = SHARED_ROUTES + name;
  if (!existsSync(path)) return undefined;
  const bytes = readFileSync(path);
  return (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** A seeded generator (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    let t = (state = (state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const V4_MIX: [number, number][] = [[24, 63.1], [22, 10.9], [23, 10.4], [21, 5.0], [20, 4.4], [19, 2.5], [16, 1.3], [18, 1.3], [17, 0.8]];
// the registries' blocks: 2001::/16 and /12s of APNIC, ARIN, RIPE NCC, LACNIC, AFRINIC
const V6_BLOCKS = [0x2001, 0x2400, 0x2600, 0x2800, 0x2a00, 0x2c00];
const V6_MIX: [number, number][] = [[48, 45.4], [32, 10.9], [44, 10.1], [40, 9.4], [36, 3.8], [47, 3.6], [29, 2], [46, 2], [56, 1.5], [64, 1]];

/** An IPv4 prefix length drawn from the global table's mix. */
export function pickV4Length(random: () => number): number {
  return pick(random, V4_MIX);
}

function pick(random: () => number, mix: [number, number][]): number {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  let x = (random() / 2 ** 32) * total;
  for (const [value, weight] of mix) if ((x -= weight) < 0) return value;
  return mix[0][0];
}

/** A plain-format table of `v4` IPv4 and `v6` IPv6 prefixes with a global table's length mix. */
export function syntheticTable(v4: number, v6: number, seed = 7): string {
  const random = seeded(seed);
  const lines: string[] = [];
  const seen = new Set<string>();
  while (seen.size < v4) {
    const length = pick(random, V4_MIX);
    const addr = (random() & (0xffffffff << (32 - length))) >>> 0;
    const line = `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}/${length}`;
    if (!seen.has(line)) { seen.add(line); lines.push(line); }
  }
  seen.clear();
  // IPv6 prefixes as the registries hand them out: inside a few /12 blocks, most of them more
  // specifics of some tens of thousands of /32 allocations. Drawn uniformly over 2000::/3
  // instead, every prefix needs its own chain of trie nodes and every lookup a walk of its own
  // through a structure 3.5 times the real table's (24 MiB against 6.8; issue 11: 0.9 M lookups/s
  // against 24 M/s). Drawn this way: 15 MiB.
  const allocations = Array.from({ length: Math.max(1, v6 >> 2) }, () => {
    const block = V6_BLOCKS[random() % V6_BLOCKS.length];
    return [block === 0x2001 ? block : block | (random() & 0x0fff), random() & 0xffff];
  });
  while (seen.size < v6) {
    const length = pick(random, V6_MIX);
    const [first, second] = allocations[random() % allocations.length];
    const groups = [first, second, random() & 0xffff, random() & 0xffff];
    const keep = (i: number) => {
      const bits = length - i * 16;
      return bits >= 16 ? groups[i] : bits <= 0 ? 0 : groups[i] & (0xffff << (16 - bits));
    };
    const line = `${keep(0).toString(16)}:${keep(1).toString(16)}:${keep(2).toString(16)}:${keep(3).toString(16)}::/${length}`;
    if (!seen.has(line)) { seen.add(line); lines.push(line); }
  }
  return lines.join('\n') + '\n';
}
