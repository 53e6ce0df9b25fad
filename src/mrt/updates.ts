// An MRT update file (BGP4MP, BGP4MP_ET) as a route update stream (src/updates/types.ts): each
// UPDATE's withdrawals become `del`s and its announcements `replace`s with their attributes, at
// the record's time (with the microseconds of BGP4MP_ET). Other records are named, skipped and
// counted; a truncated record ends the stream, `truncated` saying where.
import type { PathAttributes } from '../bgp/types.js';
import type { RouteAttributes } from '../routes/route.js';
import { createPrefixBuffer, PREFIX_OK, scanPrefix } from '../net/address.js';
import { columnStream, NO_ATTRIBUTES, OP_DEL, OP_REPLACE, UpdateColumns } from '../updates/columns.js';
import type { UpdateStream } from '../updates/types.js';
import { decodeBgp4mpUpdate, isMessageSubtype, readBgp4mpMessage } from './bgp4mp.js';
import { MrtType, recordKindName } from './constants.js';
import { parsePeerFilter, peerMatches } from './peers.js';
import { MrtRecords } from './records.js';

export interface MrtUpdatesOptions {
  /** The file name (`-` for standard input); names updates' `where`. */
  source?: string;
  /** `ADDRESS` or `AS`: only this peer's updates. */
  peer?: string;
}

/**
 * Reads BGP4MP UPDATEs. A malformed UPDATE (RFC 7606 would reset the session) is counted in
 * `notes.skipped`; one whose attributes are malformed in a way RFC 7606 treats as a withdrawal
 * gives `del`s, as a BGP speaker would, and says so in `notes.skipped`, as does an attribute
 * discarded or an MP_REACH_NLRI of another family than IPv4/IPv6 unicast (multicast prefixes,
 * which bgpdump -m prints as if they were unicast).
 */
export function parseMrtUpdates(bytes: Uint8Array, options: MrtUpdatesOptions = {}): UpdateStream {
  const source = options.source ?? '-';
  const filter = options.peer === undefined ? undefined : parsePeerFilter(options.peer);
  const records = new MrtRecords(bytes, source);
  const skipped = new Map<string, number>();
  const skip = (kind: string) => skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
  const columns = new UpdateColumns(source, true);
  const key = createPrefixBuffer();
  const push = (seconds: number, nanoseconds: number, op: number, prefix: string, attributes: number, where: number) => {
    // the decoder writes prefixes it read from their bytes: always one
    if (scanPrefix(prefix, 0, prefix.length, key) !== PREFIX_OK) throw new Error(`MRT decoder gave '${prefix}', not a prefix`);
    columns.push(seconds, nanoseconds, op, key, attributes, where);
  };
  while (records.next()) {
    const { type, subtype } = records;
    const kind = recordKindName(type, subtype);
    if ((type !== MrtType.BGP4MP && type !== MrtType.BGP4MP_ET) || !isMessageSubtype(subtype)) {
      skip(kind);
      continue;
    }
    const message = readBgp4mpMessage(records);
    if (filter && !peerMatches(filter, message.peerAddress, message.peerAs)) continue;
    const update = decodeBgp4mpUpdate(records, message);
    if (typeof update === 'string') {
      skip(`${kind}: ${update}`);
      continue;
    }
    if (update.outcome === 'session-reset') {
      skip(`${kind}: malformed UPDATE`);
      continue;
    }
    // what RFC 7606 had the UPDATE lose (an attribute discarded, announcements withdrawn) and
    // MP_REACH/MP_UNREACH of other families (multicast, VPN...) are counted by what was lost
    for (const problem of update.problems) skip(`${kind}: ${problem.reason}`);
    // a microsecond field of a second or more (RFC 6396 3 says less) carries into the seconds
    const seconds = records.timestamp + Math.floor(records.microseconds / 1_000_000);
    const nanoseconds = (records.microseconds % 1_000_000) * 1000;
    const where = columns.addWhere(records.where());
    for (const change of update.changes) {
      for (const prefix of change.withdrawn) push(seconds, nanoseconds, OP_DEL, prefix, NO_ATTRIBUTES, where);
      if (change.attributes === undefined) continue;
      const attributes = columns.addAttributes(routeAttributesOf(change.attributes));
      for (const prefix of change.announced) push(seconds, nanoseconds, OP_REPLACE, prefix, attributes, where);
    }
  }
  return columnStream(columns, { skipped }, records.truncated);
}

/**
 * What a route keeps of an UPDATE's attributes: as the `bgpdump -m` reader keeps them (the MED
 * is the metric; large communities follow the communities), with MED and LOCAL_PREF as well.
 */
function routeAttributesOf(path: PathAttributes): RouteAttributes {
  const communities = path.communities && path.largeCommunities
    ? path.communities.concat(path.largeCommunities) : path.communities ?? path.largeCommunities;
  return {
    nextHop: path.nextHop,
    metric: path.med ?? 0,
    asPath: path.asPath,
    ...(communities && communities.length > 0 ? { communities } : {}),
    ...(path.med !== undefined ? { med: path.med } : {}),
    ...(path.localPref !== undefined ? { localPref: path.localPref } : {}),
  };
}
