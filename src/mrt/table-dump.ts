// The old TABLE_DUMP type (RFC 6396 4.2): one RIB entry per record, 2-octet AS numbers, the peer
// in the record itself. As for TABLE_DUMP_V2, one route is kept per prefix: the first entry of a
// chosen peer.
import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { RouteList } from '../routes/route-list.js';
import { RibAttributeReader } from './attributes.js';
import { MrtFormatError } from './errors.js';
import { peerMatches, type MrtPeer, type PeerFilter } from './peers.js';
import type { MrtRecords } from './records.js';

export class TableDumpReader {
  entriesPassedOver = 0;
  /** Each peer seen, by address, for the message when the chosen one is not among them. */
  readonly peers = new Map<string, MrtPeer>();
  private readonly attributes = new RibAttributeReader(2);
  private readonly seen = new Set<string>();

  constructor(private readonly into: RouteList, private readonly filter: PeerFilter | undefined) {}

  /** A record of subtype 1 (AFI_IPv4) or 2 (AFI_IPv6). */
  read(records: MrtRecords, family: 4 | 6): void {
    const { bytes, view, bodyEnd, source } = records;
    const addressLength = family === 4 ? 4 : 16;
    let at = records.bodyStart;
    const fixed = 4 + addressLength + 6 + addressLength + 4;
    if (bodyEnd - at < fixed) throw new MrtFormatError(source, at, `TABLE_DUMP AFI_IPv${family} record of ${bodyEnd - at} bytes: its fixed fields need ${fixed}`);
    at += 4; // view number, sequence number
    const prefixAt = at;
    at += addressLength;
    const length = bytes[at];
    if (length > addressLength * 8) throw new MrtFormatError(source, at, `TABLE_DUMP prefix length ${length}, above ${addressLength * 8}`);
    at += 6; // prefix length, status, originated time
    const peerAddress = family === 4 ? formatIPv4(view.getUint32(at)) : formatIPv6(bytes, at);
    at += addressLength;
    const peerAs = view.getUint16(at);
    const attributesLength = view.getUint16(at + 2);
    at += 4;
    if (at + attributesLength > bodyEnd) throw new MrtFormatError(source, at - 2, `TABLE_DUMP attributes say ${attributesLength} bytes, the record has ${bodyEnd - at} left`);
    if (!this.peers.has(peerAddress)) this.peers.set(peerAddress, { address: peerAddress, as: peerAs });
    if (this.filter && !peerMatches(this.filter, peerAddress, peerAs)) {
      this.entriesPassedOver++;
      return;
    }
    const key = `${family === 4 ? formatIPv4(view.getUint32(prefixAt)) : formatIPv6(bytes, prefixAt)}/${length}`;
    if (this.seen.has(key)) {
      this.entriesPassedOver++;
      return;
    }
    const attributes = this.attributes;
    const problem = attributes.read(bytes, at, at + attributesLength);
    if (problem !== undefined) throw new MrtFormatError(source, at, `TABLE_DUMP entry of ${key} from ${peerAddress}: ${problem}`);
    this.seen.add(key);
    const into = this.into;
    if (family === 4) into.push4(view.getUint32(prefixAt), length, attributes.nextHop4 ?? attributes.nextHop6, null, attributes.med);
    else into.push6(bytes, prefixAt, length, attributes.nextHop6 ?? attributes.nextHop4, null, attributes.med);
    into.setBgp(into.count - 1, attributes.as, attributes.communities);
  }
}
