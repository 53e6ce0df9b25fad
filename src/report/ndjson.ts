// `-f ndjson`: one JSON object a line, for jq, log shippers and line-at-a-time consumers.
import type { Report } from '../analyze/report.js';
import { reportRows } from './aggregate.js';
import { jsonText } from './exact-json.js';
import type { ReportOptions } from './options.js';
import { ruleRows } from './rule-rows.js';

/**
 * A `{"type":"summary", version, ...totals, inputs}` line, then one line per row of `by`
 * (`"type":"route"|"destination"|"nexthop"|"dev"|"rule"`, the fields of the matching row of
 * aggregate.ts or rule-rows.ts; a route's own type is `routeType`), in `sort` order. A report
 * with a rule set has a `"type":"rule"` line per rule after the rows of any other `by`, so a
 * stream always holds them (a consumer tells the rows apart by `type`). Every row, whatever `top`
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
  if (options.by !== 'rule') for (const row of reportRows(report, options.by, options.sort)) lines.push(jsonText(row));
  for (const row of ruleRows(report, options.sort)) lines.push(jsonText(row));
  return `${lines.join('\n')}\n`;
}
