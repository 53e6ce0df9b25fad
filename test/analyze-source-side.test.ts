// The source side of an Analyzer's counting, against models counted from the packets the test
// built: anomaly classes (bogons from the registries' text, uRPF and route types from a naive
// longest match over the same routes, land, TTL), and the views by source route, source,
// capture interface and route pair. The kernel's own verdicts are in urpf-kernel.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../src/node.js';
import { analyzeWith } from './helpers/analyze.js';
import { ipv4, IPPROTO, LINKTYPE, udp } from './helpers/packets.js';
import { anomalyModels, checkTraffic, naiveRoute, tallyBy, type Sent } from './helpers/check-traffic.js';
import { addressValue, DESTINATION, PRIVATE_USE, referenceClasses, SOURCE } from './checks/registry-reference.js';

const ROUTES: { prefix: string; line: string; type: string; dev: string | null }[] = [
  { prefix: '0.0.0.0/0', line: 'default via 192.0.2.1 dev wan', type: 'unicast', dev: 'wan' },
  { prefix: '10.0.0.0/8', line: '10.0.0.0/8 dev lan', type: 'unicast', dev: 'lan' },
  { prefix: '10.9.0.0/16', line: '10.9.0.0/16 dev dmz', type: 'unicast', dev: 'dmz' },
  { prefix: '198.51.100.0/24', line: 'blackhole 198.51.100.0/24', type: 'blackhole', dev: null },
  { prefix: '203.0.113.0/24', line: 'unreachable 203.0.113.0/24', type: 'unreachable', dev: null },
  { prefix: '192.0.2.128/25', line: 'prohibit 192.0.2.128/25', type: 'prohibit', dev: null },
];
const CAPTURE_INTERFACES = ['lan', 'wan', 'dmz-capture'];

/** The naive longest match over ROUTES. */
const routeOf = (address: string) => naiveRoute(ROUTES, address);

const ADDRESSES = ['10.1.2.3', '10.9.1.1', '192.168.1.5', '100.64.0.9', '127.0.0.1', '224.0.0.5', '198.51.100.7',
  '203.0.113.9', '192.0.2.200', '8.8.8.8', '1.1.1.1', '0.1.2.3', '255.255.255.255', '169.254.3.4'];

function traffic(seed: number, count: number): { sent: Sent[]; capture: Uint8Array } {
  const built = checkTraffic({ seed, count, addresses: ADDRESSES, interfaces: CAPTURE_INTERFACES, landOneIn: 10, extraWire: 50 });
  return { sent: built.sent, capture: built.pcapng };
}

let fib: Fib;
beforeAll(async () => {
  fib = await Fib.create();
  fib.load(ROUTES.map((route) => route.line).join('\n'), { format: 'ip' });
});


const classes = (address: string) => referenceClasses(4, addressValue(address).value);

describe('anomaly classes', () => {
  it('each class counts what the models say, once per packet', () => {
    const { sent, capture } = traffic(21, 600);
    // the capture interface dmz-capture stands for route device dmz
    const report = analyzeWith(capture, { fib, checks: { interfaceMap: { 'dmz-capture': 'dmz' } } });
    const device = (p: Sent) => (CAPTURE_INTERFACES[p.capture] === 'dmz-capture' ? 'dmz' : CAPTURE_INTERFACES[p.capture]);
    const model = anomalyModels(ROUTES, classes, { source: SOURCE, destination: DESTINATION, privateUse: PRIVATE_USE }, device);
    const rows = report.anomalies!;
    expect(rows.map((row) => row.class)).toEqual(Object.keys(model));
    for (const row of rows) {
      const mine = sent.filter(model[row.class]);
      expect(row.checked, row.class).toBe(true);
      expect(row.packets, row.class).toBe(mine.length);
      expect(row.bytes, row.class).toBe(mine.reduce((sum, p) => sum + p.wire, 0));
      // few addresses: the trackers are exact
      for (const [side, listed] of [['src', row.topSources], ['dst', row.topDestinations]] as const) {
        const distinct = [...new Set(mine.map((p) => p[side]))];
        const packetsOf = (address: string) => mine.filter((p) => p[side] === address).length;
        expect(listed.length, row.class).toBe(Math.min(10, distinct.length));
        for (const entry of listed) {
          expect(entry.packets, `${row.class} ${entry.address}`).toBe(packetsOf(entry.address));
          expect(entry.overstatedBy).toBeUndefined();
        }
        if (listed.length) expect(listed[0].packets).toBe(Math.max(...distinct.map(packetsOf)));
      }
    }
    // the classes that must be exercised are
    for (const name of ['bogon-source', 'private-source', 'urpf-strict', 'dropped', 'land', 'ttl-expiring']) {
      expect(Number(rows.find((row) => row.class === name)!.packets), name).toBeGreaterThan(0);
    }
  });

  it('without interface names strict uRPF is not checked, never zero', () => {
    const { sent, capture } = traffic(22, 50);
    // the same packets as raw IP pcap records have no interface
    const analyzer = new Analyzer({ fib, checks: true });
    try {
      for (const p of sent) {
        analyzer.pushFrame(ipv4({ src: p.src, dst: p.dst, ttl: p.ttl, proto: IPPROTO.UDP, payload: udp({ srcPort: 1, dstPort: 2 }) }), { linkType: LINKTYPE.RAW });
      }
      const strict = analyzer.report().anomalies!.find((row) => row.class === 'urpf-strict')!;
      expect(strict.checked).toBe(false);
      expect(strict.packets).toBe(0);
      expect(strict.unchecked!.packets).toBe(sent.length);
    } finally {
      analyzer.dispose();
    }
    void capture;
  });

  it('a bad bogon list names its line and changes nothing', () => {
    const analyzer = new Analyzer({ fib });
    try {
      expect(() => analyzer.setChecks({ bogons: '192.0.2.0/24\nnot-a-prefix\n', bogonsSource: 'feed.txt' })).toThrow(/feed.txt:2/);
      expect(analyzer.report().anomalies).toBeUndefined();
    } finally {
      analyzer.dispose();
    }
  });
});

describe('source-side views', () => {
  it('source routes, sources, interfaces and the matrix equal the models', () => {
    const { sent, capture } = traffic(23, 500);
    const report = analyzeWith(capture, { fib, views: { sourceRoutes: true, sources: true, interfaces: true, matrix: { top: 5 } } });
    const tally = <K>(key: (p: Sent) => K) => tallyBy(sent, key);
    const bySourceRoute = tally((p) => routeOf(p.src).prefix);
    expect(Object.fromEntries(report.sourceRoutes!.map((row) => [row.prefix, { packets: row.packets, bytes: row.bytes }]))).toEqual(Object.fromEntries(bySourceRoute));
    const bySource = tally((p) => p.src);
    expect(report.sources!.length).toBe(bySource.size);
    for (const row of report.sources!) {
      expect({ packets: row.packets, bytes: row.bytes }).toEqual(bySource.get(row.address));
      expect(row.prefix).toBe(routeOf(row.address).prefix);
    }
    const byInterface = tally((p) => CAPTURE_INTERFACES[p.capture]);
    expect(Object.fromEntries(report.interfaces!.map((row) => [row.name, { packets: row.packets, bytes: row.bytes }]))).toEqual(Object.fromEntries(byInterface));
    const byPair = tally((p) => `${routeOf(p.src).prefix} ${routeOf(p.dst).prefix}`);
    const cells = report.matrix!.cells;
    expect(cells.length).toBe(Math.min(5, byPair.size));
    for (const cell of cells) expect({ packets: cell.packets, bytes: cell.bytes }).toEqual(byPair.get(`${cell.from} ${cell.to}`));
    const counted = cells.reduce((sum, cell) => sum + Number(cell.packets), 0) + Number(report.matrix!.other.packets);
    expect(counted).toBe(sent.length);
    expect(report.matrix!.other.cells).toBe(byPair.size - cells.length);
  });
});
