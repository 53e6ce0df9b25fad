// Choosing one peer of a collector's dump (`--peer ADDRESS|AS`, the `peer` load option): by its
// address or by its AS number (every peer of that AS).
import { FibscopeArgumentError } from '../errors.js';
import { canonicalAddress } from '../net/address.js';
import { parseAsNumber } from '../routes/bgp-attributes.js';

export type PeerFilter = { readonly address: string; readonly text: string } | { readonly as: number; readonly text: string };

/** `192.0.2.1`, `2001:db8::1`, `3356` or `AS3356` (asdot too); throws on anything else. */
export function parsePeerFilter(text: string): PeerFilter {
  const address = canonicalAddress(text);
  if (address !== null) return { address, text };
  const digits = /^as/i.test(text) ? text.slice(2) : text;
  const as = parseAsNumber(digits, 0, digits.length);
  if (as >= 0) return { as, text };
  throw new FibscopeArgumentError(`--peer takes a peer's address (192.0.2.1, 2001:db8::1) or AS number (3356, AS3356), not '${text}'`);
}

/** `address` is canonical text. */
export function peerMatches(filter: PeerFilter, address: string, as: number): boolean {
  return 'address' in filter ? filter.address === address : filter.as === as;
}

/** One peer of a PEER_INDEX_TABLE or a BGP4MP record. */
export interface MrtPeer {
  readonly address: string;
  readonly as: number;
  /** BGP identifier, dotted quad (TABLE_DUMP_V2 only). */
  readonly bgpId?: string;
}

/** `192.0.2.1 (AS64500)`, for messages listing the peers there are. */
export function describePeers(peers: readonly MrtPeer[], shown = 8): string {
  const listed = peers.slice(0, shown).map((peer) => `${peer.address} (AS${peer.as})`).join(', ');
  return peers.length > shown ? `${listed} and ${peers.length - shown} more` : listed;
}
