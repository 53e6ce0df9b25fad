// MP_REACH_NLRI and MP_UNREACH_NLRI (RFC 4760 3, 4) for IPv4 and IPv6 unicast.
import type { AddressFamily } from '../../types.js';
import { formatIPv4, formatIPv6 } from '../../../net/address.js';
import { Afi, AttributeType, Safi } from '../constants.js';
import { addressBytes, concatBytes, encodePrefixes, readU16, readU32, u16Bytes } from '../bytes.js';
import { decodePrefixes } from '../prefixes.js';
import { Malformed, encodeAttribute } from './attribute.js';

export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /** null for an AFI/SAFI other than IPv4/IPv6 unicast: nothing else was read. */
  readonly family: AddressFamily | null;
  /** The (global) next hop as text. */
  readonly nextHop: string;
  readonly announced: string[];
}

export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly family: AddressFamily | null;
  readonly withdrawn: string[];
}

function familyOf(afi: number, safi: number): AddressFamily | null {
  if (safi !== Safi.UNICAST) return null;
  return afi === Afi.IPV4 ? 4 : afi === Afi.IPV6 ? 6 : null;
}

export function decodeMpReach(bytes: Uint8Array, start: number, length: number): MpReach | Malformed {
  if (length < 5) return new Malformed(`MP_REACH_NLRI length ${length}, at least 5 needed`);
  const afi = readU16(bytes, start);
  const safi = bytes[start + 2];
  const family = familyOf(afi, safi);
  if (family === null) return { afi, safi, family, nextHop: '', announced: [] };
  const nextHopLength = bytes[start + 3];
  if (4 + nextHopLength + 1 > length) {
    return new Malformed(`MP_REACH_NLRI next hop length ${nextHopLength} runs past the attribute's ${length} octets`);
  }
  // IPv6: a global address, or global then link-local (RFC 2545 3); the global one is the route's.
  const valid = family === 4 ? nextHopLength === 4 : nextHopLength === 16 || nextHopLength === 32;
  if (!valid) return new Malformed(`MP_REACH_NLRI next hop length ${nextHopLength} for IPv${family} unicast (expected ${family === 4 ? '4' : '16 or 32'})`);
  const nextHop = family === 4 ? formatIPv4(readU32(bytes, start + 4)) : formatIPv6(bytes, start + 4);
  const announced: string[] = [];
  const nlriStart = start + 4 + nextHopLength + 1; // the reserved octet (RFC 4760 3) is ignored
  const problem = decodePrefixes(bytes, nlriStart, start + length, family, announced);
  if (problem) return new Malformed(`MP_REACH_NLRI NLRI: ${problem}`);
  return { afi, safi, family, nextHop, announced };
}

export function decodeMpUnreach(bytes: Uint8Array, start: number, length: number): MpUnreach | Malformed {
  if (length < 3) return new Malformed(`MP_UNREACH_NLRI length ${length}, at least 3 needed`);
  const afi = readU16(bytes, start);
  const safi = bytes[start + 2];
  const family = familyOf(afi, safi);
  const withdrawn: string[] = [];
  if (family === null) return { afi, safi, family, withdrawn };
  const problem = decodePrefixes(bytes, start + 3, start + length, family, withdrawn);
  if (problem) return new Malformed(`MP_UNREACH_NLRI withdrawn routes: ${problem}`);
  return { afi, safi, family, withdrawn };
}

function afiOf(family: AddressFamily): number {
  return family === 4 ? Afi.IPV4 : Afi.IPV6;
}

/** `nextHops`: one address, or an IPv6 global and link-local pair. */
export function encodeMpReach(family: AddressFamily, nextHops: readonly string[], prefixes: readonly string[]): Uint8Array {
  const nextHop = concatBytes(nextHops.map(addressBytes));
  return encodeAttribute(AttributeType.MP_REACH_NLRI, concatBytes([
    u16Bytes(afiOf(family)), Uint8Array.of(Safi.UNICAST, nextHop.length), nextHop, Uint8Array.of(0), encodePrefixes(prefixes),
  ]));
}

export function encodeMpUnreach(family: AddressFamily, prefixes: readonly string[]): Uint8Array {
  return encodeAttribute(AttributeType.MP_UNREACH_NLRI, concatBytes([
    u16Bytes(afiOf(family)), Uint8Array.of(Safi.UNICAST), encodePrefixes(prefixes),
  ]));
}
