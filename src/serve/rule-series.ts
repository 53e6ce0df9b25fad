// /metrics' families of the filter and the rule set: a series per rule, labelled by its name and
// action, the records no rule matched, and the records the filter rejected. They come from the
// same snapshot as the other families, so a rule set replaced by PUT /rules takes its series
// with it at the next scrape, and the new rules' series start at 0 (a counter reset, which
// Prometheus' rate() handles).
//
// Until promFamilies (src/report/prom.ts, the `analyze -f prom` families) has these families
// itself, serve adds them here; once it has them, its own win and these are not added twice.
import type { Report } from '../analyze/report.js';
import type { PromFamily } from '../report/prom.js';

const RULE_LABELS = ['rule', 'action'] as const;

/** The families of the report's filter and rules; none for a report without them. */
export function ruleFamilies(report: Report): PromFamily[] {
  const families: PromFamily[] = [];
  const { filtered, noRule } = report.totals;
  if (filtered !== undefined) {
    families.push({
      name: 'fibscope_filtered_records_total',
      help: 'Records the filter (--filter) rejected: they count here and in fibscope_records_total only.',
      type: 'counter',
      labelNames: [],
      samples: [{ value: filtered }],
    });
  }
  if (report.rules) {
    const labels = report.rules.map((rule) => ({ rule: rule.name, action: rule.action }));
    families.push({
      name: 'fibscope_rule_packets_total',
      help: 'Records whose first matching rule is this one (every record the filter let through counts under one rule or under no rule).',
      type: 'counter',
      labelNames: RULE_LABELS,
      samples: report.rules.map((rule, i) => ({ labels: labels[i], value: rule.packets })),
    }, {
      name: 'fibscope_rule_bytes_total',
      help: 'Wire bytes of the records whose first matching rule is this one.',
      type: 'counter',
      labelNames: RULE_LABELS,
      samples: report.rules.map((rule, i) => ({ labels: labels[i], value: rule.bytes })),
    });
  }
  if (noRule) {
    families.push({
      name: 'fibscope_no_rule_packets_total',
      help: 'Records the filter let through that no rule matched.',
      type: 'counter',
      labelNames: [],
      samples: [{ value: noRule.packets }],
    }, {
      name: 'fibscope_no_rule_bytes_total',
      help: 'Wire bytes of the records no rule matched.',
      type: 'counter',
      labelNames: [],
      samples: [{ value: noRule.bytes }],
    });
  }
  return families;
}

/** Rule sets put in force (PUT /rules) or removed (DELETE /rules) while running: serve's own family. */
export function ruleSetChangesFamily(changes: number): PromFamily {
  return {
    name: 'fibscope_rule_set_changes_total',
    help: 'Rule sets put in force by PUT /rules or removed by DELETE /rules (the set given at start not included); each restarts the rule counts.',
    type: 'counter',
    labelNames: [],
    samples: [{ value: changes }],
  };
}

/** `families` with those of ruleFamilies(report) that it lacks, each after the others. */
export function withRuleFamilies(families: PromFamily[], report: Report): PromFamily[] {
  const present = new Set(families.map((family) => family.name));
  for (const family of ruleFamilies(report)) if (!present.has(family.name)) families.push(family);
  return families;
}
