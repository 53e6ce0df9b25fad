import { describe, expect, it } from 'vitest';
import { Fib, RouteList, type Report, type RouteCounters } from '../src/node.js';
import { formatReport } from '../src/report/index.js';
import { analyzeBytes } from './helpers/analyze.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { ETHERTYPE, ethernet, icmp, ipv4, IPPROTO, LINKTYPE, udp, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

// Multipath routes: each flow (addresses, protocol, ports) takes one next hop, in proportion to
// the weights, the same one every time and on every run.

const MULTIPATH_IP = `198.51.100.0/24 proto static metric 20
\tnexthop via 192.0.2.1 dev eth0 weight 1
\tnexthop via 192.0.2.2 dev eth1 weight 3
2001:db8:77::/48 metric 5
\tnexthop via fe80::1 dev eth0 weight 2
\tnexthop via fe80::2 dev eth1 weight 2
0.0.0.0/0 via 192.0.2.254 dev eth9
`;

async function multipathFib(): Promise<Fib> {
  const fib = await Fib.create();
  fib.load(MULTIPATH_IP, { format: 'ip' });
  return fib;
}

const udpFrame = (src: string, dst: string, srcPort: number, dstPort = 443) => ethernet({
  etherType: ETHERTYPE.IPV4,
  payload: ipv4({ src, dst, proto: IPPROTO.UDP, payload: udp({ srcPort, dstPort }) }),
});

function capture(frames: Uint8Array[]): Uint8Array {
  const records: PcapRecord[] = frames.map((data, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data }));
  return pcap({ linkType: LINKTYPE.EN10MB, records });
}

const routeOf = (report: Report, prefix: string): RouteCounters => {
  const route = report.routes.find((r) => r.prefix === prefix);
  if (!route) throw new Error(`no route ${prefix} in the report`);
  return route;
};

/** Flows from random sources and ports to addresses of the /24. */
function flows(count: number, seed: number): Uint8Array[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () =>
    udpFrame(`203.0.113.${random.below(256)}`, `198.51.100.${random.below(256)}`, 1024 + random.below(60000)));
}

describe('multipath routes', () => {
  it('spread flows over the next hops in proportion to their weights', async () => {
    const report = analyzeBytes(await multipathFib(), capture(flows(8000, 1)));
    const route = routeOf(report, '198.51.100.0/24');
    expect(route.nextHops?.map(({ via, dev, weight }) => ({ via, dev, weight }))).toEqual([
      { via: '192.0.2.1', dev: 'eth0', weight: 1 },
      { via: '192.0.2.2', dev: 'eth1', weight: 3 },
    ]);
    const [light, heavy] = route.nextHops!;
    expect(Number(light.packets) + Number(heavy.packets)).toBe(route.packets);
    expect(Number(light.bytes) + Number(heavy.bytes)).toBe(route.bytes);
    // 8,000 flows, shares 1:3: 2,000 expected, with a standard deviation of 39
    expect(light.packets).toBeGreaterThan(2000 - 200);
    expect(light.packets).toBeLessThan(2000 + 200);
  });

  it('send every packet of a flow the same way, on every run', async () => {
    const random = new Random(2);
    const first = await multipathFib();
    const second = await multipathFib(); // a separate WebAssembly instance
    for (let flow = 0; flow < 60; flow++) {
      const packet = udpFrame(`203.0.113.${random.below(256)}`, '198.51.100.7', 1024 + random.below(60000));
      const bytes = capture([packet, packet, packet]);
      const hops = routeOf(analyzeBytes(first, bytes), '198.51.100.0/24').nextHops!.map((hop) => hop.packets);
      expect(hops.sort()).toEqual([0, 3]);
      expect(routeOf(analyzeBytes(second, bytes), '198.51.100.0/24').nextHops!.map((hop) => hop.packets))
        .toEqual(routeOf(analyzeBytes(first, bytes), '198.51.100.0/24').nextHops!.map((hop) => hop.packets));
    }
  });

  it('hash later fragments and packets without ports on their addresses alone', async () => {
    const fib = await multipathFib();
    // later fragments of one datagram (offset > 0) with different bytes where ports would be
    const fragments = Array.from({ length: 8 }, (_, i) => ethernet({
      etherType: ETHERTYPE.IPV4,
      payload: ipv4({ src: '203.0.113.5', dst: '198.51.100.9', proto: IPPROTO.UDP, flagsFragment: 100 + i, payload: udp({ srcPort: i * 1000 + 7, dstPort: i }) }),
    }));
    expect(routeOf(analyzeBytes(fib, capture(fragments)), '198.51.100.0/24').nextHops!.map((h) => h.packets).sort()).toEqual([0, 8]);
    const pings = Array.from({ length: 8 }, (_, i) => ethernet({
      etherType: ETHERTYPE.IPV4,
      payload: ipv4({ src: '203.0.113.5', dst: '198.51.100.9', proto: IPPROTO.ICMP, payload: icmp({ rest: (i << 16) | i }) }),
    }));
    expect(routeOf(analyzeBytes(fib, capture(pings)), '198.51.100.0/24').nextHops!.map((h) => h.packets).sort()).toEqual([0, 8]);
  });

  it('work for IPv6 and for routes added through the API, and show in every report format', async () => {
    const fib = await multipathFib();
    fib.add('10.0.0.0/8', { nextHops: [{ via: 'a', dev: null, weight: 1 }, { via: 'b', dev: null, weight: 1 }, { via: 'c', dev: null, weight: 2 }] });
    const random = new Random(3);
    const frames = [
      ...Array.from({ length: 2000 }, () => ethernet({ etherType: ETHERTYPE.IPV6, payload: udp6(`2001:db8:1::${random.below(65536).toString(16)}`, '2001:db8:77::1') })),
      ...Array.from({ length: 2000 }, () => udpFrame('192.0.2.50', `10.${random.below(256)}.0.1`, 1024 + random.below(60000))),
      udpFrame('192.0.2.50', '192.0.2.99', 5000),
    ];
    const report = analyzeBytes(fib, capture(frames));
    const v6 = routeOf(report, '2001:db8:77::/48').nextHops!;
    expect(v6.map((hop) => hop.via)).toEqual(['fe80::1', 'fe80::2']);
    expect(Math.min(...v6.map((hop) => Number(hop.packets)))).toBeGreaterThan(800);
    const api = routeOf(report, '10.0.0.0/8').nextHops!;
    expect(api.map((hop) => Number(hop.packets)).reduce((a, b) => a + b)).toBe(2000);
    expect(api[2].packets).toBeGreaterThan(api[0].packets);

    // per next hop: the nexthop rows of table, csv and ndjson, and the JSON's nextHops
    const csv = formatReport(report, 'csv', { by: 'nexthop' });
    for (const hop of [...v6, ...api]) expect(csv).toContain(`${hop.via},1,${hop.packets},${hop.bytes}`);
    const ndjson = formatReport(report, 'ndjson', { by: 'nexthop' }).trim().split('\n').map((line) => JSON.parse(line));
    expect(ndjson.find((row) => row.nextHop === 'c')?.packets).toBe(api[2].packets);
    expect(formatReport(report, 'table', { by: 'nexthop', humanUnits: false })).toContain(String(api[2].packets));
    const json = JSON.parse(formatReport(report, 'json'));
    expect(json.routes.find((r: RouteCounters) => r.prefix === '10.0.0.0/8').nextHops).toEqual(api);
    // a single-path route has no nextHops member
    expect(routeOf(report, '0.0.0.0/0')).not.toHaveProperty('nextHops');
  });

  it('rejects weights that are not whole numbers from 1', async () => {
    const fib = await Fib.create();
    expect(() => fib.add('10.0.0.0/8', { nextHops: [{ via: 'a', dev: null, weight: 0 }, { via: 'b', dev: null, weight: 1 }] })).toThrow(/weight/);
    expect(() => fib.add('10.0.0.0/8', { nextHops: [{ via: 'a', dev: null, weight: 1.5 }, { via: 'b', dev: null, weight: 1 }] })).toThrow(/weight/);
    expect(fib.stats().ipv4Routes).toBe(0);
    // a list is checked whole before any of it goes in
    const list = new RouteList();
    list.push4(0x0a000000, 8, 'a', null);
    list.push4(0x0b000000, 8, null, null, 0, 'unicast', 2, [{ via: 'a', dev: null, weight: 1 }, { via: 'b', dev: null, weight: -2 }]);
    expect(() => fib.load(list)).toThrow(/weight/);
    expect(fib.stats().ipv4Routes).toBe(0);
    expect([...fib.routes()]).toEqual([]);
  });
});
