// `-f ndjson`: one JSON object a line, for jq, log shippers and line-at-a-time consumers.
import type { Report } from '../analyze/report.js';
import { reportRows } from './aggregate.js';
import { jsonText } from './exact-json.js';
import type { ReportOptions } from './options.js';

/**
 * A `{"type":"summary", version, ...totals, inputs}` line, then one line per row of `by`
 * (`"type":"route"|"destination"|"nexthop"|"dev"`, the fields of the matching row of
 * aggregate.ts; a route's own type is `routeType`), in `sort` order. Every row, whatever `top`
 * says: `top` is rows per *table*, and a machine format that silently dropped rows would give
 * wrong sums (`head -n` takes the first rows of a sorted stream). Each line ends in "\n". Counts
 * are plain JSON integers, exact at any size.
 */
export function formatNdjson(report: Report, options: Pick<ReportOptions, 'by' | 'sort'>): string {
  const lines = [jsonText({
    type: 'summary',
    version: report.fibscope.version,
    ...report.totals,
    inputs: report.inputs,
  })];
  for (const row of reportRows(report, options.by, options.sort)) lines.push(jsonText(row));
  return `${lines.join('\n')}\n`;
}
