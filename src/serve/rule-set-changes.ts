// /metrics' count of rule sets replaced or removed through the API, which only a running server
// has. The rules' own series (fibscope_rule_*_total, fibscope_no_rule_*, fibscope_filtered_*)
// come with the other families of the report (promFamilies, src/report/prom.ts), from the same
// snapshot: a set replaced by PUT /rules takes its series with it at the next scrape and the new
// rules' series start at 0, a counter reset that rate() handles and this counter marks.
import type { PromFamily } from '../report/prom.js';

/** Rule sets put in force (PUT /rules) or removed (DELETE /rules) while running. */
export function ruleSetChangesFamily(changes: number): PromFamily {
  return {
    name: 'fibscope_rule_set_changes_total',
    help: 'Rule sets put in force by PUT /rules or removed by DELETE /rules (the set given at start not included); each restarts the rule counts.',
    type: 'counter',
    labelNames: [],
    samples: [{ value: changes }],
  };
}
