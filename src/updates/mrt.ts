// MRT update files (BGP4MP, BGP4MP_ET) given to --updates: read by src/mrt/updates.ts into the
// same UpdateStream, after the check the bgpdump -m reader makes (bgpdump.ts): a stream of several
// BGP peers is refused without a peer chosen, since one peer's withdrawal would remove the route
// another peer announced.
import { UpdateFormatError } from '../errors.js';
import { isMessageSubtype, readBgp4mpMessage } from '../mrt/bgp4mp.js';
import { MrtType } from '../mrt/constants.js';
import { describePeers, type MrtPeer } from '../mrt/peers.js';
import { MrtRecords } from '../mrt/records.js';
import { parseMrtUpdates } from '../mrt/updates.js';
import type { UpdateStream } from './types.js';

export function parseMrtUpdateStream(bytes: Uint8Array, source: string, peer: string | undefined): UpdateStream {
  if (peer === undefined) {
    const peers = messagePeers(bytes, source);
    if (peers.length > 1) {
      throw new UpdateFormatError(source, 0, `updates from ${peers.length} BGP peers: ${describePeers(peers, 4)}. `
        + 'Each peer\'s announcements and withdrawals make a table of their own: choose one with --peer ADDRESS or --peer AS');
    }
  }
  return parseMrtUpdates(bytes, { source, peer });
}

/** The peers of the file's BGP4MP message records, in the order first seen (a pass over the headers). */
function messagePeers(bytes: Uint8Array, source: string): MrtPeer[] {
  const records = new MrtRecords(bytes, source);
  const peers = new Map<string, MrtPeer>();
  while (records.next()) {
    const { type, subtype } = records;
    if ((type !== MrtType.BGP4MP && type !== MrtType.BGP4MP_ET) || !isMessageSubtype(subtype)) continue;
    const { peerAddress, peerAs } = readBgp4mpMessage(records);
    if (!peers.has(peerAddress)) peers.set(peerAddress, { address: peerAddress, as: peerAs });
  }
  return [...peers.values()];
}
