// The table's view of time bins: a sparkline per row (▁▂▃▄▅▆▇█), at most MAX_COLUMNS columns
// however many bins (adjacent bins summed into one column, the grouping doubled as bins come),
// so its memory is a fixed number of columns per route id that had traffic, in one growing slab.
import type { Interval } from './interval.js';
import type { BinRoutePoints } from './read-bin.js';

export const MAX_COLUMNS = 60;
const LEVELS = '▁▂▃▄▅▆▇█';

export class Sparklines {
  /** Bins per column. */
  private group = 1n;
  private first: bigint | undefined;
  /** Bins from the first to the last seen so far. */
  private bins = 0n;
  private readonly totals = new Float64Array(MAX_COLUMNS);
  /** Per route id, its slot + 1 (0: none yet); per slot, the generation it counts and its columns. */
  private slotOf = new Int32Array(1024);
  private generations = new Uint32Array(1024);
  private values = new Float64Array(1024 * MAX_COLUMNS);
  private slots = 0;

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
    const counts = this.measure === 'packets' ? routes.packets : routes.bytes;
    for (let i = 0; i < routes.ids.length; i++) {
      const slot = this.slotFor(routes.ids[i], routes.generations[i]);
      this.values[slot * MAX_COLUMNS + column] += counts[i];
    }
  }

  /** Columns in use, bins per column, and bins in all. */
  get shape(): { columns: number; binsPerColumn: number; bins: number } {
    return { columns: Number((this.bins + this.group - 1n) / this.group), binsPerColumn: Number(this.group), bins: Number(this.bins) };
  }

  /** Every route id with a series. */
  routeIds(): number[] {
    const out: number[] = [];
    for (let id = 0; id < this.slotOf.length; id++) if (this.slotOf[id] !== 0) out.push(id);
    return out;
  }

  /** The sparkline of route `id` (undefined: the totals); blank where a column had nothing. */
  line(id?: number): string {
    const slot = id === undefined || id < 0 || id >= this.slotOf.length ? -1 : this.slotOf[id] - 1;
    const values = id === undefined ? this.totals : slot < 0 ? undefined : this.values.subarray(slot * MAX_COLUMNS, (slot + 1) * MAX_COLUMNS);
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

  /** The slot of route `id`; a new generation (its id taken by another route) starts afresh. */
  private slotFor(id: number, generation: number): number {
    if (id >= this.slotOf.length) {
      let length = this.slotOf.length * 2;
      while (length <= id) length *= 2;
      const grown = new Int32Array(length);
      grown.set(this.slotOf);
      this.slotOf = grown;
    }
    let slot = this.slotOf[id] - 1;
    if (slot < 0) {
      slot = this.slots++;
      if (slot === this.generations.length) {
        const generations = new Uint32Array(slot * 2);
        generations.set(this.generations);
        this.generations = generations;
        const values = new Float64Array(slot * 2 * MAX_COLUMNS);
        values.set(this.values);
        this.values = values;
      }
      this.slotOf[id] = slot + 1;
      this.generations[slot] = generation;
    } else if (this.generations[slot] !== generation) {
      this.generations[slot] = generation;
      this.values.fill(0, slot * MAX_COLUMNS, (slot + 1) * MAX_COLUMNS);
    }
    return slot;
  }

  /** Twice the bins per column: adjacent columns summed. */
  private regroup(): void {
    this.group *= 2n;
    const half = (values: Float64Array) => {
      for (let i = 0; i < MAX_COLUMNS / 2; i++) values[i] = values[2 * i] + values[2 * i + 1];
      values.fill(0, MAX_COLUMNS / 2);
    };
    half(this.totals);
    for (let slot = 0; slot < this.slots; slot++) half(this.values.subarray(slot * MAX_COLUMNS, (slot + 1) * MAX_COLUMNS));
  }
}
