// BGP4MP and BGP4MP_ET records (RFC 6396 4.4): the BGP messages a collector received, each with
// the peer it came from. The UPDATEs are decoded by the BGP speaker's own decoder
// (src/bgp/message/update.ts): AS4 subtypes carry 4-octet AS paths, the others 2-octet ones
// completed by AS4_PATH (RFC 6793).
import { HEADER_LENGTH, MESSAGE_TYPE_NAMES, MessageType } from '../bgp/message/constants.js';
import { decodeUpdate, type DecodedUpdate } from '../bgp/message/update.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { Bgp4mpSubtype } from './constants.js';
import { MrtFormatError } from './errors.js';
import type { MrtRecords } from './records.js';

export interface Bgp4mpMessage {
  readonly peerAddress: string;
  readonly peerAs: number;
  /** The AS4 subtypes: AS numbers (the message's too) are 4 octets. */
  readonly fourOctetAs: boolean;
  /** The BGP message, marker and header included: `bytes[messageStart, messageEnd)`. */
  readonly messageStart: number;
  readonly messageEnd: number;
}

export function isMessageSubtype(subtype: number): boolean {
  return subtype === Bgp4mpSubtype.MESSAGE || subtype === Bgp4mpSubtype.MESSAGE_AS4
    || subtype === Bgp4mpSubtype.MESSAGE_LOCAL || subtype === Bgp4mpSubtype.MESSAGE_AS4_LOCAL;
}

/** The fields before the BGP message of a BGP4MP_MESSAGE* record (RFC 6396 4.4.2-4.4.6). */
export function readBgp4mpMessage(records: MrtRecords): Bgp4mpMessage {
  const { bytes, view, bodyEnd, source, subtype } = records;
  const fourOctetAs = subtype === Bgp4mpSubtype.MESSAGE_AS4 || subtype === Bgp4mpSubtype.MESSAGE_AS4_LOCAL;
  const asLength = fourOctetAs ? 4 : 2;
  let at = records.bodyStart;
  const fixed = 2 * asLength + 4;
  if (bodyEnd - at < fixed) throw new MrtFormatError(source, at, `BGP4MP message record of ${bodyEnd - at} bytes: its AS numbers, interface and AFI need ${fixed}`);
  const peerAs = fourOctetAs ? view.getUint32(at) : view.getUint16(at);
  at += 2 * asLength + 2;
  const afi = view.getUint16(at);
  at += 2;
  if (afi !== 1 && afi !== 2) throw new MrtFormatError(source, at - 2, `BGP4MP address family ${afi}, expected 1 (IPv4) or 2 (IPv6)`);
  const addressLength = afi === 1 ? 4 : 16;
  if (bodyEnd - at < 2 * addressLength + HEADER_LENGTH) {
    throw new MrtFormatError(source, at, `BGP4MP message record: the peer and local addresses and a BGP header need ${2 * addressLength + HEADER_LENGTH} bytes, ${bodyEnd - at} are left`);
  }
  const peerAddress = afi === 1 ? formatIPv4(view.getUint32(at)) : formatIPv6(bytes, at);
  at += 2 * addressLength;
  return { peerAddress, peerAs, fourOctetAs, messageStart: at, messageEnd: bodyEnd };
}

/**
 * The UPDATE a BGP4MP message record holds, decoded; for another message type, its name
 * (`OPEN`, `KEEPALIVE`...), which the caller counts as skipped.
 */
export function decodeBgp4mpUpdate(records: MrtRecords, message: Bgp4mpMessage): DecodedUpdate | string {
  const type = records.bytes[message.messageStart + 18];
  if (type !== MessageType.UPDATE) return `BGP ${MESSAGE_TYPE_NAMES[type] ?? `message type ${type}`}`;
  return decodeUpdate(records.bytes.subarray(message.messageStart, message.messageEnd), { fourOctetAs: message.fourOctetAs });
}
