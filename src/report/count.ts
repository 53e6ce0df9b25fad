// 64-bit counts as the report holds them: a JS number while it is exact (up to
// Number.MAX_SAFE_INTEGER), a bigint above. A count takes one form per value, never a bigint that
// fits a number, so `===` compares counts and nearly every count stays a plain number: a bigint
// is made only for the rare sum above 2^53 (9 PB of bytes).
import type { Count } from '../analyze/report.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** `value` in its one form: a number when it is safe, else itself. */
export function countOf(value: bigint): Count {
  return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
}

/**
 * The u64 at `at` (little-endian) as a count. The halves are read as u32s: one multiply and
 * add for every value below 2^53, a bigint only above.
 */
export function readCount(view: DataView, at: number): Count {
  const high = view.getUint32(at + 4, true);
  if (high < 0x200000) return view.getUint32(at, true) + high * 0x100000000;
  return view.getBigUint64(at, true);
}

/** a + b, exactly. */
export function addCounts(a: Count, b: Count): Count {
  if (typeof a === 'number' && typeof b === 'number') {
    const sum = a + b;
    // both are safe, so a sum that is safe is exact, and an exact sum above is above rounded too
    if (sum <= Number.MAX_SAFE_INTEGER && sum >= -Number.MAX_SAFE_INTEGER) return sum;
  }
  return countOf(BigInt(a) + BigInt(b));
}

/** a - b, exactly. */
export function subtractCounts(a: Count, b: Count): Count {
  if (typeof a === 'number' && typeof b === 'number') {
    const difference = a - b;
    if (difference <= Number.MAX_SAFE_INTEGER && difference >= -Number.MAX_SAFE_INTEGER) return difference;
  }
  return countOf(BigInt(a) - BigInt(b));
}

/** Negative when a < b, 0 when equal, positive when a > b (a sort comparator of counts). */
export function compareCounts(a: Count, b: Count): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // JavaScript compares a bigint with a number exactly
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The sum of `values`, exactly. */
export function sumCounts(values: Iterable<Count>, start: Count = 0): Count {
  let sum = start;
  for (const value of values) sum = addCounts(sum, value);
  return sum;
}
