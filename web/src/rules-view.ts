// The rule hits table: the report's rules in their order (first match wins, so order is
// meaning), with what each matched, and the records no rule matched. Alerts and drops are
// marked by their row's class and a badge, so they stand out whatever the counts.
import type { Report, RuleCounters } from '../../src/analyze/report.js';
import { exact } from './format.js';

export interface RulesElements {
  section: HTMLElement;
  source: HTMLElement;
  body: HTMLTableSectionElement;
}

/** Shows the report's rules, or hides the section when it has none. */
export function renderRules(elements: RulesElements, report: Report, source: string | undefined): void {
  const rules = report.rules;
  elements.section.hidden = rules === undefined;
  if (rules === undefined) {
    elements.body.replaceChildren();
    return;
  }
  elements.source.textContent = source ? `— ${source}` : '';
  const noRule = report.totals.noRule ?? { packets: 0, bytes: 0 };
  elements.body.replaceChildren(...rules.map(ruleRow), row('no rule', null, [
    exact(noRule.packets), exact(noRule.bytes), '–', '–', '–', '–', '–',
  ]));
}

function ruleRow(rule: RuleCounters): HTMLTableRowElement {
  const busiest = rule.topSources[0];
  return row(rule.name, rule.action, [
    exact(rule.packets), exact(rule.bytes), exact(rule.sources), exact(rule.destinations),
    busiest ? `${busiest.address} (${exact(busiest.packets)})` : '–', rule.firstSeen ?? '–', rule.lastSeen ?? '–',
  ]);
}

/** Cells after the action: four counts, the busiest source, two times. */
function row(name: string, action: RuleCounters['action'] | null, cells: string[]): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.className = action ? `rule action-${action}` : 'no-rule';
  tr.dataset.rule = action ? name : '';
  const th = document.createElement('th');
  th.scope = 'row';
  th.textContent = name;
  const actionCell = document.createElement('td');
  if (action) {
    const badge = document.createElement('span');
    badge.className = `badge badge-${action}`;
    badge.textContent = action;
    actionCell.append(badge);
  } else {
    actionCell.textContent = '–';
  }
  tr.append(th, actionCell, ...cells.map((text, i) => {
    const td = document.createElement('td');
    td.textContent = text;
    if (i < 4) td.className = 'number';
    if (i >= 5) td.className = 'time';
    return td;
  }));
  return tr;
}
