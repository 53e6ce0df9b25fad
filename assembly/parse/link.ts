// The link layer: where the network header starts and which IP version the link announces.
// Each decoder checks its header length once, then reads fields without further checks.

import {
  FRAME_IPV4, FRAME_IPV6, FRAME_MALFORMED, FRAME_NON_IP, FRAME_UNSUPPORTED_LINK,
  REASON_LINK_HEADER_TRUNCATED,
} from './status';

// link types (tcpdump.org/linktypes.html)
const LINKTYPE_NULL: u32 = 0;
const LINKTYPE_ETHERNET: u32 = 1;
const LINKTYPE_RAW_BSD12: u32 = 12;
const LINKTYPE_RAW_BSD14: u32 = 14;
const LINKTYPE_RAW: u32 = 101;
const LINKTYPE_LOOP: u32 = 108;
const LINKTYPE_LINUX_SLL: u32 = 113;
const LINKTYPE_IPV4: u32 = 228;
const LINKTYPE_IPV6: u32 = 229;
const LINKTYPE_LINUX_SLL2: u32 = 276;
const LINKTYPE_PPP: u32 = 9;
const LINKTYPE_PPP_HDLC: u32 = 50;
const LINKTYPE_C_HDLC: u32 = 104;

const ETHERTYPE_IPV4: u32 = 0x0800;
const ETHERTYPE_IPV6: u32 = 0x86dd;
const ETHERTYPE_PPPOE_SESSION: u32 = 0x8864;
const ETHERTYPE_MPLS_UNICAST: u32 = 0x8847;
const ETHERTYPE_MPLS_MULTICAST: u32 = 0x8848;

const PPP_IPV4: u32 = 0x0021;
const PPP_IPV6: u32 = 0x0057;

/** Where the network header of the last frame starts, and the malformed reason if any. */
export let networkOffset: u32 = 0;
export let linkReason: i32 = 0;
/**
 * Where the VLAN tags byEthertype skipped end (the offset after the ethertype that follows them),
 * set only when it runs: the packet fields (classify/fields.ts) read the tags and the ethertype
 * back from the frame, so counting pays one store for them.
 */
export let tagsEnd: u32 = 0;

// Why the last frame is not IP (set only when FRAME_NON_IP is returned): a kind in the high 32
// bits, the field the link layer decoded in the low 32 (count/frame-types.ts counts them).
export let nonIpKey: u64 = 0;
/** the ethertype after any VLAN tags (also MPLS whose payload is not IP: 0x8847, 0x8848) */
export const NON_IP_ETHERTYPE: u64 = 1;
/** an Ethernet type field below 0x0600: an 802.3 length, the frame is LLC (value 0) */
export const NON_IP_LLC: u64 = 2;
/** the PPP protocol, on PPP links and in PPPoE sessions */
export const NON_IP_PPP: u64 = 3;
/** the Cisco HDLC protocol (ethertype numbers, but 0x8035 is SLARP there) */
export const NON_IP_CISCO_HDLC: u64 = 4;
/** the BSD address family of NULL and LOOP links */
export const NON_IP_ADDRESS_FAMILY: u64 = 5;

@inline function notIp(kind: u64, value: u32): i32 {
  nonIpKey = kind << 32 | <u64>value;
  return FRAME_NON_IP;
}

@inline function be16(at: usize): u32 {
  return <u32>bswap<u16>(load<u16>(at));
}

/** IPv4, IPv6 or not IP, from an ethertype; VLAN tags from `offset` on are skipped, then PPPoE or MPLS. */
function byEthertype(data: usize, caplen: u32, offset: u32, ethertype: u32): i32 {
  // 802.1Q, 802.1ad and the old QinQ tag: 2 bytes of tag control, then the next ethertype
  while (ethertype == 0x8100 || ethertype == 0x88a8 || ethertype == 0x9100) {
    if (offset + 4 > caplen) {
      tagsEnd = offset;
      return truncated();
    }
    ethertype = be16(data + offset + 2);
    offset += 4;
  }
  tagsEnd = offset;
  networkOffset = offset;
  if (ethertype == ETHERTYPE_IPV4) return FRAME_IPV4;
  if (ethertype == ETHERTYPE_IPV6) return FRAME_IPV6;
  if (ethertype == ETHERTYPE_PPPOE_SESSION) return byPppoeSession(data, caplen, offset);
  if (ethertype == ETHERTYPE_MPLS_UNICAST || ethertype == ETHERTYPE_MPLS_MULTICAST) return byMplsStack(data, caplen, offset, ethertype);
  // below 0x0600 the field is a length (IEEE 802.3), whatever its value: one key for them all
  if (ethertype < 0x0600) return notIp(NON_IP_LLC, 0);
  return notIp(NON_IP_ETHERTYPE, ethertype);
}

/** PPPoE session (RFC 2516): version/type, code, session id and length, then the PPP protocol. */
function byPppoeSession(data: usize, caplen: u32, offset: u32): i32 {
  if (offset + 8 > caplen) return truncated();
  networkOffset = offset + 8;
  return byPppProtocol(be16(data + offset + 6));
}

/**
 * An MPLS label stack (RFC 3032): 4-byte entries up to the one with the bottom-of-stack bit,
 * then the version nibble of what follows. A stack the capture cuts short is not counted.
 */
function byMplsStack(data: usize, caplen: u32, offset: u32, ethertype: u32): i32 {
  // bounded by caplen: every entry moves offset on by 4
  while (true) {
    if (offset + 4 > caplen) return truncated();
    const bottom = load<u8>(data + offset + 2) & 1;
    offset += 4;
    if (bottom) break;
  }
  networkOffset = offset;
  // nothing captured after the stack: no nibble to tell the version by
  if (offset >= caplen) return truncated();
  const version = <u32>load<u8>(data + offset) >> 4;
  if (version == 4) return FRAME_IPV4;
  if (version == 6) return FRAME_IPV6;
  return notIp(NON_IP_ETHERTYPE, ethertype);
}

/** IPv4, IPv6 or not IP, from a PPP protocol number (networkOffset is already set). */
@inline function byPppProtocol(protocol: u32): i32 {
  if (protocol == PPP_IPV4) return FRAME_IPV4;
  if (protocol == PPP_IPV6) return FRAME_IPV6;
  return notIp(NON_IP_PPP, protocol);
}

/**
 * PPP in HDLC-like framing (RFC 1662): an optional 0xff 0x03 address and control, then the
 * protocol, 1 byte when its first byte is odd (RFC 1661 field compression), else 2.
 */
function byPppFrame(data: usize, caplen: u32): i32 {
  if (caplen < 1) return truncated();
  let offset: u32 = 0;
  if (load<u8>(data) == 0xff) {
    // the address byte of the prefix, or protocol 0xff: with nothing after it, it is not told
    if (caplen < 2) return truncated();
    if (load<u8>(data + 1) == 0x03) offset = 2;
  }
  if (offset >= caplen) return truncated();
  const first = <u32>load<u8>(data + offset);
  if (first & 1) {
    networkOffset = offset + 1;
    return byPppProtocol(first);
  }
  if (offset + 2 > caplen) return truncated();
  networkOffset = offset + 2;
  return byPppProtocol(be16(data + offset));
}

function truncated(): i32 {
  linkReason = REASON_LINK_HEADER_TRUNCATED;
  return FRAME_MALFORMED;
}

/** BSD address families: 2 is IPv4; 24, 28 and 30 are IPv6 (NetBSD, FreeBSD, Darwin). */
function byAddressFamily(family: u32): i32 {
  networkOffset = 4;
  if (family == 2) return FRAME_IPV4;
  if (family == 24 || family == 28 || family == 30) return FRAME_IPV6;
  return notIp(NON_IP_ADDRESS_FAMILY, family);
}

/** Decodes the link header of a frame of `caplen` captured bytes at `data`. */
export function decodeLink(linkType: u32, data: usize, caplen: u32): i32 {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (caplen < 14) return truncated();
      return byEthertype(data, caplen, 14, be16(data + 12));
    }
    case LINKTYPE_LINUX_SLL: {
      if (caplen < 16) return truncated();
      return byEthertype(data, caplen, 16, be16(data + 14));
    }
    case LINKTYPE_LINUX_SLL2: {
      if (caplen < 20) return truncated();
      return byEthertype(data, caplen, 20, be16(data));
    }
    case LINKTYPE_NULL: {
      if (caplen < 4) return truncated();
      // the family is in the byte order of the machine that captured: a small number either way
      let family = load<u32>(data);
      if (family & 0xffff0000) family = bswap<u32>(family);
      return byAddressFamily(family);
    }
    case LINKTYPE_LOOP: {
      if (caplen < 4) return truncated();
      return byAddressFamily(bswap<u32>(load<u32>(data)));
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_BSD12:
    case LINKTYPE_RAW_BSD14: {
      networkOffset = 0;
      // the version nibble decides; anything else is taken as IPv4 and fails its version check
      if (caplen >= 1 && (load<u8>(data) >> 4) == 6) return FRAME_IPV6;
      return FRAME_IPV4;
    }
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC: return byPppFrame(data, caplen);
    case LINKTYPE_C_HDLC: {
      // address and control bytes, then an ethertype that alone decides: no tags, PPPoE or MPLS behind it
      if (caplen < 4) return truncated();
      networkOffset = 4;
      const ethertype = be16(data + 2);
      if (ethertype == ETHERTYPE_IPV4) return FRAME_IPV4;
      if (ethertype == ETHERTYPE_IPV6) return FRAME_IPV6;
      return notIp(NON_IP_CISCO_HDLC, ethertype);
    }
    case LINKTYPE_IPV4: {
      networkOffset = 0;
      return FRAME_IPV4;
    }
    case LINKTYPE_IPV6: {
      networkOffset = 0;
      return FRAME_IPV6;
    }
  }
  return FRAME_UNSUPPORTED_LINK;
}
