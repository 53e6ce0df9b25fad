/**
 * IPv4 and IPv6 text <-> binary, written for route files of a million lines: every parser walks
 * char codes between `start` and `end` of a larger string, so callers never cut substrings, and
 * the hot-path variants (`scanAddress`, `scanPrefix`) write into a caller-owned buffer instead of
 * allocating a result.
 *
 * Conventions:
 * - IPv4 addresses are host-order unsigned 32-bit numbers (0 ..= 0xffffffff).
 * - IPv6 addresses are 16 bytes in network order inside a Uint8Array at some offset.
 * - Parsers are strict: IPv4 is exactly four decimal parts of 1-3 digits, each 0..255 (leading
 *   zeros are decimal, never octal); IPv6 is RFC 4291 text (1-4 hex digits per group, one `::`,
 *   an optional dotted IPv4 tail) without zone ids.
 * - Formatters produce RFC 5952 text.
 */

const CH_0 = 48;
const CH_9 = 57;
const CH_DOT = 46;
const CH_COLON = 58;
const CH_SLASH = 47;
const CH_A_LOWER = 97;
const CH_F_LOWER = 102;
const CH_A_UPPER = 65;
const CH_F_UPPER = 70;

/**
 * Parses dotted-quad IPv4 text in `text[start, end)`.
 * Returns the address as a host-order unsigned number, or -1 when the text is not exactly
 * four decimal parts of 1-3 digits with values 0..255.
 */
export function parseIPv4(text: string, start = 0, end = text.length): number {
  let i = start;
  let address = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || text.charCodeAt(i) !== CH_DOT) return -1;
      i++;
    }
    const first = i;
    let value = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < CH_0 || c > CH_9) break;
      value = value * 10 + (c - CH_0);
      i++;
    }
    const digits = i - first;
    if (digits === 0 || digits > 3 || value > 255) return -1;
    address = (address << 8) | value;
  }
  return i === end ? address >>> 0 : -1;
}

/** Value of one hex digit, or -1. */
function hexValue(c: number): number {
  if (c >= CH_0 && c <= CH_9) return c - CH_0;
  if (c >= CH_A_LOWER && c <= CH_F_LOWER) return c - CH_A_LOWER + 10;
  if (c >= CH_A_UPPER && c <= CH_F_UPPER) return c - CH_A_UPPER + 10;
  return -1;
}

/**
 * Parses IPv6 text in `text[start, end)` into 16 network-order bytes at `out[offset]`.
 * Accepts `::` compression (once), 1-4 hex digits per group in either case, and a dotted IPv4
 * tail in the last 32 bits (`::ffff:192.0.2.1`, `64:ff9b::198.51.100.7`). Rejects zone ids
 * (`fe80::1%eth0`), brackets, prefix lengths and everything else.
 * Returns false for invalid text; `out` may then hold partial garbage.
 */
export function parseIPv6(text: string, out: Uint8Array, offset = 0, start = 0, end = text.length): boolean {
  if (end - start < 2) return false;
  let i = start;
  let groups = 0; // groups written so far, at out[offset + 2 * g]
  let gap = -1; // group index where `::` stands, or -1
  if (text.charCodeAt(i) === CH_COLON) {
    if (text.charCodeAt(i + 1) !== CH_COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (groups === 8) return false;
    const groupStart = i;
    let value = 0;
    while (i < end) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    const digits = i - groupStart;
    if (i < end && text.charCodeAt(i) === CH_DOT) {
      // Dotted IPv4 tail: takes the last two groups and must end the text.
      if (groups > 6) return false;
      const v4 = parseIPv4(text, groupStart, end);
      if (v4 < 0) return false;
      const at = offset + groups * 2;
      out[at] = v4 >>> 24;
      out[at + 1] = (v4 >>> 16) & 0xff;
      out[at + 2] = (v4 >>> 8) & 0xff;
      out[at + 3] = v4 & 0xff;
      groups += 2;
      i = end;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    out[offset + groups * 2] = value >>> 8;
    out[offset + groups * 2 + 1] = value & 0xff;
    groups++;
    if (i === end) break;
    if (text.charCodeAt(i) !== CH_COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === CH_COLON) {
      if (gap >= 0) return false;
      gap = groups;
      i++;
    } else if (i === end) {
      return false; // a single trailing colon
    }
  }
  if (gap < 0) return groups === 8;
  if (groups > 7) return false;
  // Move the groups after the gap to the end and zero the gap.
  const tail = groups - gap;
  for (let g = tail - 1; g >= 0; g--) {
    const from = offset + (gap + g) * 2;
    const to = offset + (8 - tail + g) * 2;
    out[to] = out[from];
    out[to + 1] = out[from + 1];
  }
  for (let b = offset + gap * 2, stop = offset + (8 - tail) * 2; b < stop; b++) out[b] = 0;
  return true;
}

/** Dotted-quad text of a host-order IPv4 address. */
export function formatIPv4(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}

/**
 * RFC 5952 text of the 16 bytes at `bytes[offset]`: lowercase hex without leading zeros, the
 * longest run of two or more zero groups shortened to `::` (the first such run on a tie), and
 * IPv4-mapped addresses (`::ffff:0:0/96`) written with a dotted tail.
 */
export function formatIPv6(bytes: Uint8Array, offset = 0): string {
  const w0 = (bytes[offset] << 8) | bytes[offset + 1];
  let zeroHead = w0 === 0;
  for (let g = 1; g < 5 && zeroHead; g++) {
    if (bytes[offset + g * 2] !== 0 || bytes[offset + g * 2 + 1] !== 0) zeroHead = false;
  }
  if (zeroHead && bytes[offset + 10] === 0xff && bytes[offset + 11] === 0xff) {
    return `::ffff:${bytes[offset + 12]}.${bytes[offset + 13]}.${bytes[offset + 14]}.${bytes[offset + 15]}`;
  }
  // Longest run of zero groups (first one wins ties); runs of one group stay as "0".
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && bytes[offset + g * 2] === 0 && bytes[offset + g * 2 + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      if (g - runStart > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart;
      }
      runStart = -1;
    }
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      text += '::';
      g += bestLength - 1;
      continue;
    }
    if (text.length > 0 && text.charCodeAt(text.length - 1) !== CH_COLON) text += ':';
    text += ((bytes[offset + g * 2] << 8) | bytes[offset + g * 2 + 1]).toString(16);
  }
  return text;
}

/** Clears the host bits of a host-order IPv4 address beyond `length` (0..32). */
export function maskV4(address: number, length: number): number {
  return length <= 0 ? 0 : length >= 32 ? address >>> 0 : (address & (0xffffffff << (32 - length))) >>> 0;
}

/** Clears, in place, the host bits beyond `length` (0..128) of the 16 bytes at `bytes[offset]`. */
export function maskV6(bytes: Uint8Array, offset: number, length: number): void {
  for (let b = 0; b < 16; b++) {
    const keep = length - b * 8;
    if (keep >= 8) continue;
    bytes[offset + b] = keep <= 0 ? 0 : bytes[offset + b] & (0xff << (8 - keep)) & 0xff;
  }
}

// ---------------------------------------------------------------------------------------------
// Prefixes

/** A parsed prefix. Host bits are as written (not masked); see `maskV4` / `maskV6`. */
export type Prefix =
  | { readonly family: 4; readonly length: number; readonly v4: number }
  | { readonly family: 6; readonly length: number; readonly v6: Uint8Array };

/** An address: like a prefix without the length. */
export type Address =
  | { readonly family: 4; readonly v4: number }
  | { readonly family: 6; readonly v6: Uint8Array };

/**
 * Scratch result of the allocation-free scanners. `family` is 0 until a scan succeeds; `v4` is
 * meaningful for family 4 and `v6` (always 16 bytes, reused) for family 6.
 */
export interface PrefixBuffer {
  family: 0 | 4 | 6;
  length: number;
  v4: number;
  readonly v6: Uint8Array;
}

export function createPrefixBuffer(): PrefixBuffer {
  // `v4` starts as a non-integer so that V8 gives the field a double representation at once:
  // addresses from 128.0.0.0 up do not fit a small integer, and changing the representation
  // mid-file throws away the optimized parser loop.
  const buffer: PrefixBuffer = { family: 0, length: 0, v4: 0.5, v6: new Uint8Array(16) };
  buffer.v4 = 0;
  return buffer;
}

/** Status codes of `scanPrefix`. */
export const PREFIX_OK = 0;
/** The part before `/` is neither IPv4 nor IPv6. */
export const PREFIX_BAD_ADDRESS = 1;
/** The part after `/` is empty or not decimal digits. */
export const PREFIX_BAD_LENGTH = 2;
/** The length is a number beyond 32 (IPv4) or 128 (IPv6). */
export const PREFIX_LENGTH_RANGE = 3;

/**
 * Parses an IPv4 or IPv6 address in `text[start, end)` into `out` (sets `family` and `v4` or
 * `v6`, leaves `length` alone). Returns the family, or 0 when the text is neither.
 */
export function scanAddress(text: string, start: number, end: number, out: PrefixBuffer): 0 | 4 | 6 {
  const v4 = parseIPv4(text, start, end);
  if (v4 >= 0) {
    out.family = 4;
    out.v4 = v4;
    return 4;
  }
  if (parseIPv6(text, out.v6, 0, start, end)) {
    out.family = 6;
    return 6;
  }
  out.family = 0;
  return 0;
}

/**
 * Parses `ADDRESS/LENGTH` or a bare `ADDRESS` (a host route: /32 or /128) in `text[start, end)`
 * into `out`. Returns PREFIX_OK or the reason it failed (see `prefixErrorReason`).
 * Host bits are left as written.
 */
export function scanPrefix(text: string, start: number, end: number, out: PrefixBuffer): number {
  let slash = start;
  while (slash < end && text.charCodeAt(slash) !== CH_SLASH) slash++;
  const family = scanAddress(text, start, slash, out);
  if (family === 0) return PREFIX_BAD_ADDRESS;
  const max = family === 4 ? 32 : 128;
  if (slash === end) {
    out.length = max;
    return PREFIX_OK;
  }
  let i = slash + 1;
  if (i === end) return PREFIX_BAD_LENGTH;
  let value = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return PREFIX_BAD_LENGTH;
    if (value <= max) value = value * 10 + (c - CH_0);
  }
  if (value > max) return PREFIX_LENGTH_RANGE;
  out.length = value;
  return PREFIX_OK;
}

/** Shows a piece of input in an error message: quoted, control characters escaped, long text cut. */
export function quoteInput(text: string, start = 0, end = text.length): string {
  const limit = 64;
  const cut = end - start > limit;
  let shown = '';
  for (let i = start, stop = cut ? start + limit : end; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) shown += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c === 0x27) shown += "\\'";
    else if (c === 0x5c) shown += '\\\\';
    else shown += text[i];
  }
  return `'${shown}${cut ? '…' : ''}'`;
}

/** Human text for a non-OK status of `scanPrefix` over the same `text[start, end)`. */
export function prefixErrorReason(status: number, text: string, start = 0, end = text.length): string {
  let slash = start;
  while (slash < end && text.charCodeAt(slash) !== CH_SLASH) slash++;
  switch (status) {
    case PREFIX_BAD_ADDRESS:
      if (start === end) return 'empty prefix';
      return `not an IPv4 or IPv6 address: ${quoteInput(text, start, slash)}`;
    case PREFIX_BAD_LENGTH:
      if (slash + 1 === end) return `missing prefix length after '/' in ${quoteInput(text, start, end)}`;
      return `prefix length ${quoteInput(text, slash + 1, end)} is not a decimal number`;
    case PREFIX_LENGTH_RANGE: {
      const v4 = parseIPv4(text, start, slash) >= 0;
      return `prefix length ${text.slice(slash + 1, Math.min(end, slash + 24))} out of range 0..${v4 ? 32 : 128} for ${v4 ? 'IPv4' : 'IPv6'}`;
    }
    default:
      return 'valid prefix';
  }
}

function prefixFromBuffer(buffer: PrefixBuffer): Prefix {
  return buffer.family === 4
    ? { family: 4, length: buffer.length, v4: buffer.v4 }
    : { family: 6, length: buffer.length, v6: buffer.v6.slice() };
}

/**
 * Parses `ADDRESS/LENGTH` or a bare address (a host route) into a new object, or null.
 * Host bits are kept as written.
 */
export function parsePrefix(text: string, start = 0, end = text.length): Prefix | null {
  const buffer = createPrefixBuffer();
  return scanPrefix(text, start, end, buffer) === PREFIX_OK ? prefixFromBuffer(buffer) : null;
}

/** Like `parsePrefix`, but says why the text is not a prefix, e.g. "prefix length 33 out of range 0..32 for IPv4". */
export function tryParsePrefix(text: string, start = 0, end = text.length):
  { ok: true; prefix: Prefix } | { ok: false; reason: string } {
  const buffer = createPrefixBuffer();
  const status = scanPrefix(text, start, end, buffer);
  if (status === PREFIX_OK) return { ok: true, prefix: prefixFromBuffer(buffer) };
  return { ok: false, reason: prefixErrorReason(status, text, start, end) };
}

/** Parses a bare IPv4 or IPv6 address into a new object, or null. */
export function parseAddress(text: string, start = 0, end = text.length): Address | null {
  const buffer = createPrefixBuffer();
  const family = scanAddress(text, start, end, buffer);
  if (family === 4) return { family: 4, v4: buffer.v4 };
  if (family === 6) return { family: 6, v6: buffer.v6.slice() };
  return null;
}

/** Canonical text of an address: dotted quad or RFC 5952. */
export function formatAddress(address: Address): string {
  return address.family === 4 ? formatIPv4(address.v4) : formatIPv6(address.v6);
}

/** `ADDRESS/LENGTH` in canonical text, with host bits as stored in `prefix`. */
export function formatPrefix(prefix: Prefix): string {
  return `${prefix.family === 4 ? formatIPv4(prefix.v4) : formatIPv6(prefix.v6)}/${prefix.length}`;
}

/**
 * The canonical text of `text[start, end)` if it is an address ("2001:DB8::0001" → "2001:db8::1"),
 * or null. Allocates; meant for next hops, which the route parsers intern.
 */
export function canonicalAddress(text: string, start = 0, end = text.length): string | null {
  const address = parseAddress(text, start, end);
  return address ? formatAddress(address) : null;
}
