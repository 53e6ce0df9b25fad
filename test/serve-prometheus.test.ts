import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcap } from './helpers/captures.js';
import { IPPROTO, ipv4, LINKTYPE, raw, tcp, udp4, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { serveUnavailable, startServe, waitFor, type ServeProcess } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';

// Two `fibscope serve` instances, two capture points, scraped by a real Prometheus (Debian's
// `prometheus` package): what Prometheus sums across them, `sum by (prefix)
// (fibscope_route_packets_total)`, equals the per-route sums of the two instances' own JSON
// reports, exactly, for every prefix. Then every query of the shipped Grafana dashboard runs
// against that Prometheus without error, and those the traffic here must fill return data.
//
// The captures, flags and API calls are chosen so that every panel has data: rules of every
// action (a), a filter (b), the checks (both: -r), top destinations, malformed packets, a route
// added and a rule set replaced while Prometheus watches.
//
// Each serve reads a whole capture file and keeps serving its final counters (no --exit-on-eof),
// so the numbers Prometheus sees are settled before it starts.

const PROMETHEUS = process.env.PROMETHEUS ?? '/usr/bin/prometheus';
const unavailable = serveUnavailable()
  ?? (existsSync(PROMETHEUS) ? undefined : `${PROMETHEUS} is absent (Debian: apt-get install prometheus; or set PROMETHEUS)`);
if (unavailable) console.warn(`skipping the serve + Prometheus test: ${unavailable}`);

const dir = tempDir('fibscope-prometheus-');

/** Two routers' tables: 10.0.0.0/8 and 2001:db8::/32 in both, by different next hops; the rest in one. */
const TABLE_A = '10.0.0.0/8 192.0.2.1 eth0\n10.1.0.0/16 192.0.2.9 eth9\n2001:db8::/32 fe80::1 eth1\n';
const TABLE_B = '10.0.0.0/8 198.51.100.1 eth1\n172.16.0.0/12 198.51.100.2 eth2\n2001:db8::/32 fe80::2 eth2\n';
const DESTINATIONS_A = ['10.0.0.1', '10.0.3.7', '10.1.0.1', '10.1.9.9', '2001:db8::1', '2001:db8:5::9', '203.0.113.50'];
const DESTINATIONS_B = ['10.0.0.1', '10.200.0.4', '172.16.0.1', '172.31.255.254', '2001:db8::2', '198.18.0.1'];
/** Sources: an ordinary one, a private one, a documentation one (a bogon), a loopback one (a bogon). */
const SOURCES = ['8.8.8.8', '10.9.9.9', '192.0.2.77', '127.0.0.2'];
const RULES_A = 'rule web count proto tcp dport 80\nrule ssh alert proto tcp dport 22\nrule telnet drop proto tcp dport 23\n';
const PORTS = [80, 22, 23, 53, 9];

/** A raw-IP capture of `count` packets to the destinations, from the sources, on the ports, drawn by `seed`. */
function capture(seed: number, destinations: string[], count: number): Uint8Array {
  const random = new Random(seed);
  const pick = <T>(items: readonly T[]): T => items[random.below(items.length)];
  return pcap({
    linkType: LINKTYPE.RAW,
    records: Array.from({ length: count }, (_, i) => {
      const dst = pick(destinations);
      const port = pick(PORTS);
      const data = dst.includes(':') ? udp6('2001:db8:ffff::1', dst)
        : port === 53 || port === 9 ? udp4(pick(SOURCES), dst)
          : ipv4({ src: pick(SOURCES), dst, proto: IPPROTO.TCP, payload: tcp({ srcPort: 40_000 + i, dstPort: port }) });
      // every 50th an IPv4 header with IHL 4: malformed, counted by reason
      if (i % 50 === 49 && !dst.includes(':')) data[0] = 0x44;
      return { ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(data) };
    }),
  });
}

interface Instance {
  serve: ServeProcess;
  /** 127.0.0.1:PORT, as Prometheus's `instance` label has it. */
  target: string;
  records: number;
}

const instances: Instance[] = [];
let prometheus: ChildProcess | undefined;
let prometheusLog = '';
let api = '';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startInstance(name: string, table: string, destinations: string[], records: number, seed: number, extra: string[]): Promise<Instance> {
  const routes = join(dir, `${name}-routes.txt`);
  const file = join(dir, `${name}.pcap`);
  writeFileSync(routes, table);
  writeFileSync(file, capture(seed, destinations, records));
  const serve = await startServe(['-r', routes, '--top-destinations', '3', ...extra, file], 'ignore');
  return { serve, target: serve.base.replace('http://', ''), records };
}

/** GET /report of one instance, parsed. */
async function report(instance: Instance) {
  return (await fetch(`${instance.serve.base}/report`)).json() as Promise<{
    inputs: { records: number; error: string | null }[];
    routes: { prefix: string; packets: number }[];
  }>;
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

/** An instant query through Prometheus's HTTP API; its status and data as given. */
async function query(expr: string): Promise<{ status: string; error?: string; data?: { resultType: string; result: PromResult[] } }> {
  const response = await fetch(`${api}/api/v1/query?${new URLSearchParams({ query: expr })}`);
  return response.json() as Promise<{ status: string; error?: string; data?: { resultType: string; result: PromResult[] } }>;
}

beforeAll(async () => {
  if (unavailable) return;
  // serve a: rules with every action, a route added over the API, a BGP speaker; serve b: a filter that rejects port 9
  const rules = join(dir, 'rules-a.txt');
  writeFileSync(rules, RULES_A);
  // a BGP speaker with a peer that never connects: the live-routing row's series, at 0
  instances.push(await startInstance('a', TABLE_A, DESTINATIONS_A, 400, 11,
    ['--rules', rules, '--bgp', '127.0.0.1:0', '--bgp-as', '65000', '--bgp-peer', '127.0.0.1,65001']));
  instances.push(await startInstance('b', TABLE_B, DESTINATIONS_B, 300, 12, ['--filter', 'not port 9']));
  // each has read its whole file, and keeps serving
  for (const instance of instances) {
    await waitFor(async () => (await report(instance)).inputs[0]?.records === instance.records, 15_000);
    expect((await report(instance)).inputs[0]).toMatchObject({ records: instance.records, error: null });
  }

  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: fibscope',
    '    scrape_timeout: 1s',
    '    static_configs:',
    `      - targets: [${instances.map((i) => `'${i.target}'`).join(', ')}]`,
    '',
  ].join('\n'));
  prometheus = spawn(PROMETHEUS, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stdout!.on('data', (d) => (prometheusLog += d));
  prometheus.stderr!.on('data', (d) => (prometheusLog += d));
  const exited = new Promise<void>((resolve) => prometheus!.once('exit', () => resolve()));
  // both targets up, and each scraped at least 4 times, so that rate() over the dashboard's range has samples
  const ready = async () => {
    if (prometheus!.exitCode !== null) return true;
    try {
      const targets = await (await fetch(`${api}/api/v1/targets`)).json() as { data: { activeTargets: { health: string }[] } };
      if (targets.data.activeTargets.length !== 2 || targets.data.activeTargets.some((t) => t.health !== 'up')) return false;
      const scrapes = await query('count_over_time(fibscope_records_total[10s])');
      return scrapes.data?.result.length === 2 && scrapes.data.result.every((r) => Number(r.value[1]) >= 4);
    } catch {
      return false; // not listening yet
    }
  };
  await Promise.race([waitFor(ready, 30_000), exited]);
  if (prometheus.exitCode !== null) throw new Error(`prometheus exited with ${prometheus.exitCode}:\n${prometheusLog}`);
  // a route added and the rule set replaced while Prometheus watches: the dashboard's annotations
  const a = instances[0].serve.base;
  expect((await fetch(`${a}/routes`, { method: 'POST', body: '10.2.0.0/16 192.0.2.5 eth5' })).status).toBe(200);
  expect((await fetch(`${a}/rules`, { method: 'PUT', body: RULES_A })).status).toBe(200);
  await waitFor(async () => (await query('sum(fibscope_rule_set_changes_total) + sum(fibscope_route_changes_total)')).data?.result[0]?.value[1] === '2', 10_000);
}, 55_000);

afterAll(async () => {
  const stopping: Promise<unknown>[] = [];
  if (prometheus && prometheus.exitCode === null) {
    stopping.push(new Promise((resolve) => prometheus!.once('exit', resolve)));
    prometheus.kill('SIGTERM');
    setTimeout(() => prometheus!.kill('SIGKILL'), 5000).unref();
  }
  for (const { serve } of instances) {
    serve.child.kill('SIGTERM');
    stopping.push(serve.exited);
  }
  await Promise.all(stopping);
}, 20_000);

describe.skipIf(unavailable !== undefined)('fibscope serve scraped by Prometheus', () => {
  it('sees both targets up, each with its instance label', async () => {
    const targets = await (await fetch(`${api}/api/v1/targets`)).json() as { data: { activeTargets: { health: string; labels: Record<string, string> }[] } };
    expect(targets.data.activeTargets.map((t) => [t.labels.instance, t.labels.job, t.health]).sort())
      .toEqual(instances.map((i) => [i.target, 'fibscope', 'up']).sort());
  });

  it('sums the route packets of both instances by prefix exactly as their reports do', async () => {
    const expected = new Map<string, number>();
    for (const instance of instances) {
      for (const route of (await report(instance)).routes) expected.set(route.prefix, (expected.get(route.prefix) ?? 0) + route.packets);
    }
    // the sum is over instances and next hops both: prefixes in both tables, by different hops, are here
    expect([...expected.keys()]).toEqual(expect.arrayContaining(['10.0.0.0/8', '2001:db8::/32', '10.1.0.0/16', '172.16.0.0/12']));
    const answer = await query('sum by (prefix) (fibscope_route_packets_total)');
    expect(answer.status).toBe('success');
    const summed = new Map(answer.data!.result.map((r) => [r.metric.prefix, Number(r.value[1])]));
    expect(summed).toEqual(expected);
    // and the per-instance sums, as a second look at the instance label
    for (const instance of instances) {
      const one = await query(`sum(fibscope_route_packets_total{instance="${instance.target}"})`);
      const own = (await report(instance)).routes.reduce((sum, r) => sum + r.packets, 0);
      expect(Number(one.data!.result[0].value[1]), instance.target).toBe(own);
    }
  });

  it('runs every query of the Grafana dashboard without error, with data where the traffic must give some', async () => {
    const dashboard = JSON.parse(readFileSync(new URL('../dashboards/grafana-fibscope.json', import.meta.url), 'utf8'));
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(20);
    // Grafana's own variables, with the values it would use at a 1 s scrape interval; every instance
    const substitute = (expr: string) => expr
      .replaceAll('$__rate_interval', '5s').replaceAll('$__interval', '1s').replaceAll('$__range', '1m')
      .replaceAll('$instance', '.*');
    const empty: string[] = [];
    for (const { where, expr } of queries) {
      const text = substitute(expr);
      expect(text, where).not.toContain('$');
      const answer = await query(text);
      expect(answer, `${where}: ${text}`).toMatchObject({ status: 'success' });
      if (answer.data!.result.length === 0) empty.push(where);
    }
    // the traffic, the flags and the changes above give every panel and annotation something to show
    expect(empty).toEqual([]);
    // the template variable: Grafana's label_values() is a label query
    const instancesSeen = await (await fetch(`${api}/api/v1/label/instance/values?${new URLSearchParams({ 'match[]': 'fibscope_records_total' })}`)).json() as { data: string[] };
    expect(instancesSeen.data.sort()).toEqual(instances.map((i) => i.target).sort());
  });
});

/** Every PromQL expression of a dashboard (panel targets and annotations), named by where it is. */
function dashboardQueries(dashboard: { panels?: unknown[]; annotations?: { list?: { name: string; expr?: string }[] } }): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const visit = (panels: unknown[] | undefined) => {
    for (const panel of (panels ?? []) as { title?: string; panels?: unknown[]; targets?: { refId?: string; expr?: string }[] }[]) {
      visit(panel.panels);
      for (const target of panel.targets ?? []) if (target.expr) found.push({ where: `${panel.title} ${target.refId ?? ''}`.trim(), expr: target.expr });
    }
  };
  visit(dashboard.panels);
  for (const annotation of dashboard.annotations?.list ?? []) if (annotation.expr) found.push({ where: `annotation ${annotation.name}`, expr: annotation.expr });
  return found;
}
