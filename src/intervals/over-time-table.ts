// `-f table --interval`: after the report, the table's rows over time, a sparkline each.
import type { Report } from '../analyze/report.js';
import type { Fib, RouteRowFields } from '../fib/fib.js';
import { reportRows, topRows, type RouteRow } from '../report/aggregate.js';
import { render, type Column } from '../report/table-parts.js';
import type { ReportSort } from '../report/options.js';
import { formatDuration } from './duration.js';
import type { Sparklines } from './sparkline.js';

/** How a route row is known in both the table and the table of routes. */
function routeKey(route: { prefix: string; nextHop: string | null; dev: string | null; metric: number }): string {
  return `${route.prefix} ${route.metric} ${route.nextHop ?? ''} ${route.dev ?? ''}`;
}

/**
 * A heading saying what a column is, then the totals' sparkline and, by route, one per route
 * row of the table (the same rows, in the same order). Each line is scaled to its own busiest
 * column; a blank column had nothing.
 */
export function overTimeTable(report: Report, fib: Fib, sparklines: Sparklines, width: bigint,
  options: { by: string; top: number; sort: ReportSort }, first: string | undefined): string {
  const { columns, binsPerColumn, bins } = sparklines.shape;
  if (bins === 0) return 'traffic over time: no bins (no records)';
  const column = binsPerColumn === 1 ? formatDuration(width) : `${binsPerColumn} bins of ${formatDuration(width)} (${formatDuration(width * BigInt(binsPerColumn))})`;
  const heading = `traffic over time (${options.sort}): ${bins} bins of ${formatDuration(width)}${first ? ` from ${first}` : ''}, `
    + `${columns} column${columns === 1 ? '' : 's'} of ${column} each, every line scaled to its busiest column`;
  type Line = { name: string; id?: number };
  const lines: Line[] = [{ name: 'all counted' }];
  if (options.by === 'route') {
    // the route ids of the table's rows: each id with a series described once
    const ids = new Map<string, number>();
    const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
    for (const id of sparklines.routeIds()) if (fib.describeInto(id, row)) ids.set(routeKey(row), id);
    for (const route of topRows(reportRows(report, 'route', options.sort) as RouteRow[], options.top)) {
      lines.push({ name: route.prefix, id: ids.get(routeKey(route)) ?? -1 });
    }
  }
  const columnsOf: Column<Line>[] = [
    [options.by === 'route' ? 'prefix' : '', 'left', (line) => line.name],
    ['over time', 'left', (line) => sparklines.line(line.id)],
  ];
  return `${heading}\n${render(lines, columnsOf)}`;
}
