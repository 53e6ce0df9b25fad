// The BGP decision process (RFC 4271 9.1.2.2) over the paths peers hold for one prefix. Each
// step eliminates paths from the whole set, as the RFC words it, instead of comparing paths two
// at a time: MED compares only within one neighbour AS, so a pairwise "better than" is not
// transitive and its winner would depend on the order the paths arrived in.
import type { PathAttributes, PeerDescription } from '../bgp/types.js';
import { parseIPv4, parseIPv6 } from '../net/address.js';

/** LOCAL_PREF of a path that has none (the usual default of BGP speakers). */
export const DEFAULT_LOCAL_PREF = 100;

/** A peer with the keys of the decision's last tie-breaks made once, not per comparison. */
export interface RankedPeer {
  readonly description: PeerDescription;
  /** BGP identifier as a number: compared numerically, not as text. */
  readonly routerIdValue: number;
  /** The peer address as sortable text: IPv4 before IPv6, then numerically. */
  readonly addressKey: string;
}

/** One peer's path to a prefix. */
export interface Candidate {
  readonly peer: RankedPeer;
  readonly attributes: PathAttributes;
}

export function rankPeer(description: PeerDescription): RankedPeer {
  return {
    description,
    routerIdValue: Math.max(parseIPv4(description.routerId), 0),
    addressKey: addressKey(description.address),
  };
}

function addressKey(address: string): string {
  const v4 = parseIPv4(address);
  if (v4 >= 0) return `4${v4.toString(16).padStart(8, '0')}`;
  const bytes = new Uint8Array(16);
  if (!parseIPv6(address, bytes)) return `9${address}`; // not an address: after every real one
  return `6${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * The best of `paths` (undefined for none): highest LOCAL_PREF, shortest AS path, lowest ORIGIN,
 * lowest MED among the paths from the same neighbour AS (a missing MED is 0), eBGP over iBGP, then
 * lowest BGP identifier, lowest peer address and, should two peers still tie (one peer seen
 * through two BMP feeds), lowest peer id. The result depends on the set of paths only.
 */
export function bestPath<T extends Candidate>(paths: readonly T[]): T | undefined {
  if (paths.length <= 1) return paths[0];
  let left = keepLowest(paths, (path) => -(path.attributes.localPref ?? DEFAULT_LOCAL_PREF));
  left = keepLowest(left, (path) => path.attributes.asPathLength);
  left = keepLowest(left, (path) => path.attributes.origin);
  left = keepLowestMedPerNeighbourAs(left);
  if (left.length > 1 && left.some((path) => !path.peer.description.internal)) {
    left = left.filter((path) => !path.peer.description.internal);
  }
  let best = left[0];
  for (let i = 1; i < left.length; i++) {
    if (comparePeers(left[i].peer, best.peer) < 0) best = left[i];
  }
  return best;
}

function keepLowest<T>(paths: readonly T[], key: (path: T) => number): readonly T[] {
  if (paths.length <= 1) return paths;
  let lowest = Infinity;
  for (const path of paths) lowest = Math.min(lowest, key(path));
  return paths.filter((path) => key(path) === lowest);
}

/** RFC 4271 9.1.2.2 c: a path goes when another from the same neighbour AS has a lower MED. */
function keepLowestMedPerNeighbourAs<T extends Candidate>(paths: readonly T[]): readonly T[] {
  if (paths.length <= 1) return paths;
  const lowestByAs = new Map<number, number>();
  for (const { attributes } of paths) {
    // an empty path (our own AS) has no neighbour AS: such paths form one group of their own
    const as = attributes.neighborAs ?? -1;
    const med = attributes.med ?? 0;
    const lowest = lowestByAs.get(as);
    if (lowest === undefined || med < lowest) lowestByAs.set(as, med);
  }
  return paths.filter(({ attributes }) => (attributes.med ?? 0) === lowestByAs.get(attributes.neighborAs ?? -1));
}

/** The last tie-breaks (RFC 4271 9.1.2.2 f, g): lowest BGP identifier, then lowest peer address. */
export function comparePeers(a: RankedPeer, b: RankedPeer): number {
  if (a.routerIdValue !== b.routerIdValue) return a.routerIdValue - b.routerIdValue;
  if (a.addressKey !== b.addressKey) return a.addressKey < b.addressKey ? -1 : 1;
  const idA = a.description.id;
  const idB = b.description.id;
  return idA === idB ? 0 : idA < idB ? -1 : 1;
}
