// The attribute header (RFC 4271 4.3): flags, type code, a 1- or 2-octet length; and the flags
// each known attribute must carry.
import { AttributeFlag, AttributeType } from '../constants.js';
import { concatBytes } from '../bytes.js';

/** What an attribute decoder returns when the value is not what its RFC says; the caller decides what follows. */
export class Malformed {
  constructor(readonly reason: string) {}
}

export const ATTRIBUTE_NAMES: Record<number, string> = {
  1: 'ORIGIN', 2: 'AS_PATH', 3: 'NEXT_HOP', 4: 'MULTI_EXIT_DISC', 5: 'LOCAL_PREF', 6: 'ATOMIC_AGGREGATE',
  7: 'AGGREGATOR', 8: 'COMMUNITIES', 14: 'MP_REACH_NLRI', 15: 'MP_UNREACH_NLRI', 17: 'AS4_PATH',
  18: 'AS4_AGGREGATOR', 32: 'LARGE_COMMUNITIES',
};

export function attributeName(type: number): string {
  return ATTRIBUTE_NAMES[type] ?? `attribute ${type}`;
}

const { OPTIONAL, TRANSITIVE } = AttributeFlag;
/** The Optional and Transitive bits each known attribute must have (RFC 4271 5, 4760, 1997, 6793, 8092). */
export const EXPECTED_FLAGS: Record<number, number> = {
  [AttributeType.ORIGIN]: TRANSITIVE,
  [AttributeType.AS_PATH]: TRANSITIVE,
  [AttributeType.NEXT_HOP]: TRANSITIVE,
  [AttributeType.MULTI_EXIT_DISC]: OPTIONAL,
  [AttributeType.LOCAL_PREF]: TRANSITIVE,
  [AttributeType.ATOMIC_AGGREGATE]: TRANSITIVE,
  [AttributeType.AGGREGATOR]: OPTIONAL | TRANSITIVE,
  [AttributeType.COMMUNITIES]: OPTIONAL | TRANSITIVE,
  [AttributeType.MP_REACH_NLRI]: OPTIONAL,
  [AttributeType.MP_UNREACH_NLRI]: OPTIONAL,
  [AttributeType.AS4_PATH]: OPTIONAL | TRANSITIVE,
  [AttributeType.AS4_AGGREGATOR]: OPTIONAL | TRANSITIVE,
  [AttributeType.LARGE_COMMUNITIES]: OPTIONAL | TRANSITIVE,
};

/**
 * One encoded attribute. `flags` defaults to the attribute's expected ones (OPTIONAL for unknown
 * types); the Extended Length bit is set when the value needs it or `flags` asks for it.
 */
export function encodeAttribute(type: number, value: Uint8Array, flags?: number): Uint8Array {
  let f = flags ?? EXPECTED_FLAGS[type] ?? OPTIONAL;
  if (value.length > 255) f |= AttributeFlag.EXTENDED_LENGTH;
  const extended = (f & AttributeFlag.EXTENDED_LENGTH) !== 0;
  const header = extended
    ? Uint8Array.of(f, type, value.length >>> 8, value.length & 0xff)
    : Uint8Array.of(f, type, value.length);
  return concatBytes([header, value]);
}
