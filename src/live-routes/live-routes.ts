// The live routing table: what BGP sessions and BMP feeds announce, kept per peer (Adj-RIB-In),
// with the best path of each prefix (src/live-routes/decision.ts) installed in the Fib. Every
// sink call runs to its end synchronously, so the analyzer never sees half of a change.
//
// One Map holds every prefix any peer announced, to the path (or paths, when several peers hold
// it) and which of them is installed: a full table from one peer costs one Map entry and one small
// object per prefix, and a peer's Adj-RIB-In is the paths of that peer in it.
import type { AddressFamily, PathAttributes, PeerDescription, RouteChange, RouteSink } from '../bgp/types.js';
import { FibscopeArgumentError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import type { RouteChangeCounts } from '../report/prom.js';
import type { RouteAttributes } from '../routes/route.js';
import { bestPath, rankPeer, type RankedPeer } from './decision.js';

/** The metric FRR gives BGP routes it installs in the kernel: routes loaded at metric 0 win over them. */
export const DEFAULT_LIVE_METRIC = 20;

export interface LiveRoutesOptions {
  /**
   * Metric of the routes learned from peers in the Fib (default 20, as FRR installs BGP routes).
   * Routes loaded from files or added through the API at a lower metric (files: 0) win over them
   * in lookups; a route added elsewhere at this very metric is replaced by the live one, and back.
   */
  metric?: number;
  /** Counters of Fib changes by kind (serve's RouteChangeCounts): one per route added, replaced or removed. */
  changes?: RouteChangeCounts;
  /** The clock, ms (default Date.now). */
  now?: () => number;
  /** Starts a graceful-restart timer (default setTimeout, unref'd: it never keeps a process alive). */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** Peers coming and going, stale routes dropped. */
  onLog?: (line: string) => void;
}

/** One peer as GET /peers shows it. */
export interface PeerRoutes {
  peer: PeerDescription;
  /** Prefixes received and held, stale ones included. */
  ipv4: number;
  ipv6: number;
  /** Routes kept from before a graceful restart and not re-sent yet. */
  stale: number;
  /** Unix time (ms) its routes last changed: an UPDATE, End-of-RIB, the session's end or the restart timer. */
  lastChange: number | undefined;
  up: boolean;
  /** Prefixes announced since the peer was first up, re-announcements included. */
  updates: number;
  /** Prefixes withdrawn by its UPDATEs since the peer was first up. */
  withdrawals: number;
}

const STALE = 1;
const INSTALLED = 2;
const IPV6 = 4;

/** One peer's path to one prefix. */
class Path {
  constructor(
    readonly peer: PeerState,
    public attributes: PathAttributes,
    /** STALE, INSTALLED (its route is the one in the Fib), IPV6 */
    public flags: number,
  ) {}
}

class PeerState implements RankedPeer {
  description: PeerDescription;
  routerIdValue: number;
  addressKey: string;
  up = true;
  ipv4 = 0;
  ipv6 = 0;
  stale = 0;
  updates = 0;
  withdrawals = 0;
  lastChange: number | undefined;
  restartTimer: unknown;
  /**
   * The Fib attributes of each PathAttributes of this peer: the few hundred prefixes of one
   * UPDATE share one object, and so share their Fib attributes.
   */
  routes = new WeakMap<PathAttributes, RouteAttributes>();

  constructor(description: PeerDescription) {
    this.description = description;
    ({ routerIdValue: this.routerIdValue, addressKey: this.addressKey } = rankPeer(description));
  }

  count(flags: number, by: number): void {
    if (flags & IPV6) this.ipv6 += by; else this.ipv4 += by;
    if (flags & STALE) this.stale += by;
  }
}

/**
 * The RouteSink that BGP sessions and BMP feeds write into. Per prefix, the best path over all
 * peers (RFC 4271 9.1.2.2) is the Fib's one route at `metric` (default 20), with `source` the
 * peer's id; routes at other metrics (files load at 0, and win lookups) are never touched. Prefix
 * text is taken as the sessions give it: canonical, host bits zero (src/bgp/types.ts).
 *
 * Graceful restart (RFC 4724): after `peerDown(id, reason, restartSeconds)` the peer's routes stay,
 * stale, and go when End-of-RIB of their family arrives without them, or when `restartSeconds` have
 * passed; the timer keeps running once the peer is back up, as the bound on how long stale routes
 * may wait for End-of-RIB.
 *
 * A Fib error (memory ran out) propagates from the call; the prefixes before it are applied.
 */
export class LiveRoutes implements RouteSink {
  private readonly fib: Fib;
  private readonly metric: number;
  private readonly changes: RouteChangeCounts;
  private readonly now: () => number;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;
  private readonly log: (line: string) => void;
  private readonly peerStates = new Map<string, PeerState>();
  /** Prefix text → the path one peer holds, or the paths of several. */
  private readonly held = new Map<string, Path | Path[]>();

  constructor(fib: Fib, options: LiveRoutesOptions = {}) {
    const metric = options.metric ?? DEFAULT_LIVE_METRIC;
    if (!Number.isInteger(metric) || metric < 0 || metric > 0xffffffff) {
      throw new FibscopeArgumentError(`LiveRoutes: metric must be a whole number 0..4294967295, got ${metric}`);
    }
    this.fib = fib;
    this.metric = metric;
    this.changes = options.changes ?? { add: 0, replace: 0, remove: 0 };
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms).unref());
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
    this.log = options.onLog ?? (() => undefined);
  }

  peers(): PeerRoutes[] {
    return [...this.peerStates.values()].map((state) => ({
      peer: state.description,
      ipv4: state.ipv4,
      ipv6: state.ipv6,
      stale: state.stale,
      lastChange: state.lastChange,
      up: state.up,
      updates: state.updates,
      withdrawals: state.withdrawals,
    }));
  }

  /** Stops the graceful-restart timers; the routes stay as they are. */
  close(): void {
    for (const state of this.peerStates.values()) this.stopRestartTimer(state);
  }

  peerUp(peer: PeerDescription): void {
    const state = this.peerStates.get(peer.id);
    if (state === undefined) {
      this.peerStates.set(peer.id, new PeerState(peer));
      this.log(`${peer.id}: up`);
      return;
    }
    if (state.up) {
      // a new session replaced the old one without a word: what the old one sent is gone
      const removed = this.removePaths(state, (path) => (path.flags & STALE) === 0);
      this.log(`${peer.id}: up again, ${removed} routes of the previous session withdrawn`);
    } else {
      this.log(`${peer.id}: up${state.stale > 0 ? `, ${state.stale} stale routes kept until End-of-RIB` : ''}`);
    }
    state.up = true;
    if (peer === state.description) return;
    const ranked = rankPeer(peer);
    const rankChanged = ranked.routerIdValue !== state.routerIdValue || ranked.addressKey !== state.addressKey
      || peer.internal !== state.description.internal;
    state.description = peer;
    state.routerIdValue = ranked.routerIdValue;
    state.addressKey = ranked.addressKey;
    // the paths it still holds (stale ones) may rank differently now
    if (rankChanged) this.resettle(state);
  }

  update(peerId: string, changes: readonly RouteChange[]): void {
    const state = this.upPeer(peerId, 'update');
    for (const change of changes) {
      if (change.family !== 4 && change.family !== 6) {
        throw new FibscopeArgumentError(`LiveRoutes.update from ${peerId}: family must be 4 or 6, got ${String(change.family)}`);
      }
      if (change.announced.length > 0 && change.attributes === undefined) {
        throw new FibscopeArgumentError(`LiveRoutes.update from ${peerId}: ${change.announced.length} prefixes announced without attributes`);
      }
    }
    state.lastChange = this.now();
    for (const change of changes) {
      const familyFlag = change.family === 6 ? IPV6 : 0;
      const { attributes } = change;
      // a prefix withdrawn and announced again by one UPDATE is one change of its route, not two
      const announcedAgain = attributes !== undefined && change.withdrawn.length > 0 && change.announced.length > 0
        ? new Set(change.announced) : undefined;
      for (const prefix of change.withdrawn) if (announcedAgain?.has(prefix) !== true) this.withdraw(state, prefix);
      state.withdrawals += change.withdrawn.length;
      if (attributes === undefined) continue;
      for (const prefix of change.announced) this.announce(state, prefix, familyFlag, attributes);
      state.updates += change.announced.length;
    }
  }

  endOfRib(peerId: string, family: AddressFamily): void {
    const state = this.upPeer(peerId, 'endOfRib');
    if (state.stale === 0) return;
    const familyFlag = family === 6 ? IPV6 : 0;
    const removed = this.removePaths(state, (path) => (path.flags & (STALE | IPV6)) === (STALE | familyFlag));
    if (state.stale === 0) this.stopRestartTimer(state);
    state.lastChange = this.now();
    this.log(`${peerId}: End-of-RIB for IPv${family}, ${removed} stale routes not sent again withdrawn`);
  }

  peerDown(peerId: string, reason: string, restartSeconds?: number): void {
    const state = this.peerStates.get(peerId);
    if (state === undefined) throw new FibscopeArgumentError(`LiveRoutes.peerDown: no peer '${peerId}' (peerUp first)`);
    state.up = false;
    state.lastChange = this.now();
    this.stopRestartTimer(state);
    if (restartSeconds === undefined || !(restartSeconds > 0)) {
      const removed = this.removePaths(state, () => true);
      this.log(`${peerId}: down (${reason}), ${removed} routes withdrawn`);
      return;
    }
    for (const paths of this.held.values()) {
      const path = pathOf(paths, state);
      if (path !== undefined && (path.flags & STALE) === 0) {
        path.flags |= STALE;
        state.stale++;
      }
    }
    state.restartTimer = this.setTimer(() => this.restartTimeExpired(state), restartSeconds * 1000);
    this.log(`${peerId}: down (${reason}), graceful restart: ${state.stale} routes kept stale for up to ${restartSeconds} s`);
  }

  private restartTimeExpired(state: PeerState): void {
    state.restartTimer = undefined;
    const removed = this.removePaths(state, (path) => (path.flags & STALE) !== 0);
    state.lastChange = this.now();
    this.log(`${state.description.id}: restart time over, ${removed} stale routes withdrawn`);
  }

  private stopRestartTimer(state: PeerState): void {
    if (state.restartTimer === undefined) return;
    this.clearTimer(state.restartTimer);
    state.restartTimer = undefined;
  }

  private upPeer(peerId: string, call: string): PeerState {
    const state = this.peerStates.get(peerId);
    if (state === undefined) throw new FibscopeArgumentError(`LiveRoutes.${call}: no peer '${peerId}' (peerUp first)`);
    if (!state.up) throw new FibscopeArgumentError(`LiveRoutes.${call}: peer '${peerId}' is down`);
    return state;
  }

  private announce(state: PeerState, prefix: string, familyFlag: number, attributes: PathAttributes): void {
    const paths = this.held.get(prefix);
    if (paths === undefined) {
      // the Fib first: a prefix it refuses is not held either
      this.install(prefix, this.routeOf(state, attributes), undefined);
      this.held.set(prefix, new Path(state, attributes, familyFlag | INSTALLED));
      state.count(familyFlag, 1);
      return;
    }
    const own = pathOf(paths, state);
    if (own !== undefined && own.attributes === attributes && (own.flags & STALE) === 0) return; // sent again as it was
    const installedBefore = this.installedRoute(paths);
    if (own !== undefined) {
      if (own.flags & STALE) {
        own.flags &= ~STALE;
        state.stale--;
      }
      own.attributes = attributes;
    } else {
      const path = new Path(state, attributes, familyFlag);
      this.held.set(prefix, Array.isArray(paths) ? (paths.push(path), paths) : [paths, path]);
      state.count(familyFlag, 1);
    }
    this.settle(prefix, this.held.get(prefix)!, installedBefore);
  }

  private withdraw(state: PeerState, prefix: string): void {
    const paths = this.held.get(prefix);
    if (paths === undefined) return; // never announced, or withdrawn already: nothing to do (RFC 4271 9)
    const own = pathOf(paths, state);
    if (own !== undefined) this.removePath(prefix, paths, own);
  }

  /** Removes the paths of `state` that `which` picks, each prefix settled again; returns how many. */
  private removePaths(state: PeerState, which: (path: Path) => boolean): number {
    let removed = 0;
    for (const [prefix, paths] of this.held) {
      const path = pathOf(paths, state);
      if (path === undefined || !which(path)) continue;
      this.removePath(prefix, paths, path);
      removed++;
    }
    return removed;
  }

  private removePath(prefix: string, paths: Path | Path[], path: Path): void {
    const installedBefore = this.installedRoute(paths);
    path.peer.count(path.flags, -1);
    if (paths === path) {
      this.install(prefix, undefined, installedBefore);
      this.held.delete(prefix);
      return;
    }
    const rest = (paths as Path[]).filter((other) => other !== path);
    const left = rest.length === 1 ? rest[0] : rest;
    this.held.set(prefix, left);
    this.settle(prefix, left, installedBefore);
  }

  /** Every prefix `state` holds a path to, decided again. */
  private resettle(state: PeerState): void {
    for (const [prefix, paths] of this.held) {
      if (pathOf(paths, state) !== undefined) this.settle(prefix, paths, this.installedRoute(paths));
    }
  }

  /** Puts the best of `paths` in the Fib, in the place of `installedBefore` (what was there). */
  private settle(prefix: string, paths: Path | Path[], installedBefore: RouteAttributes | undefined): void {
    const best = Array.isArray(paths) ? bestPath(paths)! : paths;
    this.install(prefix, this.routeOf(best.peer, best.attributes), installedBefore);
    if (Array.isArray(paths)) for (const path of paths) path.flags &= ~INSTALLED;
    best.flags |= INSTALLED;
  }

  /** Makes the Fib's route of `prefix` at this layer's metric `route` (none: removed), counting the change. */
  private install(prefix: string, route: RouteAttributes | undefined, before: RouteAttributes | undefined): void {
    if (route === before) return;
    if (route === undefined) {
      this.changes.remove += this.fib.remove(prefix, { metric: this.metric, nextHop: before!.nextHop });
      return;
    }
    if (before !== undefined && sameRoute(route, before)) return;
    this.fib.replace(prefix, route);
    if (before === undefined) this.changes.add++; else this.changes.replace++;
  }

  private installedRoute(paths: Path | Path[]): RouteAttributes | undefined {
    if (!Array.isArray(paths)) return (paths.flags & INSTALLED) !== 0 ? this.routeOf(paths.peer, paths.attributes) : undefined;
    const installed = paths.find((path) => (path.flags & INSTALLED) !== 0);
    return installed && this.routeOf(installed.peer, installed.attributes);
  }

  /** The Fib attributes of a path, made once per PathAttributes object. */
  private routeOf(state: PeerState, attributes: PathAttributes): RouteAttributes {
    let route = state.routes.get(attributes);
    if (route === undefined) {
      const communities = [...attributes.communities ?? [], ...attributes.largeCommunities ?? []];
      route = {
        nextHop: attributes.nextHop,
        metric: this.metric,
        asPath: attributes.asPath,
        ...(communities.length > 0 ? { communities } : {}),
        ...(attributes.med !== undefined ? { med: attributes.med } : {}),
        ...(attributes.localPref !== undefined ? { localPref: attributes.localPref } : {}),
        source: state.description.id,
      };
      state.routes.set(attributes, route);
    }
    return route;
  }
}

function pathOf(paths: Path | Path[], state: PeerState): Path | undefined {
  if (!Array.isArray(paths)) return paths.peer === state ? paths : undefined;
  for (const path of paths) if (path.peer === state) return path;
  return undefined;
}

/** Whether two routes look the same in the Fib: then a change of path needs no Fib change. */
function sameRoute(a: RouteAttributes, b: RouteAttributes): boolean {
  if (a.nextHop !== b.nextHop || a.asPath !== b.asPath || a.med !== b.med || a.localPref !== b.localPref || a.source !== b.source) return false;
  const ca = a.communities ?? [];
  const cb = b.communities ?? [];
  return ca.length === cb.length && ca.every((word, i) => word === cb[i]);
}
