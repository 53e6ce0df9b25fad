// PPPoE sessions, MPLS label stacks, PPP and Cisco HDLC (SPEC section 2): what each frame
// counts as, at every length it can be cut to, checked against a small model of the rule:
// a frame cut before its link layer has told what it carries is a truncated link header,
// one cut inside the IP header a truncated IP header, and a whole one is counted.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Fib, Report } from '../src/node.js';
import { analyzeBytes, byDestination, counts, testFib } from './helpers/analyze.js';
import { pcap } from './helpers/captures.js';
import {
  ciscoHdlc, ETHERTYPE, ethernet, ipv4, ipv6, IPPROTO, LINKTYPE, mplsStack, ppp, PPP_PROTOCOL, pppoeSession, sll, sll2,
  udp4, udp6, type VlanTag,
} from './helpers/packets.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

const v4 = udp4('198.51.100.1', '10.1.2.3');
const v6 = udp6('2001:db8::1', '2001:db8::99');
const one = (linkType: number, data: Uint8Array, origLen = data.length): Report =>
  analyzeBytes(fib, pcap({ linkType, records: [{ ts: { sec: 1, frac: 0 }, data, origLen }] }));
const many = (linkType: number, ...frames: Uint8Array[]): Report =>
  analyzeBytes(fib, pcap({ linkType, records: frames.map((data, i) => ({ ts: { sec: 1 + i, frac: 0 }, data })) }));

/** A frame that carries an IP packet, and how many bytes its link layer needs to tell so. */
interface Case {
  name: string;
  linkType: number;
  frame: Uint8Array;
  /** where the IP header starts */
  networkAt: number;
  /** MPLS: the first nibble after the stack tells the version, so the link needs one byte more */
  byNibble?: true;
  version: 4 | 6;
}

const tag = (tpid: 0x8100 | 0x88a8 | 0x9100, vid: number): VlanTag => ({ tpid, vid });
const pppoe4 = pppoeSession({ protocol: PPP_PROTOCOL.IPV4, payload: v4 });
const pppoe6 = pppoeSession({ protocol: PPP_PROTOCOL.IPV6, payload: v6 });

const cases: Case[] = [
  { name: 'Ethernet, PPPoE, IPv4', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoe4 }), networkAt: 14 + 8, version: 4 },
  { name: 'Ethernet, PPPoE, IPv6', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoe6 }), networkAt: 14 + 8, version: 6 },
  {
    name: 'Ethernet, 802.1ad + 802.1Q, PPPoE, IPv4', linkType: LINKTYPE.EN10MB, version: 4, networkAt: 14 + 8 + 8,
    frame: ethernet({ vlans: [tag(0x88a8, 7), tag(0x8100, 300)], etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoe4 }),
  },
  { name: 'SLL, PPPoE, IPv6', linkType: LINKTYPE.LINUX_SLL, frame: sll({ protocol: ETHERTYPE.PPPOE_SESSION, payload: pppoe6 }), networkAt: 16 + 8, version: 6 },
  { name: 'SLL2, VLAN, PPPoE, IPv4', linkType: LINKTYPE.LINUX_SLL2, frame: sll2({ vlans: [tag(0x8100, 9)], protocol: ETHERTYPE.PPPOE_SESSION, payload: pppoe4 }), networkAt: 20 + 4 + 8, version: 4 },
  // MPLS: the stack, then the first nibble of what follows decides
  { name: 'Ethernet, 1 label, IPv4', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16], v4) }), networkAt: 14 + 4, byNibble: true, version: 4 },
  { name: 'Ethernet, 3 labels, IPv6', linkType: LINKTYPE.EN10MB, frame: ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([100, 200, 2], v6) }), networkAt: 14 + 12, byNibble: true, version: 6 },
  { name: 'Ethernet, VLAN, multicast MPLS, IPv4', linkType: LINKTYPE.EN10MB, frame: ethernet({ vlans: [tag(0x9100, 1)], etherType: ETHERTYPE.MPLS_MULTICAST, payload: mplsStack([1 << 19, 3], v4) }), networkAt: 14 + 4 + 8, byNibble: true, version: 4 },
  { name: 'SLL2, 2 labels, IPv6', linkType: LINKTYPE.LINUX_SLL2, frame: sll2({ protocol: ETHERTYPE.MPLS, payload: mplsStack([5, 6], v6) }), networkAt: 20 + 8, byNibble: true, version: 6 },
  // PPP: optional 0xff 0x03, then a 1- or 2-byte protocol
  { name: 'PPP, ff 03, IPv4', linkType: LINKTYPE.PPP, frame: ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4 }), networkAt: 4, version: 4 },
  { name: 'PPP, no prefix, IPv6', linkType: LINKTYPE.PPP, frame: ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6, addressControl: false }), networkAt: 2, version: 6 },
  { name: 'PPP, ff 03, 1-byte protocol, IPv6', linkType: LINKTYPE.PPP, frame: ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6, compressProtocol: true }), networkAt: 3, version: 6 },
  { name: 'PPP_HDLC, no prefix, 1-byte protocol, IPv4', linkType: LINKTYPE.PPP_HDLC, frame: ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4, addressControl: false, compressProtocol: true }), networkAt: 1, version: 4 },
  { name: 'PPP_HDLC, ff 03, IPv6', linkType: LINKTYPE.PPP_HDLC, frame: ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6 }), networkAt: 4, version: 6 },
  { name: 'C_HDLC, IPv4', linkType: LINKTYPE.C_HDLC, frame: ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 }), networkAt: 4, version: 4 },
  { name: 'C_HDLC broadcast, IPv6', linkType: LINKTYPE.C_HDLC, frame: ciscoHdlc({ protocol: ETHERTYPE.IPV6, payload: v6, address: 0x8f }), networkAt: 4, version: 6 },
];

/** What the rule says a frame cut to `length` bytes counts as. */
function expectedAt(c: Case, length: number): { counted: number; malformedReasons: Record<string, number> } {
  if (length < c.networkAt + (c.byNibble ? 1 : 0)) return { counted: 0, malformedReasons: { link_hdr_truncated: 1 } };
  if (length < c.networkAt + (c.version === 4 ? 20 : 40)) {
    return { counted: 0, malformedReasons: { [`ipv${c.version}_hdr_truncated`]: 1 } };
  }
  return { counted: 1, malformedReasons: {} };
}

describe('every encapsulation, cut at every length', () => {
  for (const c of cases) {
    it(c.name, () => {
      const destination = c.version === 4 ? '10.1.2.3' : '2001:db8::99';
      // the model's offset is where the builders put the IP packet
      expect(c.frame.subarray(c.networkAt)).toEqual(c.version === 4 ? v4 : v6);
      for (let length = 0; length <= c.frame.length; length++) {
        const report = one(c.linkType, c.frame.subarray(0, length), c.frame.length);
        const want = expectedAt(c, length);
        expect({ counted: report.totals.counted, malformedReasons: report.totals.malformedReasons }, `${length} of ${c.frame.length} bytes`).toEqual(want);
        expect(report.totals.bytes).toBe(c.frame.length);
        if (want.counted) expect(byDestination(report)).toEqual({ [destination]: 1 });
      }
    });
  }
});

describe('PPPoE', () => {
  it('is decoded behind any depth of VLAN tags of every kind', () => {
    const tpids = [0x8100, 0x88a8, 0x9100] as const;
    for (let depth = 0; depth <= 6; depth++) {
      const vlans = Array.from({ length: depth }, (_, i) => tag(tpids[i % 3], i + 1));
      const report = many(LINKTYPE.EN10MB,
        ethernet({ vlans, etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoe4 }),
        ethernet({ vlans, etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoe6 }));
      expect(byDestination(report), `${depth} tags`).toEqual({ '10.1.2.3': 1, '2001:db8::99': 1 });
    }
  });

  it('other PPP protocols and PPPoE discovery are not IP', () => {
    const report = many(LINKTYPE.EN10MB,
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.LCP, payload: new Uint8Array(10) }) }),
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPCP, payload: new Uint8Array(10) }) }),
      // MPLS over PPP is not followed in this version of the SPEC
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.MPLS, payload: mplsStack([16], v4) }) }),
      // the 1-byte form is PPP's, not PPPoE's: 0x21 0x45 is protocol 0x2145
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: 0x21 << 8 | v4[0], payload: v4.subarray(1) }) }),
      ethernet({ etherType: ETHERTYPE.PPPOE_DISCOVERY, payload: pppoe4 }));
    expect(counts(report)).toEqual({ records: 5, counted: 0, ipv4: 0, ipv6: 0, nonIp: 5, malformed: 0, unsupportedLink: 0 });
  });

  it('the network header must be the one PPP announced', () => {
    const report = many(LINKTYPE.EN10MB,
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV4, payload: v6 }) }),
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV6, payload: v4 }) }));
    expect(report.totals.malformedReasons).toEqual({ version_6_for_ipv4: 1, version_4_for_ipv6: 1 });
  });
});

describe('MPLS', () => {
  it('label stacks 1 to 20 deep, over Ethernet, SLL and SLL2', () => {
    for (let depth = 1; depth <= 20; depth++) {
      const labels = Array.from({ length: depth }, (_, i) => ({ label: (i * 7919) & 0xfffff, tc: i & 7, ttl: 255 - i }));
      const report = many(LINKTYPE.EN10MB,
        ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack(labels, v4) }),
        ethernet({ etherType: ETHERTYPE.MPLS_MULTICAST, payload: mplsStack(labels, v6) }));
      expect(byDestination(report), `${depth} labels`).toEqual({ '10.1.2.3': 1, '2001:db8::99': 1 });
      expect(one(LINKTYPE.LINUX_SLL, sll({ protocol: ETHERTYPE.MPLS, payload: mplsStack(labels, v6) })).totals.counted).toBe(1);
      expect(one(LINKTYPE.LINUX_SLL2, sll2({ protocol: ETHERTYPE.MPLS, payload: mplsStack(labels, v4) })).totals.counted).toBe(1);
    }
  });

  it('a stack whose bottom was not captured is not counted, at every cut and depth', () => {
    for (let depth = 1; depth <= 8; depth++) {
      const frame = ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack(Array.from({ length: depth }, (_, i) => 16 + i), v4) });
      for (let length = 14; length < 14 + 4 * depth; length++) {
        const report = one(LINKTYPE.EN10MB, frame.subarray(0, length), frame.length);
        expect(report.totals.malformedReasons, `${depth} labels, ${length} bytes`).toEqual({ link_hdr_truncated: 1 });
      }
    }
  });

  it('a stack without a bottom-of-stack bit runs to the end of the capture and is not counted', () => {
    // the IPv4 packet's own bytes are read as labels until the captured bytes end
    const noBottom = ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17, 18], new Uint8Array(40), -1) });
    const report = many(LINKTYPE.EN10MB, noBottom, ethernet({ etherType: ETHERTYPE.MPLS, payload: new Uint8Array(0) }));
    expect(counts(report)).toMatchObject({ records: 2, malformed: 2, counted: 0 });
    expect(report.totals.malformedReasons).toEqual({ link_hdr_truncated: 2 });
  });

  it('the bottom-of-stack bit ends the stack wherever it is', () => {
    // bottom on the first of two entries: the second entry is the payload, nibble 0
    const early = ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17], v4, 0) });
    const report = one(LINKTYPE.EN10MB, early);
    expect(counts(report)).toMatchObject({ nonIp: 1, counted: 0 });
  });

  it('a pseudowire control word, Ethernet over MPLS and other nibbles are not IP', () => {
    const controlWord = new Uint8Array(4); // first nibble 0
    const report = many(LINKTYPE.EN10MB,
      ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 100], new Uint8Array([...controlWord, ...ethernet({ etherType: ETHERTYPE.IPV4, payload: v4 })])) }),
      ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([100], ethernet({ dst: '02:00:00:00:00:09', etherType: ETHERTYPE.IPV4, payload: v4 })) }),
      ...[1, 2, 3, 5, 7, 8, 15].map((version) => ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16], ipv4({ src: '1.1.1.1', dst: '10.1.2.3', proto: 17, version })) })));
    expect(counts(report)).toEqual({ records: 9, counted: 0, ipv4: 0, ipv6: 0, nonIp: 9, malformed: 0, unsupportedLink: 0 });
  });

  it('counts the outermost IP header behind the stack, and checks its IHL', () => {
    const tunnel = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.IPV6, payload: v6 });
    const report = many(LINKTYPE.EN10MB,
      ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16, 17], tunnel) }),
      ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([16], ipv4({ src: '1.1.1.1', dst: '10.1.2.3', proto: 17, ihl: 4 })) }));
    expect(byDestination(report)).toEqual({ '192.0.2.2': 1 });
    expect(report.totals.malformedReasons).toEqual({ ipv4_ihl_lt_5: 1 });
  });
});

describe('PPP (9) and PPP_HDLC (50)', () => {
  for (const linkType of [LINKTYPE.PPP, LINKTYPE.PPP_HDLC]) {
    it(`link type ${linkType}: IPv4 and IPv6 in every form, other protocols not IP`, () => {
      const frames: Uint8Array[] = [];
      for (const addressControl of [true, false]) {
        for (const compressProtocol of [false, true]) {
          frames.push(ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4, addressControl, compressProtocol }));
          frames.push(ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6, addressControl, compressProtocol }));
        }
        frames.push(ppp({ protocol: PPP_PROTOCOL.LCP, payload: new Uint8Array(8), addressControl }));
        frames.push(ppp({ protocol: PPP_PROTOCOL.MPLS, payload: mplsStack([16], v4), addressControl }));
        frames.push(ppp({ protocol: 0x3d, payload: v4, addressControl, compressProtocol: true })); // multilink
      }
      const report = many(linkType, ...frames);
      expect(counts(report)).toEqual({ records: 14, counted: 8, ipv4: 4, ipv6: 4, nonIp: 6, malformed: 0, unsupportedLink: 0 });
      expect(byDestination(report)).toEqual({ '10.1.2.3': 4, '2001:db8::99': 4 });
    });
  }

  it('0xff not followed by 0x03 is a 1-byte protocol, not an address', () => {
    const report = many(LINKTYPE.PPP, Uint8Array.of(0xff, 0x21, ...v4), Uint8Array.of(0xff));
    expect(counts(report)).toMatchObject({ nonIp: 1, malformed: 1 });
    expect(report.totals.malformedReasons).toEqual({ link_hdr_truncated: 1 });
  });

  it('the network header must be the one PPP announced', () => {
    const report = many(LINKTYPE.PPP, ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v4 }), ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v6, compressProtocol: true }));
    expect(report.totals.malformedReasons).toEqual({ version_4_for_ipv6: 1, version_6_for_ipv4: 1 });
  });
});

describe('Cisco HDLC (104)', () => {
  it('IPv4 and IPv6 by ethertype; SLARP, MPLS, VLAN and PPPoE are not IP', () => {
    const report = many(LINKTYPE.C_HDLC,
      ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 }),
      ciscoHdlc({ protocol: ETHERTYPE.IPV6, payload: v6, address: 0x8f }),
      ciscoHdlc({ protocol: 0x8035, payload: new Uint8Array(20) }), // SLARP
      // SPEC section 2 decodes C_HDLC's ethertype alone: no labels, tags or PPPoE behind it
      ciscoHdlc({ protocol: ETHERTYPE.MPLS, payload: mplsStack([16], v4) }),
      ciscoHdlc({ protocol: ETHERTYPE.VLAN, payload: Uint8Array.of(0, 1, 0x08, 0x00, ...v4) }),
      ciscoHdlc({ protocol: ETHERTYPE.PPPOE_SESSION, payload: pppoe4 }));
    expect(counts(report)).toEqual({ records: 6, counted: 2, ipv4: 1, ipv6: 1, nonIp: 4, malformed: 0, unsupportedLink: 0 });
    expect(byDestination(report)).toEqual({ '10.1.2.3': 1, '2001:db8::99': 1 });
  });

  it('is a supported link type now; 105 next to it is not', () => {
    const report = many(LINKTYPE.C_HDLC, ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 }));
    expect(report.totals.unsupportedLink).toBe(0);
    expect(many(LINKTYPE.IEEE802_11, ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 })).totals.unsupportedLink).toBe(1);
  });
});
