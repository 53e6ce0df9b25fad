// The packet fields WebAssembly decodes per record (assembly/classify/fields.ts), against Wireshark's
// tshark on real captures of ../shared/data and on captures built here, and against the builders'
// own inputs where tshark is absent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctAddresses, rawPcapHeader, rawRecords } from '../../bench/raw-capture.js';
import { formatIPv4 } from '../../src/net/address.js';
import { pcapng } from '../helpers/captures.js';
import {
  arpFrame, concat, ETHERTYPE, ethernet, icmp, IPPROTO, ipv4, ipv6, ipv6Extension, LINKTYPE, sll2, tcp, udp, udp4,
} from '../helpers/packets.js';
import { tempDir } from '../helpers/temp-dir.js';
import { fieldsDriver, type FieldsDriver, type RecordFields } from './fields-driver.js';
import { expectLikeTshark, hasTshark, tsharkFrames, type Compared, type TsharkFrame } from './tshark-fields.js';

const CAPTURES = new URL('../../../shared/data/captures/', import.meta.url).pathname;
const hasData = existsSync(CAPTURES);
if (!hasTshark) console.log('classify/fields: tshark comparisons skipped: `tshark` (Wireshark) is not on PATH');
if (!hasData) console.log(`classify/fields: real captures skipped: ${CAPTURES} is absent`);

// a variety: IPv6 extension headers and fragments, IPv4 fragments and options, VLAN and QinQ, ICMP and
// ICMPv6, tunnels, PPPoE, MPLS, SLL2, NULL, raw IP, pcapng with named interfaces, truncated frames
const REAL = [
  'ipv6_options.pcap', 'ipv6_opt_fragments.pcap', 'ip6_fragments.pcap', 'ipsec.pcapng', 'IPv4Frag.pcap',
  'ip4_fragments.pcap', 'frag_with_padding.pcap', 'ipv4-options.pcap', 'QinQ_802.1_AD.pcapng', 'VlanPackets.pcap',
  '802.1ad_QinQ.pcap', 'IcmpPackets.pcap', 'IcmpV6_Generic.pcap', 'IcmpV6_EchoMessages.pcap', 'icmpv6.pcap',
  'many_interfaces-1.pcapng', 'TcpPacketWithOptions.pcap', 'sll2.pcap', 'NullLoopback.pcap', 'MplsPackets.pcap',
  'PPPoESession.pcap', 'GrePackets.pcap', 'Vxlan1.pcap', 'IPv4-encapsulated-IPv6.pcap', 'linktype_ipv6.pcap',
  'bigtcp-ipv6-hbh.pcap', 'OSPFv3_with_AH.pcap', 'ipv6_frag6_negative_len.pcap', 'ip6_frag_asan.pcap',
  'icmp-cksum-oobr-1.pcap', 'four_ipv6_http_streams.pcap', 'ipv6-mobility-header-oobr.pcap',
];

/** Every file of that name under ../shared/data/captures. */
function findCaptures(name: string): string[] {
  return execFileSync('find', [CAPTURES, '-name', name, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

let driver: FieldsDriver;
const dir = tempDir('fibscope-fields-');
beforeAll(async () => {
  driver = await fieldsDriver();
});

const zero = (): Compared => ({ ip: 0, ports: 0, tcpFlags: 0, icmp: 0, fragments: 0, vlans: 0, extensions: 0, readPastMalformed: 0 });
function add(total: Compared, part: Compared): void {
  for (const k of Object.keys(total) as (keyof Compared)[]) total[k] += part[k];
}

/** Compares every record of the capture at `path` with tshark's dissection (`theirs`, when already read). */
async function compareWithTshark(path: string, theirs?: Promise<TsharkFrame[]>): Promise<Compared> {
  const ours = driver.fieldsOf(readFileSync(path));
  theirs ??= tsharkFrames(path);
  return compareFrames(path, ours, await theirs);
}

function compareFrames(path: string, ours: RecordFields[], theirs: TsharkFrame[]): Compared {
  expect(theirs.length, `${path}: frames`).toBe(ours.length);
  const compared = zero();
  ours.forEach((record, i) => expectLikeTshark(record, theirs[i], path, compared));
  return compared;
}

describe.skipIf(!hasTshark || !hasData)('real captures, field by field against tshark', () => {
  it('every record of a variety of captures', async () => {
    const total = zero();
    const paths = REAL.flatMap(findCaptures);
    // tshark starts slowly: the next one runs while this one is compared
    let next = paths.length ? tsharkFrames(paths[0]) : undefined;
    for (const [i, path] of paths.entries()) {
      const theirs = next;
      next = i + 1 < paths.length ? tsharkFrames(paths[i + 1]) : undefined;
      add(total, await compareWithTshark(path, theirs));
    }
    const files = paths.length;
    console.log(`classify/fields: ${files} real captures compared:`, total);
    expect(files).toBeGreaterThanOrEqual(REAL.length);
    // the captures exercised each kind of field
    for (const k of Object.keys(total) as (keyof Compared)[]) if (k !== 'readPastMalformed') expect(total[k], k).toBeGreaterThan(0);
  });
});

// Frames built here, each with the fields its builder was given: the builder's inputs are the
// reference, and tshark reads the same capture where it is present.
const u8 = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
/** An AH header (RFC 4302) of `12 + 4 * extraWords` bytes: length field in 4-byte units minus 2. */
const ah = (nextHeader: number, payload: Uint8Array, extraWords = 1): Uint8Array => {
  const out = new Uint8Array(12 + 4 * extraWords + payload.length);
  out[0] = nextHeader;
  out[1] = 1 + extraWords;
  out.set(payload, out.length - payload.length);
  return out;
};
/** An IPv6 fragment header: offset in 8-byte units, the M flag. */
const fragment6 = (nextHeader: number, offsetUnits: number, more: boolean, payload: Uint8Array): Uint8Array =>
  concat(u8(nextHeader, 0, (offsetUnits << 3) >> 8, ((offsetUnits << 3) & 0xff) | (more ? 1 : 0), 0, 0, 0, 7), payload);
/** An SCTP common header (12 bytes, no chunks). */
const sctp = (srcPort: number, dstPort: number): Uint8Array => u8(srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff, 0, 0, 0, 1, 0, 0, 0, 0);

interface Built { name: string; linkType: number; data: Uint8Array; expected: Partial<RecordFields> }

const S4 = '198.51.100.7', D4 = '203.0.113.9', S6 = '2001:db8::7', D6 = '2001:db8:1::9';
const built: Built[] = [
  {
    name: 'IPv4 TCP SYN', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src: S4, dst: D4, proto: IPPROTO.TCP, ttl: 7, payload: tcp({ srcPort: 40001, dstPort: 443, flags: 0x02 }) }) }),
    expected: { family: 4, source: S4, destination: D4, protocol: 6, ttl: 7, ipLength: 40, sourcePort: 40001, destinationPort: 443, tcpFlags: 0x02, vlanCount: 0, ethertype: 0x0800 },
  },
  {
    name: 'QinQ, IPv6 UDP', linkType: LINKTYPE.EN10MB,
    data: ethernet({ vlans: [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 200 }], etherType: ETHERTYPE.IPV6, payload: ipv6({ src: S6, dst: D6, nextHeader: IPPROTO.UDP, hopLimit: 1, payload: udp({ srcPort: 5353, dstPort: 53 }) }) }),
    expected: { family: 6, source: S6, destination: D6, protocol: 17, ttl: 1, ipLength: 48, sourcePort: 5353, destinationPort: 53, vlanCount: 2, vlanIds: [100, 200], ethertype: 0x86dd },
  },
  {
    name: 'three VLAN tags: the count, the first two ids', linkType: LINKTYPE.EN10MB,
    data: ethernet({ vlans: [{ tpid: 0x88a8, vid: 1 }, { tpid: 0x8100, vid: 4095 }, { tpid: 0x8100, vid: 3 }], etherType: ETHERTYPE.IPV4, payload: udp4(S4, D4) }),
    expected: { family: 4, vlanCount: 3, vlanIds: [1, 4095], sourcePort: 40000, destinationPort: 53, ethertype: 0x0800 },
  },
  {
    name: 'IPv6 hop-by-hop, destination options, routing, AH, then UDP', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV6, payload: ipv6({ src: S6, dst: D6, nextHeader: 0, payload:
      ipv6Extension(60, ipv6Extension(43, ipv6Extension(51, ah(17, udp({ srcPort: 7, dstPort: 9 }), 3), 1), 2)) }) }),
    expected: { family: 6, protocol: 17, sourcePort: 7, destinationPort: 9, fragment: false, laterFragment: false },
  },
  {
    name: 'IPv6 first fragment: ports', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV6, payload: ipv6({ src: S6, dst: D6, nextHeader: 44, payload: fragment6(6, 0, true, tcp({ srcPort: 1, dstPort: 2, flags: 0x18 })) }) }),
    expected: { protocol: 6, fragment: true, laterFragment: false, sourcePort: 1, destinationPort: 2, tcpFlags: 0x18 },
  },
  {
    name: 'IPv6 later fragment: the protocol, no ports', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV6, payload: ipv6({ src: S6, dst: D6, nextHeader: 0, payload: ipv6Extension(44, fragment6(17, 185, false, udp({ srcPort: 1, dstPort: 2 }))) }) }),
    expected: { protocol: 17, fragment: true, laterFragment: true, sourcePort: null, destinationPort: null },
  },
  {
    name: 'IPv4 first fragment (MF): ports', linkType: LINKTYPE.RAW,
    data: ipv4({ src: S4, dst: D4, proto: IPPROTO.UDP, flagsFragment: 0x2000, payload: udp({ srcPort: 11, dstPort: 12 }) }),
    expected: { family: 4, protocol: 17, fragment: true, laterFragment: false, sourcePort: 11, destinationPort: 12, ethertype: 0 },
  },
  {
    name: 'IPv4 later fragment: no ports', linkType: LINKTYPE.RAW,
    data: ipv4({ src: S4, dst: D4, proto: IPPROTO.TCP, flagsFragment: 0x0003, payload: tcp({ srcPort: 11, dstPort: 12 }) }),
    expected: { protocol: 6, fragment: true, laterFragment: true, sourcePort: null, tcpFlags: null },
  },
  {
    name: 'IPv4 with options, SCTP', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src: S4, dst: D4, proto: 132, options: u8(1, 1, 1, 0, 1, 1, 1, 0), payload: sctp(2905, 36412) }) }),
    expected: { family: 4, protocol: 132, sourcePort: 2905, destinationPort: 36412, tcpFlags: null, ipLength: 40 },
  },
  {
    name: 'ICMP echo reply', linkType: LINKTYPE.EN10MB,
    data: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src: S4, dst: D4, proto: IPPROTO.ICMP, payload: icmp({ type: 0, code: 0 }) }) }),
    expected: { protocol: 1, icmpType: 0, icmpCode: 0, sourcePort: null },
  },
  {
    name: 'ICMPv6 after hop-by-hop (MLD report), on SLL2', linkType: LINKTYPE.LINUX_SLL2,
    data: sll2({ protocol: ETHERTYPE.IPV6, payload: ipv6({ src: S6, dst: 'ff02::16', nextHeader: 0, payload: ipv6Extension(58, icmp({ type: 143, code: 0 })) }) }),
    expected: { family: 6, protocol: 58, icmpType: 143, icmpCode: 0, ethertype: 0x86dd },
  },
  {
    name: 'ARP behind a VLAN tag: link fields only', linkType: LINKTYPE.EN10MB,
    data: arpFrame({ vlans: [{ tpid: 0x8100, vid: 42 }] }),
    expected: { family: 0, source: null, protocol: null, vlanCount: 1, vlanIds: [42], ethertype: 0x0806 },
  },
];

/** The same frames cut short: what a capture cut there still tells. */
const cut: Built[] = [
  {
    name: 'IPv6 chain cut inside the hop-by-hop header, after its next header: the protocol, no ports', linkType: LINKTYPE.RAW,
    data: ipv6({ src: S6, dst: D6, nextHeader: 0, payload: ipv6Extension(17, udp({ srcPort: 1, dstPort: 2 })) }).subarray(0, 46),
    expected: { family: 6, protocol: 17, sourcePort: null },
  },
  {
    name: 'IPv6 chain cut before the hop-by-hop header names the next: no protocol', linkType: LINKTYPE.RAW,
    data: ipv6({ src: S6, dst: D6, nextHeader: 0, payload: ipv6Extension(17, udp({ srcPort: 1, dstPort: 2 })) }).subarray(0, 41),
    expected: { family: 6, protocol: null, sourcePort: null },
  },
  {
    name: 'IPv6 fragment header cut: not read', linkType: LINKTYPE.RAW,
    data: ipv6({ src: S6, dst: D6, nextHeader: 44, payload: fragment6(17, 0, true, udp({ srcPort: 1, dstPort: 2 })) }).subarray(0, 47),
    expected: { family: 6, protocol: null, fragment: false },
  },
  {
    name: 'TCP cut after the ports: ports, no flags', linkType: LINKTYPE.RAW,
    data: ipv4({ src: S4, dst: D4, proto: IPPROTO.TCP, payload: tcp({ srcPort: 80, dstPort: 8080, flags: 0x11 }) }).subarray(0, 24),
    expected: { protocol: 6, sourcePort: 80, destinationPort: 8080, tcpFlags: null },
  },
  {
    name: 'TCP cut inside the ports: neither', linkType: LINKTYPE.RAW,
    data: ipv4({ src: S4, dst: D4, proto: IPPROTO.TCP, payload: tcp({ srcPort: 80, dstPort: 8080 }) }).subarray(0, 23),
    expected: { protocol: 6, sourcePort: null, tcpFlags: null },
  },
  {
    name: 'ICMP cut after the type', linkType: LINKTYPE.RAW,
    data: ipv4({ src: S4, dst: D4, proto: IPPROTO.ICMP, payload: icmp({ type: 8 }) }).subarray(0, 21),
    expected: { protocol: 1, icmpType: null },
  },
];

function capture(frames: Built[]): Uint8Array {
  const linkTypes = [...new Set(frames.map((f) => f.linkType))];
  return pcapng({ sections: [{
    interfaces: linkTypes.map((linkType) => ({ linkType })),
    blocks: frames.map((f, i) => ({ kind: 'epb' as const, interface: linkTypes.indexOf(f.linkType), ts: BigInt(i), data: f.data, origLen: f.data.length + 100 })),
  }] });
}

describe('captures built here', () => {
  it('every field the builders were given, record by record', () => {
    const frames = [...built, ...cut];
    const records = driver.fieldsOf(capture(frames));
    expect(records).toHaveLength(frames.length);
    frames.forEach((f, i) => expect(records[i], f.name).toMatchObject(f.expected));
  });

  it('the raw records of bench/raw-capture.ts: UDP with no UDP header captured, so no ports', () => {
    const addresses = distinctAddresses(50);
    const records = driver.fieldsOf(concat(rawPcapHeader(), rawRecords(addresses)));
    expect(records.map((r) => r.destination)).toEqual(Array.from(addresses, (a) => formatIPv4(a)));
    for (const r of records) expect(r).toMatchObject({ family: 4, source: '192.0.2.1', protocol: 17, ttl: 64, ipLength: 20, sourcePort: null, fragment: false });
  });

  it.skipIf(!hasTshark)('the same captures, against tshark', async () => {
    const total = zero();
    for (const [name, frames] of [['built', built], ['cut', cut]] as const) {
      const path = join(dir, `${name}.pcapng`);
      writeFileSync(path, capture(frames));
      add(total, await compareWithTshark(path));
    }
    expect(total.ip).toBe(built.length + cut.length - 1);
    expect(total.extensions).toBeGreaterThan(0);
  });
});
