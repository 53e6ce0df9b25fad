/**
 * The plain route format: one route a line,
 *
 *     PREFIX [NEXTHOP [DEV [METRIC]]]
 *     ADDRESS NETMASK [NEXTHOP [DEV [METRIC]]]
 *
 * Fields are separated by blanks or by one comma with optional blanks around it, so
 * `10.0.0.0/8 192.0.2.1 eth0 10` and `10.0.0.0/8,192.0.2.1,eth0,10` are the same route, and in the
 * comma form an empty field (`10.0.0.0/8,,eth0`) is a missing one.
 * - PREFIX: `a.b.c.d/len`, `v6/len`, a bare address (a host route, /32 or /128) or `default`
 *   (= 0.0.0.0/0; write `::/0` for the IPv6 default).
 * - ADDRESS NETMASK: a bare IPv4 address and a dotted mask, as `route` and router configurations
 *   write a prefix (`192.168.0.0 255.255.0.0` = 192.168.0.0/16). A second field is a mask when it is
 *   a contiguous one or starts 0. or 255. (src/routes/netmask.ts); a mask that is not contiguous,
 *   or an address with bits outside its mask, is an error (as `route` and routers refuse them).
 * - NEXTHOP: an address (kept in canonical text) or any label (`rfc1918-10`, `AS15169`);
 *   `-` or empty means none.
 * - DEV: any label; `-` or empty means none.
 * - METRIC: decimal 0..4294967295; `-` or empty means 0.
 * `#` starts a comment at the start of a line or after a separator (a `#` inside a label is part
 * of it). Blank lines are skipped. If the first non-comment line's first field is `prefix`
 * (any case), that line is a column header and is skipped.
 *
 * This is the format of full BGP tables of a million lines, so the loop below walks char codes,
 * keeps field positions in locals and cuts strings only for new next hops and devices.
 */

import { RouteFormatError } from '../errors.js';
import type { PrefixBuffer } from '../net/address.js';
import {
  createPrefixBuffer, formatIPv4, PREFIX_OK, prefixErrorReason, scanPrefix,
} from '../net/address.js';
import type { RouteList } from './route-list.js';
import {
  canonicalNextHop, CH_0, CH_9, CH_COMMA, CH_DASH, CH_HASH, Interner, isBlank, parseUnsigned, PREFIX_EXAMPLE,
  quoteInput, tokenIs,
} from './scan.js';
import { looksLikeNetmask, netmaskLength, parseDottedQuad, scanDottedQuad, scannedAddress } from './netmask.js';

const MAX_FIELDS = 4;
/** Fields a line may hold: one more with a netmask. */
const MAX_LINE_FIELDS = MAX_FIELDS + 1;

export function parsePlainRoutes(text: string, source: string, into: RouteList): RouteList {
  const prefix = createPrefixBuffer();
  const nextHops = new Interner(canonicalNextHop);
  const devices = new Interner();
  // Start and end of each field of the current line.
  const starts = new Int32Array(MAX_LINE_FIELDS);
  const ends = new Int32Array(MAX_LINE_FIELDS);
  const length = text.length;
  let pos = 0;
  let line = 0;
  let seenRoute = false;

  while (pos < length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    let i = pos;
    pos = end + 1;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    if (i === end || text.charCodeAt(i) === CH_HASH) continue;

    // The prefix. Fast path: an IPv4 prefix parsed while finding the end of the field.
    const p0 = i;
    let status = PREFIX_OK;
    let p1 = scanIPv4PrefixField(text, i, end, prefix);
    if (p1 < 0) {
      p1 = i;
      while (p1 < end) {
        const c = text.charCodeAt(p1);
        if (c === CH_COMMA || isBlank(c)) break;
        p1++;
      }
      if (!seenRoute && p1 - p0 === 6 && text.slice(p0, p1).toLowerCase() === 'prefix') {
        seenRoute = true;
        continue; // a column header
      }
      if (tokenIs(text, p0, p1, 'default')) {
        prefix.family = 4;
        prefix.v4 = 0;
        prefix.length = 0;
      } else {
        status = scanPrefix(text, p0, p1, prefix);
      }
    }
    seenRoute = true;
    if (status !== PREFIX_OK) {
      throw new RouteFormatError(source, line,
        `expected ${PREFIX_EXAMPLE}, found ${quoteInput(text, p0, p1)} (${prefixErrorReason(status, text, p0, p1)})`);
    }

    // The other fields, if any.
    let fields = 1;
    i = p1;
    while (i < end) {
      // A separator: blanks, or one comma with optional blanks around it.
      while (i < end && isBlank(text.charCodeAt(i))) i++;
      if (i === end) break;
      let c = text.charCodeAt(i);
      if (c === CH_COMMA) {
        i++;
        while (i < end && isBlank(text.charCodeAt(i))) i++;
        if (i < end) c = text.charCodeAt(i);
      }
      if (c === CH_HASH) break; // a trailing comment
      const fieldStart = i;
      while (i < end) {
        c = text.charCodeAt(i);
        if (c === CH_COMMA || isBlank(c)) break;
        i++;
      }
      if (fields === MAX_LINE_FIELDS) throw extraField(source, line, text, fieldStart, i);
      starts[fields] = fieldStart;
      ends[fields] = i;
      fields++;
    }
    // `ADDRESS NETMASK ...`: the mask joins the prefix, and the other fields move down one
    if (fields > 1 && prefix.family === 4 && prefix.length === 32 && isBareAddress(text, p0, p1)) {
      const mask = parseDottedQuad(text, starts[1], ends[1]);
      if (mask >= 0 && looksLikeNetmask(mask)) {
        applyNetmask(prefix, mask, source, line, text, starts[1], ends[1]);
        starts.copyWithin(1, 2);
        ends.copyWithin(1, 2);
        fields--;
      }
    }
    if (fields > MAX_FIELDS) throw extraField(source, line, text, starts[MAX_FIELDS], ends[MAX_FIELDS]);

    let nextHop: string | null = null;
    let dev: string | null = null;
    let metric = 0;
    if (fields > 1 && !isNone(text, starts[1], ends[1])) nextHop = nextHops.get(text, starts[1], ends[1]);
    if (fields > 2 && !isNone(text, starts[2], ends[2])) dev = devices.get(text, starts[2], ends[2]);
    if (fields > 3 && !isNone(text, starts[3], ends[3])) {
      metric = parseUnsigned(text, starts[3], ends[3]);
      if (metric < 0) {
        throw new RouteFormatError(source, line,
          `expected a metric 0..4294967295 in the fourth field, found ${quoteInput(text, starts[3], ends[3])}`);
      }
    }
    if (prefix.family === 4) into.push4(prefix.v4, prefix.length, nextHop, dev, metric, 'unicast', line);
    else into.push6(prefix.v6, 0, prefix.length, nextHop, dev, metric, 'unicast', line);
  }
  return into;
}

/**
 * Parses `a.b.c.d/len` or a bare `a.b.c.d` at `text[start]` that ends at `end`, a blank or a comma,
 * into `out`, and returns where it ends; -1 when the field is anything else (it then goes the
 * general way). One pass over the characters, for the million-line IPv4 tables.
 */
function scanIPv4PrefixField(text: string, start: number, end: number, out: PrefixBuffer): number {
  let i = scanDottedQuad(text, start, end);
  if (i < 0) return -1;
  const address = scannedAddress;
  let length = 32;
  if (i < end && text.charCodeAt(i) === 47 /* / */) {
    i++;
    const first = i;
    let value = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < CH_0 || c > CH_9) break;
      value = value * 10 + (c - CH_0);
      i++;
    }
    if (i === first || i - first > 2 || value > 32) return -1;
    length = value;
  }
  if (i < end) {
    const c = text.charCodeAt(i);
    if (c !== CH_COMMA && !isBlank(c)) return -1;
  }
  out.family = 4;
  out.v4 = address >>> 0;
  out.length = length;
  return i;
}

function extraField(source: string, line: number, text: string, start: number, end: number): RouteFormatError {
  return new RouteFormatError(source, line,
    `expected at most ${MAX_FIELDS} fields (PREFIX NEXTHOP DEV METRIC, where PREFIX may be ADDRESS NETMASK), found an extra field ${quoteInput(text, start, Math.max(end, start + 1))}`);
}

/** No `/` in the prefix field: an address, not `a.b.c.d/32`. */
function isBareAddress(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (text.charCodeAt(i) === 47 /* / */) return false;
  return true;
}

/** Makes the host route in `prefix` the network of `mask`, or says why the pair is wrong. */
function applyNetmask(prefix: PrefixBuffer, mask: number, source: string, line: number, text: string, start: number, end: number): void {
  const length = netmaskLength(mask);
  if (length < 0) {
    throw new RouteFormatError(source, line,
      `expected a netmask of contiguous ones (such as 255.255.0.0) after the address, found ${quoteInput(text, start, end)}, which is not contiguous`);
  }
  if ((prefix.v4 & ~mask) !== 0) {
    const network = (prefix.v4 & mask) >>> 0;
    throw new RouteFormatError(source, line,
      `address ${formatIPv4(prefix.v4)} has bits outside its netmask ${quoteInput(text, start, end)} (/${length}): `
      + `its network is ${formatIPv4(network)}; for a host route via ${formatIPv4(mask)}, write ${formatIPv4(prefix.v4)}/32`);
  }
  prefix.length = length;
}

/** An empty field or `-`. */
function isNone(text: string, start: number, end: number): boolean {
  return start === end || (end - start === 1 && text.charCodeAt(start) === CH_DASH);
}
