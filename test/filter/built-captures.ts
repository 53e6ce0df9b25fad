// Captures the filter tests build: the same set of network-layer packets (every protocol and
// quirk the filter language reaches) framed in each link type the filter compiles for, plus
// every packet cut short at several lengths, so out-of-bounds loads are exercised too.
import { pcap, type PcapRecord } from '../helpers/captures.js';
import {
  AF, arp, ciscoHdlc, concat, ETHERTYPE, ethernet, icmp, IPPROTO, ipv4, ipv6, ipv6Extension, LINKTYPE, loop,
  nullLoopback, ppp, PPP_PROTOCOL, raw, sll, sll2, tcp, udp,
} from '../helpers/packets.js';
import { rawPcapHeader, rawRecords, distinctAddresses } from '../../bench/raw-capture.js';

interface NetworkPacket {
  etherType: number;
  bytes: Uint8Array;
}

function sctp(srcPort: number, dstPort: number): Uint8Array {
  const header = new Uint8Array(12 + 16);
  const view = new DataView(header.buffer);
  view.setUint16(0, srcPort);
  view.setUint16(2, dstPort);
  view.setUint32(4, 0x01020304);
  header[12] = 1; // INIT chunk
  view.setUint16(14, 16);
  return header;
}

function fragmentHeader(nextHeader: number, offsetFlags: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = nextHeader;
  new DataView(out.buffer).setUint16(2, offsetFlags);
  out[7] = 7;
  return out;
}

/** Network-layer packets: the same list for every link type. */
export function networkPackets(): NetworkPacket[] {
  const v4 = (proto: number, payload: Uint8Array, more: Partial<Parameters<typeof ipv4>[0]> = {}) =>
    ({ etherType: ETHERTYPE.IPV4, bytes: ipv4({ src: '10.0.0.1', dst: '192.168.1.1', proto, payload, ...more }) });
  const v6 = (nextHeader: number, payload: Uint8Array, src = '2001:db8::1', dst = '2001:db8:1::2') =>
    ({ etherType: ETHERTYPE.IPV6, bytes: ipv6({ src, dst, nextHeader, payload }) });
  const packets: NetworkPacket[] = [
    v4(IPPROTO.TCP, tcp({ srcPort: 40000, dstPort: 80, flags: 0x02 })),
    v4(IPPROTO.TCP, tcp({ srcPort: 443, dstPort: 51000, flags: 0x12 }), { src: '192.168.1.1', dst: '10.0.0.1' }),
    v4(IPPROTO.TCP, tcp({ srcPort: 22, dstPort: 22, flags: 0x11 }), { src: '10.1.2.3', dst: '10.1.2.4' }),
    v4(IPPROTO.TCP, tcp({ srcPort: 1024, dstPort: 8080, flags: 0x04 }), { options: Uint8Array.of(1, 1, 1, 0) }),
    v4(IPPROTO.UDP, udp({ srcPort: 53, dstPort: 33333 }), { src: '8.8.8.8', dst: '10.0.0.1', ttl: 1 }),
    v4(IPPROTO.UDP, udp({ srcPort: 123, dstPort: 123 })),
    v4(132, sctp(5000, 80)),
    v4(IPPROTO.ICMP, icmp({ type: 8 })),
    v4(IPPROTO.ICMP, icmp({ type: 0 }), { src: '192.168.1.1', dst: '10.0.0.1' }),
    v4(IPPROTO.ICMP, icmp({ type: 3, code: 3 })),
    // fragments: first (MF) and a later one whose "ports" are payload bytes
    v4(IPPROTO.TCP, tcp({ srcPort: 80, dstPort: 40001 }), { flagsFragment: 0x2000, id: 9 }),
    v4(IPPROTO.TCP, tcp({ srcPort: 80, dstPort: 40001 }), { flagsFragment: 0x0003, id: 9 }),
    v4(2, new Uint8Array(8)),
    v4(47, new Uint8Array(8), { src: '172.16.5.4' }),
    v6(IPPROTO.TCP, tcp({ srcPort: 40000, dstPort: 443, flags: 0x02 })),
    v6(IPPROTO.UDP, udp({ srcPort: 5353, dstPort: 53 }), 'fe80::1', 'ff02::fb'),
    v6(IPPROTO.ICMPV6, icmp({ type: 128 })),
    v6(IPPROTO.ICMPV6, icmp({ type: 135 }), 'fe80::1', 'ff02::1:ff00:2'),
    v6(132, sctp(80, 5000)),
    // a fragment header before TCP: `tcp` sees through it, `port` does not
    v6(IPPROTO.FRAGMENT, concat(fragmentHeader(IPPROTO.TCP, 1), tcp({ srcPort: 80, dstPort: 40002 }))),
    // hop-by-hop before UDP: neither looks past it
    v6(IPPROTO.HOPOPTS, ipv6Extension(IPPROTO.UDP, udp({ srcPort: 53, dstPort: 53 }))),
    { etherType: ETHERTYPE.ARP, bytes: arp({ senderIp: '10.0.0.1', targetIp: '10.0.0.2' }) },
    { etherType: 0x8035, bytes: arp({ op: 3, senderIp: '192.168.1.1', targetIp: '10.0.0.1' }) },
    { etherType: 0x88cc, bytes: new Uint8Array(30).fill(1) },
  ];
  return packets;
}

type Framer = { linkType: number; frame(p: NetworkPacket, i: number): Uint8Array | undefined };

const FRAMERS: Record<string, Framer> = {
  ethernet: { linkType: LINKTYPE.EN10MB, frame: (p, i) => ethernet({ etherType: p.etherType, payload: p.bytes, src: i % 3 === 0 ? '02:00:00:00:00:03' : undefined }) },
  vlan: { linkType: LINKTYPE.EN10MB, frame: (p, i) => ethernet({ etherType: p.etherType, payload: p.bytes, vlans: [{ tpid: 0x8100, vid: 100 + (i % 3) }] }) },
  qinq: { linkType: LINKTYPE.EN10MB, frame: (p, i) => ethernet({ etherType: p.etherType, payload: p.bytes, vlans: [{ tpid: i % 2 ? 0x88a8 : 0x9100, vid: 7 }, { tpid: 0x8100, vid: 100 + (i % 2) }] }) },
  sll: { linkType: LINKTYPE.LINUX_SLL, frame: (p) => sll({ protocol: p.etherType, payload: p.bytes }) },
  sll2: { linkType: LINKTYPE.LINUX_SLL2, frame: (p) => sll2({ protocol: p.etherType, payload: p.bytes }) },
  null: { linkType: LINKTYPE.NULL, frame: (p, i) => nullLoopback(p.etherType === ETHERTYPE.IPV4 ? AF.INET : p.etherType === ETHERTYPE.IPV6 ? [AF.INET6_BSD, AF.INET6_FREEBSD, AF.INET6_DARWIN, 10][i % 4] : 99, p.bytes) },
  loop: { linkType: LINKTYPE.LOOP, frame: (p, i) => loop(p.etherType === ETHERTYPE.IPV4 ? AF.INET : p.etherType === ETHERTYPE.IPV6 ? [AF.INET6_BSD, AF.INET6_FREEBSD, AF.INET6_DARWIN, 10][i % 4] : 99, p.bytes) },
  raw: { linkType: LINKTYPE.RAW, frame: (p) => p.etherType === ETHERTYPE.IPV4 || p.etherType === ETHERTYPE.IPV6 ? raw(p.bytes) : undefined },
  ipv4: { linkType: LINKTYPE.IPV4, frame: (p) => p.etherType === ETHERTYPE.IPV4 ? raw(p.bytes) : undefined },
  ipv6: { linkType: LINKTYPE.IPV6, frame: (p) => p.etherType === ETHERTYPE.IPV6 ? raw(p.bytes) : undefined },
  ppp: { linkType: LINKTYPE.PPP, frame: (p) => ppp({ protocol: p.etherType === ETHERTYPE.IPV4 ? PPP_PROTOCOL.IPV4 : p.etherType === ETHERTYPE.IPV6 ? PPP_PROTOCOL.IPV6 : p.etherType, payload: p.bytes }) },
  chdlc: { linkType: LINKTYPE.C_HDLC, frame: (p) => ciscoHdlc({ protocol: p.etherType, payload: p.bytes }) },
};

/**
 * One pcap per link type (Ethernet holds the plain, VLAN and QinQ framings): every packet whole,
 * then cut at a few lengths (wire length kept).
 */
export function builtCaptures(): { name: string; bytes: Uint8Array }[] {
  const packets = networkPackets();
  const byLinkType = new Map<number, { names: string[]; records: PcapRecord[] }>();
  let second = 1_700_000_000;
  for (const [name, framer] of Object.entries(FRAMERS)) {
    const entry = byLinkType.get(framer.linkType) ?? { names: [], records: [] };
    byLinkType.set(framer.linkType, entry);
    entry.names.push(name);
    const frames = packets.map((p, i) => framer.frame(p, i)).filter((f): f is Uint8Array => f !== undefined);
    for (const frame of frames) entry.records.push({ ts: { sec: second++, frac: 0 }, data: frame });
    for (const frame of frames) {
      for (const cut of [3, 13, 17, 30, 37, 45, 55, 60]) {
        if (cut < frame.length) entry.records.push({ ts: { sec: second++, frac: 500 }, data: frame.slice(0, cut), origLen: frame.length });
      }
    }
  }
  return [...byLinkType].map(([linkType, { names, records }]) => ({ name: `built-${names.join('+')}`, bytes: pcap({ linkType, records }) }));
}

/** bench/raw-capture.ts's raw IPv4 records (bare UDP headers to many destinations). */
export function benchRawCapture(): { name: string; bytes: Uint8Array } {
  const addresses = distinctAddresses(200, 0x0a000000, 0x01000193);
  return { name: 'bench-raw', bytes: concat(rawPcapHeader(), rawRecords(addresses, (i) => 20 + (i % 50))) };
}
