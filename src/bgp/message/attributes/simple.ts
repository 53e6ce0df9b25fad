// The fixed-size attributes: ORIGIN, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF, ATOMIC_AGGREGATE,
// AGGREGATOR (RFC 4271 4.3, 5.1; RFC 6793 for the 4-octet AGGREGATOR). Each decoder gets the value
// at `bytes[start, start + length)`.
import type { BgpOrigin } from '../../types.js';
import { formatIPv4 } from '../../../net/address.js';
import { AttributeType } from '../constants.js';
import { addressBytes, concatBytes, readU16, readU32, u16Bytes, u32Bytes } from '../bytes.js';
import { Malformed, encodeAttribute } from './attribute.js';

function exactLength(name: string, length: number, expected: number): Malformed | null {
  return length === expected ? null : new Malformed(`${name} length ${length}, expected ${expected}`);
}

export function decodeOrigin(bytes: Uint8Array, start: number, length: number): BgpOrigin | Malformed {
  const wrong = exactLength('ORIGIN', length, 1);
  if (wrong) return wrong;
  const value = bytes[start];
  return value <= 2 ? (value as BgpOrigin) : new Malformed(`ORIGIN value ${value} is not 0 (IGP), 1 (EGP) or 2 (INCOMPLETE)`);
}

/** NEXT_HOP as dotted quad. RFC 7606 7.3 also allows semantic checks; only the length is checked here. */
export function decodeNextHop(bytes: Uint8Array, start: number, length: number): string | Malformed {
  return exactLength('NEXT_HOP', length, 4) ?? formatIPv4(readU32(bytes, start));
}

/** A 4-octet value (MULTI_EXIT_DISC, LOCAL_PREF). */
export function decodeU32Attribute(name: string, bytes: Uint8Array, start: number, length: number): number | Malformed {
  return exactLength(name, length, 4) ?? readU32(bytes, start);
}

export function decodeAtomicAggregate(length: number): true | Malformed {
  return exactLength('ATOMIC_AGGREGATE', length, 0) ?? true;
}

export interface Aggregator {
  readonly as: number;
  readonly address: string;
}

/** AGGREGATOR: 6 octets on a 2-octet session, 8 on a 4-octet one (and AS4_AGGREGATOR, always 8). */
export function decodeAggregator(
  name: string, bytes: Uint8Array, start: number, length: number, fourOctetAs: boolean,
): Aggregator | Malformed {
  const asOctets = fourOctetAs ? 4 : 2;
  const wrong = exactLength(name, length, asOctets + 4);
  if (wrong) return wrong;
  return {
    as: fourOctetAs ? readU32(bytes, start) : readU16(bytes, start),
    address: formatIPv4(readU32(bytes, start + asOctets)),
  };
}

export function encodeOrigin(origin: number): Uint8Array {
  return encodeAttribute(AttributeType.ORIGIN, Uint8Array.of(origin));
}
export function encodeNextHop(address: string): Uint8Array {
  return encodeAttribute(AttributeType.NEXT_HOP, addressBytes(address));
}
export function encodeMed(med: number): Uint8Array {
  return encodeAttribute(AttributeType.MULTI_EXIT_DISC, u32Bytes(med));
}
export function encodeLocalPref(localPref: number): Uint8Array {
  return encodeAttribute(AttributeType.LOCAL_PREF, u32Bytes(localPref));
}
export function encodeAtomicAggregate(): Uint8Array {
  return encodeAttribute(AttributeType.ATOMIC_AGGREGATE, new Uint8Array(0));
}
export function encodeAggregator(aggregator: Aggregator, fourOctetAs: boolean, type: number = AttributeType.AGGREGATOR): Uint8Array {
  const as = fourOctetAs ? u32Bytes(aggregator.as) : u16Bytes(aggregator.as);
  return encodeAttribute(type, concatBytes([as, addressBytes(aggregator.address)]));
}
