// TABLE_DUMP_V2 (RFC 6396 4.3): the PEER_INDEX_TABLE naming the collector's peers, then one
// RIB_IPV4_UNICAST / RIB_IPV6_UNICAST record per prefix holding one entry per peer that has a
// route for it. One route is kept per prefix: the first entry of a chosen peer (every peer when
// none is chosen), in the order the collector wrote them.
import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { RouteList } from '../routes/route-list.js';
import { RibAttributeReader } from './attributes.js';
import { MrtFormatError } from './errors.js';
import type { MrtPeer } from './peers.js';
import type { MrtRecords } from './records.js';

/** Peers in index order; RFC 6396 4.3.1. */
export function readPeerIndexTable(records: MrtRecords): MrtPeer[] {
  const { bytes, view, bodyEnd, source } = records;
  let at = records.bodyStart;
  const need = (count: number, what: string) => {
    if (at + count > bodyEnd) {
      throw new MrtFormatError(source, at, `PEER_INDEX_TABLE: ${what} needs ${count} bytes, the record has ${bodyEnd - at} left`);
    }
  };
  need(6, 'the collector BGP ID and view name length');
  const viewNameLength = view.getUint16(at + 4);
  at += 6;
  need(viewNameLength + 2, 'the view name and peer count');
  at += viewNameLength;
  const count = view.getUint16(at);
  at += 2;
  const peers: MrtPeer[] = [];
  for (let n = 0; n < count; n++) {
    need(1, `peer ${n}'s type`);
    const type = bytes[at];
    const addressLength = type & 1 ? 16 : 4;
    const asLength = type & 2 ? 4 : 2;
    need(1 + 4 + addressLength + asLength, `peer ${n} (type ${type})`);
    const bgpId = formatIPv4(view.getUint32(at + 1));
    at += 5;
    const address = addressLength === 4 ? formatIPv4(view.getUint32(at)) : formatIPv6(bytes, at);
    at += addressLength;
    const as = asLength === 4 ? view.getUint32(at) : view.getUint16(at);
    at += asLength;
    peers.push({ address, as, bgpId });
  }
  return peers;
}

/**
 * Reads RIB_IPV4_UNICAST or RIB_IPV6_UNICAST records (RFC 6396 4.3.2) into a RouteList: per
 * record, the first entry whose peer `chosen` marks. Counts the entries it passes over.
 */
export class RibReader {
  /** Entries of peers not chosen, or after the one taken for their prefix. */
  entriesPassedOver = 0;
  /** RIB records with no entry of a chosen peer. */
  prefixesWithoutChosenPeer = 0;
  private readonly attributes = new RibAttributeReader(4);
  private readonly v6 = new Uint8Array(16);

  constructor(private readonly into: RouteList) {}

  /** `chosen[i]` is 1 for the peers of index i whose routes load. */
  read(records: MrtRecords, family: 4 | 6, chosen: Uint8Array): void {
    const { bytes, view, bodyEnd, source } = records;
    let at = records.bodyStart;
    if (bodyEnd - at < 5) throw new MrtFormatError(source, at, `RIB record of ${bodyEnd - at} bytes: the sequence number and prefix length need 5`);
    const length = bytes[at + 4];
    const max = family === 4 ? 32 : 128;
    if (length > max) throw new MrtFormatError(source, at + 4, `RIB_IPV${family}_UNICAST prefix length ${length}, above ${max}`);
    const octets = (length + 7) >> 3;
    at += 5;
    if (at + octets + 2 > bodyEnd) throw new MrtFormatError(source, at, `RIB record: the /${length} prefix and entry count need ${octets + 2} bytes, ${bodyEnd - at} are left`);
    let v4 = 0;
    if (family === 4) {
      for (let b = 0; b < 4; b++) v4 = (v4 << 8) | (b < octets ? bytes[at + b] : 0);
    } else {
      const v6 = this.v6;
      for (let b = 0; b < 16; b++) v6[b] = b < octets ? bytes[at + b] : 0;
    }
    at += octets;
    const entries = view.getUint16(at);
    at += 2;
    for (let e = 0; e < entries; e++) {
      if (at + 8 > bodyEnd) throw this.entryError(records, at, e, family, v4, length, `its header needs 8 bytes, the record has ${bodyEnd - at} left`);
      const peerIndex = view.getUint16(at);
      const attributesLength = view.getUint16(at + 6);
      const attributesStart = at + 8;
      at = attributesStart + attributesLength;
      if (at > bodyEnd) throw this.entryError(records, attributesStart - 8, e, family, v4, length, `its attributes say ${attributesLength} bytes, the record has ${bodyEnd - attributesStart} left`);
      if (peerIndex >= chosen.length) throw this.entryError(records, attributesStart - 8, e, family, v4, length, `peer index ${peerIndex}, the PEER_INDEX_TABLE has ${chosen.length} peers`);
      if (chosen[peerIndex] === 0) {
        this.entriesPassedOver++;
        continue;
      }
      const attributes = this.attributes;
      const problem = attributes.read(bytes, attributesStart, at);
      if (problem !== undefined) throw this.entryError(records, attributesStart, e, family, v4, length, problem);
      this.entriesPassedOver += entries - e - 1;
      const into = this.into;
      if (family === 4) into.push4(v4 >>> 0, length, attributes.nextHop4 ?? attributes.nextHop6, null, attributes.med);
      else into.push6(this.v6, 0, length, attributes.nextHop6 ?? attributes.nextHop4, null, attributes.med);
      into.setBgp(into.count - 1, attributes.as, attributes.communities);
      return;
    }
    this.prefixesWithoutChosenPeer++;
  }

  private entryError(records: MrtRecords, at: number, entry: number, family: 4 | 6, v4: number, length: number, reason: string): MrtFormatError {
    const prefix = family === 4 ? formatIPv4(v4 >>> 0) : formatIPv6(this.v6);
    return new MrtFormatError(records.source, at, `RIB entry ${entry} of ${prefix}/${length}: ${reason}`);
  }
}
