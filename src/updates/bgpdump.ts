// `bgpdump -m` lines of MRT update files:
//
//     BGP4MP|1418774413|A|195.66.224.175|13030|1.0.0.0/24|13030 15169|IGP|195.66.224.175|0|0|13030:51904|NAG||
//     BGP4MP|1418774413|W|195.66.224.175|13030|1.0.0.0/24
//     BGP4MP|1418774413|STATE|195.66.224.175|13030|3|6
//
// An announcement (A) replaces every route of the prefix (`replace`), with the next hop, the MED
// as metric, the AS path and the communities as src/routes/bgpdump.ts reads them from a RIB
// dump; a withdrawal (W) removes the routes of the prefix (`del`). STATE lines carry no route:
// skipped and counted. A stream holds the updates of one BGP session: with several peers, `peer`
// (an address, or an AS number) picks one, and without it the stream is refused, since one
// peer's withdrawal would remove the route another peer announced (docs/updates.md).
import { UpdateFormatError } from '../errors.js';
import { createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanPrefix } from '../net/address.js';
import { parsePeerFilter, peerMatches } from '../mrt/peers.js';
import { asAttributesOfPath, communitiesOf, parseAsNumber } from '../routes/bgp-attributes.js';
import type { AsAttributes } from '../routes/route.js';
import { canonicalNextHop, Interner, PREFIX_EXAMPLE, quoteInput } from '../routes/scan.js';
import { columnStream, NO_ATTRIBUTES, OP_DEL, OP_REPLACE, UpdateColumns } from './columns.js';
import { forEachLine } from './lines.js';
import { parseUpdateTime } from './time.js';
import type { UpdateStream } from './types.js';

export interface BgpdumpUpdateOptions {
  /** The peer whose updates apply: its address, or its AS number (`3356`, `AS3356`). */
  peer?: string;
}

const TYPE = 0;
const TIME = 1;
const KIND = 2;
const PEER = 3;
const PEER_AS = 4;
const PREFIX = 5;
const AS_PATH = 6;
const NEXT_HOP = 8;
const MED = 10;
const COMMUNITIES = 11;

/** A peer of the stream: where it was first seen, and how many of its updates were read. */
interface PeerSeen {
  address: string;
  as: string;
  firstLine: number;
  updates: number;
}

export function parseBgpdumpUpdates(text: string, source: string, options: BgpdumpUpdateOptions = {}): UpdateStream {
  const columns = new UpdateColumns(source);
  // announcements with the same next hop, MED, AS path and communities share one attributes object
  const attributeNumbers = new Map<string, number>();
  const skipped = new Map<string, number>();
  const skip = (what: string) => skipped.set(what, (skipped.get(what) ?? 0) + 1);
  const prefix = createPrefixBuffer();
  const nextHops = new Interner(canonicalNextHop);
  const peerAddresses = new Interner(canonicalNextHop);
  const asPaths = new Interner<AsAttributes | string>(asAttributesOfPath);
  const communityLists = new Interner(communitiesOf);
  const wanted = peerMatcher(options.peer);
  const peers = new Map<string, PeerSeen>();
  forEachLine(text, (line, content) => {
    const fields = content.split('|');
    const fail = (message: string) => new UpdateFormatError(source, line, message);
    const type = fields[TYPE];
    if (type.startsWith('TABLE_DUMP')) {
      throw fail(`found a RIB dump line (${type}), not an update: load a RIB dump with -r; --updates takes BGP4MP lines`);
    }
    if (type !== 'BGP4MP' && type !== 'BGP4MP_ET') {
      throw fail(`expected a bgpdump -m update line starting with BGP4MP|, found ${quoteInput(content)}`);
    }
    if (fields.length < 3) throw fail(`expected BGP4MP|TIME|A, W or STATE|…, found ${quoteInput(content)}`);
    const kind = fields[KIND];
    if (kind === 'STATE') {
      skip('BGP4MP STATE');
      return;
    }
    if (kind !== 'A' && kind !== 'W') throw fail(`expected 'A', 'W' or 'STATE' as the third field, found ${quoteInput(kind)}`);
    const needed = kind === 'A' ? NEXT_HOP + 1 : PREFIX + 1;
    if (fields.length < needed) {
      throw fail(kind === 'A'
        ? `expected at least 9 '|'-separated fields (BGP4MP|TIME|A|PEER|PEER_AS|PREFIX|AS_PATH|ORIGIN|NEXT_HOP|…), found ${fields.length}`
        : `expected at least 6 '|'-separated fields (BGP4MP|TIME|W|PEER|PEER_AS|PREFIX), found ${fields.length}`);
    }
    const time = parseUpdateTime(fields[TIME]);
    if (typeof time === 'string') throw fail(time);
    const prefixText = fields[PREFIX];
    const status = scanPrefix(prefixText, 0, prefixText.length, prefix);
    if (status !== PREFIX_OK) {
      throw fail(`expected ${PREFIX_EXAMPLE} in the sixth field, found ${quoteInput(prefixText)} (${prefixErrorReason(status, prefixText)})`);
    }
    const peerAddress = peerAddresses.get(fields[PEER], 0, fields[PEER].length);
    if (!wanted(peerAddress, fields[PEER_AS])) {
      skip('BGP4MP of other peers');
      return;
    }
    const seen = peers.get(peerAddress);
    if (seen) seen.updates++;
    else peers.set(peerAddress, { address: peerAddress, as: fields[PEER_AS], firstLine: line, updates: 1 });
    if (kind === 'W') {
      columns.push(time.seconds, time.nanoseconds, OP_DEL, prefix, NO_ATTRIBUTES, line);
      return;
    }
    const hopField = fields[NEXT_HOP].trim();
    const hopEnd = hopField.search(/\s/);
    const hopText = hopEnd < 0 ? hopField : hopField.slice(0, hopEnd);
    const as = asPaths.get(fields[AS_PATH], 0, fields[AS_PATH].length);
    if (typeof as === 'string') {
      throw fail(`expected an AS path like '3356 1299 64496' or '3356 {64500,64501}' in the seventh field, found ${quoteInput(fields[AS_PATH])} (${as})`);
    }
    const med = fields.length > MED && /^\d{1,10}$/.test(fields[MED]) ? Number(fields[MED]) : 0;
    const communityText = fields.length > COMMUNITIES ? fields[COMMUNITIES] : undefined;
    const key = `${hopText}|${med}|${fields[AS_PATH]}|${communityText ?? '\u0000'}`;
    let attributes = attributeNumbers.get(key);
    if (attributes === undefined) {
      attributes = columns.addAttributes({
        nextHop: hopText === '' ? null : nextHops.get(hopText, 0, hopText.length),
        metric: med <= 0xffffffff ? med : 0,
        asPath: as.asPath,
        communities: communityText === undefined ? undefined : communityLists.get(communityText, 0, communityText.length),
      });
      attributeNumbers.set(key, attributes);
    }
    columns.push(time.seconds, time.nanoseconds, OP_REPLACE, prefix, attributes, line);
  });
  if (peers.size > 1) {
    const listed = [...peers.values()].slice(0, 4).map((peer) => `${peer.address} (AS ${peer.as}, ${peer.updates} updates from line ${peer.firstLine})`);
    const more = peers.size > 4 ? `, and ${peers.size - 4} more` : '';
    throw new UpdateFormatError(source, 0, `updates from ${peers.size} BGP peers: ${listed.join(', ')}${more}. `
      + `Each peer's announcements and withdrawals make a table of their own: choose one with --peer ADDRESS or --peer AS`);
  }
  return columnStream(columns, { skipped });
}

/** Whether a line's peer is the one asked for (any, without `peer`): `--peer` as for MRT files (src/mrt/peers.ts). */
function peerMatcher(peer: string | undefined): (address: string, as: string) => boolean {
  if (peer === undefined) return () => true;
  const filter = parsePeerFilter(peer);
  return (address, as) => peerMatches(filter, address, parseAsNumber(as, 0, as.length));
}
