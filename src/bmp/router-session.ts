// One router's BMP connection: follows its message stream, keeps the state of each peer it
// reports on, and turns that into RouteSink calls. One RouteSink source per monitored peer and
// policy (`bmp ROUTER peer PEER pre-policy`), created by the first Route Monitoring message of
// that policy, so a router that sends only post-policy routes yields only post-policy sources.
import { decodeUpdate } from '../bgp/message/update.js';
import type { PeerDescription, RouteChange, RouteSink, SessionInfo, SessionState } from '../bgp/types.js';
import {
  decodeMessage, type BmpMessage, type PeerDownMessage, type PeerUpMessage, type RouteMonitoringMessage,
} from './message/messages.js';
import { PEER_TYPE, type PerPeerHeader } from './message/per-peer-header.js';
import { BmpFramer } from './stream.js';

export type Policy = 'pre' | 'post';

export interface RouterCounters {
  /** Whole BMP messages decoded. */
  messages: number;
  routeMonitoring: number;
  statisticsReports: number;
  /** Route Mirroring messages: decoded and passed over. */
  routeMirroring: number;
  /** Messages about RD or local instance or Loc-RIB peers (only global instance peers are followed). */
  skippedPeerType: number;
  /** Route Monitoring of Adj-RIB-Out (RFC 8671 O flag): routes the router sends, not what it learns. */
  skippedAdjRibOut: number;
  /** Messages about peers left out by `monitoredPeers`. */
  skippedUnmonitoredPeer: number;
  /** Route Monitoring of a peer without a Peer Up first (RFC 7854 4.3 forbids it): the 4-octet AS choice is unknown. */
  skippedBeforePeerUp: number;
  /** UPDATEs RFC 7606 says to reset the session over: that peer's source is ended instead. */
  updateErrors: number;
  /** Announcements whose AS path began with the router's own AS before an eBGP peer's, which was taken off (see withoutOwnAs). */
  ownAsRemoved: number;
}

export interface RouterSessionOptions {
  sink: RouteSink;
  /** Peers to follow by address (canonical text) or AS; empty or absent: all. */
  monitoredPeers?: readonly (string | number)[];
  onLog?: (line: string) => void;
  now?: () => number;
}

interface Source {
  readonly description: PeerDescription;
  state: SessionState;
  since: number;
  updatesReceived: number;
  prefixesAnnounced: number;
  prefixesWithdrawn: number;
  lastError?: string;
}

interface UpPeer {
  readonly header: PerPeerHeader;
  readonly as: number;
  /** The router's AS on this session, from the OPEN it sent. */
  readonly localAs: number;
  readonly routerId: string;
  readonly internal: boolean;
  readonly fourOctetAs: boolean;
  readonly since: number;
  /** Policies whose source was ended by a bad UPDATE: ignored until the next Peer Up. */
  readonly broken: Set<Policy>;
}

export function bmpSourceId(router: string, peerAddress: string, policy: Policy): string {
  return `bmp ${router} peer ${peerAddress} ${policy}-policy`;
}

export class BmpRouterSession {
  readonly counters: RouterCounters = {
    messages: 0, routeMonitoring: 0, statisticsReports: 0, routeMirroring: 0, skippedPeerType: 0,
    skippedAdjRibOut: 0, skippedUnmonitoredPeer: 0, skippedBeforePeerUp: 0, updateErrors: 0, ownAsRemoved: 0,
  };
  sysName?: string;
  sysDescr?: string;
  readonly connectedAt: number;
  /** Why the session ended; undefined while it runs. */
  endReason?: string;

  private readonly framer = new BmpFramer();
  /** Peers up now, by peer key (distinguisher and address). */
  private readonly up = new Map<string, UpPeer>();
  /** Every source this session has created, by id, up or ended. */
  private readonly sources = new Map<string, Source>();
  private readonly monitoredAddresses = new Set<string>();
  private readonly monitoredAses = new Set<number>();
  private readonly warnedBeforePeerUp = new Set<string>();
  private readonly now: () => number;

  constructor(readonly router: string, private readonly options: RouterSessionOptions) {
    this.now = options.now ?? Date.now;
    this.connectedAt = this.now();
    for (const peer of options.monitoredPeers ?? []) {
      if (typeof peer === 'number') this.monitoredAses.add(peer);
      else this.monitoredAddresses.add(peer);
    }
  }

  private log(line: string): void {
    this.options.onLog?.(`bmp ${this.router}: ${line}`);
  }

  /**
   * Takes the next bytes of the stream. Throws BmpFormatError at the first message that does
   * not decode (messages before it in `chunk` have been applied); the caller then ends the
   * session with `end()`.
   */
  receive(chunk: Uint8Array): void {
    if (this.endReason !== undefined) return;
    this.framer.push(chunk, (bytes) => {
      if (this.endReason !== undefined) return; // what follows a Termination
      const message = decodeMessage(bytes);
      this.counters.messages++;
      this.handle(message);
    });
  }

  /**
   * The stream ended (connection lost, Termination, bad message, collector closing): every
   * peer's routes go. Idempotent; a message cut short by the end is named in the reason.
   */
  end(reason: string): void {
    if (this.endReason !== undefined) return;
    if (this.framer.pendingBytes > 0) reason = `${reason}; the stream stopped inside a message (${this.framer.describePending()})`;
    this.finish(reason);
  }

  private finish(reason: string): void {
    this.endReason = reason;
    for (const key of [...this.up.keys()]) this.peerGone(key, `router session ended: ${reason}`);
  }

  get ended(): boolean {
    return this.endReason !== undefined;
  }

  /**
   * One entry per source, ended ones kept (idle, with the reason); a peer that is up without a
   * Route Monitoring yet shows as its address alone, without `peer`.
   */
  sessions(): SessionInfo[] {
    const out: SessionInfo[] = [];
    const withSources = new Set<string>();
    for (const source of this.sources.values()) {
      if (source.state === 'established') withSources.add(source.description.address);
      out.push({
        peer: source.description,
        remoteAddress: source.description.address,
        state: source.state,
        since: source.since,
        updatesReceived: source.updatesReceived,
        prefixesAnnounced: source.prefixesAnnounced,
        prefixesWithdrawn: source.prefixesWithdrawn,
        ...(source.lastError === undefined ? {} : { lastError: source.lastError }),
      });
    }
    for (const peer of this.up.values()) {
      if (withSources.has(peer.header.address)) continue;
      out.push({
        remoteAddress: peer.header.address, state: 'established', since: peer.since,
        updatesReceived: 0, prefixesAnnounced: 0, prefixesWithdrawn: 0,
      });
    }
    return out;
  }

  private handle(message: BmpMessage): void {
    switch (message.type) {
      case 'initiation':
        this.sysName = message.sysName;
        this.sysDescr = message.sysDescr;
        this.log(`initiation: sysName ${JSON.stringify(message.sysName ?? '')}, sysDescr ${JSON.stringify(message.sysDescr ?? '')}`);
        return;
      case 'termination':
        // the router closes the connection next; its peers' routes go now
        this.finish(`router terminated the session: ${message.reasonText}`);
        return;
      case 'statistics-report':
        this.counters.statisticsReports++;
        return;
      case 'route-mirroring':
        this.counters.routeMirroring++;
        return;
      case 'peer-up':
        if (this.follows(message.peer)) this.peerUp(message);
        return;
      case 'peer-down':
        if (this.follows(message.peer)) this.peerDown(message);
        return;
      case 'route-monitoring':
        this.counters.routeMonitoring++;
        if (message.peer.adjRibOut) this.counters.skippedAdjRibOut++;
        else if (this.follows(message.peer)) this.routeMonitoring(message);
        return;
    }
  }

  /** Whether messages about this peer are used; counts the ones that are not. */
  private follows(peer: PerPeerHeader): boolean {
    if (peer.peerType !== PEER_TYPE.GLOBAL_INSTANCE) {
      this.counters.skippedPeerType++;
      return false;
    }
    const all = this.monitoredAddresses.size === 0 && this.monitoredAses.size === 0;
    if (!all && !this.monitoredAddresses.has(peer.address) && !this.monitoredAses.has(peer.as)) {
      this.counters.skippedUnmonitoredPeer++;
      return false;
    }
    return true;
  }

  private peerUp(message: PeerUpMessage): void {
    const key = peerKey(message.peer);
    if (this.up.has(key)) this.peerGone(key, 'Peer Up again without a Peer Down');
    const sent = message.sentOpen;
    const received = message.receivedOpen;
    const fourOctetAs = sent.capabilities.fourOctetAs !== undefined && received.capabilities.fourOctetAs !== undefined;
    // the per-peer header is the router's word on the peer; the OPEN fills in what it leaves 0
    const as = message.peer.as || received.as;
    this.up.set(key, {
      header: message.peer,
      as,
      localAs: sent.as,
      routerId: message.peer.routerId !== '0.0.0.0' ? message.peer.routerId : received.bgpIdentifier,
      internal: as === sent.as,
      fourOctetAs,
      since: this.now(),
      broken: new Set(),
    });
    this.warnedBeforePeerUp.delete(key);
    this.log(`peer ${message.peer.address} AS ${as} up (${fourOctetAs ? '4' : '2'}-octet AS paths)`);
  }

  private peerDown(message: PeerDownMessage): void {
    const key = peerKey(message.peer);
    if (!this.up.has(key)) return; // nothing of it was used
    this.peerGone(key, message.reasonText);
    this.log(`peer ${message.peer.address} down: ${message.reasonText}`);
  }

  /** Ends every source of the peer and forgets it is up. */
  private peerGone(key: string, reason: string): void {
    const peer = this.up.get(key);
    if (!peer) return;
    this.up.delete(key);
    for (const policy of ['pre', 'post'] as const) {
      this.endSource(bmpSourceId(this.router, peer.header.address, policy), reason);
    }
  }

  private endSource(id: string, reason: string): void {
    const source = this.sources.get(id);
    if (!source || source.state !== 'established') return;
    source.state = 'idle';
    source.since = this.now();
    source.lastError = reason;
    this.options.sink.peerDown(id, reason);
  }

  private routeMonitoring(message: RouteMonitoringMessage): void {
    const key = peerKey(message.peer);
    const peer = this.up.get(key);
    if (!peer) {
      this.counters.skippedBeforePeerUp++;
      if (!this.warnedBeforePeerUp.has(key)) {
        this.warnedBeforePeerUp.add(key);
        this.log(`Route Monitoring for peer ${message.peer.address} before its Peer Up: skipped until the Peer Up`);
      }
      return;
    }
    const policy: Policy = message.peer.postPolicy ? 'post' : 'pre';
    if (peer.broken.has(policy)) return;
    const source = this.source(peer, policy);
    const decoded = decodeUpdate(message.update, { fourOctetAs: peer.fourOctetAs && !message.peer.legacyAsPath });
    if (decoded.outcome === 'session-reset') {
      // the router kept the session; we cannot, as routes may now be missing: drop them until the next Peer Up
      this.counters.updateErrors++;
      peer.broken.add(policy);
      const reason = `UPDATE that RFC 7606 resets the session over: ${decoded.notification?.message ?? 'malformed'}`;
      this.endSource(source.description.id, reason);
      this.log(`peer ${peer.header.address} ${policy}-policy: ${reason}; its routes are dropped until its next Peer Up`);
      return;
    }
    source.updatesReceived++;
    const changes = peer.internal ? decoded.changes : decoded.changes.map((change) => this.withoutOwnAs(change, peer));
    if (changes.length > 0) {
      for (const change of changes) {
        source.prefixesAnnounced += change.announced.length;
        source.prefixesWithdrawn += change.withdrawn.length;
      }
      this.options.sink.update(source.description.id, changes);
    }
    if (decoded.endOfRib !== undefined) this.options.sink.endOfRib(source.description.id, decoded.endOfRib);
  }

  /**
   * FRR up to 10.x encodes Route Monitoring with the attribute writer of its outbound UPDATEs and
   * so puts its own AS in front of an eBGP peer's AS path (FRRouting/frr#21815). An eBGP peer's
   * path cannot really begin with the router's AS (the router drops such a route as a loop), so
   * that AS, followed by the peer's, is taken off: the path is what the peer sent.
   */
  private withoutOwnAs(change: RouteChange, peer: UpPeer): RouteChange {
    const attributes = change.attributes;
    const prefix = `${peer.localAs} ${peer.as}`;
    if (!attributes || (attributes.asPath !== prefix && !attributes.asPath.startsWith(`${prefix} `))) return change;
    this.counters.ownAsRemoved++;
    return {
      ...change,
      attributes: { ...attributes, asPath: attributes.asPath.slice(String(peer.localAs).length + 1), asPathLength: attributes.asPathLength - 1, neighborAs: peer.as },
    };
  }

  /** The peer's source for `policy`, announced to the sink the first time. */
  private source(peer: UpPeer, policy: Policy): Source {
    const id = bmpSourceId(this.router, peer.header.address, policy);
    let source = this.sources.get(id);
    if (source?.state === 'established') return source;
    const description: PeerDescription = {
      id, kind: 'bmp', address: peer.header.address, as: peer.as, routerId: peer.routerId, internal: peer.internal, bmpRouter: this.router,
    };
    source = { description, state: 'established', since: this.now(), updatesReceived: 0, prefixesAnnounced: 0, prefixesWithdrawn: 0 };
    this.sources.set(id, source);
    this.options.sink.peerUp(description);
    return source;
  }
}

function peerKey(peer: PerPeerHeader): string {
  return `${peer.distinguisher} ${peer.address}`;
}
