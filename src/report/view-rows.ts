// The rows of the source side and the checks: `--by src-route`, `source`, `interface`, `matrix`
// and `anomaly`, each made from its own report section (docs/report.md "Views" and
// "Anomalies"). Every text format shows them; a report without the section has none.
import type { AnomalyCounters, Count, Report, TrackedAddress } from '../analyze/report.js';
import { byOriginAs, byOriginAsMatrix } from '../analyze/by-as.js';
import { orderKey } from './aggregate.js';
import { compareCounts } from './count.js';
import type { ReportSort, ReportViewKind } from './options.js';

/** Traffic by the route of its source. `routeType` is the route's `type`. */
export interface SourceRouteRow {
  type: 'src-route';
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  routeType: string;
  packets: Count;
  bytes: Count;
}

/** One source address, with the prefix of its route (null: no route). */
export interface SourceRow {
  type: 'source';
  address: string;
  prefix: string | null;
  packets: Count;
  bytes: Count;
  firstSeen: string;
  lastSeen: string;
}

/** One capture interface: its name, null when the capture names none. */
export interface InterfaceRow {
  type: 'interface';
  name: string | null;
  packets: Count;
  bytes: Count;
}

/**
 * One cell of the route matrix, `from` the source's route and `to` the destination's (null: no
 * route); or, with `other` true, the cells past the top summed (`from` and `to` null, `cells`
 * how many, `lost` the packets in no cell when memory ran short).
 */
export interface MatrixRow {
  type: 'matrix';
  from: string | null;
  to: string | null;
  other: boolean;
  cells: number;
  packets: Count;
  bytes: Count;
  lost?: Count;
}

/** One anomaly class (docs/checks.md), as the report has it. */
export interface AnomalyRow {
  type: 'anomaly';
  class: AnomalyCounters['class'];
  checked: boolean;
  packets: Count;
  bytes: Count;
  unchecked?: { packets: Count; bytes: Count };
  topSources: TrackedAddress[];
  topDestinations: TrackedAddress[];
}

/** The routes (`as`) or source routes (`src-as`) of one origin AS summed; `as` null: routes without AS data. */
export interface AsRow {
  type: 'as' | 'src-as';
  as: number | null;
  /** Distinct prefixes of its routes that carried traffic. */
  prefixes: number;
  packets: Count;
  bytes: Count;
}

/**
 * The route matrix's top cells summed by (source origin AS, destination origin AS), null: no
 * route or no AS data; or, with `other` true, the route pairs past the top, whose ASes are not known.
 */
export interface AsMatrixRow {
  type: 'as-matrix';
  fromAs: number | null;
  toAs: number | null;
  other: boolean;
  /** Route pairs summed in the row. */
  cells: number;
  packets: Count;
  bytes: Count;
  lost?: Count;
}

export interface ViewRowsBy {
  'src-route': SourceRouteRow;
  source: SourceRow;
  interface: InterfaceRow;
  matrix: MatrixRow;
  anomaly: AnomalyRow;
  as: AsRow;
  'src-as': AsRow;
}

export type ViewRow = ViewRowsBy[ReportViewKind];

/** Whether the report holds the section `kind` is made from (it was counted). */
export function hasView(report: Report, kind: ReportViewKind): boolean {
  switch (kind) {
    case 'src-route': return report.sourceRoutes !== undefined;
    case 'source': return report.sources !== undefined;
    case 'interface': return report.interfaces !== undefined;
    case 'matrix': return report.matrix !== undefined;
    case 'anomaly': return report.anomalies !== undefined;
    case 'as': return true;
    case 'src-as': return report.sourceRoutes !== undefined;
  }
}

/**
 * Every row of `kind`: source routes, sources and interfaces by `sort` descending, then by the
 * other count, then by key (address order, null last); matrix cells so too, with the `other` row
 * last; anomaly classes in the report's fixed order (docs/checks.md), so runs compare line by line.
 */
export function viewRows<K extends ReportViewKind>(report: Report, kind: K, sort: ReportSort): ViewRowsBy[K][] {
  return rowsOf(report, kind, sort) as ViewRowsBy[K][];
}

function rowsOf(report: Report, kind: ReportViewKind, sort: ReportSort): ViewRow[] {
  switch (kind) {
    case 'src-route':
      return sortByCounts((report.sourceRoutes ?? []).map((route): SourceRouteRow => ({
        type: 'src-route', prefix: route.prefix, nextHop: route.nextHop, dev: route.dev, routeType: route.type,
        packets: route.packets, bytes: route.bytes,
      })), sort, (row) => row.prefix);
    case 'source':
      return sortByCounts((report.sources ?? []).map((source): SourceRow => ({ type: 'source', ...source })), sort, (row) => row.address);
    case 'interface':
      return sortByCounts((report.interfaces ?? []).map((row): InterfaceRow => ({ type: 'interface', ...row })), sort, (row) => row.name);
    case 'matrix': {
      const matrix = report.matrix;
      if (!matrix) return [];
      const cells = sortByCounts(matrix.cells.map((cell): MatrixRow => ({ type: 'matrix', ...cell, other: false, cells: 1 })), sort,
        (row) => `${orderKey(row.from)} ${orderKey(row.to)}`);
      const other: MatrixRow = {
        type: 'matrix', from: null, to: null, other: true, cells: matrix.other.cells, packets: matrix.other.packets, bytes: matrix.other.bytes,
        ...(matrix.lost !== undefined ? { lost: matrix.lost } : {}),
      };
      return [...cells, other];
    }
    case 'anomaly':
      return (report.anomalies ?? []).map((row): AnomalyRow => ({
        type: 'anomaly',
        class: row.class,
        checked: row.checked,
        packets: row.packets,
        bytes: row.bytes,
        ...(row.unchecked ? { unchecked: { ...row.unchecked } } : {}),
        topSources: row.topSources.map((address) => ({ ...address })),
        topDestinations: row.topDestinations.map((address) => ({ ...address })),
      }));
    case 'as':
    case 'src-as': {
      const rows = kind === 'as' ? report.routes : report.sourceRoutes ?? [];
      return sortByCounts(byOriginAs(rows).map((row): AsRow => ({ type: kind, ...row })), sort, (row) => asKey(row.as));
    }
  }
}

/** A key in AS number order, no AS data last. */
function asKey(as: number | null): string | null {
  return as === null ? null : `AS${String(as).padStart(10, '0')}`;
}

/**
 * The route matrix as AS pairs (`--matrix src-as,as`): its top cells summed by their routes'
 * origin ASes, by `sort` as the other rows; then the pairs past the top, as the matrix has them.
 */
export function asMatrixRows(report: Report, sort: ReportSort): AsMatrixRow[] {
  if (!report.matrix) return [];
  const matrix = report.matrix;
  const cellsPer = new Map<string, number>();
  for (const cell of matrix.cells) {
    const key = `${cell.fromOriginAs ?? null} ${cell.toOriginAs ?? null}`;
    cellsPer.set(key, (cellsPer.get(key) ?? 0) + 1);
  }
  const byAs = byOriginAsMatrix(matrix);
  const cells = sortByCounts(byAs.cells.map((cell): AsMatrixRow => ({
    type: 'as-matrix', fromAs: cell.from, toAs: cell.to, other: false, cells: cellsPer.get(`${cell.from} ${cell.to}`) ?? 0,
    packets: cell.packets, bytes: cell.bytes,
  })), sort, (row) => `${asKey(row.fromAs) ?? '~'} ${asKey(row.toAs) ?? '~'}`);
  const other: AsMatrixRow = {
    type: 'as-matrix', fromAs: null, toAs: null, other: true, cells: byAs.other.cells, packets: byAs.other.packets, bytes: byAs.other.bytes,
    ...(byAs.lost !== undefined ? { lost: byAs.lost } : {}),
  };
  return [...cells, other];
}

/** By `sort` descending, then the other count descending, then key in address order (null last). */
function sortByCounts<R extends { packets: Count; bytes: Count }>(rows: R[], sort: ReportSort, key: (row: R) => string | null): R[] {
  const other: ReportSort = sort === 'packets' ? 'bytes' : 'packets';
  const keyed = rows.map((row) => ({ row, key: orderKey(key(row)) }));
  keyed.sort((a, b) => compareCounts(b.row[sort], a.row[sort]) || compareCounts(b.row[other], a.row[other])
    || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map(({ row }) => row);
}
