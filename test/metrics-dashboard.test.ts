import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { promFamilies, TopDestinations } from '../src/report/prom.js';
import { ruleSetChangesFamily } from '../src/serve/rule-set-changes.js';
import { anomalyTopSourcesFamily } from '../src/serve/anomaly-source-series.js';
import { ANOMALY_CLASSES } from '../src/analyze/anomaly-report.js';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { LiveRoutes } from '../src/live-routes/live-routes.js';
import { ServedRouting } from '../src/serve/routing.js';
import { startRouting } from '../src/serve/start-routing.js';
import type { RouteProtocolServer } from '../src/bgp/types.js';
import { pcap } from './helpers/captures.js';
import { IPPROTO, ipv4, LINKTYPE, raw, tcp, udp4 } from './helpers/packets.js';

// The Grafana dashboard in the repository queries only metrics and labels that fibscope serve
// exposes: a renamed metric or label breaks this test, not a dashboard in production. The families
// are made as serve's /metrics makes them, from a report with a filter, a rule set and the checks,
// and then read from a running server with all three.

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
  anomalies: ANOMALY_CLASSES.map((cls) => ({
    class: cls, checked: cls !== 'urpf-strict', packets: 1, bytes: 1, topSources: [{ address: '192.0.2.7', packets: 1, bytes: 1 }], topDestinations: [],
    ...(cls === 'urpf-strict' ? { unchecked: { packets: 1, bytes: 1 } } : {}),
  })),
};
// the live-routing families, as a server with one configured BGP peer, not connected, makes them
const routingFib = await Fib.create();
const idleSpeaker: RouteProtocolServer = {
  kind: 'bgp', refusedConnections: 0, listen: () => Promise.reject(new Error('not listening')), close: () => Promise.resolve(),
  sessions: () => [{ remoteAddress: '192.0.2.1', state: 'idle', since: 0, updatesReceived: 0, prefixesAnnounced: 0, prefixesWithdrawn: 0 }],
};
const routingFamilies = new ServedRouting(new LiveRoutes(routingFib), [idleSpeaker], [{ kind: 'bgp', address: '192.0.2.1', as: 65001 }]).families();
const families = new Map(promFamilies(report, {
  table: { ipv4Routes: 0, ipv6Routes: 0 },
  routeChanges: { add: 0, replace: 0, remove: 0 },
  captureReading: true,
  destinations: new TopDestinations(1),
}).concat(ruleSetChangesFamily(0), anomalyTopSourcesFamily(report)!, routingFamilies).map((family) => [family.name, family]));

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

  it('shows the live-routing sessions, prefixes and churn', () => {
    const queried = expressions().join('\n');
    for (const family of routingFamilies) {
      if (family.name === 'fibscope_bgp_last_change_timestamp_seconds') continue; // in /peers; a time is no graph
      expect(queried, family.name).toContain(family.name);
    }
    expect(panel('Sessions')!.type).toBe('table');
  });

  it('shows the anomaly classes, the spoofing ones in colours of their own, and their busiest sources', () => {
    const spoofing = ['bogon-source', 'urpf-loose', 'urpf-strict'];
    for (const title of ['Anomalies, packets per second by class', 'Anomalies, bits per second by class']) {
      const shown = panel(title);
      expect(shown, title).toBeDefined();
      // two queries, the spoofing classes and the rest: together every class, once
      const [a, b] = shown!.targets.map((t) => /class(=~|!~)"([^"]+)"/.exec(t.expr)!);
      expect([a[1], b[1], a[2]]).toEqual(['=~', '!~', b[2]]);
      const pattern = new RegExp(`^(?:${a[2]})$`);
      expect(ANOMALY_CLASSES.filter((cls) => pattern.test(cls))).toEqual(spoofing);
      const colourOf = (cls: string) => shown!.fieldConfig.overrides.find((o) => o.matcher.id === 'byName' && o.matcher.options === cls)
        ?.properties.find((p) => p.id === 'color')?.value.fixedColor;
      const colours = spoofing.map(colourOf);
      expect(colours[0], `${title}: bogon sources`).toBe('red');
      expect(new Set(colours).size, `${title}: a colour per spoofing class`).toBe(spoofing.length);
      for (const colour of colours) expect(colour).toMatch(/red|orange/);
    }
    const table = panel('Busiest sources of the spoofing classes, now')!;
    expect(table.type).toBe('table');
    expect(table.targets[0].expr).toContain('fibscope_anomaly_top_source_packets');
    expect(panel('Not checked: strict uRPF without interface names')!.targets[0].expr).toContain('fibscope_anomaly_unchecked_packets_total');
  });

  it('queries only metrics and labels that a running serve with a filter, rules and the checks answers /metrics with', async () => {
    const fib = await Fib.create();
    fib.load('10.0.0.0/8 192.0.2.1 eth0\n');
    // 192.0.2.7 is a documentation address, with no route: a bogon source failing loose uRPF; a
    // pcap without an interface name leaves strict uRPF unchecked
    const analyzer = new Analyzer({
      fib, name: 'dashboard', filter: 'not dst host 10.9.9.9', rules: 'rule dns count proto udp\nrule ssh alert proto tcp dport 22\nrule rest drop\n',
      checks: true,
    });
    const server = new FibscopeServer({ fib, analyzer, topDestinations: 1, capture: { reading: true } });
    try {
      // a packet for every family to have samples: routed, filtered, each rule, malformed
      analyzer.push(pcap({ linkType: LINKTYPE.RAW, records: [
        udp4('192.0.2.7', '10.0.0.1'), udp4('192.0.2.7', '10.9.9.9'),
        ipv4({ src: '192.0.2.7', dst: '10.0.0.2', proto: IPPROTO.TCP, payload: tcp({ srcPort: 40000, dstPort: 22 }) }),
        ipv4({ src: '192.0.2.7', dst: '10.0.0.3', proto: IPPROTO.ICMP }), ipv4({ src: '192.0.2.7', dst: '10.0.0.4', proto: IPPROTO.UDP, ihl: 4 }),
      ].map((data, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(data) })) }));
      const { port } = await server.listen(0, '127.0.0.1');
      server.routing = await startRouting({
        bgp: { listen: { host: '127.0.0.1', port: 0 }, localAs: 65000, routerId: '192.0.2.250', peers: [{ address: '127.0.0.1', as: 65001 }] },
      }, fib, server.routes.changes, () => {});
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
      // the spoofing classes' queries select series that are there
      const byClass = expressions().filter((expr) => /fibscope_anomaly_[a-z_]+\{[^}]*class=~/.test(expr));
      expect(byClass.length).toBe(3);
      for (const expr of byClass) {
        const wanted = /(fibscope_anomaly_[a-z_]+)\{[^}]*class=~"([^"]+)"/.exec(expr)!;
        const classes = [...text.matchAll(new RegExp(`^${wanted[1]}\\{class="([^"]+)"`, 'gm'))].map((m) => m[1]);
        expect(classes.some((cls) => new RegExp(`^(?:${wanted[2]})$`).test(cls)), expr).toBe(true);
      }
    } finally {
      await server.routing?.close();
      await server.close();
      analyzer.dispose();
    }
  });
});
