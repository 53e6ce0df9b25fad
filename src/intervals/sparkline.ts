// The table's view of time bins: a sparkline per row (▁▂▃▄▅▆▇█), at most MAX_COLUMNS columns
// however many bins (adjacent bins summed into one column, the grouping doubled as bins come),
// so its memory is a fixed number of columns per route id that had traffic.
import type { Interval } from './interval.js';
import type { BinRoutePoints } from './read-bin.js';

export const MAX_COLUMNS = 60;
const LEVELS = '▁▂▃▄▅▆▇█';

interface Series {
  generation: number;
  values: Float64Array;
}

export class Sparklines {
  /** Bins per column. */
  private group = 1n;
  private first: bigint | undefined;
  /** Bins from the first to the last seen so far. */
  private bins = 0n;
  private readonly totals = new Float64Array(MAX_COLUMNS);
  /** By route id: the series of its latest generation (a route that went leaves its id to another). */
  private readonly routes: (Series | undefined)[] = [];

  constructor(private readonly width: bigint, private readonly measure: 'packets' | 'bytes' = 'packets') {}

  /** Adds a closed bin, its start in nanoseconds and its routes by id. */
  add(bin: Interval, startNanoseconds: bigint, routes: BinRoutePoints): void {
    this.first ??= startNanoseconds;
    const index = (startNanoseconds - this.first) / this.width;
    this.bins = index + BigInt(bin.bins);
    while ((this.bins - 1n) / this.group >= BigInt(MAX_COLUMNS)) this.regroup();
    if (bin.bins !== 1) return;
    const column = Number(index / this.group);
    this.totals[column] += Number(this.measure === 'packets' ? bin.totals.counted : bin.totals.bytes);
    const values = this.measure === 'packets' ? routes.packets : routes.bytes;
    for (let i = 0; i < routes.ids.length; i++) {
      let series = this.routes[routes.ids[i]];
      if (!series || series.generation !== routes.generations[i]) {
        series = { generation: routes.generations[i], values: new Float64Array(MAX_COLUMNS) };
        this.routes[routes.ids[i]] = series;
      }
      series.values[column] += values[i];
    }
  }

  /** Columns in use, bins per column, and bins in all. */
  get shape(): { columns: number; binsPerColumn: number; bins: number } {
    return { columns: Number((this.bins + this.group - 1n) / this.group), binsPerColumn: Number(this.group), bins: Number(this.bins) };
  }

  /** Every route id with a series, and its generation. */
  routeIds(): [id: number, generation: number][] {
    const out: [number, number][] = [];
    this.routes.forEach((series, id) => { if (series) out.push([id, series.generation]); });
    return out;
  }

  /** The sparkline of route `id` (undefined: the totals); blank where a column had nothing. */
  line(id?: number): string {
    const values = id === undefined ? this.totals : this.routes[id]?.values;
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

  /** Twice the bins per column: adjacent columns summed. */
  private regroup(): void {
    this.group *= 2n;
    const all: Float64Array[] = [this.totals];
    this.routes.forEach((series) => { if (series) all.push(series.values); });
    for (const values of all) {
      for (let i = 0; i < MAX_COLUMNS / 2; i++) values[i] = values[2 * i] + values[2 * i + 1];
      values.fill(0, MAX_COLUMNS / 2);
    }
  }
}
