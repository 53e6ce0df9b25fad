/**
 * CAIDA RouteViews prefix-to-AS files: one route a line,
 *
 *     ADDRESS<TAB>LENGTH<TAB>ASN
 *
 * e.g. `1.0.0.0\t24\t15169`. The next hop becomes the label `AS<asn>`, with the ASN text kept
 * verbatim, so multi-origin (`701_702`) and AS-set (`701,702`) entries become `AS701_702` and
 * `AS701,702`. The ASN also becomes the route's `originAs` (the first of several, all of them in
 * `originAsSet`; bgp-attributes.ts); text there that is not AS numbers is an error. Fields may also
 * be separated by runs of spaces. Blank lines and `#` comment lines are skipped.
 */

import { RouteFormatError } from '../errors.js';
import { createPrefixBuffer, scanAddress } from '../net/address.js';
import type { AsAttributes } from './route.js';
import type { RouteList } from './route-list.js';
import { asAttributesOfOrigins } from './bgp-attributes.js';
import { CH_HASH, Interner, isBlank, parseUnsigned, quoteInput } from './scan.js';

/** What one distinct ASN text becomes: the next-hop label and the origin, or why it is not one. */
interface Origin {
  label: string;
  as: AsAttributes | string;
}

export function parsePfx2asRoutes(text: string, source: string, into: RouteList): RouteList {
  const address = createPrefixBuffer();
  const origins = new Interner<Origin>((asn) => ({ label: `AS${asn}`, as: asAttributesOfOrigins(asn) }));
  const length = text.length;
  let pos = 0;
  let line = 0;
  while (pos < length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    let i = pos;
    pos = end + 1;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    if (i === end || text.charCodeAt(i) === CH_HASH) continue;

    const a0 = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const a1 = i;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    const l0 = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const l1 = i;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    const s0 = i;
    while (i < end && !isBlank(text.charCodeAt(i))) i++;
    const s1 = i;
    while (i < end && isBlank(text.charCodeAt(i))) i++;

    const family = scanAddress(text, a0, a1, address);
    if (family === 0) {
      throw new RouteFormatError(source, line,
        `expected a pfx2as line ADDRESS<TAB>LENGTH<TAB>ASN with an IPv4 or IPv6 address first, found ${quoteInput(text, a0, a1)}`);
    }
    const max = family === 4 ? 32 : 128;
    const prefixLength = parseUnsigned(text, l0, l1, 1000);
    if (prefixLength < 0 || prefixLength > max) {
      const found = l0 === l1 ? 'nothing' : quoteInput(text, l0, l1);
      throw new RouteFormatError(source, line,
        `expected a prefix length 0..${max} for IPv${family} in the second field, found ${found}`);
    }
    if (s0 === s1) {
      throw new RouteFormatError(source, line, 'expected an AS number in the third field, found nothing');
    }
    if (i < end) {
      throw new RouteFormatError(source, line,
        `expected 3 fields ADDRESS<TAB>LENGTH<TAB>ASN, found more: ${quoteInput(text, i, end)}`);
    }
    const origin = origins.get(text, s0, s1);
    if (typeof origin.as === 'string') {
      throw new RouteFormatError(source, line,
        `expected an AS number (or several joined by '_' or ',') in the third field, found ${quoteInput(text, s0, s1)}`);
    }
    if (family === 4) into.push4(address.v4, prefixLength, origin.label, null, 0, 'unicast', line);
    else into.push6(address.v6, 0, prefixLength, origin.label, null, 0, 'unicast', line);
    into.setBgp(into.count - 1, origin.as, undefined);
  }
  return into;
}
