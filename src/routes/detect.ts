/**
 * Guesses the format of a routes file from its first meaningful lines (blank lines and `#`
 * comments are passed over):
 * - `[` (or `{`) first: ip-json;
 * - a line starting `TABLE_DUMP` or `BGP4MP`: bgpdump;
 * - `ADDRESS<TAB>LENGTH<TAB>ASN` (tabs or blanks; see `isPfx2as`): pfx2as;
 * - a line starting with a route type word (`blackhole 10.0.0.0/8`), an indented `nexthop` line, or
 *   an `ip` keyword (`via`, `dev`, `proto`, `scope`, `metric`, `table`, `src`) as a word after the
 *   prefix: ip;
 * - otherwise plain.
 * Up to 64 meaningful lines are looked at; the first line that gives a clear sign decides.
 * Bytes may also be MRT (binary; `detectRouteFormatOfBytes`).
 */

import { parseIPv4, parseIPv6 } from '../net/address.js';
import { looksLikeMrt } from '../mrt/detect.js';
import type { RouteFormat, TextRouteFormat } from './index.js';
import { CH_HASH, isBlank, tokenIs } from './scan.js';

const LINES_LOOKED_AT = 64;
const ROUTE_TYPE_WORDS = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit',
  'throw', 'multicast', 'anycast', 'nat'];
const IP_KEYWORDS = ['via', 'dev', 'proto', 'scope', 'metric', 'table', 'src', 'nhid'];

/** The format of a file's bytes: MRT when they open with well-formed MRT record headers (src/mrt/detect.ts), else as their text says. */
export function detectRouteFormatOfBytes(bytes: Uint8Array): RouteFormat {
  return looksLikeMrt(bytes) ? 'mrt' : detectRouteFormat(detectionText(bytes));
}

export function detectRouteFormat(text: string): TextRouteFormat {
  const scratch = new Uint8Array(16);
  let pos = 0;
  let looked = 0;
  const length = text.length;
  while (pos < length && looked < LINES_LOOKED_AT) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    const lineStart = pos;
    pos = end + 1;
    let i = lineStart;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    if (i === end) continue;
    const first = text.charCodeAt(i);
    if (looked === 0 && (first === 91 /* [ */ || first === 123 /* { */)) return 'ip-json';
    if (first === CH_HASH) continue;
    looked++;

    if (startsWith(text, i, end, 'TABLE_DUMP') || startsWith(text, i, end, 'BGP4MP')) return 'bgpdump';

    // Words of the line.
    const t0 = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const t1 = i;
    if (t0 > lineStart && tokenIs(text, t0, t1, 'nexthop')) return 'ip';
    if (ROUTE_TYPE_WORDS.some((word) => tokenIs(text, t0, t1, word))) return 'ip';

    if (isPfx2as(text, t0, end, scratch)) return 'pfx2as';

    while (i < end) {
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      const w0 = i;
      while (i < end && !isBlank(text.charCodeAt(i))) i++;
      if (IP_KEYWORDS.some((word) => tokenIs(text, w0, i, word))) return 'ip';
    }
  }
  return 'plain';
}

function startsWith(text: string, start: number, end: number, word: string): boolean {
  return end - start >= word.length && text.startsWith(word, start);
}

/**
 * `ADDRESS LENGTH ASN` and nothing more: a bare address, 1-3 digits, then digits with `_` or `,`
 * (multi-origin, AS sets), separated by tabs (or blanks: a plain host route with the label "24"
 * on device "15169" is not a thing).
 */
function isPfx2as(text: string, start: number, end: number, scratch: Uint8Array): boolean {
  let i = start;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  const addressEnd = i;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  const lengthStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  if (i === lengthStart || i - lengthStart > 3 || i === end || !isBlank(text.charCodeAt(i))) return false;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  if (i === end || !isDigit(text.charCodeAt(i))) return false;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c) && c !== 95 /* _ */ && c !== 44 /* , */) return false;
  }
  return parseIPv4(text, start, addressEnd) >= 0 || parseIPv6(text, scratch, 0, start, addressEnd);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The start of UTF-8 `bytes` that holds every line detectRouteFormat looks at, as text: a file
 * of a million lines is not decoded whole just to tell its format.
 */
export function detectionText(bytes: Uint8Array): string {
  let meaningful = 0;
  let pos = 0;
  while (pos < bytes.length && meaningful < LINES_LOOKED_AT) {
    let end = bytes.indexOf(10, pos);
    if (end < 0) end = bytes.length;
    let i = pos;
    while (i < end && isBlank(bytes[i])) i++;
    if (i < end && bytes[i] !== CH_HASH) meaningful++;
    pos = end + 1;
  }
  return new TextDecoder('utf-8').decode(bytes.subarray(0, Math.min(pos, bytes.length)));
}
