// COMMUNITIES (RFC 1997) and LARGE_COMMUNITIES (RFC 8092), as `bgpdump -m` prints them.
import { AttributeType } from '../constants.js';
import { u32Bytes, concatBytes } from '../bytes.js';
import { Malformed, encodeAttribute } from './attribute.js';

/** The RFC 1997 well-known communities bgpdump names; the others print as `high:low`. */
const WELL_KNOWN: Record<number, string> = {
  0xffffff01: 'no-export',
  0xffffff02: 'no-advertise',
  0xffffff03: 'no-export-subconfed',
};
const WELL_KNOWN_VALUES: Record<string, number> = Object.fromEntries(
  Object.entries(WELL_KNOWN).map(([value, name]) => [name, Number(value)]),
);

/** RFC 7606 7.8: the length must be a non-zero multiple of 4. */
export function decodeCommunities(bytes: Uint8Array, start: number, length: number): string[] | Malformed {
  if (length === 0 || length % 4 !== 0) return new Malformed(`COMMUNITIES length ${length} is not a non-zero multiple of 4`);
  const out = new Array<string>(length / 4);
  for (let i = start, k = 0; k < out.length; i += 4, k++) {
    const high = (bytes[i] << 8) | bytes[i + 1];
    const low = (bytes[i + 2] << 8) | bytes[i + 3];
    out[k] = (high === 0xffff ? WELL_KNOWN[((high << 16) | low) >>> 0] : undefined) ?? `${high}:${low}`;
  }
  return out;
}

/** RFC 8092 6: the length must be a non-zero multiple of 12. */
export function decodeLargeCommunities(bytes: Uint8Array, start: number, length: number): string[] | Malformed {
  if (length === 0 || length % 12 !== 0) return new Malformed(`LARGE_COMMUNITIES length ${length} is not a non-zero multiple of 12`);
  const out = new Array<string>(length / 12);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  for (let k = 0; k < out.length; k++) {
    out[k] = `${view.getUint32(k * 12)}:${view.getUint32(k * 12 + 4)}:${view.getUint32(k * 12 + 8)}`;
  }
  return out;
}

/** From `65000:100` or a well-known name. */
export function encodeCommunities(communities: readonly string[]): Uint8Array {
  return encodeAttribute(AttributeType.COMMUNITIES, concatBytes(communities.map((text) => {
    const named = WELL_KNOWN_VALUES[text];
    if (named !== undefined) return u32Bytes(named);
    const [high, low] = text.split(':').map(Number);
    return u32Bytes(((high << 16) | low) >>> 0);
  })));
}

/** From `65000:1:2`. */
export function encodeLargeCommunities(communities: readonly string[]): Uint8Array {
  return encodeAttribute(AttributeType.LARGE_COMMUNITIES, concatBytes(communities.flatMap((text) => text.split(':').map((part) => u32Bytes(Number(part))))));
}
