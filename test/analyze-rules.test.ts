// Rule sets in an Analyzer: every record that passes the filter counts under exactly one rule or
// under no rule; a rule's distinct and busiest sources and destinations equal a model counted
// from the packets the test built; sets and filters replace each other without leaking the
// function table; rules on the capture interface see pcap inputs named by the host.
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, type Fib, type Report } from '../src/node.js';
import { functionTable } from '../src/wasm/module.js';
import { analyzeWith, testFib } from './helpers/analyze.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { ipv4, IPPROTO, LINKTYPE, tcp, udp } from './helpers/packets.js';
import { Random } from './helpers/random.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

interface Sent { src: string; dst: string; proto: 'udp' | 'tcp'; dport: number; wire: number }

/** Random IPv4 packets from a few sources to a few destinations, with their raw-IP capture. */
function traffic(seed: number, count: number): { sent: Sent[]; capture: Uint8Array } {
  const random = new Random(seed);
  const pick = <T>(list: readonly T[]) => list[random.below(list.length)];
  const sources = ['192.0.2.1', '192.0.2.2', '198.51.100.7', '10.9.8.7', '203.0.113.5'];
  const destinations = ['10.1.2.3', '10.1.2.4', '192.0.2.200', '8.8.8.8'];
  const sent: Sent[] = [];
  const records: PcapRecord[] = [];
  for (let i = 0; i < count; i++) {
    const proto = random.below(2) ? 'udp' : 'tcp';
    const dport = pick([53, 80, 443, 8080]);
    const packet = ipv4({
      src: pick(sources),
      dst: pick(destinations),
      proto: proto === 'udp' ? IPPROTO.UDP : IPPROTO.TCP,
      payload: proto === 'udp' ? udp({ srcPort: 40000 + i, dstPort: dport }) : tcp({ srcPort: 40000 + i, dstPort: dport }),
    });
    const wire = packet.length + random.below(100);
    const text = (at: number) => Array.from(packet.subarray(at, at + 4)).join('.');
    sent.push({ src: text(12), dst: text(16), proto, dport, wire });
    records.push({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: packet, origLen: wire });
  }
  return { sent, capture: pcap({ linkType: LINKTYPE.RAW, records }) };
}

function analyze(bytes: Uint8Array, options: { rules?: string; filter?: string; interfaceName?: string }): Report {
  return analyzeWith(bytes, { fib, ...options });
}

const RULES = `
rule web      count dport 80,443 proto tcp
rule dns      alert proto udp dport 53
rule internal drop  src 10.0.0.0/8
`;
/** The same rules, evaluated in turn on what the test sent. */
function modelRule(packet: Sent): number {
  if (packet.proto === 'tcp' && (packet.dport === 80 || packet.dport === 443)) return 0;
  if (packet.proto === 'udp' && packet.dport === 53) return 1;
  if (packet.src.startsWith('10.')) return 2;
  return -1;
}

describe('rule counts', () => {
  it('each rule counts what the model says, with its distinct and busiest addresses', () => {
    const { sent, capture } = traffic(11, 400);
    const report = analyze(capture, { rules: RULES });
    const rows = report.rules!;
    expect(rows.map((row) => [row.name, row.action])).toEqual([['web', 'count'], ['dns', 'alert'], ['internal', 'drop']]);
    rows.forEach((row, rule) => {
      const mine = sent.filter((packet) => modelRule(packet) === rule);
      expect(row.packets).toBe(mine.length);
      expect(row.bytes).toBe(mine.reduce((sum, packet) => sum + packet.wire, 0));
      for (const side of ['src', 'dst'] as const) {
        const byAddress = new Map<string, { packets: number; bytes: number }>();
        for (const packet of mine) {
          const entry = byAddress.get(packet[side]) ?? { packets: 0, bytes: 0 };
          entry.packets++;
          entry.bytes += packet.wire;
          byAddress.set(packet[side], entry);
        }
        const listed = side === 'src' ? row.topSources : row.topDestinations;
        expect(side === 'src' ? row.sources : row.destinations).toBe(byAddress.size);
        expect(listed.length).toBe(Math.min(10, byAddress.size));
        for (const { address, packets, bytes } of listed) expect({ packets, bytes }).toEqual(byAddress.get(address));
        const counts = listed.map((entry) => Number(entry.packets));
        expect(counts).toEqual([...counts].sort((a, b) => b - a));
        expect(counts[0] ?? 0).toBe(Math.max(0, ...[...byAddress.values()].map((entry) => entry.packets)));
      }
      if (mine.length) expect(row.firstSeen! <= row.lastSeen!).toBe(true);
      else expect(row.firstSeen).toBeNull();
    });
    const unmatched = sent.filter((packet) => modelRule(packet) === -1);
    expect(report.totals.noRule).toEqual({ packets: unmatched.length, bytes: unmatched.reduce((sum, packet) => sum + packet.wire, 0) });
    // rules count beside routes: the routes' and destinations' counts are those without rules
    const plain = analyze(capture, {});
    expect(report.routes).toEqual(plain.routes);
    expect(report.destinations).toEqual(plain.destinations);
    expect(report.totals.noRule).toBeDefined();
    expect(plain.totals.noRule).toBeUndefined();
    expect(plain.rules).toBeUndefined();
  });

  it('a filter comes first: rules see only the records it lets through', () => {
    const { sent, capture } = traffic(12, 300);
    const report = analyze(capture, { rules: RULES, filter: 'tcp' });
    const tcpPackets = sent.filter((packet) => packet.proto === 'tcp');
    expect(report.totals.filtered).toBe(sent.length - tcpPackets.length);
    expect(report.rules![1].packets).toBe(0);
    const ruled = report.rules!.reduce((sum, row) => sum + Number(row.packets), 0) + Number(report.totals.noRule!.packets);
    expect(ruled).toBe(tcpPackets.length);
    expect(report.totals.bytes).toBe(tcpPackets.reduce((sum, packet) => sum + packet.wire, 0));
  });
});

describe('changing rules and filters', () => {
  it('replacing a set restarts its counts and reuses the function table', () => {
    const { capture } = traffic(13, 50);
    const analyzer = new Analyzer({ fib, rules: RULES });
    try {
      analyzer.push(capture.subarray(0, capture.length));
      const before = analyzer.report().rules!.reduce((sum, row) => sum + Number(row.packets), 0);
      expect(before).toBeGreaterThan(0);
      const table = functionTable(fib.engine().wasm);
      const size = table.length;
      for (let i = 0; i < 200; i++) {
        analyzer.setRules(`rule only${i} count proto udp`);
        analyzer.setFilter(i % 2 ? 'udp' : 'ip');
      }
      expect(table.length).toBeLessThanOrEqual(size + 2);
      expect(analyzer.rules!.names).toEqual(['only199']);
      expect(analyzer.report().rules![0].packets).toBe(0);
      analyzer.setRules(undefined);
      analyzer.setFilter(undefined);
      expect(analyzer.report().rules).toBeUndefined();
      expect(analyzer.report().totals.filtered).toBeUndefined();
    } finally {
      analyzer.dispose();
    }
  });

  it('a bad set or expression changes nothing', () => {
    const analyzer = new Analyzer({ fib, rules: RULES, filter: 'udp' });
    try {
      expect(() => analyzer.setRules('rule a count\nrule a drop')).toThrow(/rules:2: duplicate rule name/);
      expect(() => analyzer.setFilter('udp and (')).toThrow(/column/);
      expect(analyzer.rules!.names).toEqual(['web', 'dns', 'internal']);
      expect(analyzer.filter!.expression).toBe('udp');
    } finally {
      analyzer.dispose();
    }
  });
});

describe('the capture interface', () => {
  it('rules on an interface name see pcap inputs the host named', () => {
    const { sent, capture } = traffic(14, 40);
    const rules = 'rule on-eth9 count interface eth9\nrule on-other count interface other';
    expect(analyze(capture, { rules, interfaceName: 'eth9' }).rules!.map((row) => row.packets)).toEqual([sent.length, 0]);
    expect(analyze(capture, { rules }).rules!.map((row) => row.packets)).toEqual([0, 0]);
  });
});
