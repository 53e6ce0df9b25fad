// What `serve` learns from routers: the live table (LiveRoutes) and the BGP speakers and BMP
// collectors that feed it. This file shows them: GET /peers, and the fibscope_bgp_* families of
// /metrics. Sessions and decoding live in src/bgp/ and src/bmp/, the decision process in
// src/live-routes/.
import type { AddressInfo } from 'node:net';
import type { PeerDescription, RouteProtocolServer, SessionInfo } from '../bgp/types.js';
import type { LiveRoutes, PeerRoutes } from '../live-routes/live-routes.js';
import type { PromFamily, PromSample } from '../report/prom.js';

/** A peer `serve` was told to expect (`--bgp-peer`): its AS names it between sessions. */
export interface ConfiguredPeer {
  kind: 'bgp';
  address: string;
  as: number;
}

/** One peer as GET /peers shows it. */
export interface PeerJson {
  id: string | null;
  kind: 'bgp' | 'bmp';
  address: string;
  as: number | null;
  routerId: string | null;
  internal: boolean | null;
  bmpRouter?: string;
  state: string;
  /** When the session entered that state (ISO 8601); null for routes whose session is gone. */
  since: string | null;
  holdTime?: number;
  updatesReceived: number;
  prefixesAnnounced: number;
  prefixesWithdrawn: number;
  /** Prefixes held from this peer now, and how many of them are stale (graceful restart). */
  prefixes: { ipv4: number; ipv6: number };
  stale: number;
  lastChange: string | null;
  lastError?: string;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export class ServedRouting {
  readonly live: LiveRoutes;
  readonly servers: readonly RouteProtocolServer[];
  /** Where the BGP speaker and the BMP collector listen (port 0 picks a free one). */
  readonly bound: { readonly bgp?: AddressInfo; readonly bmp?: AddressInfo };
  private readonly configured: readonly ConfiguredPeer[];

  constructor(live: LiveRoutes, servers: readonly RouteProtocolServer[], configured: readonly ConfiguredPeer[] = [],
    bound: { bgp?: AddressInfo; bmp?: AddressInfo } = {}) {
    this.live = live;
    this.servers = servers;
    this.configured = configured;
    this.bound = bound;
  }

  /** Every session (a BGP speaker lists each configured peer, connected or not), then sources whose session is gone. */
  peers(): PeerJson[] {
    const held = new Map<string, PeerRoutes>();
    for (const routes of this.live.peers()) held.set(routes.peer.id, routes);
    const shown: PeerJson[] = [];
    const seen = new Set<string>();
    for (const server of this.servers) {
      for (const session of server.sessions()) {
        // a configured BGP peer between sessions is named as its sessions are
        const id = session.peer?.id ?? (server.kind === 'bgp' ? `bgp ${session.remoteAddress}` : undefined);
        const routes = id === undefined ? undefined : held.get(id);
        const shownPeer = peerJson(server.kind, session, routes);
        if (id !== undefined) {
          shownPeer.id = id;
          shownPeer.as ??= this.configured.find((peer) => peer.address === session.remoteAddress)?.as ?? null;
          seen.add(id);
        }
        shown.push(shownPeer);
      }
    }
    // routes kept stale after a graceful restart outlive their session
    for (const [id, routes] of held) {
      if (seen.has(id)) continue;
      seen.add(id);
      shown.push(peerJson(routes.peer.kind, undefined, routes));
    }
    return shown;
  }

  /** Connections refused by each kind of server (an address not configured). */
  refusedConnections(): Record<'bgp' | 'bmp', number> {
    const refused = { bgp: 0, bmp: 0 };
    for (const server of this.servers) refused[server.kind] += server.refusedConnections;
    return refused;
  }

  /** The fibscope_bgp_* families (BMP-monitored peers included: they are BGP sessions, seen through a router). */
  families(): PromFamily[] {
    const peers = this.peers().filter((peer) => peer.id !== null);
    const labels = (peer: PeerJson) => ({ peer: peer.id!, as: String(peer.as ?? '') });
    const family = (name: string, help: string, type: 'counter' | 'gauge', labelNames: string[], samples: PromSample[]): PromFamily =>
      ({ name, help, type, labelNames, samples });
    const refused = this.refusedConnections();
    return [
      family('fibscope_bgp_session_up', 'Whether the BGP session with the peer is established (BMP: whether the router reports it up).',
        'gauge', ['peer', 'as'], peers.map((peer) => ({ labels: labels(peer), value: peer.state === 'established' ? 1 : 0 }))),
      family('fibscope_bgp_updates_received_total', 'UPDATE messages received from the peer.',
        'counter', ['peer', 'as'], peers.map((peer) => ({ labels: labels(peer), value: peer.updatesReceived }))),
      family('fibscope_bgp_prefixes_announced_total', 'Prefixes the peer announced (each announcement counted).',
        'counter', ['peer', 'as'], peers.map((peer) => ({ labels: labels(peer), value: peer.prefixesAnnounced }))),
      family('fibscope_bgp_prefixes_withdrawn_total', 'Prefixes the peer withdrew (treat-as-withdraw included).',
        'counter', ['peer', 'as'], peers.map((peer) => ({ labels: labels(peer), value: peer.prefixesWithdrawn }))),
      family('fibscope_bgp_prefixes', 'Prefixes held from the peer now, by family.',
        'gauge', ['peer', 'as', 'family'], peers.flatMap((peer) => [
          { labels: { ...labels(peer), family: 'ipv4' }, value: peer.prefixes.ipv4 },
          { labels: { ...labels(peer), family: 'ipv6' }, value: peer.prefixes.ipv6 },
        ])),
      family('fibscope_bgp_stale_prefixes', 'Prefixes kept from before a graceful restart of the peer, not yet re-sent.',
        'gauge', ['peer', 'as'], peers.map((peer) => ({ labels: labels(peer), value: peer.stale }))),
      family('fibscope_bgp_last_change_timestamp_seconds', 'Unix time of the last change of routes from the peer.',
        'gauge', ['peer', 'as'], peers.filter((peer) => peer.lastChange !== null)
          .map((peer) => ({ labels: labels(peer), value: Date.parse(peer.lastChange!) / 1000 }))),
      family('fibscope_routing_refused_connections_total', 'BGP and BMP connections refused: their address is not a configured peer or router.',
        'counter', ['protocol'], (['bgp', 'bmp'] as const).filter((kind) => this.servers.some((server) => server.kind === kind))
          .map((kind) => ({ labels: { protocol: kind }, value: refused[kind] }))),
    ];
  }

  /** Ends every session (their routes withdrawn) and stops listening. */
  async close(): Promise<void> {
    await Promise.allSettled(this.servers.map((server) => server.close()));
    this.live.close();
  }
}

function peerJson(kind: 'bgp' | 'bmp', session: SessionInfo | undefined, routes: PeerRoutes | undefined): PeerJson {
  const peer: PeerDescription | undefined = session?.peer ?? routes?.peer;
  return {
    id: peer?.id ?? null,
    kind,
    address: peer?.address ?? session?.remoteAddress ?? '',
    as: peer?.as ?? null,
    routerId: peer?.routerId ?? null,
    internal: peer?.internal ?? null,
    ...(peer?.bmpRouter !== undefined ? { bmpRouter: peer.bmpRouter } : {}),
    state: session?.state ?? 'idle',
    since: iso(session?.since),
    ...(session?.holdTime !== undefined ? { holdTime: session.holdTime } : {}),
    updatesReceived: session?.updatesReceived ?? 0,
    prefixesAnnounced: session?.prefixesAnnounced ?? 0,
    prefixesWithdrawn: session?.prefixesWithdrawn ?? 0,
    prefixes: { ipv4: routes?.ipv4 ?? 0, ipv6: routes?.ipv6 ?? 0 },
    stale: routes?.stale ?? 0,
    lastChange: iso(routes?.lastChange),
    ...(session?.lastError !== undefined ? { lastError: session.lastError } : {}),
  };
}
