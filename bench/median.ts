// The figure every suite quotes: the median of its alternated runs, which a noisy shared machine
// moves less than a mean.

/** The middle value (the upper of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** The range of the rounds' ratios, "0.91–1.20×": how far the median of a noisy run can be trusted. */
export function ratioRange(ratios: readonly number[]): string {
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
}
