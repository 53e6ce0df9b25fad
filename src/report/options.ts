// What the text reports (table, csv, ndjson) show of a Report, and how.
import { FibscopeArgumentError } from '../errors.js';

/** The row kinds of the routing side of a report: routes, destinations, and routes summed. */
export const REPORT_BYS = ['route', 'destination', 'nexthop', 'dev'] as const;
export type ReportBy = (typeof REPORT_BYS)[number];

/**
 * The row kinds of the source side and the checks (view-rows.ts), each from its own report
 * section: `sourceRoutes`, `sources`, `interfaces`, `matrix` (its cells, then the rest),
 * `anomalies` (the classes), and traffic by origin AS: `as` summed from the routes, `src-as` from
 * the source routes (routes carry their origin AS from bgpdump -m and pfx2as).
 */
export const REPORT_VIEW_KINDS = ['src-route', 'source', 'interface', 'matrix', 'anomaly', 'as', 'src-as'] as const;
export type ReportViewKind = (typeof REPORT_VIEW_KINDS)[number];

/**
 * The row kinds of `--by`: those of REPORT_BYS, the rules of a rule set (`report.rules`) and the
 * views of REPORT_VIEW_KINDS, which are rows of their own kinds, not sums of routes.
 */
export const REPORT_ROW_KINDS = [...REPORT_BYS, 'rule', ...REPORT_VIEW_KINDS] as const;
export type ReportRowKind = (typeof REPORT_ROW_KINDS)[number];

/** The orders of `--sort`: that count descending. */
export const REPORT_SORTS = ['packets', 'bytes'] as const;
export type ReportSort = (typeof REPORT_SORTS)[number];

export interface ReportOptions {
  /**
   * What one row is: a route, a destination, a next hop, a device, a rule, a source route, a
   * source, a capture interface, a matrix cell or an anomaly class.
   */
  by: ReportRowKind;
  /** Rows in the table format; 0 = all. The csv and ndjson formats always give every row. */
  top: number;
  /** Rows by this count, descending. */
  sort: ReportSort;
  /** Table format only: 1.23M packets and 4.56 GiB instead of plain integers. */
  humanUnits: boolean;
  /**
   * What the route matrix's rows are keyed by: its (source route, destination route) pairs, or
   * those summed by (source origin AS, destination origin AS) (`--matrix src-as,as`). Default: route.
   */
  matrix?: ReportMatrixKeys;
}

export const REPORT_MATRIX_KEYS = ['route', 'as'] as const;
export type ReportMatrixKeys = (typeof REPORT_MATRIX_KEYS)[number];

export const DEFAULT_REPORT_OPTIONS: Readonly<ReportOptions> = Object.freeze({
  by: 'route',
  top: 20,
  sort: 'packets',
  humanUnits: true,
});

/** The defaults overlaid with `options` (undefined members keep the default), checked. */
export function resolveReportOptions(options: Partial<ReportOptions> = {}): ReportOptions {
  const resolved: ReportOptions = {
    by: options.by ?? DEFAULT_REPORT_OPTIONS.by,
    top: options.top ?? DEFAULT_REPORT_OPTIONS.top,
    sort: options.sort ?? DEFAULT_REPORT_OPTIONS.sort,
    humanUnits: options.humanUnits ?? DEFAULT_REPORT_OPTIONS.humanUnits,
    // absent means route pairs: the options of a report without AS data stay as they were
    ...(options.matrix !== undefined ? { matrix: options.matrix } : {}),
  };
  if (resolved.matrix !== undefined && !(REPORT_MATRIX_KEYS as readonly string[]).includes(resolved.matrix)) {
    throw new FibscopeArgumentError(`report matrix by ${JSON.stringify(resolved.matrix)}: expected one of ${REPORT_MATRIX_KEYS.join(', ')}`);
  }
  if (!(REPORT_ROW_KINDS as readonly string[]).includes(resolved.by)) {
    throw new FibscopeArgumentError(`report rows by ${JSON.stringify(resolved.by)}: expected one of ${REPORT_ROW_KINDS.join(', ')}`);
  }
  if (!(REPORT_SORTS as readonly string[]).includes(resolved.sort)) {
    throw new FibscopeArgumentError(`report sort ${JSON.stringify(resolved.sort)}: expected one of ${REPORT_SORTS.join(', ')}`);
  }
  if (!Number.isSafeInteger(resolved.top) || resolved.top < 0) {
    throw new FibscopeArgumentError(`report top ${String(resolved.top)}: expected a whole number, 0 for all rows`);
  }
  return resolved;
}
