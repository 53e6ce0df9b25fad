/**
 * `bgpdump -m` (one line per entry, `|`-separated) output of MRT RIB dumps and update files:
 *
 *     TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.0.0/24|13030 15169|IGP|195.66.224.175|0|0||NAG||
 *     TABLE_DUMP|1454371200|B|peer|peerAS|prefix|aspath|origin|nexthop|localpref|med|community|...
 *     BGP4MP|1418774413|A|peer|peerAS|prefix|aspath|origin|nexthop|localpref|med|community|...
 *
 * Field 6 is the prefix, field 9 the next hop (the first address when bgpdump prints two, a global
 * and a link-local one), field 11 the MED, which becomes the metric (0 when empty or not a number).
 * Field 7, the AS path, and field 12, the communities, are kept as the route's BGP attributes
 * (bgp-attributes.ts); a path that does not parse is an error.
 * Every route of a RIB dump is kept, so a prefix seen from several peers yields several routes;
 * with equal MEDs the last one wins, as for any duplicate route.
 *
 * Update files: announcements (`A`) load as routes; a withdrawal (`W`) is an error, because a
 * table cannot honour it by ignoring it (replaying updates is not loading a table); session state
 * lines (`STATE`) carry no route and are skipped. Blank lines and `#` comment lines are skipped.
 */

import { RouteFormatError } from '../errors.js';
import {
  createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanPrefix,
} from '../net/address.js';
import type { AsAttributes } from './route.js';
import type { RouteList } from './route-list.js';
import { asAttributesOfPath, communitiesOf } from './bgp-attributes.js';
import {
  canonicalNextHop, CH_HASH, Interner, isBlank, parseUnsigned, PREFIX_EXAMPLE, quoteInput, tokenIs,
} from './scan.js';

/** Fields read: up to the communities (index 11). */
const FIELDS = 12;
const AS_PATH = 6;
const COMMUNITIES = 11;

export function parseBgpdumpRoutes(text: string, source: string, into: RouteList): RouteList {
  const prefix = createPrefixBuffer();
  const nextHops = new Interner(canonicalNextHop);
  // a RIB dump repeats each path and community list many times: each is parsed once
  const asPaths = new Interner<AsAttributes | string>(asAttributesOfPath);
  const communityLists = new Interner(communitiesOf);
  const starts = new Int32Array(FIELDS);
  const ends = new Int32Array(FIELDS);
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

    let fields = 0;
    while (fields < FIELDS) {
      starts[fields] = i;
      // the engine's search runs far faster than a loop over char codes (a dump is ~100 MB of text)
      const bar = text.indexOf('|', i);
      i = bar < 0 || bar > end ? end : bar;
      ends[fields] = i;
      fields++;
      if (i === end) break;
      i++;
    }

    const t0 = starts[0];
    const t1 = ends[0];
    const tableDump = tokenIs(text, t0, t1, 'TABLE_DUMP2') || tokenIs(text, t0, t1, 'TABLE_DUMP')
      || tokenIs(text, t0, t1, 'TABLE_DUMP_V2');
    const update = !tableDump && (tokenIs(text, t0, t1, 'BGP4MP') || tokenIs(text, t0, t1, 'BGP4MP_ET'));
    if (!tableDump && !update) {
      throw new RouteFormatError(source, line,
        `expected a bgpdump -m line starting with TABLE_DUMP2|, TABLE_DUMP| or BGP4MP|, found ${quoteInput(text, t0, end)}`);
    }
    if (fields < 3) {
      throw new RouteFormatError(source, line, `expected TYPE|TIME|B or A|..., found ${quoteInput(text, t0, end)}`);
    }
    const s0 = starts[2];
    const s1 = ends[2];
    if (update) {
      if (tokenIs(text, s0, s1, 'STATE')) continue;
      if (tokenIs(text, s0, s1, 'W')) {
        throw new RouteFormatError(source, line,
          'found a withdrawal (W): this is a BGP update stream, not a table; only announcements (A) and RIB entries (B) can be loaded');
      }
      if (!tokenIs(text, s0, s1, 'A')) {
        throw new RouteFormatError(source, line, `expected 'A', 'W' or 'STATE' as the third field of a BGP4MP line, found ${quoteInput(text, s0, s1)}`);
      }
    } else if (!tokenIs(text, s0, s1, 'B')) {
      throw new RouteFormatError(source, line, `expected 'B' as the third field of a TABLE_DUMP line, found ${quoteInput(text, s0, s1)}`);
    }
    if (fields < 9) {
      throw new RouteFormatError(source, line,
        `expected at least 9 '|'-separated fields (TYPE|TIME|B|PEER|PEER_AS|PREFIX|AS_PATH|ORIGIN|NEXT_HOP|...), found ${fields}`);
    }

    const p0 = starts[5];
    const p1 = ends[5];
    const status = scanPrefix(text, p0, p1, prefix);
    if (status !== PREFIX_OK) {
      throw new RouteFormatError(source, line,
        `expected ${PREFIX_EXAMPLE} in the sixth field, found ${quoteInput(text, p0, p1)} (${prefixErrorReason(status, text, p0, p1)})`);
    }

    // Next hop: the first blank-separated word of field 9.
    const n0 = starts[8];
    let n1 = n0;
    while (n1 < ends[8] && !isBlank(text.charCodeAt(n1))) n1++;
    const nextHop = n0 === n1 ? null : nextHops.get(text, n0, n1);

    let metric = 0;
    if (fields > 10) {
      const med = parseUnsigned(text, starts[10], ends[10]);
      if (med > 0) metric = med;
    }
    const as = asPaths.get(text, starts[AS_PATH], ends[AS_PATH]);
    if (typeof as === 'string') {
      throw new RouteFormatError(source, line,
        `expected an AS path like '3356 1299 64496' or '3356 {64500,64501}' in the seventh field, found ${quoteInput(text, starts[AS_PATH], ends[AS_PATH])} (${as})`);
    }
    const communities = fields > COMMUNITIES ? communityLists.get(text, starts[COMMUNITIES], ends[COMMUNITIES]) : undefined;

    if (prefix.family === 4) into.push4(prefix.v4, prefix.length, nextHop, null, metric, 'unicast', line);
    else into.push6(prefix.v6, 0, prefix.length, nextHop, null, metric, 'unicast', line);
    into.setBgp(into.count - 1, as, communities);
  }
  return into;
}
