// `-f table --interval`: after the report, the table's rows over time, a sparkline each.
import type { Report } from '../analyze/report.js';
import { reportRows, topRows, type RouteRow } from '../report/aggregate.js';
import { render, type Column } from '../report/table-parts.js';
import type { ReportSort } from '../report/options.js';
import { formatDuration } from './duration.js';
import { routeKey, Sparklines, TOTAL_KEY } from './sparkline.js';

/**
 * A heading saying what a column is, then the totals' sparkline and, by route, one per route
 * row of the table (the same rows, in the same order). Each line is scaled to its own busiest
 * column; a blank column had nothing.
 */
export function overTimeTable(report: Report, sparklines: Sparklines, width: bigint, options: { by: string; top: number; sort: ReportSort },
  first: string | undefined): string {
  const { columns, binsPerColumn, bins } = sparklines.shape;
  if (bins === 0) return `traffic over time: no bins (no records)`;
  const column = binsPerColumn === 1 ? formatDuration(width) : `${binsPerColumn} bins of ${formatDuration(width)} (${formatDuration(width * BigInt(binsPerColumn))})`;
  const heading = `traffic over time (${options.sort}): ${bins} bins of ${formatDuration(width)}${first ? ` from ${first}` : ''}, `
    + `${columns} column${columns === 1 ? '' : 's'} of ${column} each, every line scaled to its busiest column`;
  type Line = { name: string; key: string };
  const lines: Line[] = [{ name: 'all counted', key: TOTAL_KEY }];
  if (options.by === 'route') {
    for (const row of topRows(reportRows(report, 'route', options.sort) as RouteRow[], options.top)) {
      lines.push({ name: row.prefix, key: routeKey(row) });
    }
  }
  const columnsOf: Column<Line>[] = [
    [options.by === 'route' ? 'prefix' : '', 'left', (line) => line.name],
    ['over time', 'left', (line) => sparklines.line(line.key)],
  ];
  return `${heading}\n${render(lines, columnsOf)}`;
}
