// Every output format of `fibscope analyze`, made from a Report.
import type { Report } from '../analyze/report.js';
import { FibscopeArgumentError } from '../errors.js';
import { formatCsv } from './csv.js';
import { formatJson, writeJson } from './json.js';
import { formatNdjson } from './ndjson.js';
import { resolveReportOptions, type ReportOptions } from './options.js';
import { formatProm } from './prom.js';
import { formatTable } from './table.js';

export const REPORT_FORMATS = ['table', 'json', 'ndjson', 'csv', 'prom'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The report as text in `format`, ending in a newline. `options` (defaults: by route, top 20,
 * by packets, human units) shape the text formats: `by` and `sort` apply to table, csv and
 * ndjson (`by: 'rule'` gives the rules of a rule set; `'src-route'`, `'source'`, `'interface'`,
 * `'matrix'` and `'anomaly'` the report's views and anomaly classes, none when the report lacks
 * them); `top` and `humanUnits` to table only;
 * json and prom always hold everything.
 * Throws FibscopeArgumentError for an unknown format or a bad option.
 */
export function formatReport(report: Report, format: ReportFormat, options: Partial<ReportOptions> = {}): string {
  const resolved = resolveReportOptions(options);
  switch (format) {
    case 'table': return formatTable(report, resolved);
    case 'json': return formatJson(report);
    case 'ndjson': return formatNdjson(report, resolved);
    case 'csv': return formatCsv(report, resolved);
    case 'prom': return formatProm(report);
    default:
      throw new FibscopeArgumentError(`report format ${JSON.stringify(format)}: expected one of ${REPORT_FORMATS.join(', ')}`);
  }
}

export { formatCsv, formatJson, formatNdjson, formatProm, formatTable, writeJson };
export { humanBytes, humanPackets } from './table.js';
export { reportRows, topRows } from './aggregate.js';
export { ruleRows } from './rule-rows.js';
export type { RuleRow } from './rule-rows.js';
export type { DestinationRow, DevRow, NextHopRow, RouteRow, Row, RowsBy } from './aggregate.js';
export { hasView, viewRows } from './view-rows.js';
export type { AnomalyRow, InterfaceRow, MatrixRow, SourceRouteRow, SourceRow, ViewRow, ViewRowsBy } from './view-rows.js';
export { DEFAULT_REPORT_OPTIONS, REPORT_BYS, REPORT_ROW_KINDS, REPORT_SORTS, REPORT_VIEW_KINDS, resolveReportOptions } from './options.js';
export type { ReportBy, ReportOptions, ReportRowKind, ReportSort, ReportViewKind } from './options.js';
