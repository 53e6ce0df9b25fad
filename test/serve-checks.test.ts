// `fibscope serve`'s anomaly classes as a process: a capture built here, with forged and bogon
// sources, read from standard input; /metrics' anomaly series and top sources must equal the
// final report's anomalies, and both the model of the packets (bogon classes from the registries'
// text, uRPF and route types by a naive longest match). Classes not checked have no series, never
// a 0. A bad --bogons file stops serve before it listens, naming file:line (exit 2).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnomalyCounters, Report } from '../src/analyze/report.js';
import { anomalyModels, checkTraffic, type Sent } from './helpers/check-traffic.js';
import { CLI, familySamples, serveUnavailable, startServe, waitFor } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';
import { addressValue, DESTINATION, PRIVATE_USE, ReferenceList, referenceClassesWithList, SOURCE } from './checks/registry-reference.js';

const unavailable = serveUnavailable();
if (unavailable) console.warn(`skipping the fibscope serve checks tests: ${unavailable}`);

const dir = tempDir('fibscope-serve-checks-');
let files = 0;
function file(contents: Uint8Array | string, extension: string): string {
  const path = join(dir, `${files++}.${extension}`);
  writeFileSync(path, contents);
  return path;
}

const ROUTES = [
  { prefix: '0.0.0.0/0', line: 'default via 192.0.2.1 dev wan', type: 'unicast', dev: 'wan' },
  { prefix: '10.0.0.0/8', line: '10.0.0.0/8 dev lan', type: 'unicast', dev: 'lan' },
  { prefix: '10.9.0.0/16', line: '10.9.0.0/16 dev dmz', type: 'unicast', dev: 'dmz' },
  { prefix: '198.51.100.0/24', line: 'blackhole 198.51.100.0/24', type: 'blackhole', dev: null },
  { prefix: '192.0.2.128/25', line: 'prohibit 192.0.2.128/25', type: 'prohibit', dev: null },
];
const ROUTES_FILE = file(`${ROUTES.map((route) => route.line).join('\n')}\n`, 'routes');
const INTERFACES = ['lan', 'wan', 'dmz-tap'];
// 8.8.8.0/24 is a bogon by the list alone
const BOGON_LIST = ['8.8.8.0/24'];
const BOGONS_FILE = file(`# a feed\n${BOGON_LIST[0]}\n`, 'txt');
// legitimate hosts on each side, and forged, bogon and private sources
const ADDRESSES = ['10.1.2.3', '10.9.1.1', '1.1.1.1', '192.168.1.5', '127.0.0.1', '198.51.100.7', '192.0.2.200', '8.8.8.8',
  '100.64.0.9', '0.1.2.3'];

function traffic(seed: number, count: number): { sent: Sent[]; pcapng: Uint8Array; pcap: Uint8Array } {
  // the sources skewed, so that the busiest of each class are clear
  return checkTraffic({ seed, count, addresses: ADDRESSES, interfaces: INTERFACES, landOneIn: 12, extraWire: 40, skewed: true });
}

const list = new ReferenceList(BOGON_LIST);
const classes = (address: string) => referenceClassesWithList(4, addressValue(address).value, list);

/** Each class's model; `device(p)` is the route device the packet's interface stands for. */
function models(device: (p: Sent) => string): Record<string, (p: Sent) => boolean> {
  return anomalyModels(ROUTES, classes, { source: SOURCE, destination: DESTINATION, privateUse: PRIVATE_USE }, device);
}

const sum = (packets: Sent[]) => ({ packets: packets.length, bytes: packets.reduce((total, p) => total + p.wire, 0) });

/** Serves `args` on `capture` from standard input; the /metrics text and /report once all is read, then the final report. */
async function serveOnce(args: string[], capture: Uint8Array, records: number) {
  const serve = await startServe([...args, '-']);
  serve.child.stdin!.end(capture);
  await waitFor(async () => serve.stderr().includes('still serving'));
  expect(serve.stderr()).toContain(`the capture ended after ${records} records`);
  const metrics = await (await fetch(`${serve.base}/metrics`)).text();
  const live = (await (await fetch(`${serve.base}/report`)).json()) as Report;
  serve.child.kill('SIGTERM');
  const result = await serve.exited;
  expect(result.status).toBe(0);
  return { metrics, live, final: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

/** What /metrics says of the classes: packets and bytes per class, the top sources per class. */
function servedAnomalies(metrics: string) {
  const byClass = (name: string) => new Map([...familySamples(metrics, name)].map(([labels, value]) => [/class="([^"]+)"/.exec(labels)![1], value]));
  const top = new Map<string, Map<string, number>>();
  for (const [labels, value] of familySamples(metrics, 'fibscope_anomaly_top_source_packets')) {
    const [, cls, address] = /^\{class="([^"]+)",address="([^"]+)"\}$/.exec(labels)!;
    if (!top.has(cls)) top.set(cls, new Map());
    top.get(cls)!.set(address, value);
  }
  return {
    packets: byClass('fibscope_anomaly_packets_total'),
    bytes: byClass('fibscope_anomaly_bytes_total'),
    unchecked: byClass('fibscope_anomaly_unchecked_packets_total'),
    top,
  };
}

function expectSeriesOf(metrics: string, anomalies: AnomalyCounters[]): void {
  const served = servedAnomalies(metrics);
  const checked = anomalies.filter((row) => row.checked);
  expect([...served.packets.keys()]).toEqual(checked.map((row) => row.class));
  expect([...served.bytes.keys()]).toEqual(checked.map((row) => row.class));
  for (const row of checked) {
    expect(served.packets.get(row.class), row.class).toBe(row.packets);
    expect(served.bytes.get(row.class), row.class).toBe(row.bytes);
    const top = served.top.get(row.class) ?? new Map();
    expect(top, `${row.class}: top sources`).toEqual(new Map(row.topSources.map((source) => [source.address, source.packets])));
  }
  for (const row of anomalies.filter((r) => r.unchecked)) expect(served.unchecked.get(row.class), row.class).toBe(row.unchecked!.packets);
  expect([...served.unchecked.keys()]).toEqual(anomalies.filter((row) => row.unchecked).map((row) => row.class));
}

const { sent, pcapng: namedCapture, pcap: unnamedCapture } = traffic(41, 300);

describe.skipIf(unavailable !== undefined)('fibscope serve --checks', () => {
  it("serves every class's packets, bytes and top sources in /metrics as the final report counts them, and the model", async () => {
    const { metrics, live, final, stderr } = await serveOnce(
      ['-r', ROUTES_FILE, '--bogons', BOGONS_FILE, '--interface-map', 'dmz-tap=dmz'], namedCapture, sent.length);
    expect(stderr).toContain('checks on');
    expect(stderr).not.toContain('warning');
    const model = models((p) => (INTERFACES[p.capture] === 'dmz-tap' ? 'dmz' : INTERFACES[p.capture]));
    expect(final.anomalies!.map((row) => row.class)).toEqual(Object.keys(model));
    for (const row of final.anomalies!) {
      expect(row.checked, row.class).toBe(true);
      expect({ packets: row.packets, bytes: row.bytes }, row.class).toEqual(sum(sent.filter(model[row.class])));
    }
    // the forged traffic is there to be seen: each spoofing class has packets, and its busiest source is the model's
    for (const cls of ['bogon-source', 'private-source', 'urpf-loose', 'urpf-strict']) {
      const row = final.anomalies!.find((r) => r.class === cls)!;
      expect(row.packets, cls).toBeGreaterThan(0);
      const bySource = new Map<string, number>();
      for (const p of sent.filter(model[cls])) bySource.set(p.src, (bySource.get(p.src) ?? 0) + 1);
      expect(row.topSources.map((s) => [s.address, s.packets]), cls).toEqual([...bySource].sort((a, b) => b[1] - a[1]));
    }
    expectSeriesOf(metrics, final.anomalies!);
    // nothing was read between the scrape and SIGTERM: /report said the same
    expect(live.anomalies).toEqual(final.anomalies);
    // the map is checked against the interfaces seen, which the report keeps
    expect(final.interfaces!.map((row) => row.name).sort()).toEqual([...INTERFACES].sort());
  });

  it('a pcap without --interface: strict uRPF has no series (not 0), its packets counted as unchecked, and a warning', async () => {
    const { metrics, final, stderr } = await serveOnce(['-r', ROUTES_FILE, '--checks'], unnamedCapture, sent.length);
    const strict = final.anomalies!.find((row) => row.class === 'urpf-strict')!;
    expect(strict).toMatchObject({ checked: false, packets: 0, unchecked: sum(sent) });
    expect(metrics).not.toMatch(/fibscope_anomaly_packets_total\{class="urpf-strict"\}/);
    expect(metrics).not.toMatch(/fibscope_anomaly_top_source_packets\{class="urpf-strict"/);
    expectSeriesOf(metrics, final.anomalies!);
    expect(stderr).toMatch(/warning: urpf-strict could not check any packet/);
  });

  it('a pcap with --interface NAME: strict uRPF checked against that device', async () => {
    const { metrics, final } = await serveOnce(['-r', ROUTES_FILE, '--interface', 'wan'], unnamedCapture, sent.length);
    const strict = final.anomalies!.find((row) => row.class === 'urpf-strict')!;
    expect(strict.checked).toBe(true);
    expect({ packets: strict.packets, bytes: strict.bytes }).toEqual(sum(sent.filter(models(() => 'wan')['urpf-strict'])));
    expectSeriesOf(metrics, final.anomalies!);
  });

  it('--no-checks: no anomaly section and no anomaly series', async () => {
    const { metrics, final } = await serveOnce(['-r', ROUTES_FILE, '--no-checks'], namedCapture, sent.length);
    expect(final.anomalies).toBeUndefined();
    expect(metrics).not.toContain('fibscope_anomaly_');
  });
});

describe.skipIf(unavailable !== undefined)('fibscope serve --checks: bad input', () => {
  const serveCli = (...args: string[]) =>
    spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], { encoding: 'utf8', input: '', timeout: 10_000 });

  it('a bogon list with a bad line stops serve before it listens, naming file:line (exit 2)', () => {
    const bad = file('192.0.2.0/24\n\n10.0.0.1/8\n', 'txt');
    const result = serveCli('-r', ROUTES_FILE, '--bogons', bad, '-');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^fibscope: ${bad.replace(/[.]/g, '\\.')}:3: .*\n$`));
    const missing = serveCli('-r', ROUTES_FILE, '--bogons', `${bad}.missing`, '-');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read the bogon list');
  });

  it('options the checks need, or that --no-checks turns off, are exit 2 with why', () => {
    for (const [args, message] of [
      [['--checks', '-'], /--checks needs a routing table/],
      [['-r', ROUTES_FILE, '--no-checks', '--bogons', BOGONS_FILE, '-'], /--bogons is for the checks, which --no-checks turns off/],
      [['-r', ROUTES_FILE, '--interface-map', 'dmz-tap', '-'], /--interface-map takes CAPTURE-NAME=DEVICE/],
    ] as [string[], RegExp][]) {
      const result = serveCli(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain('serving');
    }
  });
});
