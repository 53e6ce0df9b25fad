import * as client from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { registerFibscopeMetrics } from '../src/metrics/prom-client.js';
import { formatProm } from '../src/report/prom.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4, udp6 } from './helpers/packets.js';

// The collector with the prom-client that is installed: a real Registry, read at scrape time.

const records = (destinations: string[]) => pcap({
  linkType: LINKTYPE.RAW,
  records: destinations.map((dst, i) => ({
    ts: { sec: 1_700_000_000 + i, frac: 0 },
    data: raw(dst.includes(':') ? udp6('2001:db8:ffff::1', dst) : udp4('192.0.2.200', dst)),
  })),
});

async function setup() {
  const fib = await Fib.create();
  fib.load('10.0.0.0/8 192.0.2.1 eth0\n2001:db8::/32 fe80::1 eth1\n');
  const analyzer = new Analyzer({ fib });
  return { fib, analyzer };
}

/** Sample lines (no HELP or TYPE), sorted: prom-client and fibscope order families alike but may differ in blank lines. */
const samples = (text: string) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).sort();

const analyzers: Analyzer[] = [];
afterEach(() => {
  for (const a of analyzers.splice(0)) a.dispose();
});

describe('registerFibscopeMetrics with prom-client', () => {
  it('reads the counters at scrape time, with the names, labels and values of /metrics', async () => {
    const { fib, analyzer } = await setup();
    analyzers.push(analyzer);
    const registry = new client.Registry();
    const changes = { add: 0, replace: 0, remove: 0 };
    const collector = registerFibscopeMetrics(client, { analyzer, fib, registry, routeChanges: changes });
    expect(collector.names).toContain('fibscope_route_packets_total');
    expect(collector.names).toContain('fibscope_routes');

    // a scrape before any packet: zeros, and no route series yet
    const before = await registry.metrics();
    expect(before).toContain('fibscope_records_total 0');
    expect(before).not.toContain('fibscope_route_packets_total{');

    analyzer.push(records(['10.0.0.1', '10.0.0.2', '10.9.9.9', '2001:db8::5', '192.0.2.7']));
    fib.add('10.9.0.0/16', { nextHop: '192.0.2.9', dev: 'eth2' });
    changes.add++;
    const text = await registry.metrics();
    expect(samples(text)).toEqual(samples(formatProm(analyzer.snapshot(), { table: fib.stats(), routeChanges: changes })));
    expect(text).toContain('fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"} 3');
    expect(text).toContain('fibscope_routes{family="ipv4"} 2');
    expect(text).toContain('fibscope_route_changes_total{op="add"} 1');
    expect(text).toContain('fibscope_unrouted_packets_total 1');
    expect(text).toMatch(/# TYPE fibscope_route_packets_total counter\n/);
    expect(text).toMatch(/# TYPE fibscope_routes gauge\n/);

    // the next scrape sees what came since: counters grow, nothing is added twice
    analyzer.push(records(['10.9.1.1']).subarray(24));
    const after = await registry.metrics();
    expect(after).toContain('fibscope_route_packets_total{prefix="10.9.0.0/16",next_hop="192.0.2.9",dev="eth2",family="ipv4"} 1');
    expect(after).toContain('fibscope_records_total 6');
    expect(await registry.metrics()).toContain('fibscope_records_total 6');
  });

  it('registers the families of the filter and rules the analyzer counts by', async () => {
    const fib = await Fib.create();
    fib.load('10.0.0.0/8 192.0.2.1 eth0\n');
    const analyzer = new Analyzer({ fib, filter: 'ip', rules: 'rule ten count dst 10.0.0.0/8\nrule other alert' });
    analyzers.push(analyzer);
    const registry = new client.Registry();
    const collector = registerFibscopeMetrics(client, { analyzer, fib, registry });
    expect(collector.names).toContain('fibscope_rule_packets_total');
    expect(collector.names).toContain('fibscope_filtered_records_total');
    analyzer.push(records(['10.0.0.1', '10.0.0.2', '2001:db8::5', '192.0.2.7']));
    const text = await registry.metrics();
    expect(samples(text)).toEqual(samples(formatProm(analyzer.snapshot(), { table: fib.stats() })));
    expect(text).toContain('fibscope_filtered_records_total 1');
    expect(text).toMatch(/fibscope_rule_packets_total\{rule="ten",action="count"\} 2/);
  });

  it('takes one snapshot per scrape for all its families', async () => {
    const { fib, analyzer } = await setup();
    analyzers.push(analyzer);
    let snapshots = 0;
    const counting = { snapshot: () => { snapshots++; return analyzer.snapshot(); } };
    const registry = new client.Registry();
    registerFibscopeMetrics(client, { analyzer: counting, fib, registry });
    snapshots = 0; // registering reads one, for the families the analyzer counts
    await registry.metrics();
    expect(snapshots).toBe(1);
    await registry.metrics();
    expect(snapshots).toBe(2);
  });

  it('gives top-K destination series and other, opt-in', async () => {
    const { fib, analyzer } = await setup();
    analyzers.push(analyzer);
    const registry = new client.Registry();
    registerFibscopeMetrics(client, { analyzer, fib, registry, topDestinations: 1 });
    analyzer.push(records(['10.0.0.1', '10.0.0.1', '10.0.0.2']));
    const text = await registry.metrics();
    expect(text).toContain('fibscope_destination_packets_total{address="10.0.0.1",prefix="10.0.0.0/8"} 2');
    expect(text).toContain('fibscope_destination_packets_total{address="other",prefix=""} 1');
    const without = new client.Registry();
    registerFibscopeMetrics(client, { analyzer, registry: without });
    expect(await without.metrics()).not.toContain('fibscope_destination_');
  });

  it('registers all or nothing, and unregisters', async () => {
    const { analyzer } = await setup();
    analyzers.push(analyzer);
    const registry = new client.Registry();
    new client.Counter({ name: 'fibscope_route_bytes_total', help: 'taken', registers: [registry] });
    expect(() => registerFibscopeMetrics(client, { analyzer, registry })).toThrow(/already been registered/);
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(['fibscope_route_bytes_total']);

    const clean = new client.Registry();
    const collector = registerFibscopeMetrics(client, { analyzer, registry: clean });
    expect(clean.getMetricsAsArray()).toHaveLength(collector.names.length);
    collector.unregister();
    expect(clean.getMetricsAsArray()).toHaveLength(0);
  });

  it('uses the default registry when none is given', async () => {
    const { analyzer } = await setup();
    analyzers.push(analyzer);
    const collector = registerFibscopeMetrics(client, { analyzer });
    try {
      expect(await client.register.metrics()).toContain('fibscope_records_total 0');
    } finally {
      collector.unregister();
    }
  });
});
