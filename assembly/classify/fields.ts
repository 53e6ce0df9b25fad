// A record's packet fields, in one pass over its headers, for the filters and rules (issue 12) and
// the security checks (issue 13). It runs after decodeLink and decodeIPv4/decodeIPv6 and reads what
// they left (networkOffset, tagsEnd, the frame kind), so it costs nothing until called.
// Each header's length is checked once against the captured bytes, then its fields are read.
//
// The 64-byte block at `out` (little-endian; src/classify/fields.ts mirrors it):
//   @0  u8  family: 0 not IP (or not decoded), 4 IPv4, 6 IPv6
//   @1  u8  transport protocol (IPv6: after hop-by-hop, routing, fragment, destination options, AH),
//           valid with FLAG_HAS_PROTOCOL
//   @2  u8  flags (FLAG_*)
//   @3  u8  IPv4 TTL or IPv6 hop limit
//   @4  u16 source port   @6 u16 destination port (TCP, UDP, SCTP; with FLAG_HAS_PORTS)
//   @8  u8  TCP flags (FIN 1 SYN 2 RST 4 PSH 8 ACK 16 URG 32 ECE 64 CWR 128)
//   @9  u8  ICMP or ICMPv6 type   @10 u8 its code (with FLAG_HAS_ICMP)
//   @11 u8  VLAN tags skipped (255 for 255 or more)   @12 u16 the first's id   @14 u16 the second's
//   @16 u32 IP length: IPv4 total length, IPv6 payload length + 40
//   @20 u32 capture interface number (classify/interfaces.ts: 0 unnamed)
//   @24 u64 source hi   @32 u64 source lo   @40 u64 destination hi   @48 u64 destination lo
//           (IPv6: the two host-order halves; IPv4: the host-order address in hi, lo 0)
//   @56 u16 the ethertype after VLAN tags (0 for link types without one)   @58..63 reserved, 0

import { networkOffset, tagsEnd } from '../parse/link';
import { FRAME_IPV4, FRAME_IPV6 } from '../parse/status';
import { currentInterface } from './interfaces';

export const FIELDS_BYTES: usize = 64;

export const FIELD_FAMILY: usize = 0;
export const FIELD_PROTOCOL: usize = 1;
export const FIELD_FLAGS: usize = 2;
export const FIELD_TTL: usize = 3;
export const FIELD_SOURCE_PORT: usize = 4;
export const FIELD_DESTINATION_PORT: usize = 6;
export const FIELD_TCP_FLAGS: usize = 8;
export const FIELD_ICMP_TYPE: usize = 9;
export const FIELD_ICMP_CODE: usize = 10;
export const FIELD_VLAN_COUNT: usize = 11;
export const FIELD_VLAN_OUTER: usize = 12;
export const FIELD_VLAN_INNER: usize = 14;
export const FIELD_IP_LENGTH: usize = 16;
export const FIELD_INTERFACE: usize = 20;
export const FIELD_SOURCE_HI: usize = 24;
export const FIELD_SOURCE_LO: usize = 32;
export const FIELD_DESTINATION_HI: usize = 40;
export const FIELD_DESTINATION_LO: usize = 48;
export const FIELD_ETHERTYPE: usize = 56;

export const FLAG_HAS_PORTS: u8 = 1;
export const FLAG_HAS_TCP_FLAGS: u8 = 2;
export const FLAG_HAS_ICMP: u8 = 4;
export const FLAG_FRAGMENT: u8 = 8;
export const FLAG_LATER_FRAGMENT: u8 = 16;
export const FLAG_HAS_PROTOCOL: u8 = 32;

const PROTO_HOP_BY_HOP: u32 = 0;
const PROTO_ICMP: u32 = 1;
const PROTO_TCP: u32 = 6;
const PROTO_UDP: u32 = 17;
const PROTO_ROUTING: u32 = 43;
const PROTO_FRAGMENT: u32 = 44;
const PROTO_AH: u32 = 51;
const PROTO_ICMPV6: u32 = 58;
const PROTO_DESTINATION_OPTIONS: u32 = 60;
const PROTO_SCTP: u32 = 132;

@inline function be16(at: usize): u32 {
  return <u32>bswap<u16>(load<u16>(at));
}

/**
 * Fills the fields block at `out` for the frame decodeLink and decodeIPv4/decodeIPv6 just decoded
 * (`frameKind` is what they returned: FRAME_IPV4 and FRAME_IPV6 promise a fixed IP header captured).
 * Other kinds get the link fields only, family 0.
 */
export function decodeFields(linkType: u32, data: usize, caplen: u32, frameKind: i32, out: usize): void {
  store<u64>(out, 0);
  store<u64>(out, 0, 8);
  store<u64>(out, 0, 16);
  store<u64>(out, 0, 24);
  store<u64>(out, 0, 32);
  store<u64>(out, 0, 40);
  store<u64>(out, 0, 48);
  store<u64>(out, 0, 56);
  decodeLinkFields(linkType, data, caplen, out);
  store<u32>(out, currentInterface, FIELD_INTERFACE);
  if (frameKind == FRAME_IPV4) decodeIPv4Fields(data, caplen, networkOffset, out);
  else if (frameKind == FRAME_IPV6) decodeIPv6Fields(data, caplen, networkOffset, out);
}

const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_C_HDLC: u32 = 104;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_LINUX_SLL2: u32 = 276;

/**
 * VLAN tags and the ethertype after them, read back from the frame: decodeLink leaves only where the
 * tags end (tagsEnd), and only for links whose header it found captured, which is checked again here.
 */
function decodeLinkFields(linkType: u32, data: usize, caplen: u32, out: usize): void {
  if (linkType == LINKTYPE_C_HDLC) {
    if (caplen >= 4) store<u16>(out, bswap<u16>(load<u16>(data, 2)), FIELD_ETHERTYPE);
    return;
  }
  let tagsStart: u32;
  let ethertypeAt: u32;
  if (linkType == LINKTYPE_ETHERNET) tagsStart = ethertypeAt = 14;
  else if (linkType == LINKTYPE_LINUX_SLL) tagsStart = ethertypeAt = 16;
  else if (linkType == LINKTYPE_LINUX_SLL2) { tagsStart = 20; ethertypeAt = 2; }
  else return;
  if (caplen < tagsStart) return; // decodeLink stopped before the tags: tagsEnd is another frame's
  const end = tagsEnd;
  const tags = (end - tagsStart) >> 2;
  // the ethertype field is the 2 bytes before the tags end, or the link header's own
  store<u16>(out, bswap<u16>(load<u16>(data + (tags ? end : ethertypeAt) - 2)), FIELD_ETHERTYPE);
  store<u8>(out, <u8>min<u32>(tags, 255), FIELD_VLAN_COUNT);
  // each tag: 2 bytes of tag control (the id in its low 12 bits), then the next ethertype
  if (tags > 0) store<u16>(out, bswap<u16>(load<u16>(data + tagsStart)) & 0xfff, FIELD_VLAN_OUTER);
  if (tags > 1) store<u16>(out, bswap<u16>(load<u16>(data + tagsStart + 4)) & 0xfff, FIELD_VLAN_INNER);
}

function decodeIPv4Fields(data: usize, caplen: u32, offset: u32, out: usize): void {
  // decodeIPv4 checked the version, IHL ≥ 5 and the 20 fixed bytes
  const header = data + offset;
  const protocol = <u32>load<u8>(header, 9);
  const fragment = be16(header + 6);
  let flags = FLAG_HAS_PROTOCOL;
  if (fragment & 0x3fff) flags |= FLAG_FRAGMENT; // MF or an offset
  const later = (fragment & 0x1fff) != 0;
  if (later) flags |= FLAG_LATER_FRAGMENT;
  store<u8>(out, 4, FIELD_FAMILY);
  store<u8>(out, <u8>protocol, FIELD_PROTOCOL);
  store<u8>(out, load<u8>(header, 8), FIELD_TTL);
  store<u32>(out, be16(header + 2), FIELD_IP_LENGTH);
  store<u64>(out, <u64>bswap<u32>(load<u32>(header, 12)), FIELD_SOURCE_HI);
  store<u64>(out, <u64>bswap<u32>(load<u32>(header, 16)), FIELD_DESTINATION_HI);
  const transport = offset + ((<u32>load<u8>(header) & 15) << 2);
  if (!later && transport < caplen) {
    flags |= decodeTransport(data + transport, caplen - transport, protocol, PROTO_ICMP, out);
  }
  store<u8>(out, flags, FIELD_FLAGS);
}

function decodeIPv6Fields(data: usize, caplen: u32, offset: u32, out: usize): void {
  // decodeIPv6 checked the version and the 40 fixed bytes
  const header = data + offset;
  store<u8>(out, 6, FIELD_FAMILY);
  store<u8>(out, load<u8>(header, 7), FIELD_TTL);
  store<u32>(out, be16(header + 4) + 40, FIELD_IP_LENGTH);
  store<u64>(out, bswap<u64>(load<u64>(header, 8)), FIELD_SOURCE_HI);
  store<u64>(out, bswap<u64>(load<u64>(header, 16)), FIELD_SOURCE_LO);
  store<u64>(out, bswap<u64>(load<u64>(header, 24)), FIELD_DESTINATION_HI);
  store<u64>(out, bswap<u64>(load<u64>(header, 32)), FIELD_DESTINATION_LO);
  let next = <u32>load<u8>(header, 6);
  let at = offset + 40;
  let flags: u8 = 0;
  // the extension headers: each moves `at` on by 8 bytes or more, so the walk ends within caplen
  while (next == PROTO_HOP_BY_HOP || next == PROTO_ROUTING || next == PROTO_FRAGMENT
    || next == PROTO_DESTINATION_OPTIONS || next == PROTO_AH) {
    // each starts with its next header and length bytes, all this walk reads of it, so the header
    // may be cut after them (the transport then is); a fragment header is whole or not read, as
    // tshark does with its 8 fixed bytes
    if (at + (next == PROTO_FRAGMENT ? <u32>8 : <u32>2) > caplen) {
      // the chain is cut before the next protocol is named: it is not known
      store<u8>(out, flags, FIELD_FLAGS);
      return;
    }
    const extension = data + at;
    const following = <u32>load<u8>(extension);
    if (next == PROTO_FRAGMENT) {
      flags |= FLAG_FRAGMENT;
      at += 8;
      if (be16(extension + 2) & 0xfff8) {
        // what follows a later fragment is payload, not headers: the protocol is known, no ports
        flags |= FLAG_LATER_FRAGMENT | FLAG_HAS_PROTOCOL;
        store<u8>(out, <u8>following, FIELD_PROTOCOL);
        store<u8>(out, flags, FIELD_FLAGS);
        return;
      }
    } else if (next == PROTO_AH) {
      at += (<u32>load<u8>(extension, 1) + 2) << 2; // RFC 4302: 4-byte units, minus 2
    } else {
      at += (<u32>load<u8>(extension, 1) + 1) << 3; // RFC 8200: 8-byte units, minus 1
    }
    next = following;
  }
  flags |= FLAG_HAS_PROTOCOL;
  store<u8>(out, <u8>next, FIELD_PROTOCOL);
  if (at < caplen) flags |= decodeTransport(data + at, caplen - at, next, PROTO_ICMPV6, out);
  store<u8>(out, flags, FIELD_FLAGS);
}

/** Ports, TCP flags or ICMP type and code of the transport header at `header` (`available` bytes captured, ≥ 1). */
@inline function decodeTransport(header: usize, available: u32, protocol: u32, icmp: u32, out: usize): u8 {
  if (protocol == PROTO_TCP || protocol == PROTO_UDP || protocol == PROTO_SCTP) {
    if (available < 4) return 0;
    store<u16>(out, bswap<u16>(load<u16>(header)), FIELD_SOURCE_PORT);
    store<u16>(out, bswap<u16>(load<u16>(header, 2)), FIELD_DESTINATION_PORT);
    if (protocol != PROTO_TCP || available < 14) return FLAG_HAS_PORTS;
    store<u8>(out, load<u8>(header, 13), FIELD_TCP_FLAGS);
    return FLAG_HAS_PORTS | FLAG_HAS_TCP_FLAGS;
  }
  if (protocol == icmp && available >= 2) {
    store<u8>(out, load<u8>(header), FIELD_ICMP_TYPE);
    store<u8>(out, load<u8>(header, 1), FIELD_ICMP_CODE);
    return FLAG_HAS_ICMP;
  }
  return 0;
}
