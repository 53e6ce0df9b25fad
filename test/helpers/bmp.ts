// BMP (RFC 7854) message builders for tests, and the BGP messages they carry (OPEN, UPDATE,
// NOTIFICATION), from readable fields. Every builder returns a fresh Uint8Array; a builder's
// length fields are right unless a test overrides them.
import { concat, ipv4Bytes, ipv6Bytes } from './packets.js';

export const BMP_TYPE = {
  ROUTE_MONITORING: 0, STATISTICS_REPORT: 1, PEER_DOWN: 2, PEER_UP: 3, INITIATION: 4, TERMINATION: 5, ROUTE_MIRRORING: 6,
} as const;

export const FLAG = { V: 0x80, L: 0x40, A: 0x20, O: 0x10 } as const;

function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}
function u32(v: number): Uint8Array {
  return Uint8Array.of((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}
const text = (s: string) => new TextEncoder().encode(s);
const isV6 = (address: string) => address.includes(':');

/** A 16-byte BMP address field: IPv4 in the last 4 bytes. */
export function addressField(address: string): Uint8Array {
  if (isV6(address)) return ipv6Bytes(address);
  return concat(new Uint8Array(12), ipv4Bytes(address));
}

/** Common header + body; `length` overrides the length field. */
export function bmpMessage(type: number, body: Uint8Array, length = 6 + body.length, version = 3): Uint8Array {
  return concat(Uint8Array.of(version), u32(length), Uint8Array.of(type), body);
}

export interface PeerFields {
  address: string;
  as: number;
  routerId?: string;
  /** 0 global (default), 1 RD, 2 local, 3 Loc-RIB */
  peerType?: number;
  /** Without V: set from the address. */
  flags?: number;
  postPolicy?: boolean;
  distinguisher?: Uint8Array;
  seconds?: number;
  microseconds?: number;
}

/** The 42-byte per-peer header; V set for an IPv6 address, L with `postPolicy`. */
export function perPeerHeader(p: PeerFields): Uint8Array {
  const flags = (p.flags ?? 0) | (isV6(p.address) ? FLAG.V : 0) | (p.postPolicy ? FLAG.L : 0);
  return concat(
    Uint8Array.of(p.peerType ?? 0, flags), p.distinguisher ?? new Uint8Array(8), addressField(p.address),
    u32(p.as), ipv4Bytes(p.routerId ?? '0.0.0.0'), u32(p.seconds ?? 1_700_000_000), u32(p.microseconds ?? 250_000),
  );
}

export function tlv(type: number, value: Uint8Array): Uint8Array {
  return concat(u16(type), u16(value.length), value);
}

export function initiation(f: { sysName?: string; sysDescr?: string; strings?: string[] } = {}): Uint8Array {
  return bmpMessage(BMP_TYPE.INITIATION, concat(
    ...(f.strings ?? []).map((s) => tlv(0, text(s))),
    ...(f.sysDescr === undefined ? [] : [tlv(1, text(f.sysDescr))]),
    ...(f.sysName === undefined ? [] : [tlv(2, text(f.sysName))]),
  ));
}

export function termination(f: { reason?: number; text?: string } = {}): Uint8Array {
  return bmpMessage(BMP_TYPE.TERMINATION, concat(
    ...(f.text === undefined ? [] : [tlv(0, text(f.text))]),
    ...(f.reason === undefined ? [] : [tlv(1, u16(f.reason))]),
  ));
}

/** A BGP message: marker, length, type, body. */
export function bgpMessage(type: number, body: Uint8Array): Uint8Array {
  return concat(new Uint8Array(16).fill(0xff), u16(19 + body.length), Uint8Array.of(type), body);
}

export interface OpenFields {
  as: number;
  routerId: string;
  holdTime?: number;
  /** Offer the 4-octet AS capability (default true). */
  fourOctetAs?: boolean;
  /** Multiprotocol capabilities as [afi, safi] (default IPv4 and IPv6 unicast). */
  families?: [number, number][];
}

export function bgpOpen(f: OpenFields): Uint8Array {
  const capabilities = [
    ...(f.families ?? [[1, 1], [2, 1]]).map(([afi, safi]) => concat(Uint8Array.of(1, 4), u16(afi), Uint8Array.of(0, safi))),
    Uint8Array.of(2, 0), // route refresh
    ...(f.fourOctetAs ?? true ? [concat(Uint8Array.of(65, 4), u32(f.as))] : []),
  ];
  const parameters = concat(...capabilities.map((c) => concat(Uint8Array.of(2, c.length), c)));
  return bgpMessage(1, concat(
    Uint8Array.of(4), u16(f.as > 0xffff ? 23456 : f.as), u16(f.holdTime ?? 90), ipv4Bytes(f.routerId),
    Uint8Array.of(parameters.length), parameters,
  ));
}

/** `a.b.c.d/len` or `x::/len` as NLRI: length byte and the prefix's significant bytes. */
export function nlri(prefix: string): Uint8Array {
  const [address, lengthText] = prefix.split('/');
  const length = Number(lengthText);
  const bytes = isV6(address) ? ipv6Bytes(address) : ipv4Bytes(address);
  return concat(Uint8Array.of(length), bytes.subarray(0, (length + 7) >> 3));
}

function attribute(flags: number, type: number, value: Uint8Array): Uint8Array {
  return value.length > 255
    ? concat(Uint8Array.of(flags | 0x10, type), u16(value.length), value)
    : concat(Uint8Array.of(flags, type, value.length), value);
}

export interface UpdateFields {
  withdrawn?: string[];
  announced?: string[];
  origin?: number;
  /** AS_SEQUENCE members (one segment); absent: no AS_PATH attribute at all. */
  asPath?: number[];
  /** AS numbers written in 2 bytes (a session without 4-octet AS) instead of 4. */
  twoOctetAs?: boolean;
  nextHop?: string;
  med?: number;
  localPref?: number;
  /** `65000:100` */
  communities?: string[];
  /** IPv6 routes in MP_REACH_NLRI with this global next hop. */
  ipv6?: { nextHop: string; announced?: string[]; withdrawn?: string[] };
}

/** A BGP UPDATE: IPv4 routes in the classic fields, IPv6 ones in MP_REACH/MP_UNREACH. */
export function bgpUpdate(f: UpdateFields): Uint8Array {
  const withdrawn = concat(...(f.withdrawn ?? []).map(nlri));
  const attributes: Uint8Array[] = [];
  const announces = (f.announced?.length ?? 0) > 0 || (f.ipv6?.announced?.length ?? 0) > 0;
  if (announces || f.origin !== undefined) attributes.push(attribute(0x40, 1, Uint8Array.of(f.origin ?? 0)));
  if (f.asPath !== undefined) {
    const width = f.twoOctetAs ? u16 : u32;
    attributes.push(attribute(0x40, 2, f.asPath.length === 0 ? new Uint8Array(0)
      : concat(Uint8Array.of(2, f.asPath.length), ...f.asPath.map(width))));
  }
  if (f.nextHop !== undefined) attributes.push(attribute(0x40, 3, ipv4Bytes(f.nextHop)));
  if (f.med !== undefined) attributes.push(attribute(0x80, 4, u32(f.med)));
  if (f.localPref !== undefined) attributes.push(attribute(0x40, 5, u32(f.localPref)));
  if (f.communities?.length) {
    attributes.push(attribute(0xc0, 8, concat(...f.communities.map((c) => {
      const [high, low] = c.split(':').map(Number);
      return concat(u16(high), u16(low));
    }))));
  }
  if (f.ipv6?.announced?.length) {
    attributes.push(attribute(0x80, 14, concat(u16(2), Uint8Array.of(1, 16), ipv6Bytes(f.ipv6.nextHop), Uint8Array.of(0),
      ...f.ipv6.announced.map(nlri))));
  }
  if (f.ipv6?.withdrawn?.length) {
    attributes.push(attribute(0x80, 15, concat(u16(2), Uint8Array.of(1), ...f.ipv6.withdrawn.map(nlri))));
  }
  const path = concat(...attributes);
  return bgpMessage(2, concat(u16(withdrawn.length), withdrawn, u16(path.length), path, ...(f.announced ?? []).map(nlri)));
}

export function bgpNotification(code: number, subcode: number, data = new Uint8Array(0)): Uint8Array {
  return bgpMessage(3, concat(Uint8Array.of(code, subcode), data));
}

export interface PeerUpFields {
  peer: PeerFields;
  localAddress: string;
  localPort?: number;
  remotePort?: number;
  sentOpen: Uint8Array;
  receivedOpen: Uint8Array;
  info?: Uint8Array[];
}

export function peerUp(f: PeerUpFields): Uint8Array {
  return bmpMessage(BMP_TYPE.PEER_UP, concat(
    perPeerHeader(f.peer), addressField(f.localAddress), u16(f.localPort ?? 179), u16(f.remotePort ?? 40000),
    f.sentOpen, f.receivedOpen, ...(f.info ?? []),
  ));
}

/** Reason 1/3 with `notification`, 2 with `fsmEvent`, 4/5 with nothing. */
export function peerDown(f: { peer: PeerFields; reason: number; notification?: Uint8Array; fsmEvent?: number }): Uint8Array {
  const data = f.notification ?? (f.fsmEvent === undefined ? new Uint8Array(0) : u16(f.fsmEvent));
  return bmpMessage(BMP_TYPE.PEER_DOWN, concat(perPeerHeader(f.peer), Uint8Array.of(f.reason), data));
}

export function routeMonitoring(peer: PeerFields, update: Uint8Array): Uint8Array {
  return bmpMessage(BMP_TYPE.ROUTE_MONITORING, concat(perPeerHeader(peer), update));
}

/** Stat TLVs: 32-bit counters by default, `gauge` 64-bit. */
export function statisticsReport(peer: PeerFields, stats: { type: number; value: number; gauge?: boolean }[]): Uint8Array {
  return bmpMessage(BMP_TYPE.STATISTICS_REPORT, concat(perPeerHeader(peer), u32(stats.length),
    ...stats.map((s) => tlv(s.type, s.gauge ? concat(u32(Math.floor(s.value / 2 ** 32)), u32(s.value >>> 0)) : u32(s.value)))));
}

export function routeMirroring(peer: PeerFields, bgp: Uint8Array, information?: number): Uint8Array {
  return bmpMessage(BMP_TYPE.ROUTE_MIRRORING, concat(perPeerHeader(peer), tlv(0, bgp),
    ...(information === undefined ? [] : [tlv(1, u16(information))])));
}

/** A message with its common header's length set to `length` and cut there: what truncation tests feed. */
export function cutMessage(message: Uint8Array, length: number): Uint8Array {
  const out = message.slice(0, length);
  new DataView(out.buffer).setUint32(1, length);
  return out;
}
