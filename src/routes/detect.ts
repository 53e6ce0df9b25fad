/**
 * Guesses the format of a routes file from its first meaningful lines (blank lines and `#`
 * comments are passed over):
 * - `[` (or `{`) first: ip-json;
 * - a line starting `TABLE_DUMP` or `BGP4MP`: bgpdump;
 * - `ADDRESS<TAB>DIGITS<TAB>WORD`: pfx2as;
 * - a line starting with a route type word (`blackhole 10.0.0.0/8`), an indented `nexthop` line, or
 *   an `ip` keyword (`via`, `dev`, `proto`, `scope`, `metric`, `table`, `src`) as a word after the
 *   prefix: ip;
 * - otherwise plain.
 * Up to 64 meaningful lines are looked at; the first line that gives a clear sign decides.
 */

import { parseIPv4, parseIPv6 } from '../net/address.js';
import type { RouteFormat } from './index.js';
import { CH_HASH, isBlank, tokenIs } from './scan.js';

const LINES_LOOKED_AT = 64;
const ROUTE_TYPE_WORDS = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit',
  'throw', 'multicast', 'anycast', 'nat'];
const IP_KEYWORDS = ['via', 'dev', 'proto', 'scope', 'metric', 'table', 'src', 'nhid'];

export function detectRouteFormat(text: string): RouteFormat {
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
    if (i > lineStart && t0 > lineStart && tokenIs(text, t0, t1, 'nexthop')) return 'ip';
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

/** `ADDRESS<TAB>DIGITS<TAB>WORD` and nothing more. */
function isPfx2as(text: string, start: number, end: number, scratch: Uint8Array): boolean {
  const tab1 = text.indexOf('\t', start);
  if (tab1 < 0 || tab1 >= end) return false;
  const tab2 = text.indexOf('\t', tab1 + 1);
  if (tab2 < 0 || tab2 >= end || tab2 === tab1 + 1 || tab2 + 1 >= end) return false;
  for (let i = tab1 + 1; i < tab2; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  for (let i = tab2 + 1; i < end; i++) if (isBlank(text.charCodeAt(i))) return false;
  return parseIPv4(text, start, tab1) >= 0 || parseIPv6(text, scratch, 0, start, tab1);
}
