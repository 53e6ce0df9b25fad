/** A small seeded generator (mulberry32), so every random test can be replayed from its seed. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform u32. */
  u32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }
  /** Picks a value from `weights` ([value, weight] pairs). */
  weighted<T>(weights: readonly (readonly [T, number])[]): T {
    const total = weights.reduce((sum, [, w]) => sum + w, 0);
    let pick = (this.u32() / 0x100000000) * total;
    for (const [value, weight] of weights) {
      if ((pick -= weight) < 0) return value;
    }
    return weights[weights.length - 1][0];
  }
  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

/** IPv4 prefix lengths of a 2026 global table (shared/data/README.md), the rest spread over 8..32. */
export const BGP_V4_LENGTHS: readonly (readonly [number, number])[] = [
  [24, 63.1], [22, 10.9], [23, 10.4], [21, 5.0], [20, 4.4], [19, 2.5], [16, 1.3], [18, 1.3], [17, 0.8],
  ...[8, 9, 10, 11, 12, 13, 14, 15, 25, 26, 27, 28, 29, 30, 31, 32].map((l) => [l, 0.02] as const),
];

/** IPv6 prefix lengths of a 2026 global table, the rest spread over 16..128. */
export const BGP_V6_LENGTHS: readonly (readonly [number, number])[] = [
  [48, 45.4], [32, 10.9], [44, 10.1], [40, 9.4], [36, 3.8], [47, 3.6], [29, 2.0], [46, 2.0], [56, 1.5],
  [64, 1.0], [28, 1.0], [33, 1.0], [42, 1.0], [45, 1.0],
  ...[16, 19, 20, 24, 30, 34, 38, 41, 43, 52, 60, 96, 112, 120, 127, 128].map((l) => [l, 0.2] as const),
];

/** Every length equally likely: the mix that stresses every level of a multibit trie. */
export function uniformLengths(max: number): (readonly [number, number])[] {
  return Array.from({ length: max + 1 }, (_, l) => [l, 1] as const);
}
