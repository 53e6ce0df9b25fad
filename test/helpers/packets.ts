// Frame builders for tests: small functions that assemble link, network and transport
// headers from readable fields, so a test says what a packet is instead of pasting hex.
// Every builder returns a fresh Uint8Array; multi-byte header fields are big-endian
// (network order) unless a builder says otherwise.

/** Link types of pcap's LinkType field and pcapng's IDB (the tcpdump.org registry). */
export const LINKTYPE = {
  NULL: 0,
  EN10MB: 1,
  /** OpenBSD's DLT_RAW value; libpcap maps it to RAW. */
  RAW_12: 12,
  /** BSD/OS's DLT_RAW value; libpcap maps it to RAW. */
  RAW_14: 14,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11: 105,
  USER0: 147,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  /** PPP with an optional 0xff 0x03 address and control prefix */
  PPP: 9,
  /** PPP in HDLC-like framing (RFC 1662) */
  PPP_HDLC: 50,
  /** Cisco HDLC */
  C_HDLC: 104,
} as const;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  IPV6: 0x86dd,
  MPLS: 0x8847,
  MPLS_MULTICAST: 0x8848,
  PPPOE_DISCOVERY: 0x8863,
  PPPOE_SESSION: 0x8864,
  QINQ: 0x88a8,
  VLAN_9100: 0x9100,
} as const;

/** PPP protocol numbers (RFC 1661 and the IANA PPP DLL protocol registry). */
export const PPP_PROTOCOL = {
  IPV4: 0x0021,
  IPV6: 0x0057,
  MPLS: 0x0281,
  IPCP: 0x8021,
  LCP: 0xc021,
} as const;

export const IPPROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  IPIP: 4,
  TCP: 6,
  UDP: 17,
  IPV6: 41,
  FRAGMENT: 44,
  GRE: 47,
  ICMPV6: 58,
  NONE: 59,
} as const;

/** Address families of the NULL and LOOP link types. */
export const AF = {
  INET: 2,
  /** NetBSD, OpenBSD, BSD/OS */
  INET6_BSD: 24,
  /** FreeBSD, DragonFly BSD */
  INET6_FREEBSD: 28,
  /** macOS, iOS */
  INET6_DARWIN: 30,
} as const;

export type VlanTpid = 0x8100 | 0x88a8 | 0x9100;
export interface VlanTag {
  tpid: VlanTpid;
  vid: number;
  /** 802.1p priority, 0..7 (default 0) */
  pcp?: number;
  /** drop eligible indicator (default false) */
  dei?: boolean;
}

// ---------------------------------------------------------------- bytes and addresses

/** Joins byte arrays into one. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** `count` bytes of a repeating 0x00..0xff pattern (recognisable in a hex dump). */
export function filler(count: number, start = 0): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = (start + i) & 0xff;
  return out;
}

/** The 4 bytes of dotted-quad IPv4 text. Throws on anything else. */
export function ipv4Bytes(text: string): Uint8Array {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  const out = new Uint8Array(4);
  parts.forEach((part, i) => {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`not an IPv4 address: ${text}`);
    out[i] = Number(part);
  });
  return out;
}

/** The 16 bytes of IPv6 text (with `::` and an optional trailing dotted quad). */
export function ipv6Bytes(text: string): Uint8Array {
  const bad = () => new Error(`not an IPv6 address: ${text}`);
  let body = text;
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) >= 0) {
    // a trailing dotted quad stands for the last two groups
    const quad = ipv4Bytes(body.slice(lastColon + 1));
    body = `${body.slice(0, lastColon + 1)}${((quad[0] << 8) | quad[1]).toString(16)}:${((quad[2] << 8) | quad[3]).toString(16)}`;
  }
  const halves = body.split('::');
  if (halves.length > 2) throw bad();
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw bad();
    return parseInt(g, 16);
  }));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  if (halves.length === 2 && head.length + rest.length > 7) throw bad();
  const words = halves.length === 2 ? [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest] : head;
  if (words.length !== 8) throw bad();
  const out = new Uint8Array(16);
  words.forEach((w, i) => {
    out[i * 2] = w >> 8;
    out[i * 2 + 1] = w & 0xff;
  });
  return out;
}

/** 6 bytes of a MAC address written `aa:bb:cc:dd:ee:ff` (or with dashes). */
export function macBytes(text: string): Uint8Array {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`not a MAC address: ${text}`);
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function u16(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

function u32(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

/** The Internet checksum (RFC 1071) of `bytes`. */
export function internetChecksum(bytes: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (bytes.length & 1) sum += bytes[bytes.length - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

// ---------------------------------------------------------------- network layer

export interface Ipv4Fields {
  src: string;
  dst: string;
  /** protocol number (IPPROTO) */
  proto: number;
  /** the IHL nibble to write; default 5 + options/4. The header always holds 20 + options bytes. */
  ihl?: number;
  /** the version nibble to write (default 4) */
  version?: number;
  /** the Total Length field; default header + payload length */
  totalLength?: number;
  payload?: Uint8Array;
  /** raw option bytes, zero-padded to a multiple of 4 */
  options?: Uint8Array;
  ttl?: number;
  id?: number;
  /** flags and fragment offset as the 16-bit field (e.g. 0x4000 = DF, 0x2000 = MF) */
  flagsFragment?: number;
  tos?: number;
  /** header checksum to write; default the correct one */
  checksum?: number;
}

/** An IPv4 header followed by its payload. */
export function ipv4(f: Ipv4Fields): Uint8Array {
  const options = f.options ?? new Uint8Array(0);
  const optionBytes = (options.length + 3) & ~3;
  const headerLength = 20 + optionBytes;
  const payload = f.payload ?? new Uint8Array(0);
  const out = new Uint8Array(headerLength + payload.length);
  const view = new DataView(out.buffer);
  out[0] = (((f.version ?? 4) & 0xf) << 4) | ((f.ihl ?? headerLength / 4) & 0xf);
  out[1] = f.tos ?? 0;
  view.setUint16(2, f.totalLength ?? Math.min(out.length, 0xffff));
  view.setUint16(4, f.id ?? 0);
  view.setUint16(6, f.flagsFragment ?? 0);
  out[8] = f.ttl ?? 64;
  out[9] = f.proto;
  out.set(ipv4Bytes(f.src), 12);
  out.set(ipv4Bytes(f.dst), 16);
  out.set(options, 20);
  view.setUint16(10, f.checksum ?? internetChecksum(out.subarray(0, headerLength)));
  out.set(payload, headerLength);
  return out;
}

export interface Ipv6Fields {
  src: string;
  dst: string;
  nextHeader: number;
  payload?: Uint8Array;
  /** the version nibble to write (default 6) */
  version?: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
  /** the Payload Length field; default the payload's length */
  payloadLength?: number;
}

/** An IPv6 header (40 bytes) followed by its payload. */
export function ipv6(f: Ipv6Fields): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  const out = new Uint8Array(40 + payload.length);
  const view = new DataView(out.buffer);
  const tc = f.trafficClass ?? 0;
  view.setUint32(0, ((((f.version ?? 6) & 0xf) << 28) | ((tc & 0xff) << 20) | ((f.flowLabel ?? 0) & 0xfffff)) >>> 0);
  view.setUint16(4, f.payloadLength ?? Math.min(payload.length, 0xffff));
  out[6] = f.nextHeader;
  out[7] = f.hopLimit ?? 64;
  out.set(ipv6Bytes(f.src), 8);
  out.set(ipv6Bytes(f.dst), 24);
  out.set(payload, 40);
  return out;
}

/** An IPv6 extension header (hop-by-hop, routing, destination options) of `8 * (1 + lengthUnits)` bytes. */
export function ipv6Extension(nextHeader: number, payload: Uint8Array, lengthUnits = 0): Uint8Array {
  const out = new Uint8Array(8 * (1 + lengthUnits) + payload.length);
  out[0] = nextHeader;
  out[1] = lengthUnits;
  out.set(payload, out.length - payload.length);
  return out;
}

// ---------------------------------------------------------------- transport layer (checksums left 0)

export interface Ports {
  srcPort: number;
  dstPort: number;
  payload?: Uint8Array;
}

/** A UDP header (8 bytes, length field set, checksum 0) and payload. */
export function udp(f: Ports): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  return concat(u16(f.srcPort), u16(f.dstPort), u16(8 + payload.length), u16(0), payload);
}

export interface TcpFields extends Ports {
  seq?: number;
  ack?: number;
  /** flag bits (0x02 SYN, 0x10 ACK, 0x01 FIN, 0x04 RST, 0x08 PSH); default ACK */
  flags?: number;
  window?: number;
}

/** A TCP header (20 bytes, no options, checksum 0) and payload. */
export function tcp(f: TcpFields): Uint8Array {
  const out = new Uint8Array(20);
  const view = new DataView(out.buffer);
  view.setUint16(0, f.srcPort);
  view.setUint16(2, f.dstPort);
  view.setUint32(4, (f.seq ?? 1) >>> 0);
  view.setUint32(8, (f.ack ?? 0) >>> 0);
  out[12] = 5 << 4;
  out[13] = f.flags ?? 0x10;
  view.setUint16(14, f.window ?? 65535);
  return concat(out, f.payload ?? new Uint8Array(0));
}

export interface IcmpFields {
  /** default 8 (echo request); use 128 for an ICMPv6 echo request */
  type?: number;
  code?: number;
  /** the 4 bytes after the checksum (identifier and sequence for echo) */
  rest?: number;
  payload?: Uint8Array;
}

/** An ICMP (or ICMPv6, by type) message. The ICMPv4 checksum is correct; ICMPv6's is left 0. */
export function icmp(f: IcmpFields = {}): Uint8Array {
  const out = concat(Uint8Array.of(f.type ?? 8, f.code ?? 0, 0, 0), u32(f.rest ?? 0x00010001), f.payload ?? new Uint8Array(0));
  if ((f.type ?? 8) < 128) new DataView(out.buffer).setUint16(2, internetChecksum(out));
  return out;
}

// ---------------------------------------------------------------- link layer

/** Bytes of a VLAN tag chain: for each tag its TCI then the next type; returns the first type too. */
function vlanChain(vlans: readonly VlanTag[] | undefined, etherType: number): { firstType: number; tags: Uint8Array } {
  if (!vlans || vlans.length === 0) return { firstType: etherType, tags: new Uint8Array(0) };
  const tags = new Uint8Array(4 * vlans.length);
  const view = new DataView(tags.buffer);
  vlans.forEach((tag, i) => {
    const tci = ((tag.pcp ?? 0) << 13) | (tag.dei ? 0x1000 : 0) | (tag.vid & 0xfff);
    view.setUint16(i * 4, tci);
    view.setUint16(i * 4 + 2, i + 1 < vlans.length ? vlans[i + 1].tpid : etherType);
  });
  return { firstType: vlans[0].tpid, tags };
}

export interface EthernetFields {
  /** default 02:00:00:00:00:02 */
  dst?: string;
  /** default 02:00:00:00:00:01 */
  src?: string;
  /** VLAN tags, outermost first */
  vlans?: readonly VlanTag[];
  etherType: number;
  payload: Uint8Array;
  /** zero-pad the frame to the 60-byte Ethernet minimum (without FCS) */
  pad?: boolean;
  /** append a 4-byte frame check sequence (CRC-32, as on the wire) */
  fcs?: boolean;
}

/** An Ethernet II frame (LINKTYPE_EN10MB), optionally with VLAN tags, padding and FCS. */
export function ethernet(f: EthernetFields): Uint8Array {
  const { firstType, tags } = vlanChain(f.vlans, f.etherType);
  let frame = concat(macBytes(f.dst ?? '02:00:00:00:00:02'), macBytes(f.src ?? '02:00:00:00:00:01'), u16(firstType), tags, f.payload);
  if (f.pad && frame.length < 60) frame = concat(frame, new Uint8Array(60 - frame.length));
  if (f.fcs) {
    const crc = crc32(frame);
    frame = concat(frame, Uint8Array.of(crc & 0xff, (crc >>> 8) & 0xff, (crc >>> 16) & 0xff, crc >>> 24));
  }
  return frame;
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3), as Ethernet's FCS. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface ArpFields {
  /** 1 request (default), 2 reply */
  op?: number;
  senderMac?: string;
  senderIp?: string;
  targetMac?: string;
  targetIp?: string;
}

/** An ARP message for Ethernet/IPv4 (28 bytes). */
export function arp(f: ArpFields = {}): Uint8Array {
  return concat(
    u16(1), u16(ETHERTYPE.IPV4), Uint8Array.of(6, 4), u16(f.op ?? 1),
    macBytes(f.senderMac ?? '02:00:00:00:00:01'), ipv4Bytes(f.senderIp ?? '192.0.2.1'),
    macBytes(f.targetMac ?? '00:00:00:00:00:00'), ipv4Bytes(f.targetIp ?? '192.0.2.2'),
  );
}

/** A broadcast Ethernet frame carrying an ARP request, padded to 60 bytes as on the wire. */
export function arpFrame(f: ArpFields & { vlans?: readonly VlanTag[] } = {}): Uint8Array {
  return ethernet({ dst: 'ff:ff:ff:ff:ff:ff', src: f.senderMac, vlans: f.vlans, etherType: ETHERTYPE.ARP, payload: arp(f), pad: true });
}

export interface SllFields {
  /** the protocol field: an EtherType for ARPHRD_ETHER and most others */
  protocol: number;
  payload: Uint8Array;
  /** 0 to us, 1 broadcast, 2 multicast, 3 other host, 4 outgoing (default 0) */
  packetType?: number;
  /** ARPHRD_ type (default 1, ETHER) */
  arphrdType?: number;
  /** link-layer address (default 02:00:00:00:00:01); written into the 8-byte field, length field set */
  addr?: string;
  /** VLAN tags after the header, outermost first; `protocol` then becomes the type after the last tag */
  vlans?: readonly VlanTag[];
}

function linkAddress(text: string | undefined): { length: number; field: Uint8Array } {
  const mac = macBytes(text ?? '02:00:00:00:00:01');
  const field = new Uint8Array(8);
  field.set(mac);
  return { length: mac.length, field };
}

/** A LINUX_SLL (cooked v1) frame: 16-byte header, protocol at offset 14. */
export function sll(f: SllFields): Uint8Array {
  const { firstType, tags } = vlanChain(f.vlans, f.protocol);
  const address = linkAddress(f.addr);
  return concat(u16(f.packetType ?? 0), u16(f.arphrdType ?? 1), u16(address.length), address.field, u16(firstType), tags, f.payload);
}

export interface Sll2Fields extends SllFields {
  /** interface index (default 1) */
  interfaceIndex?: number;
}

/** A LINUX_SLL2 (cooked v2) frame: 20-byte header, protocol at offset 0. */
export function sll2(f: Sll2Fields): Uint8Array {
  const { firstType, tags } = vlanChain(f.vlans, f.protocol);
  const address = linkAddress(f.addr);
  return concat(
    u16(firstType), u16(0), u32(f.interfaceIndex ?? 1), u16(f.arphrdType ?? 1),
    Uint8Array.of(f.packetType ?? 0, address.length), address.field, tags, f.payload,
  );
}

/** A NULL (BSD loopback) frame: 4-byte address family in the capturing host's byte order. */
export function nullLoopback(af: number, payload: Uint8Array, littleEndian = true): Uint8Array {
  const header = new Uint8Array(4);
  new DataView(header.buffer).setUint32(0, af >>> 0, littleEndian);
  return concat(header, payload);
}

/** A LOOP (OpenBSD loopback) frame: 4-byte big-endian address family. */
export function loop(af: number, payload: Uint8Array): Uint8Array {
  return concat(u32(af), payload);
}

/** A RAW / IPV4 / IPV6 frame: the IP packet itself (a copy). */
export function raw(payload: Uint8Array): Uint8Array {
  return payload.slice();
}

// ---------------------------------------------------------------- shortcuts

/** An IPv4 UDP packet (a common test payload): `udp4('10.0.0.1', '10.0.0.2')`. */
export function udp4(src: string, dst: string, payload?: Uint8Array): Uint8Array {
  return ipv4({ src, dst, proto: IPPROTO.UDP, payload: udp({ srcPort: 40000, dstPort: 53, payload }) });
}

/** An IPv6 UDP packet. */
export function udp6(src: string, dst: string, payload?: Uint8Array): Uint8Array {
  return ipv6({ src, dst, nextHeader: IPPROTO.UDP, payload: udp({ srcPort: 40000, dstPort: 53, payload }) });
}

// ---------------------------------------------------------------- PPPoE, MPLS, PPP, Cisco HDLC

export interface PppoeSessionFields {
  /** the PPP protocol after the 6-byte PPPoE header (PPP_PROTOCOL) */
  protocol: number;
  payload: Uint8Array;
  /** default 0x1234 */
  sessionId?: number;
  /** the length field; default the PPP protocol and payload length (RFC 2516) */
  length?: number;
}

/** A PPPoE session header (version 1, type 1, code 0) and PPP protocol, then the payload: put it behind ETHERTYPE.PPPOE_SESSION. */
export function pppoeSession(f: PppoeSessionFields): Uint8Array {
  return concat(Uint8Array.of(0x11, 0x00), u16(f.sessionId ?? 0x1234), u16(f.length ?? 2 + f.payload.length), u16(f.protocol), f.payload);
}

export interface MplsEntry {
  /** 20-bit label */
  label: number;
  /** traffic class, 0..7 (default 0) */
  tc?: number;
  /** default 64 */
  ttl?: number;
}

/**
 * An MPLS label stack (RFC 3032), outermost label first, then the payload: put it behind
 * ETHERTYPE.MPLS. The bottom-of-stack bit is set on the last entry only, unless `bottom`
 * names another entry (or -1 for none: a stack that never ends).
 */
export function mplsStack(labels: readonly (number | MplsEntry)[], payload: Uint8Array, bottom = labels.length - 1): Uint8Array {
  const stack = new Uint8Array(4 * labels.length);
  const view = new DataView(stack.buffer);
  labels.forEach((entry, i) => {
    const { label, tc = 0, ttl = 64 } = typeof entry === 'number' ? { label: entry } : entry;
    view.setUint32(i * 4, (((label & 0xfffff) << 12) | ((tc & 7) << 9) | (i === bottom ? 0x100 : 0) | (ttl & 0xff)) >>> 0);
  });
  return concat(stack, payload);
}

export interface PppFields {
  /** PPP_PROTOCOL */
  protocol: number;
  payload: Uint8Array;
  /** write the 0xff 0x03 address and control bytes (default true) */
  addressControl?: boolean;
  /** write the protocol in one byte (RFC 1661 protocol-field compression; it must be below 0x100 and odd) */
  compressProtocol?: boolean;
}

/** A PPP frame (LINKTYPE_PPP, LINKTYPE_PPP_HDLC) without flags or FCS, as libpcap stores it. */
export function ppp(f: PppFields): Uint8Array {
  if (f.compressProtocol && (f.protocol > 0xff || !(f.protocol & 1))) throw new Error(`protocol 0x${f.protocol.toString(16)} cannot be compressed`);
  const prefix = f.addressControl === false ? new Uint8Array(0) : Uint8Array.of(0xff, 0x03);
  return concat(prefix, f.compressProtocol ? Uint8Array.of(f.protocol) : u16(f.protocol), f.payload);
}

export interface CiscoHdlcFields {
  /** the ethertype of the payload */
  protocol: number;
  payload: Uint8Array;
  /** 0x0f unicast (default), 0x8f broadcast */
  address?: number;
}

/** A Cisco HDLC frame (LINKTYPE_C_HDLC): address, control 0, a 2-byte ethertype, the payload. */
export function ciscoHdlc(f: CiscoHdlcFields): Uint8Array {
  return concat(Uint8Array.of(f.address ?? 0x0f, 0x00), u16(f.protocol), f.payload);
}
