// MRT files built by hand from the layouts of RFC 6396 (record header 2; PEER_INDEX_TABLE 4.3.1,
// RIB records 4.3.2, RIB entries 4.3.4; TABLE_DUMP 4.2; BGP4MP 4.4), for tests. BGP attributes
// and UPDATE messages come from the BGP codec's encoders (src/bgp/message/); bgpdump, reading the
// same bytes, is the oracle that checks both.
import { gzipSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import { concatBytes, encodePrefixes, u16Bytes, u32Bytes, addressBytes } from '../../src/bgp/message/bytes.js';
import { encodeAttribute } from '../../src/bgp/message/attributes/attribute.js';
import { encodeAsPath, parseAsPathText } from '../../src/bgp/message/attributes/as-path.js';
import { encodeCommunities, encodeLargeCommunities } from '../../src/bgp/message/attributes/communities.js';
import { encodeMpReach, encodeMpUnreach } from '../../src/bgp/message/attributes/multiprotocol.js';
import { encodeLocalPref, encodeMed, encodeNextHop, encodeOrigin } from '../../src/bgp/message/attributes/simple.js';
import { encodeUpdate } from '../../src/bgp/message/update.js';
import { AttributeType } from '../../src/bgp/message/constants.js';

export const TABLE_DUMP = 12;
export const TABLE_DUMP_V2 = 13;
export const BGP4MP = 16;
export const BGP4MP_ET = 17;

/** The common header (and an _ET type's microseconds) in front of `body`. */
export function mrtRecord(timestamp: number, type: number, subtype: number, body: Uint8Array, microseconds?: number): Uint8Array {
  const extra = microseconds === undefined ? new Uint8Array(0) : u32Bytes(microseconds);
  return concatBytes([u32Bytes(timestamp), u16Bytes(type), u16Bytes(subtype), u32Bytes(extra.length + body.length), extra, body]);
}

export interface TestPeer {
  bgpId: string;
  address: string;
  as: number;
  /** Write the AS in 2 octets (peer type bit 1 clear); default: 4. */
  as2?: boolean;
}

export function peerIndexTable(timestamp: number, collectorId: string, viewName: string, peers: readonly TestPeer[]): Uint8Array {
  const name = new TextEncoder().encode(viewName);
  const parts = [addressBytes(collectorId), u16Bytes(name.length), name, u16Bytes(peers.length)];
  for (const peer of peers) {
    const v6 = peer.address.includes(':');
    parts.push(Uint8Array.of((v6 ? 1 : 0) | (peer.as2 ? 0 : 2)), addressBytes(peer.bgpId), addressBytes(peer.address),
      peer.as2 ? u16Bytes(peer.as) : u32Bytes(peer.as));
  }
  return mrtRecord(timestamp, TABLE_DUMP_V2, 1, concatBytes(parts));
}

/** What a test route carries, as bgpdump -m prints it. */
export interface TestAttributes {
  origin?: number;
  /** `3356 1299 {64500,64501}` */
  asPath: string;
  nextHop: string;
  /** An IPv6 link-local next hop after the global one. */
  linkLocal?: string;
  med?: number;
  localPref?: number;
  communities?: string[];
  largeCommunities?: string[];
  /** Also carry this AS4_PATH (2-octet TABLE_DUMP entries). */
  as4Path?: string;
}

/**
 * A RIB entry's attributes: IPv4 next hops as NEXT_HOP, IPv6 ones in the abbreviated
 * MP_REACH_NLRI of RFC 6396 4.3.4 (next hop length and next hop only).
 */
export function ribAttributes(a: TestAttributes, asOctets: 2 | 4 = 4): Uint8Array {
  const parts = [encodeOrigin(a.origin ?? 0), encodeAsPath(parseAsPathText(a.asPath), asOctets)];
  if (a.nextHop.includes(':')) {
    const hop = concatBytes([addressBytes(a.nextHop), ...(a.linkLocal ? [addressBytes(a.linkLocal)] : [])]);
    parts.push(encodeAttribute(AttributeType.MP_REACH_NLRI, concatBytes([Uint8Array.of(hop.length), hop])));
  } else {
    parts.push(encodeNextHop(a.nextHop));
  }
  if (a.med !== undefined) parts.push(encodeMed(a.med));
  if (a.localPref !== undefined) parts.push(encodeLocalPref(a.localPref));
  if (a.communities?.length) parts.push(encodeCommunities(a.communities));
  if (a.largeCommunities?.length) parts.push(encodeLargeCommunities(a.largeCommunities));
  if (a.as4Path) parts.push(encodeAsPath(parseAsPathText(a.as4Path), 4, AttributeType.AS4_PATH));
  return concatBytes(parts);
}

export interface TestEntry {
  peerIndex: number;
  attributes: TestAttributes;
}

/** RIB_IPV4_UNICAST or RIB_IPV6_UNICAST for `prefix`, by its family. */
export function ribRecord(timestamp: number, sequence: number, prefix: string, entries: readonly TestEntry[]): Uint8Array {
  const parts = [u32Bytes(sequence), encodePrefixes([prefix]), u16Bytes(entries.length)];
  for (const entry of entries) {
    const attributes = ribAttributes(entry.attributes);
    parts.push(u16Bytes(entry.peerIndex), u32Bytes(timestamp), u16Bytes(attributes.length), attributes);
  }
  return mrtRecord(timestamp, TABLE_DUMP_V2, prefix.includes(':') ? 4 : 2, concatBytes(parts));
}

/** An old TABLE_DUMP record (RFC 6396 4.2): 2-octet AS numbers, one entry. */
export function tableDumpRecord(timestamp: number, sequence: number, prefix: string, peer: { address: string; as: number }, attributes: TestAttributes): Uint8Array {
  const [address, length] = prefix.split('/');
  const v6 = address.includes(':');
  let attributeBytes = ribAttributes(attributes, 2);
  if (v6) {
    // TABLE_DUMP keeps the whole MP_REACH_NLRI (bgpdump reads it so)
    attributeBytes = concatBytes([encodeOrigin(attributes.origin ?? 0), encodeAsPath(parseAsPathText(attributes.asPath), 2),
      encodeMpReach(6, [attributes.nextHop], [])]);
  }
  const body = concatBytes([u16Bytes(0), u16Bytes(sequence & 0xffff), addressBytes(address), Uint8Array.of(Number(length), 1),
    u32Bytes(timestamp), addressBytes(peer.address), u16Bytes(peer.as), u16Bytes(attributeBytes.length), attributeBytes]);
  return mrtRecord(timestamp, TABLE_DUMP, v6 ? 2 : 1, body);
}

export interface TestUpdate {
  withdrawn?: string[];
  announced?: string[];
  attributes?: TestAttributes;
  /** Also carry this AS4_PATH (2-octet sessions). */
  as4Path?: string;
}

/** A BGP UPDATE message: IPv4 prefixes in the classic fields, IPv6 ones in MP_REACH/MP_UNREACH. */
export function updateMessage(u: TestUpdate, asOctets: 2 | 4): Uint8Array {
  const v4 = (list?: string[]) => (list ?? []).filter((p) => !p.includes(':'));
  const v6 = (list?: string[]) => (list ?? []).filter((p) => p.includes(':'));
  const attributes: Uint8Array[] = [];
  if (u.attributes) {
    const a = u.attributes;
    attributes.push(encodeOrigin(a.origin ?? 0), encodeAsPath(parseAsPathText(a.asPath), asOctets));
    if (!a.nextHop.includes(':')) attributes.push(encodeNextHop(a.nextHop));
    if (a.med !== undefined) attributes.push(encodeMed(a.med));
    if (a.localPref !== undefined) attributes.push(encodeLocalPref(a.localPref));
    if (a.communities?.length) attributes.push(encodeCommunities(a.communities));
    if (a.largeCommunities?.length) attributes.push(encodeLargeCommunities(a.largeCommunities));
    if (u.as4Path) attributes.push(encodeAsPath(parseAsPathText(u.as4Path), 4, AttributeType.AS4_PATH));
    if (v6(u.announced).length) attributes.push(encodeMpReach(6, [a.nextHop, ...(a.linkLocal ? [a.linkLocal] : [])], v6(u.announced)));
  }
  if (v6(u.withdrawn).length) attributes.push(encodeMpUnreach(6, v6(u.withdrawn)));
  return encodeUpdate({ withdrawn: v4(u.withdrawn), attributes, nlri: v4(u.announced) });
}

export interface TestBgp4mp {
  timestamp: number;
  /** Writes BGP4MP_ET with these microseconds. */
  microseconds?: number;
  /** 1 MESSAGE, 4 MESSAGE_AS4, 6 MESSAGE_LOCAL, 7 MESSAGE_AS4_LOCAL. */
  subtype: 1 | 4 | 6 | 7;
  peer: { address: string; as: number };
  local?: { address: string; as: number };
  message: Uint8Array;
}

export function bgp4mpRecord(r: TestBgp4mp): Uint8Array {
  const as4 = r.subtype === 4 || r.subtype === 7;
  const local = r.local ?? { address: r.peer.address.includes(':') ? '2001:db8::ffff' : '192.0.2.254', as: 64999 };
  const asBytes = (as: number) => (as4 ? u32Bytes(as) : u16Bytes(as));
  const body = concatBytes([asBytes(r.peer.as), asBytes(local.as), u16Bytes(0), u16Bytes(r.peer.address.includes(':') ? 2 : 1),
    addressBytes(r.peer.address), addressBytes(local.address), r.message]);
  return mrtRecord(r.timestamp, r.microseconds === undefined ? BGP4MP : BGP4MP_ET, r.subtype, body, r.microseconds);
}

/** A BGP4MP STATE_CHANGE (subtype 0): peer AS, local AS, interface, AFI, addresses, old and new state. */
export function stateChangeRecord(timestamp: number, peer: { address: string; as: number }): Uint8Array {
  const body = concatBytes([u16Bytes(peer.as), u16Bytes(64999), u16Bytes(0), u16Bytes(1), addressBytes(peer.address),
    addressBytes('192.0.2.254'), u16Bytes(1), u16Bytes(2)]);
  return mrtRecord(timestamp, BGP4MP, 0, body);
}

export const hasBgpdump = spawnSync('sh', ['-c', 'command -v bgpdump']).status === 0;
export const hasBzip2 = spawnSync('sh', ['-c', 'command -v bzip2']).status === 0;

/** `bgpdump -m FILE`'s lines. */
export function bgpdumpLines(path: string): string[] {
  const dump = spawnSync('bgpdump', ['-m', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (dump.status !== 0) throw new Error(`bgpdump -m ${path} failed: ${dump.stderr}`);
  return dump.stdout.split('\n').filter((line) => line !== '');
}

export function bzip2(bytes: Uint8Array): Uint8Array {
  const run = spawnSync('bzip2', ['-c'], { input: bytes, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`bzip2 failed: ${run.stderr}`);
  return new Uint8Array(run.stdout);
}

export const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));
