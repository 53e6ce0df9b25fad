// Axis ticks at round values of the unit they are printed in: bytes step by 1, 2 or 5 times a
// power of ten of B, KiB, MiB... (5 KiB, 10 KiB, not chart.js's decimal 10,000 = 9.77 KiB),
// packets by 1, 2 or 5 times a power of ten.

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const PACKET_UNITS = ['', 'k', 'M', 'G', 'T', 'P'];
const MANTISSAS = [1, 2, 5, 10, 20, 50, 100, 200, 500];

export type TickMetric = 'bytes' | 'packets';

const baseOf = (metric: TickMetric) => (metric === 'bytes' ? 1024 : 1000);

/** The smallest round step that covers 0..max in at most `maxTicks` steps (at least 1). */
export function tickStep(max: number, metric: TickMetric, maxTicks = 8): number {
  const base = baseOf(metric);
  for (let unit = 1; ; unit *= base) {
    for (const m of MANTISSAS) {
      const step = m * unit;
      if (max / step <= maxTicks || !Number.isFinite(unit * base)) return step;
    }
  }
}

/** A tick value in the unit of its step: 5120 with step 5120 → "5 KiB", 1500 with step 500 → "1500" packets. */
export function tickLabel(value: number, step: number, metric: TickMetric): string {
  const base = baseOf(metric);
  const units = metric === 'bytes' ? BYTE_UNITS : PACKET_UNITS;
  let unit = 0;
  // the largest unit the step is a whole number of
  while (unit < units.length - 1 && step >= base ** (unit + 1)) unit++;
  const scaled = +(value / base ** unit).toPrecision(12);
  return `${scaled}${metric === 'bytes' ? ' ' : ''}${units[unit]}`;
}
