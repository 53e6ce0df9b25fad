// Why frames are not IP (totals.nonIpByType) and which link types are not decoded
// (totals.unsupportedLinkByType), on frames the builders make: each case carries the key it must
// count under, written out by hand from how the frame was built.
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, type Count, type Fib, type Report } from '../src/node.js';
import { formatJson } from '../src/report/json.js';
import { formatTable } from '../src/report/table.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap } from './helpers/captures.js';
import {
  AF, arpFrame, ciscoHdlc, ETHERTYPE, ethernet, filler, LINKTYPE, loop, mplsStack, nullLoopback, ppp, PPP_PROTOCOL,
  pppoeSession, sll, sll2, udp4, udp6,
} from './helpers/packets.js';
import { Random } from './helpers/random.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

/** A frame, its link type, and the key it counts under (null: IP or malformed, no key). */
interface Case {
  name: string;
  linkType: number;
  frame: Uint8Array;
  nonIp: string | null;
}

const v4 = udp4('198.51.100.1', '10.1.2.3');
const llc = Uint8Array.of(0x42, 0x42, 0x03, ...filler(35));

const NON_IP_CASES: Case[] = [
  { name: 'ARP', linkType: LINKTYPE.EN10MB, frame: arpFrame(), nonIp: 'ethertype 0x0806 (ARP)' },
  { name: 'ARP behind a VLAN tag', linkType: LINKTYPE.EN10MB, frame: arpFrame({ vlans: [{ tpid: 0x8100, vid: 5 }] }), nonIp: 'ethertype 0x0806 (ARP)' },
  {
    name: 'LLDP behind QinQ', linkType: LINKTYPE.EN10MB,
    frame: ethernet({ vlans: [{ tpid: 0x88a8, vid: 7 }, { tpid: 0x8100, vid: 8 }], etherType: 0x88cc, payload: filler(30) }),
    nonIp: 'ethertype 0x88cc (LLDP)',
  },
  { name: 'an ethertype without a name', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 0x1234, payload: filler(30) }), nonIp: 'ethertype 0x1234' },
  { name: 'the first ethertype, 0x0600', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 0x0600, payload: filler(30) }), nonIp: 'ethertype 0x0600' },
  { name: '802.3 length 38 (LLC)', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: llc.length, payload: llc }), nonIp: '802.3 length (LLC)' },
  { name: '802.3 length 1500', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 1500, payload: filler(60) }), nonIp: '802.3 length (LLC)' },
  { name: 'a type field of 0x05ff', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 0x05ff, payload: filler(30) }), nonIp: '802.3 length (LLC)' },
  { name: 'LLC behind a VLAN tag', linkType: LINKTYPE.EN10MB, frame: ethernet({ vlans: [{ tpid: 0x8100, vid: 9 }], etherType: llc.length, payload: llc }), nonIp: '802.3 length (LLC)' },
  {
    name: 'MPLS carrying a pseudowire (version nibble 0)', linkType: LINKTYPE.EN10MB,
    frame: ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17], filler(40)) }), nonIp: 'ethertype 0x8847 (MPLS)',
  },
  {
    name: 'multicast MPLS, not IP', linkType: LINKTYPE.EN10MB,
    frame: ethernet({ etherType: ETHERTYPE.MPLS_MULTICAST, payload: mplsStack([16], filler(40)) }), nonIp: 'ethertype 0x8848 (MPLS multicast)',
  },
  {
    name: 'PPPoE session, LCP', linkType: LINKTYPE.EN10MB,
    frame: ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.LCP, payload: Uint8Array.of(1, 1, 0, 4) }) }),
    nonIp: 'ppp 0xc021 (LCP)',
  },
  { name: 'PPPoE discovery', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 0x8863, payload: filler(20) }), nonIp: 'ethertype 0x8863 (PPPoE discovery)' },
  { name: 'SLL, ARP', linkType: LINKTYPE.LINUX_SLL, frame: sll({ protocol: 0x0806, payload: filler(28) }), nonIp: 'ethertype 0x0806 (ARP)' },
  { name: 'SLL, 802.2 LLC (Linux protocol 4)', linkType: LINKTYPE.LINUX_SLL, frame: sll({ protocol: 0x0004, payload: llc }), nonIp: '802.3 length (LLC)' },
  { name: 'SLL2, PTP', linkType: LINKTYPE.LINUX_SLL2, frame: sll2({ protocol: 0x88f7, payload: filler(44) }), nonIp: 'ethertype 0x88f7 (PTP)' },
  { name: 'PPP, IPCP', linkType: LINKTYPE.PPP, frame: ppp({ protocol: 0x8021, payload: filler(10) }), nonIp: 'ppp 0x8021 (IPCP)' },
  { name: 'PPP, CHAP without address and control', linkType: LINKTYPE.PPP, frame: ppp({ protocol: 0xc223, payload: filler(10), addressControl: false }), nonIp: 'ppp 0xc223 (CHAP)' },
  { name: 'PPP_HDLC, 1-byte protocol 0x3d', linkType: LINKTYPE.PPP_HDLC, frame: ppp({ protocol: 0x3d, payload: filler(10), compressProtocol: true }), nonIp: 'ppp 0x003d (multilink)' },
  { name: 'PPP, unnamed protocol', linkType: LINKTYPE.PPP_HDLC, frame: ppp({ protocol: 0x4021, payload: filler(10) }), nonIp: 'ppp 0x4021' },
  { name: 'Cisco HDLC, SLARP', linkType: LINKTYPE.C_HDLC, frame: ciscoHdlc({ protocol: 0x8035, payload: filler(18) }), nonIp: 'cisco hdlc 0x8035 (SLARP)' },
  { name: 'Cisco HDLC, CDP', linkType: LINKTYPE.C_HDLC, frame: ciscoHdlc({ protocol: 0x2000, payload: filler(18), address: 0x8f }), nonIp: 'cisco hdlc 0x2000 (CDP)' },
  { name: 'NULL, family 7 little-endian', linkType: LINKTYPE.NULL, frame: nullLoopback(7, filler(20)), nonIp: 'address family 7' },
  { name: 'NULL, family 7 big-endian', linkType: LINKTYPE.NULL, frame: nullLoopback(7, filler(20), false), nonIp: 'address family 7' },
  { name: 'LOOP, family 17', linkType: LINKTYPE.LOOP, frame: loop(17, filler(20)), nonIp: 'address family 17' },
];

/** Frames that are IP (counted) or malformed: no key anywhere. */
const OTHER_CASES: Case[] = [
  { name: 'IPv4', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.IPV4, payload: v4 }), nonIp: null },
  { name: 'IPv6 in PPPoE', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV6, payload: udp6('2001:db8::1', '2001:db8::2') }) }), nonIp: null },
  { name: 'IPv4 on NULL', linkType: LINKTYPE.NULL, frame: nullLoopback(AF.INET, v4), nonIp: null },
  { name: 'Ethernet cut at 10 bytes (malformed)', linkType: LINKTYPE.EN10MB, frame: arpFrame().subarray(0, 10), nonIp: null },
  { name: 'a VLAN tag cut short (malformed)', linkType: LINKTYPE.EN10MB, frame: arpFrame({ vlans: [{ tpid: 0x8100, vid: 5 }] }).subarray(0, 16), nonIp: null },
];

/** Link types not decoded, each with the key it counts under. */
const UNSUPPORTED: [number, string][] = [
  [LINKTYPE.IEEE802_11, '105 (IEEE802_11)'],
  [127, '127 (IEEE802_11_RADIOTAP)'],
  [147, '147'],
  [999, '999'],
  [0xffffffff, '4294967295'],
];

function analyzeFrames(frames: readonly { linkType: number; frame: Uint8Array }[], whilst?: (analyzer: Analyzer) => void): Report {
  const analyzer = new Analyzer({ fib, name: 'frames' });
  try {
    for (const { linkType, frame } of frames) analyzer.pushFrame(frame, { linkType });
    whilst?.(analyzer);
    return analyzer.report();
  } finally {
    analyzer.dispose();
  }
}

/** The model's report object: busiest first, then by key, `other` last. */
function expectedByType(counts: Map<string, number>, other = 0): Record<string, Count> {
  const rows = [...counts].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
  if (other) rows.push(['other', other]);
  return Object.fromEntries(rows);
}

function sum(byType: Record<string, Count> | undefined): number {
  return Object.values(byType ?? {}).reduce<number>((total, n) => total + Number(n), 0);
}

describe('one frame at a time', () => {
  for (const c of NON_IP_CASES) {
    it(`${c.name}: ${c.nonIp}`, () => {
      const report = analyzeFrames([c]);
      expect(report.totals.nonIp).toBe(1);
      expect(report.totals.nonIpByType).toEqual({ [c.nonIp!]: 1 });
      expect(report.totals.unsupportedLinkByType).toEqual({});
    });
  }
  for (const c of OTHER_CASES) {
    it(`${c.name}: no key`, () => {
      const report = analyzeFrames([c]);
      expect(report.totals.nonIp).toBe(0);
      expect(report.totals.nonIpByType).toEqual({});
      expect(report.totals.unsupportedLinkByType).toEqual({});
    });
  }
  for (const [linkType, key] of UNSUPPORTED) {
    it(`link type ${linkType}: ${key}`, () => {
      const report = analyzeFrames([{ linkType, frame: filler(40) }]);
      expect(report.totals.unsupportedLink).toBe(1);
      expect(report.totals.unsupportedLinkByType).toEqual({ [key]: 1 });
      expect(report.totals.nonIpByType).toEqual({});
    });
  }
});

describe('many frames', () => {
  it('a random mix counts as the model does, busiest first, and adds up to nonIp and unsupportedLink', () => {
    const random = new Random(0x0a1b);
    const frames: { linkType: number; frame: Uint8Array }[] = [];
    const nonIp = new Map<string, number>();
    const links = new Map<string, number>();
    // skewed weights so that counts differ and the order is by count, with ties broken by key
    const cases = [...NON_IP_CASES, ...OTHER_CASES];
    for (let i = 0; i < 3000; i++) {
      if (random.below(10) === 0) {
        const [linkType, key] = UNSUPPORTED[random.below(UNSUPPORTED.length)];
        frames.push({ linkType, frame: filler(20) });
        links.set(key, (links.get(key) ?? 0) + 1);
        continue;
      }
      const c = cases[Math.min(random.below(cases.length), random.below(cases.length))];
      frames.push(c);
      if (c.nonIp) nonIp.set(c.nonIp, (nonIp.get(c.nonIp) ?? 0) + 1);
    }
    const report = analyzeFrames(frames);
    const wantNonIp = expectedByType(nonIp);
    const wantLinks = expectedByType(links);
    expect(report.totals.nonIpByType).toEqual(wantNonIp);
    expect(Object.keys(report.totals.nonIpByType!)).toEqual(Object.keys(wantNonIp));
    expect(report.totals.unsupportedLinkByType).toEqual(wantLinks);
    expect(Object.keys(report.totals.unsupportedLinkByType!)).toEqual(Object.keys(wantLinks));
    expect(sum(report.totals.nonIpByType)).toBe(report.totals.nonIp);
    expect(sum(report.totals.unsupportedLinkByType)).toBe(report.totals.unsupportedLink);
  });

  it('from a capture file read in small chunks, as from single frames', () => {
    const ethernetCases = NON_IP_CASES.filter((c) => c.linkType === LINKTYPE.EN10MB);
    const records = ethernetCases.flatMap((c, i) => Array.from({ length: i + 1 }, () => ({ ts: { sec: 1, frac: 0 }, data: c.frame })));
    const report = analyzeBytes(fib, pcap({ linkType: LINKTYPE.EN10MB, records }), 61);
    const model = new Map<string, number>();
    ethernetCases.forEach((c, i) => model.set(c.nonIp!, (model.get(c.nonIp!) ?? 0) + i + 1));
    expect(report.totals.nonIpByType).toEqual(expectedByType(model));
  });

  it('keeps the first 256 types and counts frames of later ones as `other`', () => {
    // 300 unnamed ethertypes 0xa000.., type i seen (i % 3) + 1 times, then type 0 once more
    const frames: { linkType: number; frame: Uint8Array }[] = [];
    const kept = new Map<string, number>();
    let other = 0;
    for (let i = 0; i < 300; i++) {
      const frame = ethernet({ etherType: 0xa000 + i, payload: filler(30) });
      for (let k = 0; k <= i % 3; k++) frames.push({ linkType: LINKTYPE.EN10MB, frame });
      if (i < 256) kept.set(`ethertype 0x${(0xa000 + i).toString(16)}`, (i % 3) + 1);
      else other += (i % 3) + 1;
    }
    frames.push(frames[0]);
    kept.set('ethertype 0xa000', 2);
    // the same for link types
    for (let i = 0; i < 260; i++) frames.push({ linkType: 10_000 + i, frame: filler(8) });
    const report = analyzeFrames(frames);
    expect(report.totals.nonIpByType).toEqual(expectedByType(kept, other));
    expect(Object.keys(report.totals.nonIpByType!).at(-1)).toBe('other');
    expect(sum(report.totals.nonIpByType)).toBe(report.totals.nonIp);
    expect(Object.keys(report.totals.unsupportedLinkByType!)).toHaveLength(257);
    expect(report.totals.unsupportedLinkByType!.other).toBe(4);
    expect(report.totals.unsupportedLinkByType!['10255']).toBe(1);
    expect(report.totals.unsupportedLinkByType!['10256']).toBeUndefined();
  });

  it('reset empties both tables, which then count afresh', () => {
    const report = analyzeFrames([NON_IP_CASES[0], { linkType: 999, frame: filler(8) }], (analyzer) => {
      analyzer.reset();
      analyzer.pushFrame(NON_IP_CASES[3].frame, { linkType: NON_IP_CASES[3].linkType });
    });
    expect(report.totals.nonIpByType).toEqual({ [NON_IP_CASES[3].nonIp!]: 1 });
    expect(report.totals.unsupportedLinkByType).toEqual({});
  });
});

describe('in the outputs', () => {
  it('JSON: both objects always, after malformedReasons', () => {
    for (const frames of [[], [NON_IP_CASES[0], { linkType: 999, frame: filler(8) }]]) {
      const totals = JSON.parse(formatJson(analyzeFrames(frames))).totals as Record<string, unknown>;
      const keys = Object.keys(totals);
      expect(keys.slice(keys.indexOf('malformedReasons'), keys.indexOf('malformedReasons') + 3))
        .toEqual(['malformedReasons', 'nonIpByType', 'unsupportedLinkByType']);
      expect(totals.nonIpByType).toEqual(frames.length ? { 'ethertype 0x0806 (ARP)': 1 } : {});
      expect(totals.unsupportedLinkByType).toEqual(frames.length ? { 999: 1 } : {});
    }
  });

  it('table: a section per non-empty object, ten rows and the rest summed', () => {
    const frames: { linkType: number; frame: Uint8Array }[] = [];
    // twelve types, type i seen 20 - i times: the last two (10 + 9 frames) are summed
    for (let i = 0; i < 12; i++) {
      for (let k = 0; k < 20 - i; k++) frames.push({ linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: 0xb000 + i, payload: filler(30) }) });
    }
    const options = { by: 'route', sort: 'packets', top: 10, humanUnits: false } as const;
    const text = formatTable(analyzeFrames(frames), options);
    const lines = text.split('\n');
    const head = lines.findIndex((line) => line.includes('non-IP by type'));
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 2, head + 13).map((line) => line.split('│').map((cell) => cell.trim()).filter(Boolean));
    expect(rows).toEqual([
      ...Array.from({ length: 10 }, (_, i) => [`ethertype 0x${(0xb000 + i).toString(16)}`, String(20 - i)]),
      ['2 more', '19'],
    ]);
    expect(text).not.toContain('unsupported link type');
    expect(formatTable(analyzeFrames([OTHER_CASES[0]]), options)).not.toContain('non-IP by type');
  });
});
