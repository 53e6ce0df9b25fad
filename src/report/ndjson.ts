// `-f ndjson`: one JSON object a line, for jq, log shippers and line-at-a-time consumers.
import type { Report } from '../analyze/report.js';
import { reportRows } from './aggregate.js';
import { jsonText } from './exact-json.js';
import { REPORT_BYS, type ReportBy, type ReportOptions, type ReportViewKind } from './options.js';
import { asMatrixRows, viewRows } from './view-rows.js';

/** The sections every stream holds when the report has them, whatever `by` is, after the rules. */
const SECTIONS: readonly ReportViewKind[] = ['anomaly', 'matrix'];
import { ruleRows } from './rule-rows.js';

/**
 * A `{"type":"summary", version, ...totals, inputs}` line, then one line per row of `by`
 * (`"type":"route"|"destination"|"nexthop"|"dev"|"rule"|"src-route"|"source"|"interface"|
 * "matrix"|"anomaly"|"as"|"src-as"`, the fields of the matching row of aggregate.ts, rule-rows.ts or
 * view-rows.ts; a route's own type is `routeType`), in `sort` order. The rules of a rule set,
 * then the anomaly classes, then the route matrix's cells (and its `other` line; `"as-matrix"`
 * lines with `matrix: 'as'`) follow the rows
 * of any other `by`, so a stream always holds them (a consumer tells the rows apart by `type`). Every row, whatever `top`
 * says: `top` is rows per *table*, and a machine format that silently dropped rows would give
 * wrong sums (`head -n` takes the first rows of a sorted stream). Each line ends in "\n". Counts
 * are plain JSON integers, exact at any size.
 */
export function formatNdjson(report: Report, options: Pick<ReportOptions, 'by' | 'sort' | 'matrix'>): string {
  const lines = [jsonText({
    type: 'summary',
    version: report.fibscope.version,
    ...report.totals,
    inputs: report.inputs,
  })];
  const by = options.by;
  if ((REPORT_BYS as readonly string[]).includes(by)) {
    for (const row of reportRows(report, by as ReportBy, options.sort)) lines.push(jsonText(row));
  } else if (by !== 'rule' && !SECTIONS.includes(by as ReportViewKind)) {
    for (const row of viewRows(report, by as ReportViewKind, options.sort)) lines.push(jsonText(row));
  }
  for (const row of ruleRows(report, options.sort)) lines.push(jsonText(row));
  for (const row of viewRows(report, 'anomaly', options.sort)) lines.push(jsonText(row));
  const matrix = options.matrix === 'as' ? asMatrixRows(report, options.sort) : viewRows(report, 'matrix', options.sort);
  for (const row of matrix) lines.push(jsonText(row));
  return `${lines.join('\n')}\n`;
}
