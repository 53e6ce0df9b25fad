// The rows of the result tables: the CLI's rows (`reportRows` and, for the source side,
// `viewRows`, so a table by packets or bytes is the one `fibscope analyze --by K --sort S`
// prints), re-sorted when another column is chosen, filtered by text and cut to the top N. No DOM
// here: table-view.ts draws them.
import type { Report } from '../../src/index.js';
import { orderKey, reportRows, topRows, type RowsBy as RouteRowsBy } from '../../src/report/aggregate.js';
import type { ReportBy as RouteBy } from '../../src/report/options.js';
import { asMatrixRows, hasView, viewRows, type AsMatrixRow, type ViewRowsBy } from '../../src/report/view-rows.js';
import { missingAsData } from '../../src/analyze/by-as.js';

export { topRows };

/**
 * The views a table can show besides the routing side: source route, source, interface and the
 * route matrix, each a section the analysis counts only when asked (`--by K`, `--matrix`); and
 * traffic by origin AS, of destination (`as`, from the routes, always counted) and source routes
 * (`src-as`), and the matrix by AS pair (`as-matrix`, `--matrix src-as,as`).
 */
export const TABLE_VIEWS = ['src-route', 'source', 'interface', 'as', 'src-as', 'matrix', 'as-matrix'] as const;
export type TableView = (typeof TABLE_VIEWS)[number];

/** What one table row is: a route, next hop, device or destination, or a row of a view. */
export type ReportBy = RouteBy | TableView;
export type RowsBy = RouteRowsBy & Pick<ViewRowsBy, Exclude<TableView, 'as-matrix'>> & { 'as-matrix': AsMatrixRow };
export type Row = RowsBy[ReportBy];

export const isTableView = (by: string): by is TableView => (TABLE_VIEWS as readonly string[]).includes(by);

/**
 * The matrix's cells the demo keeps, the rest summed in its `other` row: the page's report is
 * `analyze --matrix src-route,route --top 1000`'s. Enough for the largest "Show" choice.
 */
export const MATRIX_TOP = 1000;

/** Whether the report holds what `view` is made from (else the capture is counted again with it). */
export function counted(report: Report, view: TableView): boolean {
  return hasView(report, view === 'as-matrix' ? 'matrix' : view);
}

/**
 * Why an AS view shows nothing useful: no route that carried traffic (or no route of the matrix's
 * cells) has an origin AS, as the CLI warns (`missingAsData`). Undefined otherwise.
 */
export function missingAs(report: Report, by: ReportBy): string | undefined {
  switch (by) {
    case 'as': return missingAsData('--by as', report.routes);
    case 'src-as': return report.sourceRoutes && missingAsData('--by src-as', report.sourceRoutes);
    case 'as-matrix': return report.matrix && missingAsData('--matrix src-as,as', report.matrix);
    default: return undefined;
  }
}

/** What the CSV export passes to `-f csv`: the AS-pair matrix is `--by matrix --matrix src-as,as`. */
export function csvBy(by: ReportBy): { by: RouteBy | Exclude<TableView, 'as-matrix'>; matrix: 'route' | 'as' } {
  return by === 'as-matrix' ? { by: 'matrix', matrix: 'as' } : { by, matrix: 'route' };
}

/** An origin AS as the page shows it. */
const asLabel = (as: number | null) => (as === null ? 'no AS data' : `AS${as}`);
/** AS numbers in number order, no AS data last. */
const asOrder = (as: number | null) => (as === null ? '\uffff' : String(as).padStart(10, '0'));

/**
 * One column. `key` is the member name (the CSV header); `kind` decides order and filtering:
 * keys (addresses, prefixes, next hops, devices) sort as the CLI sorts them, in address order
 * with other text after; counts sort by number; text and times by code unit.
 */
export interface Column<R> {
  key: string;
  label: string;
  kind: 'key' | 'text' | 'count' | 'time';
  value(row: R): string | number | null;
  /** What the column sorts by when it is not `value` (AS numbers: in number order, not as text). */
  order?(row: R): string | number;
}

// counts above 2^53 (bigints) are shown as the nearest number here; the exports print them exactly
const packets = { key: 'packets', label: 'Packets', kind: 'count', value: (r: { packets: number | bigint }) => Number(r.packets) } as const;
const bytes = { key: 'bytes', label: 'Bytes', kind: 'count', value: (r: { bytes: number | bigint }) => Number(r.bytes) } as const;
const destinations = { key: 'destinations', label: 'Destinations', kind: 'count', value: (r: { destinations: number }) => r.destinations } as const;
const routes = { key: 'routes', label: 'Routes', kind: 'count', value: (r: { routes: number }) => r.routes } as const;
const prefixes = { key: 'prefixes', label: 'Prefixes', kind: 'count', value: (r: { prefixes: number }) => r.prefixes } as const;

export const COLUMNS: { [B in ReportBy]: readonly Column<RowsBy[B]>[] } = {
  route: [
    { key: 'prefix', label: 'Prefix', kind: 'key', value: (r) => r.prefix },
    { key: 'nextHop', label: 'Next hop', kind: 'key', value: (r) => r.nextHop },
    { key: 'dev', label: 'Device', kind: 'key', value: (r) => r.dev },
    { key: 'metric', label: 'Metric', kind: 'count', value: (r) => r.metric },
    { key: 'routeType', label: 'Type', kind: 'text', value: (r) => r.routeType },
    packets, bytes, destinations,
  ],
  nexthop: [
    { key: 'nextHop', label: 'Next hop', kind: 'key', value: (r) => r.nextHop },
    routes, packets, bytes, destinations,
  ],
  dev: [
    { key: 'dev', label: 'Device', kind: 'key', value: (r) => r.dev },
    routes, packets, bytes, destinations,
  ],
  destination: [
    { key: 'address', label: 'Address', kind: 'key', value: (r) => r.address },
    { key: 'prefix', label: 'Route', kind: 'key', value: (r) => r.prefix },
    packets, bytes,
    { key: 'firstSeen', label: 'First seen', kind: 'time', value: (r) => r.firstSeen },
    { key: 'lastSeen', label: 'Last seen', kind: 'time', value: (r) => r.lastSeen },
  ],
  'src-route': [
    { key: 'prefix', label: 'Source route', kind: 'key', value: (r) => r.prefix },
    { key: 'nextHop', label: 'Next hop', kind: 'key', value: (r) => r.nextHop },
    { key: 'dev', label: 'Device', kind: 'key', value: (r) => r.dev },
    { key: 'routeType', label: 'Type', kind: 'text', value: (r) => r.routeType },
    packets, bytes,
  ],
  source: [
    { key: 'address', label: 'Source', kind: 'key', value: (r) => r.address },
    { key: 'prefix', label: 'Route', kind: 'key', value: (r) => r.prefix },
    packets, bytes,
    { key: 'firstSeen', label: 'First seen', kind: 'time', value: (r) => r.firstSeen },
    { key: 'lastSeen', label: 'Last seen', kind: 'time', value: (r) => r.lastSeen },
  ],
  interface: [
    { key: 'name', label: 'Capture interface', kind: 'key', value: (r) => r.name },
    packets, bytes,
  ],
  as: [
    { key: 'as', label: 'Origin AS', kind: 'text', value: (r) => asLabel(r.as), order: (r) => asOrder(r.as) },
    packets, bytes, prefixes,
  ],
  'src-as': [
    { key: 'as', label: 'Source origin AS', kind: 'text', value: (r) => asLabel(r.as), order: (r) => asOrder(r.as) },
    packets, bytes, prefixes,
  ],
  // the `other` row sums the route pairs past the top: its ends are not known
  matrix: [
    { key: 'from', label: 'From (source route)', kind: 'key', value: (r) => (r.other ? `other (${r.cells} route pairs)` : r.from) },
    { key: 'to', label: 'To (route)', kind: 'key', value: (r) => (r.other ? null : r.to) },
    packets, bytes,
  ],
  'as-matrix': [
    { key: 'fromAs', label: 'From (source origin AS)', kind: 'text',
      value: (r) => (r.other ? `other (${r.cells} route pairs)` : asLabel(r.fromAs)), order: (r) => (r.other ? '\uffff' : asOrder(r.fromAs)) },
    { key: 'toAs', label: 'To (origin AS)', kind: 'text', value: (r) => (r.other ? null : asLabel(r.toAs)), order: (r) => (r.other ? '\uffff' : asOrder(r.toAs)) },
    { key: 'cells', label: 'Route pairs', kind: 'count', value: (r) => r.cells },
    packets, bytes,
  ],
};

/** The CLI's rows of `by`, by `sort` descending. */
function cliRows<B extends ReportBy>(report: Report, by: B, sort: 'packets' | 'bytes'): RowsBy[B][] {
  if (by === 'as-matrix') return asMatrixRows(report, sort) as RowsBy[B][];
  return (isTableView(by) ? viewRows(report, by, sort) : reportRows(report, by as RouteBy, sort)) as RowsBy[B][];
}

export interface SortOrder {
  /** a column key of the row kind */
  key: string;
  descending: boolean;
}

/** The CLI's order: by packets, descending. */
export const DEFAULT_ORDER: Readonly<SortOrder> = Object.freeze({ key: 'packets', descending: true });

/**
 * Every row of `by` in `order`. By packets or bytes descending this is `reportRows` itself (the
 * CLI's order, ties broken by the other count and then the key); ascending, its reverse. Any
 * other column sorts stably on top of the CLI's packets order, so its ties keep that order.
 */
export function sortedRows<B extends ReportBy>(report: Report, by: B, order: SortOrder): RowsBy[B][] {
  if (order.key === 'packets' || order.key === 'bytes') {
    const rows = cliRows(report, by, order.key);
    return order.descending ? rows : rows.reverse();
  }
  const column = (COLUMNS[by] as readonly Column<RowsBy[B]>[]).find((c) => c.key === order.key);
  if (column === undefined) throw new Error(`no column ${order.key} in the ${by} table`);
  const sign = order.descending ? -1 : 1;
  const keyed = cliRows(report, by, 'packets').map((row) => ({ row, key: sortKey(column, row) }));
  keyed.sort((a, b) => sign * (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ row }) => row);
}

function sortKey<R>(column: Column<R>, row: R): string | number {
  if (column.order) return column.order(row);
  const value = column.value(row);
  if (column.kind === 'count') return value as number;
  if (column.kind === 'key') return orderKey(value as string | null);
  return value === null ? '\uffff' : String(value); // none sorts last, as in the CLI
}

/**
 * The rows any of whose text columns (not counts) contain `query`, ignoring case and the
 * surrounding blanks; an empty query keeps every row. Order is kept.
 */
export function filterRows<B extends ReportBy>(rows: RowsBy[B][], by: B, query: string): RowsBy[B][] {
  const wanted = query.trim().toLowerCase();
  if (wanted === '') return rows;
  const columns = (COLUMNS[by] as readonly Column<RowsBy[B]>[]).filter((c) => c.kind !== 'count');
  return rows.filter((row) => columns.some((column) => {
    const value = column.value(row);
    return value !== null && String(value).toLowerCase().includes(wanted);
  }));
}

/** What a table shows: the filtered rows cut to `top` (0 = all), and how many there were. */
export function tableRows<B extends ReportBy>(sorted: RowsBy[B][], by: B, query: string, top: number):
  { rows: RowsBy[B][]; matching: number; total: number } {
  const matching = filterRows(sorted, by, query);
  return { rows: topRows(matching, top), matching: matching.length, total: sorted.length };
}
