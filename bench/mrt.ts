// An MRT TABLE_DUMP_V2 writer (RFC 6396 4.3), enough for `gobgp mrt inject global FILE` and
// bgpdump: one PEER_INDEX_TABLE with one peer, then one RIB_IPV4_UNICAST record per prefix with
// one RIB entry (ORIGIN, AS_PATH of 4-byte ASNs, NEXT_HOP).
import { closeSync, openSync, writeSync } from 'node:fs';

const MRT_TABLE_DUMP_V2 = 13;
const PEER_INDEX_TABLE = 1;
const RIB_IPV4_UNICAST = 2;
/** Attribute flags: well-known transitive. */
const TRANSITIVE = 0x40;
const AS_SEQUENCE = 2;

export interface MrtRoute {
  /** network order, host bits zero */
  addr: number;
  length: number;
  /** AS numbers, first the neighbour's */
  asPath: readonly number[];
  nextHop: number;
}

export interface MrtPeer {
  bgpId: number;
  address: number;
  as: number;
}

/** The 12-byte MRT common header followed by `body`. */
function record(timestamp: number, subtype: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, timestamp);
  view.setUint16(4, MRT_TABLE_DUMP_V2);
  view.setUint16(6, subtype);
  view.setUint32(8, body.length);
  out.set(body, 12);
  return out;
}

function peerIndexTable(collectorId: number, peer: MrtPeer): Uint8Array {
  // collector id, view name length 0, peer count 1, peer: type (AS4, IPv4), BGP id, address, AS
  const body = new Uint8Array(4 + 2 + 2 + 1 + 4 + 4 + 4);
  const view = new DataView(body.buffer);
  view.setUint32(0, collectorId);
  view.setUint16(4, 0);
  view.setUint16(6, 1);
  view.setUint8(8, 0b10);
  view.setUint32(9, peer.bgpId);
  view.setUint32(13, peer.address);
  view.setUint32(17, peer.as);
  return body;
}

function ribIpv4(sequence: number, timestamp: number, route: MrtRoute): Uint8Array {
  const prefixBytes = (route.length + 7) >> 3;
  const asPathLength = 2 + 4 * route.asPath.length;
  const attributesLength = 4 + (3 + asPathLength) + 7;
  const body = new Uint8Array(4 + 1 + prefixBytes + 2 + 2 + 4 + 2 + attributesLength);
  const view = new DataView(body.buffer);
  let at = 0;
  view.setUint32(at, sequence); at += 4;
  view.setUint8(at++, route.length);
  for (let i = 0; i < prefixBytes; i++) body[at++] = (route.addr >>> (24 - 8 * i)) & 255;
  view.setUint16(at, 1); at += 2; // entry count
  view.setUint16(at, 0); at += 2; // peer index
  view.setUint32(at, timestamp); at += 4;
  view.setUint16(at, attributesLength); at += 2;
  // ORIGIN IGP
  body.set([TRANSITIVE, 1, 1, 0], at); at += 4;
  // AS_PATH: one AS_SEQUENCE (at most 255 ASNs: a 1-byte count and a 1-byte attribute length suffice for 62)
  if (route.asPath.length > 62) throw new Error(`AS path of ${route.asPath.length} ASNs: at most 62 fit this writer's 1-byte attribute length`);
  body.set([TRANSITIVE, 2, asPathLength, AS_SEQUENCE, route.asPath.length], at); at += 5;
  for (const as of route.asPath) { view.setUint32(at, as); at += 4; }
  // NEXT_HOP
  body.set([TRANSITIVE, 3, 4], at); at += 3;
  view.setUint32(at, route.nextHop); at += 4;
  return body;
}

/** Writes the routes as one TABLE_DUMP_V2 RIB to `path`, buffered in 1 MiB writes. */
export function writeMrtRib(path: string, peer: MrtPeer, routes: Iterable<MrtRoute>, timestamp = 1_767_225_600): number {
  const fd = openSync(path, 'w');
  const buffer = new Uint8Array(1 << 20);
  let used = 0;
  let bytes = 0;
  const put = (chunk: Uint8Array) => {
    if (used + chunk.length > buffer.length) { writeSync(fd, buffer, 0, used); used = 0; }
    buffer.set(chunk, used);
    used += chunk.length;
    bytes += chunk.length;
  };
  try {
    put(record(timestamp, PEER_INDEX_TABLE, peerIndexTable(peer.bgpId, peer)));
    let sequence = 0;
    for (const route of routes) put(record(timestamp, RIB_IPV4_UNICAST, ribIpv4(sequence++, timestamp, route)));
    writeSync(fd, buffer, 0, used);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

export const ipv4Number = (text: string): number => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0) >>> 0;
