import { describe, expect, it } from 'vitest';
import type { DestinationCounters, Report, RouteCounters } from '../src/analyze/report.js';
import { formatProm, promFamilies, TopDestinations } from '../src/report/prom.js';

// The Prometheus families beyond `analyze -f prom`'s basics: multipath routes, the families only
// a live table has, and top-K destinations that add up to counted and never go down (the
// randomised check against a model is serve-metrics-sums.test.ts).

function report(routes: RouteCounters[], destinations: DestinationCounters[] = []): Report {
  return {
    fibscope: { version: '0.1.0' },
    inputs: [],
    totals: {
      records: 10, bytes: 1000, counted: 10, ipv4: 10, ipv6: 0, nonIp: 0, malformed: 0, unsupportedLink: 0,
      noRoute: { packets: 0, bytes: 0 }, malformedReasons: {},
    },
    routes,
    destinations,
  };
}

const route = (prefix: string, packets: number, bytes: number, more: Partial<RouteCounters> = {}): RouteCounters =>
  ({ prefix, nextHop: null, dev: null, metric: 0, type: 'unicast', packets, bytes, destinations: 1, ...more });

const dest = (address: string, packets: number, prefix: string | null = '10.0.0.0/8'): DestinationCounters =>
  ({ address, prefix, packets, bytes: packets * 100, firstSeen: '', lastSeen: '' });

const lines = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('route series', () => {
  it('gives a multipath route one series per next hop, a single-path route one series', () => {
    const ecmp = route('10.0.0.0/8', 10, 1000, {
      nextHop: '192.0.2.1', dev: 'eth0',
      nextHops: [
        { via: '192.0.2.1', dev: 'eth0', weight: 1, packets: 4, bytes: 400 },
        { via: '192.0.2.2', dev: 'eth1', weight: 2, packets: 6, bytes: 600 },
      ],
    });
    const single = route('2001:db8::/32', 3, 300, { nextHop: 'fe80::1', dev: 'eth2' });
    // one next hop listed is not multipath: the route's own fields and counts
    const one = route('9.0.0.0/8', 2, 200, { nextHop: '192.0.2.5', dev: 'eth5', nextHops: [{ via: 'x', dev: 'y', weight: 1, packets: 9, bytes: 9 }] });
    const text = formatProm(report([ecmp, single, one]));
    expect(lines(text, 'fibscope_route_packets_total')).toEqual([
      'fibscope_route_packets_total{prefix="9.0.0.0/8",next_hop="192.0.2.5",dev="eth5",family="ipv4"} 2',
      'fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"} 4',
      'fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="192.0.2.2",dev="eth1",family="ipv4"} 6',
      'fibscope_route_packets_total{prefix="2001:db8::/32",next_hop="fe80::1",dev="eth2",family="ipv6"} 3',
    ]);
    expect(lines(text, 'fibscope_route_bytes_total')).toContain(
      'fibscope_route_bytes_total{prefix="10.0.0.0/8",next_hop="192.0.2.2",dev="eth1",family="ipv4"} 600');
  });

  it('merges next hops (and routes) whose labels are the same', () => {
    const twice = route('10.0.0.0/8', 5, 500, {
      nextHops: [
        { via: '192.0.2.1', dev: 'eth0', weight: 1, packets: 2, bytes: 200 },
        { via: '192.0.2.1', dev: 'eth0', weight: 1, packets: 3, bytes: 300 },
      ],
    });
    expect(lines(formatProm(report([twice])), 'fibscope_route_packets_total')).toEqual([
      'fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"} 5',
    ]);
  });
});

describe('live families', () => {
  it('adds the table size, route changes and capture state only when given, with their types', () => {
    const plain = formatProm(report([]));
    expect(plain).not.toContain('fibscope_routes');
    expect(plain).not.toContain('fibscope_route_changes_total');
    const live = formatProm(report([]), {
      table: { ipv4Routes: 7, ipv6Routes: 2 },
      routeChanges: { add: 3, replace: 1, remove: 2 },
      captureReading: true,
    });
    expect(live).toContain('# TYPE fibscope_routes gauge\nfibscope_routes{family="ipv4"} 7\nfibscope_routes{family="ipv6"} 2\n');
    expect(live).toContain('# TYPE fibscope_route_changes_total counter\nfibscope_route_changes_total{op="add"} 3\n'
      + 'fibscope_route_changes_total{op="replace"} 1\nfibscope_route_changes_total{op="remove"} 2\n');
    expect(live).toContain('# TYPE fibscope_capture_reading gauge\nfibscope_capture_reading 1\n');
    // the families of analyze -f prom come first, unchanged
    expect(live.startsWith(plain)).toBe(true);
  });

  it('declares every label a family uses', () => {
    const families = promFamilies(report([route('10.0.0.0/8', 1, 1)], [dest('10.0.0.1', 1)]), {
      table: { ipv4Routes: 1, ipv6Routes: 0 }, routeChanges: { add: 0, replace: 0, remove: 0 },
      captureReading: false, destinations: new TopDestinations(3),
    });
    for (const family of families) {
      for (const sample of family.samples) expect(Object.keys(sample.labels ?? {})).toEqual([...family.labelNames]);
    }
  });
});

describe('top-K destinations', () => {
  it('shows the K busiest with their whole counts at the first scrape, the rest as other', () => {
    const top = new TopDestinations(2);
    const text = formatProm(report([], [dest('10.0.0.3', 1), dest('10.0.0.1', 5), dest('8.8.8.8', 3, null), dest('10.0.0.2', 2)]), { destinations: top });
    expect(lines(text, 'fibscope_destination_packets_total')).toEqual([
      'fibscope_destination_packets_total{address="10.0.0.1",prefix="10.0.0.0/8"} 5',
      'fibscope_destination_packets_total{address="8.8.8.8",prefix=""} 3',
      // the two others: 1 + 2
      'fibscope_destination_packets_total{address="other",prefix=""} 3',
    ]);
    expect(lines(text, 'fibscope_destination_bytes_total')).toContain('fibscope_destination_bytes_total{address="other",prefix=""} 300');
  });

  it('adds up to counted at every scrape, nothing going down, as destinations join and leave', () => {
    const top = new TopDestinations(2);
    let previous: { other: number; members: Map<string, number>; total: number } | undefined;
    // counts per scrape: 'c' climbs into the top, 'a' falls out and comes back, 'd' jumps in
    const scrapes: Record<string, number>[] = [
      { a: 10, b: 8, c: 1, d: 1 },
      { a: 11, b: 9, c: 6, d: 2 },
      { a: 11, b: 12, c: 15, d: 3 },
      { a: 30, b: 12, c: 16, d: 3 },
      { a: 31, b: 12, c: 16, d: 40 },
    ];
    for (const counts of scrapes) {
      const destinations = Object.entries(counts).map(([name, n]) => dest(`10.0.0.${name.charCodeAt(0) - 96}`, n));
      const sample = top.update(destinations);
      expect(sample.members).toHaveLength(2);
      const total = Object.values(counts).reduce((s, n) => s + n, 0);
      const members = new Map(sample.members.map((d) => [d.address, Number(d.packets)]));
      expect([...members.values()].reduce((s, n) => s + n, 0) + Number(sample.other.packets)).toBe(total);
      if (previous) {
        expect(Number(sample.other.packets)).toBeGreaterThanOrEqual(previous.other);
        for (const [address, packets] of members) {
          const before = previous.members.get(address);
          // a member that stays grows; one that joins starts at 0
          if (before !== undefined) expect(packets).toBeGreaterThanOrEqual(before);
          else expect(packets).toBe(0);
        }
      }
      previous = { other: Number(sample.other.packets), members, total };
    }
    expect([...previous!.members.keys()]).toEqual(['10.0.0.4', '10.0.0.1']);
  });

  it('keeps members on ties, so equal counts do not flap', () => {
    const top = new TopDestinations(1);
    expect(top.update([dest('10.0.0.2', 5), dest('10.0.0.1', 5)]).members.map((d) => d.address)).toEqual(['10.0.0.1']);
    expect(top.update([dest('10.0.0.2', 6), dest('10.0.0.1', 6)]).members.map((d) => d.address)).toEqual(['10.0.0.1']);
    expect(top.update([dest('10.0.0.2', 8), dest('10.0.0.1', 7)]).members.map((d) => d.address)).toEqual(['10.0.0.2']);
  });

  it('starts over when the counters were reset', () => {
    const top = new TopDestinations(1);
    top.update([dest('10.0.0.1', 50), dest('10.0.0.2', 10)]);
    top.update([dest('10.0.0.1', 90), dest('10.0.0.2', 10)]);
    const after = top.update([dest('10.0.0.1', 2), dest('10.0.0.2', 1)]);
    // counted since the reset: the member has its whole count again
    expect(after.other.packets).toBe(1);
    expect(after.members.map((d) => d.packets)).toEqual([2]);
  });

  it('refuses a K below 1', () => {
    expect(() => new TopDestinations(0)).toThrow(RangeError);
  });
});
