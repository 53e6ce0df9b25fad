import { beforeAll, describe, expect, it } from 'vitest';
import type { Fib } from '../src/node.js';
import { analyzeBytes, byDestination, counts, testFib } from './helpers/analyze.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import {
  AF, arpFrame, ETHERTYPE, ethernet, IPPROTO, ipv4, ipv6, LINKTYPE, loop, nullLoopback, raw, sll, sll2,
  udp4, udp6, type VlanTpid,
} from './helpers/packets.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

const records = (...frames: Uint8Array[]): PcapRecord[] => frames.map((data, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data }));
const capture = (linkType: number, ...frames: Uint8Array[]) => pcap({ linkType, records: records(...frames) });
const v4 = udp4('198.51.100.1', '10.1.2.3');
const v6 = udp6('2001:db8::1', '2001:db8::99');

describe('link types of SPEC section 2', () => {
  it('EN10MB: IPv4, IPv6, ARP and PPPoE discovery (not IP)', () => {
    const report = analyzeBytes(fib, capture(LINKTYPE.EN10MB,
      ethernet({ etherType: ETHERTYPE.IPV4, payload: v4 }),
      ethernet({ etherType: ETHERTYPE.IPV6, payload: v6 }),
      arpFrame(),
      ethernet({ etherType: ETHERTYPE.PPPOE_DISCOVERY, payload: v4 })));
    expect(counts(report)).toEqual({ records: 4, counted: 2, ipv4: 1, ipv6: 1, nonIp: 2, malformed: 0, unsupportedLink: 0 });
    expect(byDestination(report)).toEqual({ '10.1.2.3': 1, '2001:db8::99': 1 });
    // equal packets: the route with more bytes (the IPv6 frame is longer) comes first
    expect(report.routes.map((r) => [r.prefix, r.packets])).toEqual([['2001:db8::/32', 1], ['10.1.0.0/16', 1]]);
  });

  const tpids: VlanTpid[] = [0x8100, 0x88a8, 0x9100];
  for (const depth of [1, 2, 3, 5]) {
    it(`EN10MB, SLL and SLL2: ${depth} VLAN tag(s) of every kind are skipped`, () => {
      const vlans = Array.from({ length: depth }, (_, i) => ({ tpid: tpids[i % 3], vid: 100 + i }));
      for (const [linkType, frame] of [
        [LINKTYPE.EN10MB, ethernet({ vlans, etherType: ETHERTYPE.IPV4, payload: v4 })],
        [LINKTYPE.LINUX_SLL, sll({ vlans, protocol: ETHERTYPE.IPV6, payload: v6 })],
        [LINKTYPE.LINUX_SLL2, sll2({ vlans, protocol: ETHERTYPE.IPV4, payload: v4 })],
      ] as const) {
        const report = analyzeBytes(fib, capture(linkType, frame));
        expect(report.totals.counted, `link type ${linkType}`).toBe(1);
      }
    });
  }

  it('a VLAN tag cut short is a malformed link header', () => {
    const frame = ethernet({ vlans: [{ tpid: 0x8100, vid: 1 }], etherType: ETHERTYPE.IPV4, payload: v4 }).subarray(0, 16);
    const report = analyzeBytes(fib, capture(LINKTYPE.EN10MB, frame, new Uint8Array(10)));
    expect(counts(report)).toMatchObject({ records: 2, malformed: 2, counted: 0 });
    expect(report.totals.malformedReasons).toEqual({ link_hdr_truncated: 2 });
  });

  it('NULL: the address family in either byte order; 2 is IPv4, 24, 28, 30 are IPv6', () => {
    const report = analyzeBytes(fib, capture(LINKTYPE.NULL,
      nullLoopback(AF.INET, v4, true), nullLoopback(AF.INET, v4, false),
      nullLoopback(AF.INET6_BSD, v6, true), nullLoopback(AF.INET6_FREEBSD, v6, false), nullLoopback(AF.INET6_DARWIN, v6),
      nullLoopback(7, v4)));
    expect(counts(report)).toMatchObject({ records: 6, ipv4: 2, ipv6: 3, nonIp: 1 });
  });

  it('LOOP: a big-endian address family', () => {
    const report = analyzeBytes(fib, capture(LINKTYPE.LOOP, loop(AF.INET, v4), loop(AF.INET6_DARWIN, v6)));
    expect(counts(report)).toMatchObject({ ipv4: 1, ipv6: 1, counted: 2 });
  });

  it('RAW (101, 12, 14): the version nibble decides', () => {
    for (const linkType of [LINKTYPE.RAW, LINKTYPE.RAW_12, LINKTYPE.RAW_14]) {
      const report = analyzeBytes(fib, capture(linkType, raw(v4), raw(v6), ipv4({ src: '1.1.1.1', dst: '2.2.2.2', proto: 17, version: 5 })));
      expect(counts(report), `link type ${linkType}`).toMatchObject({ ipv4: 1, ipv6: 1, malformed: 1 });
      expect(report.totals.malformedReasons).toEqual({ version_5_for_ipv4: 1 });
    }
  });

  it('IPV4 and IPV6 link types: the other version is malformed', () => {
    const four = analyzeBytes(fib, capture(LINKTYPE.IPV4, raw(v4), raw(v6)));
    expect(counts(four)).toMatchObject({ ipv4: 1, malformed: 1 });
    expect(four.totals.malformedReasons).toEqual({ version_6_for_ipv4: 1 });
    const six = analyzeBytes(fib, capture(LINKTYPE.IPV6, raw(v6), raw(v4)));
    expect(six.totals.malformedReasons).toEqual({ version_4_for_ipv6: 1 });
  });

  it('other link types count as unsupportedLink, not an error', () => {
    const report = analyzeBytes(fib, capture(LINKTYPE.IEEE802_11, v4, v4));
    expect(counts(report)).toMatchObject({ records: 2, unsupportedLink: 2, counted: 0 });
    expect(report.inputs[0].error).toBeNull();
    expect(report.inputs[0].linkTypes).toEqual([LINKTYPE.IEEE802_11]);
  });
});

describe('the network header', () => {
  it('an IHL under 5 is malformed', () => {
    const report = analyzeBytes(fib, capture(LINKTYPE.RAW, ipv4({ src: '1.1.1.1', dst: '10.0.0.1', proto: 17, ihl: 4 })));
    expect(report.totals.malformedReasons).toEqual({ ipv4_ihl_lt_5: 1 });
  });

  it('is counted exactly when the destination was captured, cut at every length', () => {
    for (const [linkType, packet, needed, reason] of [
      [LINKTYPE.IPV4, v4, 20, 'ipv4_hdr_truncated'],
      [LINKTYPE.IPV6, v6, 40, 'ipv6_hdr_truncated'],
    ] as const) {
      for (let length = 0; length <= needed + 2; length++) {
        const report = analyzeBytes(fib, pcap({ linkType, records: [{ ts: { sec: 1, frac: 0 }, data: packet.subarray(0, length), origLen: packet.length }] }));
        if (length >= needed) expect(report.totals.counted, `${length} bytes`).toBe(1);
        else expect(report.totals.malformedReasons, `${length} bytes`).toEqual({ [reason]: 1 });
        expect(report.totals.bytes).toBe(packet.length);
      }
    }
  });

  it('counts the outermost header only, whatever it carries', () => {
    const tunnel = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.IPV6, payload: v6 });
    const fragment = ipv4({ src: '192.0.2.1', dst: '10.9.9.9', proto: 17, flagsFragment: 0x2000, checksum: 0, totalLength: 0 });
    const report = analyzeBytes(fib, capture(LINKTYPE.RAW, tunnel, fragment, ipv6({ src: '::1', dst: '2001:db8::5', nextHeader: IPPROTO.FRAGMENT })));
    expect(byDestination(report)).toEqual({ '192.0.2.2': 1, '10.9.9.9': 1, '2001:db8::5': 1 });
  });
});

describe('counters', () => {
  it('sums wire lengths per route and destination, with first and last seen times', () => {
    const frames: PcapRecord[] = [
      { ts: { sec: 1_612_325_106, frac: 123_456 }, data: raw(v4), origLen: 1500 },
      { ts: { sec: 1_612_325_107, frac: 1 }, data: raw(v4), origLen: 4_093_509_168 },
      { ts: { sec: 1_612_325_105, frac: 999_999 }, data: raw(udp4('1.1.1.1', '10.200.0.1')), origLen: 60 },
      { ts: { sec: 1_612_325_105, frac: 0 }, data: raw(udp4('1.1.1.1', '203.0.113.7')), origLen: 70 },
    ];
    const report = analyzeBytes(fib, pcap({ linkType: LINKTYPE.RAW, records: frames }));
    const [busiest] = report.destinations;
    expect(busiest).toEqual({
      address: '10.1.2.3', prefix: '10.1.0.0/16', packets: 2, bytes: 1500 + 4_093_509_168,
      firstSeen: '2021-02-03T04:05:06.123456Z', lastSeen: '2021-02-03T04:05:07.000001Z',
    });
    expect(report.routes.find((r) => r.prefix === '10.0.0.0/8')).toMatchObject({ packets: 1, bytes: 60, destinations: 1, nextHop: 'ten' });
    expect(report.routes.find((r) => r.prefix === '0.0.0.0/0')).toMatchObject({ packets: 1, bytes: 70 });
    expect(report.totals.bytes).toBe(1500 + 4_093_509_168 + 60 + 70);
  });

  it('without routes, counts destinations and puts everything under no route', async () => {
    const { Fib } = await import('../src/node.js');
    const empty = await Fib.create();
    const report = analyzeBytes(empty, capture(LINKTYPE.RAW, raw(v4), raw(v6), raw(v4)));
    expect(report.routes).toEqual([]);
    expect(report.totals.noRoute).toEqual({ packets: 3, bytes: 2 * v4.length + v6.length });
    expect(report.destinations.map((d) => [d.address, d.prefix, d.packets])).toEqual([['10.1.2.3', null, 2], ['2001:db8::99', null, 1]]);
  });

  it('grows to many destinations and keeps every count', () => {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < 50_000; i++) frames.push(raw(udp4('192.0.2.1', `10.${1 + (i % 2)}.${(i >> 8) & 255}.${i & 255}`)));
    for (let i = 0; i < 5_000; i++) frames.push(raw(udp6('2001:db8::1', `2001:db8::${i.toString(16)}`)));
    const report = analyzeBytes(fib, capture(LINKTYPE.RAW, ...frames), 65_536);
    expect(report.destinations.length).toBe(55_000);
    expect(report.routes.find((r) => r.prefix === '10.0.0.0/8')?.destinations).toBe(25_000);
    expect(report.routes.find((r) => r.prefix === '10.1.0.0/16')?.destinations).toBe(25_000);
    expect(report.routes.find((r) => r.prefix === '2001:db8::/32')?.destinations).toBe(5_000);
    expect(report.destinations.every((d) => d.packets === 1)).toBe(true);
  });
});
