// The rows of `--by rule`: the rules of a rule set (`report.rules`) with what each matched. Every
// text format shows them; the table also shows them after the rows of any other `--by`.
import type { Report, RuleCounters } from '../analyze/report.js';
import { compareCounts } from './count.js';
import type { ReportSort } from './options.js';

/** One rule of the set. `position` is its place in the set, from 1: first match wins, so order matters. */
export interface RuleRow extends RuleCounters {
  type: 'rule';
  position: number;
}

/**
 * Every rule, by `sort` descending, then by the other count descending, then in rule order (the
 * order is total, so output is deterministic). None when the report has no rule set.
 */
export function ruleRows(report: Report, sort: ReportSort): RuleRow[] {
  const other: ReportSort = sort === 'packets' ? 'bytes' : 'packets';
  const rows = (report.rules ?? []).map((rule, index): RuleRow => ({
    type: 'rule',
    position: index + 1,
    name: rule.name,
    action: rule.action,
    packets: rule.packets,
    bytes: rule.bytes,
    sources: rule.sources,
    destinations: rule.destinations,
    firstSeen: rule.firstSeen,
    lastSeen: rule.lastSeen,
    topSources: rule.topSources.map((address) => ({ ...address })),
    topDestinations: rule.topDestinations.map((address) => ({ ...address })),
  }));
  return rows.sort((a, b) => compareCounts(b[sort], a[sort]) || compareCounts(b[other], a[other]) || a.position - b.position);
}
