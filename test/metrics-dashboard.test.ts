import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { promFamilies, TopDestinations } from '../src/report/prom.js';

// The Grafana dashboard in the repository queries only metrics and labels that fibscope serve
// exposes: a renamed metric or label breaks this test, not a dashboard in production.

const dashboard = JSON.parse(readFileSync(new URL('../dashboards/grafana-fibscope.json', import.meta.url), 'utf8'));

/** Every PromQL expression of the dashboard: panel targets, annotations, template variables. */
function expressions(): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key = '') => {
    if (typeof value === 'string' && (key === 'expr' || key === 'definition')) found.push(value);
    else if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, k);
  };
  visit(dashboard);
  return found;
}

const report: Report = {
  fibscope: { version: '0.1.0' },
  inputs: [],
  totals: {
    records: 1, bytes: 1, counted: 1, ipv4: 1, ipv6: 0, nonIp: 0, malformed: 1, unsupportedLink: 0,
    noRoute: { packets: 0, bytes: 0 }, malformedReasons: { ipv4_ihl_lt_5: 1 },
  },
  routes: [],
  destinations: [],
};
const families = new Map(promFamilies(report, {
  table: { ipv4Routes: 0, ipv6Routes: 0 },
  routeChanges: { add: 0, replace: 0, remove: 0 },
  captureReading: true,
  destinations: new TopDestinations(1),
}).map((family) => [family.name, family]));

describe('dashboards/grafana-fibscope.json', () => {
  it('is a Grafana dashboard with panels that all have queries', () => {
    expect(dashboard.title).toBeTypeOf('string');
    expect(dashboard.uid).toBe('fibscope-serve');
    const panels = dashboard.panels.filter((p: { type: string }) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(8);
    for (const panel of panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('queries only metrics and labels that /metrics has', () => {
    const exprs = expressions();
    expect(exprs.length).toBeGreaterThan(10);
    for (const expr of exprs) {
      for (const [, name, selector] of expr.matchAll(/\b(fibscope_[a-z_]+)(\{[^}]*\})?/g)) {
        const family = families.get(name);
        expect(family, `${name} in ${expr}`).toBeDefined();
        const labels = [...(selector ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]).filter((l) => l !== 'instance');
        for (const label of labels) expect(family!.labelNames, `${label} of ${name} in ${expr}`).toContain(label);
      }
      for (const [, by] of expr.matchAll(/by \(([^)]*)\)/g)) {
        const names = [...expr.matchAll(/\b(fibscope_[a-z_]+)/g)].map((m) => m[1]);
        for (const label of by.split(',').map((l) => l.trim())) {
          expect(names.some((name) => families.get(name)!.labelNames.includes(label)), `${label} in ${expr}`).toBe(true);
        }
      }
    }
  });
});
