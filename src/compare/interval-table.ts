// `compare -f table --interval`: the comparison over time as sparklines (▁▂▃▄▅▆▇█) of the traffic
// counted, moved, becoming unrouted, dropped and routed, at most MAX_COLUMNS columns however many
// bins (adjacent bins summed into one column, the grouping doubled as bins come), so it holds a
// fixed number of numbers whatever the capture's length.
import { render, type CountText } from '../report/table-parts.js';
import type { CompareInterval } from './intervals.js';

const MAX_COLUMNS = 60;
const LEVELS = '▁▂▃▄▅▆▇█';
const SERIES = ['counted', 'moved', 'becomesUnrouted', 'becomesDropped', 'becomesRouted'] as const;
const TITLES: Record<(typeof SERIES)[number], string> = {
  counted: 'counted', moved: 'moves to another route', becomesUnrouted: 'becomes unrouted',
  becomesDropped: 'becomes dropped', becomesRouted: 'becomes routed',
};

export class CompareSparklines {
  private bins = 0;
  private group = 1;
  private first: string | undefined;
  private last: string | undefined;
  private readonly values = SERIES.map(() => new Float64Array(MAX_COLUMNS));
  private readonly totals = SERIES.map(() => 0);

  constructor(private readonly measure: 'packets' | 'bytes') {}

  add(bin: CompareInterval): void {
    this.first ??= bin.start;
    this.last = bin.end;
    const index = this.bins;
    this.bins += bin.bins;
    while (Math.ceil(this.bins / this.group) > MAX_COLUMNS) this.regroup();
    const column = Math.floor(index / this.group);
    SERIES.forEach((name, s) => {
      const value = Number(bin[name][this.measure]);
      this.values[s][column] += value;
      this.totals[s] += value;
    });
  }

  private regroup(): void {
    for (const values of this.values) {
      for (let c = 0; c < MAX_COLUMNS / 2; c++) values[c] = values[2 * c] + values[2 * c + 1];
      values.fill(0, MAX_COLUMNS / 2);
    }
    this.group *= 2;
  }

  /** The section's text; empty before any bin. */
  render(count: CountText): string {
    if (this.first === undefined) return '';
    const columns = Math.ceil(this.bins / this.group);
    // one scale for every line, the counted traffic's, so a line's height is a share of the traffic
    const counted = this.values[0].subarray(0, columns);
    const top = Math.max(...counted, 1);
    const line = (values: Float64Array) => Array.from(values.subarray(0, columns),
      (v) => (v === 0 ? ' ' : LEVELS[Math.min(LEVELS.length - 1, Math.floor((v / top) * LEVELS.length))])).join('');
    const rows = SERIES.map((name, s) => ({ title: TITLES[name], total: this.totals[s], line: line(this.values[s]) }));
    const grouping = this.group === 1 ? '' : `, ${this.group} bins a column`;
    return `\nOver time: ${this.bins} bins from ${this.first} to ${this.last}${grouping} (${this.measure})\n`
      + render(rows, [['traffic', 'left', (r) => r.title], [this.measure, 'right', (r) => count(r.total)], ['over time', 'left', (r) => r.line]]);
  }
}
