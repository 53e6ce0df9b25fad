// The per-peer header (RFC 7854 4.2) in front of every message about one monitored peer.
import { formatIPv4, formatIPv6 } from '../../net/address.js';
import type { FieldReader } from './field-reader.js';

export const PER_PEER_HEADER_LENGTH = 42;

export const PEER_TYPE = {
  GLOBAL_INSTANCE: 0,
  RD_INSTANCE: 1,
  LOCAL_INSTANCE: 2,
  /** RFC 9069 */
  LOC_RIB_INSTANCE: 3,
} as const;

export const PEER_FLAG = {
  /** The peer address is IPv6. */
  V: 0x80,
  /** Post-policy Adj-RIB-In (pre-policy when clear). */
  L: 0x40,
  /** The UPDATEs use the legacy 2-byte AS_PATH. */
  A: 0x20,
  /** Adj-RIB-Out (RFC 8671): routes the router sends, not receives. */
  O: 0x10,
} as const;

export interface PerPeerHeader {
  readonly peerType: number;
  readonly flags: number;
  /** The 8-byte Peer Distinguisher as hex (all zeros for a global instance peer). */
  readonly distinguisher: string;
  readonly ipv6: boolean;
  readonly postPolicy: boolean;
  readonly legacyAsPath: boolean;
  readonly adjRibOut: boolean;
  /** The peer's address as text: dotted quad, or RFC 5952 with V set. */
  readonly address: string;
  readonly as: number;
  /** BGP identifier, dotted quad. */
  readonly routerId: string;
  /** When the router saw what the message reports, Unix ms (0 when the router does not say). */
  readonly timestamp: number;
}

/** An address field of 16 bytes: IPv4 in its last 4 bytes unless `ipv6`. */
export function readAddressField(reader: FieldReader, ipv6: boolean, what: string): string {
  const bytes = reader.bytesOf(16, what);
  if (ipv6) return formatIPv6(bytes);
  return formatIPv4(((bytes[12] << 24) | (bytes[13] << 16) | (bytes[14] << 8) | bytes[15]) >>> 0);
}

export function readPerPeerHeader(reader: FieldReader): PerPeerHeader {
  const peerType = reader.u8('peer type');
  const flags = reader.u8('peer flags');
  const distinguisher = Array.from(reader.bytesOf(8, 'peer distinguisher'), (b) => b.toString(16).padStart(2, '0')).join('');
  const ipv6 = (flags & PEER_FLAG.V) !== 0;
  const address = readAddressField(reader, ipv6, 'peer address');
  const as = reader.u32('peer AS');
  const routerId = formatIPv4(reader.u32('peer BGP ID'));
  const seconds = reader.u32('timestamp seconds');
  const microseconds = reader.u32('timestamp microseconds');
  return {
    peerType,
    flags,
    distinguisher,
    ipv6,
    postPolicy: (flags & PEER_FLAG.L) !== 0,
    legacyAsPath: (flags & PEER_FLAG.A) !== 0,
    adjRibOut: (flags & PEER_FLAG.O) !== 0,
    address,
    as,
    routerId,
    timestamp: seconds * 1000 + Math.floor(microseconds / 1000),
  };
}
