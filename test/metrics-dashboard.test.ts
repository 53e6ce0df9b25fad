import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { promFamilies, TopDestinations } from '../src/report/prom.js';
import { ruleSetChangesFamily } from '../src/serve/rule-set-changes.js';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { pcap } from './helpers/captures.js';
import { IPPROTO, ipv4, LINKTYPE, raw, tcp, udp4 } from './helpers/packets.js';

// The Grafana dashboard in the repository queries only metrics and labels that fibscope serve
// exposes: a renamed metric or label breaks this test, not a dashboard in production. The families
// are made as serve's /metrics makes them, from a report with a filter and a rule set.

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
    filtered: 0, noRule: { packets: 0, bytes: 0 },
  },
  routes: [],
  destinations: [],
  rules: (['count', 'alert', 'drop'] as const).map((action) => ({
    name: action, action, packets: 0, bytes: 0, sources: 0, destinations: 0,
    firstSeen: null, lastSeen: null, topSources: [], topDestinations: [],
  })),
};
const families = new Map(promFamilies(report, {
  table: { ipv4Routes: 0, ipv6Routes: 0 },
  routeChanges: { add: 0, replace: 0, remove: 0 },
  captureReading: true,
  destinations: new TopDestinations(1),
}).concat(ruleSetChangesFamily(0)).map((family) => [family.name, family]));

interface Panel {
  id: number;
  type: string;
  title: string;
  targets: { refId: string; expr: string }[];
  fieldConfig: { overrides: { matcher: { id: string; options: string }; properties: { id: string; value: { fixedColor?: string } }[] }[] };
}
const panel = (title: string) => (dashboard.panels as Panel[]).find((p) => p.title === title);

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

  it('queries every family of the filter and the rules', () => {
    const queried = expressions().join('\n');
    for (const name of ['fibscope_rule_packets_total', 'fibscope_rule_bytes_total', 'fibscope_no_rule_packets_total', 'fibscope_filtered_records_total',
      'fibscope_rule_set_changes_total']) {
      expect(families.has(name), name).toBe(true);
      expect(queried, name).toContain(name);
    }
  });

  it('shows rule hits by rule, alerts and drops in colours of their own', () => {
    for (const title of ['Rule hits', 'Rule hits, bits per second']) {
      const hits = panel(title);
      expect(hits, title).toBeDefined();
      const colourOf = (action: string) => {
        const query = hits!.targets.find((t) => t.expr.includes('fibscope_rule_') && t.expr.includes(`action="${action}"`));
        expect(query, `${title}: a query of the ${action} rules`).toBeDefined();
        expect(query!.expr).toMatch(/sum by \(rule, action\)/);
        const override = hits!.fieldConfig.overrides.find((o) => o.matcher.id === 'byFrameRefID' && o.matcher.options === query!.refId);
        return override?.properties.find((p) => p.id === 'color')?.value.fixedColor;
      };
      const colours = ['count', 'alert', 'drop'].map(colourOf);
      expect(colours[1], `${title}: alerts`).toBe('orange');
      expect(colours[2], `${title}: drops`).toBe('red');
      expect(new Set(colours).size, `${title}: three actions, three colours`).toBe(3);
    }
    expect(panel('Filtered records')!.targets.some((t) => t.expr.includes('fibscope_filtered_records_total'))).toBe(true);
  });

  it('queries only metrics and labels that a running serve with a filter and rules answers /metrics with', async () => {
    const fib = await Fib.create();
    fib.load('10.0.0.0/8 192.0.2.1 eth0\n');
    const analyzer = new Analyzer({ fib, name: 'dashboard', filter: 'not dst host 10.9.9.9', rules: 'rule dns count proto udp\nrule ssh alert proto tcp dport 22\nrule rest drop\n' });
    const server = new FibscopeServer({ fib, analyzer, topDestinations: 1, capture: { reading: true } });
    try {
      // a packet for every family to have samples: routed, filtered, each rule, malformed
      analyzer.push(pcap({ linkType: LINKTYPE.RAW, records: [
        udp4('192.0.2.7', '10.0.0.1'), udp4('192.0.2.7', '10.9.9.9'),
        ipv4({ src: '192.0.2.7', dst: '10.0.0.2', proto: IPPROTO.TCP, payload: tcp({ srcPort: 40000, dstPort: 22 }) }),
        ipv4({ src: '192.0.2.7', dst: '10.0.0.3', proto: IPPROTO.ICMP }), ipv4({ src: '192.0.2.7', dst: '10.0.0.4', proto: IPPROTO.UDP, ihl: 4 }),
      ].map((data, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(data) })) }));
      const { port } = await server.listen(0, '127.0.0.1');
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const served = new Map<string, Set<string>>();
      for (const line of text.split('\n')) {
        const match = /^(fibscope_[a-z_]+)(\{(.*)\})? /.exec(line);
        if (!match) continue;
        const labels = served.get(match[1]) ?? new Set<string>();
        for (const [, label] of (match[3] ?? '').matchAll(/([a-z_]+)="/g)) labels.add(label);
        served.set(match[1], labels);
      }
      for (const expr of expressions()) {
        for (const [, name, selector] of expr.matchAll(/\b(fibscope_[a-z_]+)(\{[^}]*\})?/g)) {
          expect(served.get(name), `${name} in ${expr}: no sample served`).toBeDefined();
          const labels = [...(selector ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]).filter((l) => l !== 'instance');
          for (const label of labels) expect([...served.get(name)!], `${label} of ${name} in ${expr}`).toContain(label);
        }
      }
      expect(served.get('fibscope_rule_packets_total')).toEqual(new Set(['rule', 'action']));
    } finally {
      await server.close();
      analyzer.dispose();
    }
  });
});
