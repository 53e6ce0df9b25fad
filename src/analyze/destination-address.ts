import { formatIPv4, formatIPv6 } from '../net/address.js';

/**
 * The address text of a destination entry at `at` (layout in assembly/count/destinations.ts):
 * IPv4 dotted, IPv6 in RFC 5952 text. Reading many entries, pass one `scratch` for them all.
 */
export function destinationAddress(view: DataView, at: number, scratch: Uint8Array = new Uint8Array(16)): string {
  return keyAddress(view, at, view.getUint8(at + 52), scratch);
}

/**
 * The text of an address key at `at` as WebAssembly keeps them: two u64 halves, most
 * significant first (IPv4: the address in the first half).
 */
export function keyAddress(view: DataView, at: number, family: number, scratch: Uint8Array = new Uint8Array(16)): string {
  if (family === 4) return formatIPv4(view.getUint32(at, true));
  // back to network byte order
  const out = new DataView(scratch.buffer, scratch.byteOffset, 16);
  out.setUint32(0, view.getUint32(at + 4, true));
  out.setUint32(4, view.getUint32(at, true));
  out.setUint32(8, view.getUint32(at + 12, true));
  out.setUint32(12, view.getUint32(at + 8, true));
  return formatIPv6(scratch);
}
