// An MRT file as a routes file: TABLE_DUMP_V2 and TABLE_DUMP RIB dumps give one route per prefix
// (the first entry of the chosen peer, or of any peer when none is chosen); BGP4MP update files
// give their announcements, as the `bgpdump -m` reader does with their text (a withdrawal is an
// error: a table cannot honour it). Records of other types and subtypes are named, skipped and
// counted; a truncated record ends the file, keeping what came before it.
import { FibscopeArgumentError } from '../errors.js';
import { parsePrefix } from '../net/address.js';
import { asAttributesOfPath } from '../routes/bgp-attributes.js';
import type { AsAttributes } from '../routes/route.js';
import { RouteList } from '../routes/route-list.js';
import { decodeBgp4mpUpdate, isMessageSubtype, readBgp4mpMessage } from './bgp4mp.js';
import { MrtType, recordKindName, TableDumpV2Subtype } from './constants.js';
import { MrtFormatError } from './errors.js';
import { describePeers, parsePeerFilter, peerMatches, type MrtPeer, type PeerFilter } from './peers.js';
import { MrtRecords, type MrtTruncation } from './records.js';
import { readPeerIndexTable, RibReader } from './table-dump-v2.js';
import { TableDumpReader } from './table-dump.js';

export interface MrtRoutesOptions {
  /** Names the file in errors and notes. */
  source?: string;
  /** `ADDRESS` or `AS`: only this peer's routes (see parsePeerFilter). */
  peer?: string;
}

/** What an MRT load found besides routes. */
export interface MrtLoadNotes {
  /** Records not read, by kind (`MRT TABLE_DUMP_V2/RIB_GENERIC (13/6)` → count). */
  skipped: Map<string, number>;
  /** RIB entries not loaded: of peers not chosen, or after the first for their prefix. */
  entriesPassedOver: number;
  /** The peers of the dump's PEER_INDEX_TABLE (or seen in its records). */
  peers: MrtPeer[];
  /** Set when a record broke off: everything before it was loaded. */
  truncated?: MrtTruncation;
}

export function parseMrtRoutes(bytes: Uint8Array, options: MrtRoutesOptions = {}, into: RouteList = new RouteList()): { routes: RouteList; notes: MrtLoadNotes } {
  const source = options.source ?? '<bytes>';
  const filter = options.peer === undefined ? undefined : parsePeerFilter(options.peer);
  const records = new MrtRecords(bytes, source);
  // a RIB record of one prefix and one entry takes some 60 bytes: room for that many at once, not
  // twenty doublings of every column
  into.ensureCapacity(into.count + Math.min(Math.floor(bytes.length / 64), 1 << 22));
  const skipped = new Map<string, number>();
  const skip = (kind: string) => skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
  const rib = new RibReader(into);
  const tableDump = new TableDumpReader(into, filter);
  const updates = new UpdateRoutes(into, filter);
  let peers: MrtPeer[] | undefined;
  let chosen: Uint8Array | undefined;
  let tableDumpRecords = 0;
  const routesBefore = into.count;
  while (records.next()) {
    const { type, subtype } = records;
    switch (recordRole(type, subtype)) {
      case 'peers':
        peers = readPeerIndexTable(records);
        chosen = choosePeers(peers, filter, source);
        break;
      case 'rib':
        if (chosen === undefined) throw new MrtFormatError(source, records.offset, 'a RIB record before any PEER_INDEX_TABLE: its entries name peers by an index into that table');
        rib.read(records, subtype === TableDumpV2Subtype.RIB_IPV4_UNICAST ? 4 : 6, chosen);
        break;
      case 'table-dump':
        tableDump.read(records, subtype === 1 ? 4 : 6);
        tableDumpRecords++;
        break;
      case 'update': {
        const skippedKind = updates.read(records);
        if (skippedKind) skip(skippedKind);
        break;
      }
      case 'skip':
        skip(recordKindName(type, subtype));
    }
  }
  const seenPeers = peers ?? [...tableDump.peers.values(), ...updates.peers.values()];
  // a dump of records that name their peer: a chosen peer that never appeared is a mistake to say
  if (filter && peers === undefined && seenPeers.length > 0 && into.count === routesBefore && tableDumpRecords + updates.records > 0) {
    throw new FibscopeArgumentError(`--peer ${filter.text}: no such peer in ${source}; its peers: ${describePeers(seenPeers)}`);
  }
  return {
    routes: into,
    notes: {
      skipped,
      entriesPassedOver: rib.entriesPassedOver + tableDump.entriesPassedOver + updates.passedOver,
      peers: seenPeers,
      ...(records.truncated ? { truncated: records.truncated } : {}),
    },
  };
}

/** What a routes file makes of a record of this kind. */
export type MrtRecordRole = 'peers' | 'rib' | 'table-dump' | 'update' | 'skip';

export function recordRole(type: number, subtype: number): MrtRecordRole {
  if (type === MrtType.TABLE_DUMP_V2) {
    if (subtype === TableDumpV2Subtype.PEER_INDEX_TABLE) return 'peers';
    if (subtype === TableDumpV2Subtype.RIB_IPV4_UNICAST || subtype === TableDumpV2Subtype.RIB_IPV6_UNICAST) return 'rib';
  } else if (type === MrtType.TABLE_DUMP && (subtype === 1 || subtype === 2)) {
    return 'table-dump';
  } else if ((type === MrtType.BGP4MP || type === MrtType.BGP4MP_ET) && isMessageSubtype(subtype)) {
    return 'update';
  }
  // STATE_CHANGE, RIB_GENERIC, the multicast and ADD-PATH subtypes, other protocols, unknown types
  return 'skip';
}

/** 1 for each peer whose routes load. */
export function choosePeers(peers: readonly MrtPeer[], filter: PeerFilter | undefined, source: string): Uint8Array {
  const chosen = new Uint8Array(peers.length);
  let any = false;
  peers.forEach((peer, i) => {
    if (filter === undefined || peerMatches(filter, peer.address, peer.as)) {
      chosen[i] = 1;
      any = true;
    }
  });
  if (filter && !any) {
    throw new FibscopeArgumentError(`--peer ${filter.text}: no such peer in the PEER_INDEX_TABLE of ${source}; its peers: ${describePeers(peers)}`);
  }
  return chosen;
}

/** Announcements of BGP4MP UPDATEs as routes. */
class UpdateRoutes {
  readonly peers = new Map<string, MrtPeer>();
  records = 0;
  passedOver = 0;
  private readonly asTexts = new Map<string, AsAttributes>();

  constructor(private readonly into: RouteList, private readonly filter: PeerFilter | undefined) {}

  /** Reads one BGP4MP message record; returns the kind of record to count as skipped, if it is one. */
  read(records: MrtRecords): string | undefined {
    const message = readBgp4mpMessage(records);
    this.records++;
    if (!this.peers.has(message.peerAddress)) this.peers.set(message.peerAddress, { address: message.peerAddress, as: message.peerAs });
    if (this.filter && !peerMatches(this.filter, message.peerAddress, message.peerAs)) {
      this.passedOver++;
      return undefined;
    }
    const update = decodeBgp4mpUpdate(records, message);
    const kind = recordKindName(records.type, records.subtype);
    if (typeof update === 'string') return `${kind}: ${update}`;
    if (update.outcome === 'session-reset') {
      throw new MrtFormatError(records.source, message.messageStart, `malformed BGP UPDATE from ${message.peerAddress}: ${update.problems[update.problems.length - 1]?.reason}`);
    }
    for (const change of update.changes) {
      if (change.withdrawn.length > 0) {
        throw new MrtFormatError(records.source, records.offset,
          `a withdrawal of ${change.withdrawn[0]}: this is a BGP update stream, not a table; only announcements and RIB entries can be loaded as routes (replay it as an update stream instead)`);
      }
      const attributes = change.attributes;
      if (attributes === undefined) continue;
      let as = this.asTexts.get(attributes.asPath);
      if (as === undefined) {
        const parsed = asAttributesOfPath(attributes.asPath);
        if (typeof parsed === 'string') throw new MrtFormatError(records.source, message.messageStart, `AS_PATH '${attributes.asPath}': ${parsed}`);
        as = parsed;
        this.asTexts.set(attributes.asPath, as);
      }
      const communities = attributes.communities && attributes.largeCommunities
        ? attributes.communities.concat(attributes.largeCommunities) : attributes.communities ?? attributes.largeCommunities;
      for (const text of change.announced) {
        const prefix = parsePrefix(text)!;
        if (prefix.family === 4) this.into.push4(prefix.v4, prefix.length, attributes.nextHop, null, attributes.med ?? 0);
        else this.into.push6(prefix.v6, 0, prefix.length, attributes.nextHop, null, attributes.med ?? 0);
        this.into.setBgp(this.into.count - 1, as, communities);
      }
    }
    return undefined;
  }
}
