// NLRI fields (RFC 4271 4.3, RFC 4760 5): a run of <length octet, prefix octets>, decoded straight
// to prefix text with the host bits cleared, as the route table wants it.
import type { AddressFamily } from '../types.js';
import { formatIPv4, formatIPv6 } from '../../net/address.js';

const v6Scratch = new Uint8Array(16);

/**
 * Appends to `out` the prefixes in `bytes[start, end)`. Returns null, or why the field is
 * malformed (a length above the family's maximum, or a prefix running past `end`), naming the
 * octet offset from `start`.
 */
export function decodePrefixes(
  bytes: Uint8Array, start: number, end: number, family: AddressFamily, out: string[],
): string | null {
  const maxLength = family === 4 ? 32 : 128;
  let i = start;
  while (i < end) {
    const length = bytes[i];
    if (length > maxLength) return `prefix length ${length} above ${maxLength} at octet ${i - start}`;
    const octets = (length + 7) >> 3;
    if (i + 1 + octets > end) return `prefix /${length} at octet ${i - start} needs ${octets} octets, ${end - i - 1} left`;
    i++;
    if (family === 4) {
      let address = 0;
      for (let b = 0; b < 4; b++) address = (address << 8) | (b < octets ? bytes[i + b] : 0);
      if (length < 32) address = length === 0 ? 0 : address & (0xffffffff << (32 - length));
      out.push(`${formatIPv4(address >>> 0)}/${length}`);
    } else {
      for (let b = 0; b < 16; b++) {
        const keep = length - b * 8;
        v6Scratch[b] = b >= octets || keep <= 0 ? 0 : keep >= 8 ? bytes[i + b] : bytes[i + b] & (0xff << (8 - keep));
      }
      out.push(`${formatIPv6(v6Scratch)}/${length}`);
    }
    i += octets;
  }
  return null;
}
