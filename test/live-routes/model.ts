// A slow, obvious model of the live table for the tests: every peer's paths in a Map, and the
// winner of a prefix found by collecting all paths to it and applying RFC 4271 9.1.2.2 step by
// step, written apart from src/live-routes/decision.ts.
import type { AddressFamily, PathAttributes, PeerDescription, RouteChange } from '../../src/bgp/types.js';

export interface ModelPath {
  attributes: PathAttributes;
  family: AddressFamily;
  stale: boolean;
}

export interface ModelPeer {
  description: PeerDescription;
  up: boolean;
  paths: Map<string, ModelPath>;
  updates: number;
  withdrawals: number;
  lastChange: number | undefined;
  /** When the graceful-restart time runs out (ms), while stale paths wait. */
  staleDeadline: number | undefined;
}

/** What the Fib should show of a prefix's live route. */
export interface ExpectedRoute {
  nextHop: string | null;
  asPath: string;
  communities: readonly string[] | undefined;
  med: number | undefined;
  localPref: number | undefined;
  source: string;
}

export class LiveModel {
  readonly peers = new Map<string, ModelPeer>();
  now = 0;

  peerUp(description: PeerDescription): void {
    const peer = this.peers.get(description.id);
    if (peer === undefined) {
      this.peers.set(description.id, {
        description, up: true, paths: new Map(), updates: 0, withdrawals: 0, lastChange: undefined, staleDeadline: undefined,
      });
      return;
    }
    if (peer.up) {
      for (const [prefix, path] of peer.paths) if (!path.stale) peer.paths.delete(prefix);
    }
    peer.up = true;
    peer.description = description;
  }

  update(id: string, changes: readonly RouteChange[]): void {
    const peer = this.peers.get(id)!;
    peer.lastChange = this.now;
    for (const change of changes) {
      for (const prefix of change.withdrawn) peer.paths.delete(prefix);
      peer.withdrawals += change.withdrawn.length;
      for (const prefix of change.announced) peer.paths.set(prefix, { attributes: change.attributes!, family: change.family, stale: false });
      peer.updates += change.announced.length;
    }
  }

  endOfRib(id: string, family: AddressFamily): void {
    const peer = this.peers.get(id)!;
    const stale = [...peer.paths].filter(([, path]) => path.stale);
    if (stale.length === 0) return;
    for (const [prefix, path] of stale) if (path.family === family) peer.paths.delete(prefix);
    peer.lastChange = this.now;
    if (![...peer.paths.values()].some((path) => path.stale)) peer.staleDeadline = undefined;
  }

  peerDown(id: string, restartSeconds?: number): void {
    const peer = this.peers.get(id)!;
    peer.up = false;
    peer.lastChange = this.now;
    if (restartSeconds === undefined) {
      peer.paths.clear();
      peer.staleDeadline = undefined;
      return;
    }
    for (const path of peer.paths.values()) path.stale = true;
    peer.staleDeadline = this.now + restartSeconds * 1000;
  }

  /** Time passes: stale paths whose restart time ran out go. */
  advance(ms: number): void {
    this.now += ms;
    for (const peer of this.peers.values()) {
      if (peer.staleDeadline === undefined || peer.staleDeadline > this.now) continue;
      for (const [prefix, path] of peer.paths) if (path.stale) peer.paths.delete(prefix);
      peer.staleDeadline = undefined;
      peer.lastChange = this.now;
    }
  }

  /** The winner of every prefix some peer holds, as the Fib should show it. */
  expected(): Map<string, ExpectedRoute> {
    const candidates = new Map<string, { peer: PeerDescription; attributes: PathAttributes }[]>();
    for (const peer of this.peers.values()) {
      for (const [prefix, path] of peer.paths) {
        if (!candidates.has(prefix)) candidates.set(prefix, []);
        candidates.get(prefix)!.push({ peer: peer.description, attributes: path.attributes });
      }
    }
    const routes = new Map<string, ExpectedRoute>();
    for (const [prefix, paths] of candidates) {
      const { peer, attributes } = modelBest(paths);
      const communities = [...attributes.communities ?? [], ...attributes.largeCommunities ?? []];
      routes.set(prefix, {
        nextHop: attributes.nextHop,
        asPath: attributes.asPath,
        communities: communities.length > 0 ? communities : undefined,
        med: attributes.med,
        localPref: attributes.localPref,
        source: peer.id,
      });
    }
    return routes;
  }
}

/** RFC 4271 9.1.2.2 on a whole set of paths, one elimination after the other. */
export function modelBest<T extends { peer: PeerDescription; attributes: PathAttributes }>(paths: readonly T[]): T {
  const localPref = (path: T) => path.attributes.localPref ?? 100;
  const med = (path: T) => path.attributes.med ?? 0;
  let left = [...paths];
  const highestPref = Math.max(...left.map(localPref));
  left = left.filter((path) => localPref(path) === highestPref);
  const shortest = Math.min(...left.map((path) => path.attributes.asPathLength));
  left = left.filter((path) => path.attributes.asPathLength === shortest);
  const lowestOrigin = Math.min(...left.map((path) => path.attributes.origin));
  left = left.filter((path) => path.attributes.origin === lowestOrigin);
  // a path goes if another path from the same neighbour AS has a lower MED
  left = left.filter((path) => !left.some((other) =>
    other.attributes.neighborAs === path.attributes.neighborAs && med(other) < med(path)));
  if (left.some((path) => !path.peer.internal)) left = left.filter((path) => !path.peer.internal);
  left.sort((a, b) => compareNumbers(routerIdNumber(a.peer.routerId), routerIdNumber(b.peer.routerId))
    || compareBytes(addressBytes(a.peer.address), addressBytes(b.peer.address))
    || (a.peer.id < b.peer.id ? -1 : a.peer.id > b.peer.id ? 1 : 0));
  return left[0];
}

function compareNumbers(a: number, b: number): number {
  return a - b;
}

function routerIdNumber(dotted: string): number {
  return dotted.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}

/** IPv4 as 4 bytes, IPv6 as 16: a shorter address sorts first. */
function addressBytes(address: string): number[] {
  if (!address.includes(':')) return address.split('.').map(Number);
  const [head, tail] = address.split('::');
  const groups = (text: string | undefined) => (text ? text.split(':').map((group) => parseInt(group, 16)) : []);
  const front = groups(head);
  const back = groups(tail);
  const all = tail === undefined ? front : [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function compareBytes(a: number[], b: number[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
