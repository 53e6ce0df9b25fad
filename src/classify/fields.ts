// The packet fields block WebAssembly fills per record (assembly/classify/fields.ts, whose comment
// gives the layout): the same offsets and flags, and a decoder of one block for tests and
// reference models. Nothing here runs per packet in the counting loop.

import { formatIPv4, formatIPv6 } from '../net/address.js';

export const FIELDS_BYTES = 64;

export const FIELD_FAMILY = 0;
export const FIELD_PROTOCOL = 1;
export const FIELD_FLAGS = 2;
export const FIELD_TTL = 3;
export const FIELD_SOURCE_PORT = 4;
export const FIELD_DESTINATION_PORT = 6;
export const FIELD_TCP_FLAGS = 8;
export const FIELD_ICMP_TYPE = 9;
export const FIELD_ICMP_CODE = 10;
export const FIELD_VLAN_COUNT = 11;
export const FIELD_VLAN_OUTER = 12;
export const FIELD_VLAN_INNER = 14;
export const FIELD_IP_LENGTH = 16;
export const FIELD_INTERFACE = 20;
export const FIELD_SOURCE_HI = 24;
export const FIELD_SOURCE_LO = 32;
export const FIELD_DESTINATION_HI = 40;
export const FIELD_DESTINATION_LO = 48;
export const FIELD_ETHERTYPE = 56;

/** TCP, UDP or SCTP ports captured, and not a later fragment */
export const FLAG_HAS_PORTS = 1;
export const FLAG_HAS_TCP_FLAGS = 2;
/** ICMP (IPv4) or ICMPv6 (IPv6) type and code captured */
export const FLAG_HAS_ICMP = 4;
/** any fragment: MF set or an offset (IPv4), or an IPv6 fragment header */
export const FLAG_FRAGMENT = 8;
/** a fragment offset above 0: no transport header */
export const FLAG_LATER_FRAGMENT = 16;
/** the transport protocol is known (IPv6: the extension headers were all captured) */
export const FLAG_HAS_PROTOCOL = 32;

export const TCP_FLAG = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128 } as const;

/** One record's fields, as plain values; what a flag says is absent is null. */
export interface PacketFields {
  /** 0 not IP (or not decoded), 4, 6 */
  family: 0 | 4 | 6;
  source: string | null;
  destination: string | null;
  protocol: number | null;
  flags: number;
  /** IPv4 TTL or IPv6 hop limit; null when not IP */
  ttl: number | null;
  sourcePort: number | null;
  destinationPort: number | null;
  tcpFlags: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  fragment: boolean;
  laterFragment: boolean;
  /** IPv4 total length, IPv6 payload length + 40; null when not IP */
  ipLength: number | null;
  /** VLAN tags skipped (255 for 255 or more), and the ids of the first two */
  vlanCount: number;
  vlanIds: number[];
  /** the ethertype after VLAN tags, 0 for link types without one */
  ethertype: number;
  /** the capture interface's number (0 unnamed) */
  interface: number;
}

/** The 16 bytes of an IPv6 address kept as two host-order halves at `at` and `at + 8`. */
function ipv6At(view: DataView, at: number): string {
  const bytes = new Uint8Array(16);
  const out = new DataView(bytes.buffer);
  out.setBigUint64(0, view.getBigUint64(at, true));
  out.setBigUint64(8, view.getBigUint64(at + 8, true));
  return formatIPv6(bytes);
}

/** Decodes the fields block at byte `at` of `view` (WebAssembly memory, or a copy of it). */
export function readFields(view: DataView, at: number): PacketFields {
  const u8 = (offset: number): number => view.getUint8(at + offset);
  const u16 = (offset: number): number => view.getUint16(at + offset, true);
  const family = u8(FIELD_FAMILY);
  const flags = u8(FIELD_FLAGS);
  const ip = family === 4 || family === 6;
  const address = (offset: number): string | null =>
    family === 4 ? formatIPv4(view.getUint32(at + offset, true)) : family === 6 ? ipv6At(view, at + offset) : null;
  const ports = (flags & FLAG_HAS_PORTS) !== 0;
  const icmp = (flags & FLAG_HAS_ICMP) !== 0;
  const vlanCount = u8(FIELD_VLAN_COUNT);
  return {
    family: ip ? family : 0,
    source: address(FIELD_SOURCE_HI),
    destination: address(FIELD_DESTINATION_HI),
    protocol: flags & FLAG_HAS_PROTOCOL ? u8(FIELD_PROTOCOL) : null,
    flags,
    ttl: ip ? u8(FIELD_TTL) : null,
    sourcePort: ports ? u16(FIELD_SOURCE_PORT) : null,
    destinationPort: ports ? u16(FIELD_DESTINATION_PORT) : null,
    tcpFlags: flags & FLAG_HAS_TCP_FLAGS ? u8(FIELD_TCP_FLAGS) : null,
    icmpType: icmp ? u8(FIELD_ICMP_TYPE) : null,
    icmpCode: icmp ? u8(FIELD_ICMP_CODE) : null,
    fragment: (flags & FLAG_FRAGMENT) !== 0,
    laterFragment: (flags & FLAG_LATER_FRAGMENT) !== 0,
    ipLength: ip ? view.getUint32(at + FIELD_IP_LENGTH, true) : null,
    vlanCount,
    vlanIds: [u16(FIELD_VLAN_OUTER), u16(FIELD_VLAN_INNER)].slice(0, Math.min(vlanCount, 2)),
    ethertype: u16(FIELD_ETHERTYPE),
    interface: view.getUint32(at + FIELD_INTERFACE, true),
  };
}
