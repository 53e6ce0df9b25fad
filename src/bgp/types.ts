// The contract between the route protocols (src/bgp/ sessions, src/bmp/ collector) and the live
// table (src/live-routes/): decoded routes go in through a RouteSink, sessions come out as
// SessionInfo. Each side is built and tested apart against these types.

export type AddressFamily = 4 | 6;

/** ORIGIN (RFC 4271 5.1.1): lower is preferred by the decision process. */
export type BgpOrigin = 0 | 1 | 2;
export const BGP_ORIGIN_NAMES = ['IGP', 'EGP', 'INCOMPLETE'] as const;

/** The path attributes shared by the routes one UPDATE announces, decoded. */
export interface PathAttributes {
  readonly origin: BgpOrigin;
  /**
   * The AS path as `bgpdump -m` prints it (`3356 1299 64496`, a set as `{64500,64501}`), AS4_PATH
   * already merged (RFC 6793 4.2.3); '' for an empty path (a route from an iBGP peer's own AS).
   */
  readonly asPath: string;
  /** Its length for the decision process (RFC 4271 9.1.2.2 a): a set counts 1, confederation segments 0. */
  readonly asPathLength: number;
  /** The path's first AS (the neighbour that sent it: MEDs compare only between routes of one); absent for an empty path. */
  readonly neighborAs?: number;
  /** NEXT_HOP for IPv4 NLRI, MP_REACH_NLRI's (global) next hop for its family, as address text. */
  readonly nextHop: string | null;
  readonly med?: number;
  readonly localPref?: number;
  /** RFC 1997, as bgpdump prints them: `65000:100`; the well-known ones by name (`no-export`...). */
  readonly communities?: readonly string[];
  /** RFC 8092: `65000:1:2`. */
  readonly largeCommunities?: readonly string[];
}

/**
 * What one UPDATE does to one address family's routes, in order: withdraw, then announce. One
 * UPDATE gives one change per family it touches (IPv4 NLRI and MP_REACH/MP_UNREACH). RFC 7606's
 * treat-as-withdraw turns the announced prefixes into withdrawn ones before they get here.
 */
export interface RouteChange {
  readonly family: AddressFamily;
  /** Prefix text, `192.0.2.0/24`, `2001:db8::/32`: host bits are zero. */
  readonly withdrawn: readonly string[];
  readonly announced: readonly string[];
  /** Present whenever `announced` is not empty. */
  readonly attributes?: PathAttributes;
}

/** A source of routes: a BGP session, or one peer a BMP-monitored router reports on. */
export interface PeerDescription {
  /**
   * Stable while the peer is configured: in /peers, metric labels and each route's `source`.
   * `bgp 192.0.2.1`; `bmp 10.0.0.1 peer 192.0.2.7 pre-policy` (router, monitored peer, policy).
   */
  readonly id: string;
  readonly kind: 'bgp' | 'bmp';
  /** The peer's address (for BMP: the monitored peer's). */
  readonly address: string;
  readonly as: number;
  /** BGP identifier from its OPEN, dotted quad. */
  readonly routerId: string;
  /** Whether the peer is in our own AS (iBGP): the decision process prefers eBGP routes. */
  readonly internal: boolean;
  /** BMP only: the address of the router that reports on this peer. */
  readonly bmpRouter?: string;
}

/**
 * Where sessions deliver routes; LiveRoutes (src/live-routes/) implements it over a Fib. Calls are
 * synchronous, and each is one atomic change of the table: the analyzer never sees half of it.
 */
export interface RouteSink {
  /** A session is established: the peer's routes follow (again, after a graceful restart). */
  peerUp(peer: PeerDescription): void;
  /** One UPDATE's changes, applied in order. */
  update(peerId: string, changes: readonly RouteChange[]): void;
  /** End-of-RIB (RFC 4724) for a family: routes kept stale from before a restart and not re-sent go now. */
  endOfRib(peerId: string, family: AddressFamily): void;
  /**
   * The session ended: the peer's routes go at once, in one change; with `restartSeconds` (the
   * peer announced graceful restart, RFC 4724) they stay, stale, until re-sent, End-of-RIB, or the time runs out.
   */
  peerDown(peerId: string, reason: string, restartSeconds?: number): void;
}

export type SessionState = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established';

/** One session as `GET /peers` and /metrics show it. */
export interface SessionInfo {
  /** Known once the OPEN arrived; before, the remote address only. */
  readonly peer?: PeerDescription;
  readonly remoteAddress: string;
  readonly state: SessionState;
  /** Unix time (ms) the state was entered. */
  readonly since: number;
  readonly updatesReceived: number;
  readonly prefixesAnnounced: number;
  readonly prefixesWithdrawn: number;
  /** Hold time agreed in the OPEN exchange, seconds (BGP only). */
  readonly holdTime?: number;
  /** Why the last session of this peer ended, if one did. */
  readonly lastError?: string;
}

/** What `serve` runs beside its HTTP server: a BGP speaker or a BMP collector. */
export interface RouteProtocolServer {
  readonly kind: 'bgp' | 'bmp';
  listen(port: number, host?: string): Promise<import('node:net').AddressInfo>;
  /** Ends every session (routes withdrawn through the sink) and stops listening. */
  close(): Promise<void>;
  sessions(): SessionInfo[];
  /** Connections refused because their address is not a configured peer or router. */
  readonly refusedConnections: number;
}
