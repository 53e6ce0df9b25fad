// Small byte helpers shared by the message encoders (decoders read their input directly).
import { parseAddress, parsePrefix } from '../../net/address.js';

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function u16Bytes(value: number): Uint8Array {
  return Uint8Array.of((value >>> 8) & 0xff, value & 0xff);
}

export function u32Bytes(value: number): Uint8Array {
  return Uint8Array.of((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] << 8) | bytes[offset + 1];
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3]) >>> 0;
}

/** The 4 or 16 bytes of an address text; throws on text that is not an address (encoders take trusted input). */
export function addressBytes(text: string): Uint8Array {
  const address = parseAddress(text);
  if (!address) throw new TypeError(`not an IP address: '${text}'`);
  return address.family === 4 ? u32Bytes(address.v4) : address.v6.slice();
}

/** The NLRI encoding (RFC 4271 4.3) of prefix texts: a length octet and the fewest octets holding it. */
export function encodePrefixes(prefixes: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const text of prefixes) {
    const prefix = parsePrefix(text);
    if (!prefix) throw new TypeError(`not a prefix: '${text}'`);
    const bytes = prefix.family === 4 ? u32Bytes(prefix.v4) : prefix.v6;
    const octets = (prefix.length + 7) >> 3;
    const part = new Uint8Array(1 + octets);
    part[0] = prefix.length;
    part.set(bytes.subarray(0, octets), 1);
    parts.push(part);
  }
  return concatBytes(parts);
}
