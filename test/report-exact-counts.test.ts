import { describe, expect, it } from 'vitest';
import { addCounts, compareCounts, countOf, readCount, subtractCounts, sumCounts } from '../src/report/count.js';
import { jsonText } from '../src/report/exact-json.js';
import { Random } from './helpers/random.js';

// The count helpers against BigInt arithmetic, around 2^53 where numbers stop being exact, and
// the JSON writer against JSON.stringify.

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A u64 from one of several ranges: small, just below or above 2^53, anywhere. */
function randomU64(random: Random): bigint {
  const anywhere = (BigInt(random.u32()) << 32n) | BigInt(random.u32());
  switch (random.below(4)) {
    case 0: return BigInt(random.below(1_000_000));
    case 1: return MAX_SAFE - BigInt(random.below(1000));
    case 2: return MAX_SAFE + BigInt(random.below(1000));
    default: return anywhere;
  }
}

/** The one form of a count: a number when safe. */
const form = (value: bigint) => (value <= MAX_SAFE ? Number(value) : value);

describe('counts', () => {
  it('read u64s exactly, as numbers up to 2^53 - 1 and bigints above', () => {
    const random = new Random(9);
    const view = new DataView(new ArrayBuffer(8));
    for (let i = 0; i < 5000; i++) {
      const value = randomU64(random);
      view.setBigUint64(0, value, true);
      expect(readCount(view, 0)).toBe(form(value));
    }
    for (const edge of [0n, MAX_SAFE, MAX_SAFE + 1n, 2n ** 64n - 1n]) {
      view.setBigUint64(0, edge, true);
      expect(readCount(view, 0)).toBe(form(edge));
    }
  });

  it('add, subtract, compare and sum as BigInt does', () => {
    const random = new Random(10);
    for (let i = 0; i < 5000; i++) {
      const a = randomU64(random);
      const b = randomU64(random);
      const [x, y] = [form(a), form(b)];
      expect(addCounts(x, y)).toBe(form(a + b));
      const difference = subtractCounts(x, y);
      expect(BigInt(difference)).toBe(a - b);
      expect(typeof difference === 'bigint').toBe(a - b > MAX_SAFE || a - b < -MAX_SAFE);
      expect(Math.sign(compareCounts(x, y))).toBe(a < b ? -1 : a > b ? 1 : 0);
      expect(sumCounts([x, y, x])).toBe(form(a + b + a));
    }
    expect(countOf(-5n)).toBe(-5);
  });
});

describe('jsonText', () => {
  /** Plain data of every JSON kind, nested. */
  function randomValue(random: Random, depth: number, bigints: boolean): unknown {
    const kind = random.below(depth > 2 ? 5 : 8);
    switch (kind) {
      case 0: return random.below(2) === 0;
      case 1: return random.below(3) === 0 ? null : random.below(1e9) - 5e8;
      case 2: return ['', 'a"b', 'ü\n\t', '\u2028', 'x'.repeat(random.below(5))][random.below(5)];
      case 3: return bigints && random.below(2) === 0 ? randomU64(random) + MAX_SAFE : random.below(1e6) / 7;
      case 4: return undefined;
      case 5: case 6: {
        const out: Record<string, unknown> = {};
        for (let i = random.below(4); i > 0; i--) out[`k${random.below(9)}`] = randomValue(random, depth + 1, bigints);
        return out;
      }
      default: return Array.from({ length: random.below(4) }, () => randomValue(random, depth + 1, bigints));
    }
  }

  it('writes what JSON.stringify writes, bigints as their plain digits', () => {
    const random = new Random(11);
    for (let i = 0; i < 2000; i++) {
      const value = { root: randomValue(random, 0, true), list: [randomValue(random, 1, true)] };
      for (const indent of [0, 2]) {
        // the oracle: JSON.stringify with each bigint as a marked string, the marks then removed
        const oracle = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? `@big:${v}` : v), indent)
          .replace(/"@big:(\d+)"/g, '$1');
        expect(jsonText(value, indent)).toBe(oracle);
      }
    }
  });
});
