/**
 * Sets of keys as sorted, disjoint, inclusive intervals [lo, hi] of bigints: what a rule allows
 * in one field. bigint because IPv6 addresses are 128 bits; the other fields fit in it too.
 */
export type Interval = readonly [bigint, bigint];

/** Sorted, overlaps and neighbours merged. */
export function normalize(intervals: Interval[]): Interval[] {
  const sorted = [...intervals].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else out.push([lo, hi]);
  }
  return out;
}

/** [0, max] minus a normalized set. */
export function complement(intervals: Interval[], max: bigint): Interval[] {
  const out: Interval[] = [];
  let next = 0n;
  for (const [lo, hi] of intervals) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

/** Intersection of two normalized sets. */
export function intersect(a: Interval[], b: Interval[]): Interval[] {
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = a[i][0] > b[j][0] ? a[i][0] : b[j][0];
    const hi = a[i][1] < b[j][1] ? a[i][1] : b[j][1];
    if (lo <= hi) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

export function isFull(intervals: Interval[], max: bigint): boolean {
  return intervals.length === 1 && intervals[0][0] === 0n && intervals[0][1] === max;
}
