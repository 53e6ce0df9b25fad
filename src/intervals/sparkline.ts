// The table's view of time bins: a sparkline per row (▁▂▃▄▅▆▇█), at most MAX_COLUMNS columns
// however many bins (adjacent bins summed into one column, the grouping doubled as bins come),
// so its memory is a fixed number of columns per route that had traffic.
import type { Count } from '../analyze/report.js';
import type { Interval, IntervalRoute } from './interval.js';

export const MAX_COLUMNS = 60;
const LEVELS = '▁▂▃▄▅▆▇█';

/** How a route row is known in both the bins and the whole report. */
export function routeKey(route: { prefix: string; nextHop: string | null; dev: string | null; metric: number }): string {
  return `${route.prefix} ${route.metric} ${route.nextHop ?? ''} ${route.dev ?? ''}`;
}

/** The totals' series, under this key. */
export const TOTAL_KEY = '';

export class Sparklines {
  /** Bins per column. */
  private group = 1n;
  private first: bigint | undefined;
  /** Bins from the first to the last seen so far. */
  private bins = 0n;
  private readonly series = new Map<string, Float64Array>();

  constructor(private readonly width: bigint, private readonly measure: 'packets' | 'bytes' = 'packets') {}

  /** Adds a closed bin (Interval, with its bounds in nanoseconds). */
  add(bin: Interval, startNanoseconds: bigint): void {
    this.first ??= startNanoseconds;
    const index = (startNanoseconds - this.first) / this.width;
    this.bins = index + BigInt(bin.bins);
    while ((this.bins - 1n) / this.group >= BigInt(MAX_COLUMNS)) this.regroup();
    if (bin.bins !== 1) return;
    const column = Number(index / this.group);
    const value = (counts: { packets: Count; bytes: Count }) => Number(counts[this.measure]);
    this.at(TOTAL_KEY)[column] += this.measure === 'packets' ? Number(bin.totals.counted) : Number(bin.totals.bytes);
    for (const route of bin.routes) this.at(routeKey(route))[column] += value(route as IntervalRoute);
  }

  /** Columns in use, and bins per column. */
  get shape(): { columns: number; binsPerColumn: number; bins: number } {
    return { columns: Number((this.bins + this.group - 1n) / this.group), binsPerColumn: Number(this.group), bins: Number(this.bins) };
  }

  /** The sparkline of `key` (TOTAL_KEY for the totals): blank where a column had nothing. */
  line(key: string): string {
    const values = this.series.get(key);
    const { columns } = this.shape;
    if (!values) return ' '.repeat(columns);
    let peak = 0;
    for (let i = 0; i < columns; i++) peak = Math.max(peak, values[i]);
    let text = '';
    for (let i = 0; i < columns; i++) {
      const value = values[i];
      text += value === 0 ? ' ' : LEVELS[Math.min(LEVELS.length - 1, Math.floor((value / peak) * LEVELS.length))];
    }
    return text;
  }

  private at(key: string): Float64Array {
    let values = this.series.get(key);
    if (!values) this.series.set(key, (values = new Float64Array(MAX_COLUMNS)));
    return values;
  }

  /** Twice the bins per column: adjacent columns summed. */
  private regroup(): void {
    this.group *= 2n;
    for (const values of this.series.values()) {
      for (let i = 0; i < MAX_COLUMNS / 2; i++) values[i] = values[2 * i] + values[2 * i + 1];
      values.fill(0, MAX_COLUMNS / 2);
    }
  }
}
