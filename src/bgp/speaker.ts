// fibscope's BGP speaker: passive and receive-only. Configured peers connect to it; it never
// advertises a route. Sessions feed a RouteSink; other connections are refused and counted.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { RouteProtocolServer, RouteSink, SessionInfo } from './types.js';
import { canonicalAddress, parseIPv4 } from '../net/address.js';
import { CeaseSubcode, ErrorCode } from './message/constants.js';
import { encodeNotification } from './message/notification.js';
import { BgpSession } from './session.js';

export interface BgpPeerConfig {
  readonly address: string;
  readonly as: number;
}

export interface BgpSpeakerOptions {
  readonly localAs: number;
  /** Our BGP identifier, dotted quad. */
  readonly routerId: string;
  readonly peers: readonly BgpPeerConfig[];
  readonly sink: RouteSink;
  /** Offered hold time, seconds: 0 or >= 3 (default 90); the session uses the smaller of both sides'. */
  readonly holdTime?: number;
  readonly onLog?: (line: string) => void;
}

interface PeerSlot {
  readonly config: BgpPeerConfig;
  /** Canonical address text (IPv4-mapped IPv6 as dotted quad). */
  readonly address: string;
  session?: BgpSession;
  counters: { updatesReceived: number; prefixesAnnounced: number; prefixesWithdrawn: number };
  lastError?: string;
  idleSince: number;
}

/** Address text as the peer table keys it: canonical, `::ffff:a.b.c.d` as `a.b.c.d`. */
export function peerKey(address: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return canonicalAddress(mapped ? mapped[1] : address);
}

function checkOptions(o: BgpSpeakerOptions): void {
  const asOk = (as: number) => Number.isInteger(as) && as >= 1 && as <= 0xffffffff;
  if (!asOk(o.localAs)) throw new RangeError(`localAs ${o.localAs} is not an AS number 1..4294967295`);
  if (parseIPv4(o.routerId) <= 0) throw new RangeError(`routerId '${o.routerId}' is not a nonzero dotted-quad IPv4 address`);
  const hold = o.holdTime ?? 90;
  if (!Number.isInteger(hold) || hold < 0 || hold > 65535 || hold === 1 || hold === 2) {
    throw new RangeError(`holdTime ${hold}: 0 or 3..65535 seconds`);
  }
  for (const peer of o.peers) {
    if (!peerKey(peer.address)) throw new RangeError(`peer address '${peer.address}' is not an IP address`);
    if (!asOk(peer.as)) throw new RangeError(`peer ${peer.address}: AS ${peer.as} is not an AS number 1..4294967295`);
  }
}

export class BgpSpeaker implements RouteProtocolServer {
  readonly kind = 'bgp' as const;
  private refused = 0;
  private readonly slots = new Map<string, PeerSlot>();
  private readonly server: Server;
  private readonly log: (line: string) => void;
  private readonly holdTime: number;
  private closing = false;

  constructor(private readonly options: BgpSpeakerOptions) {
    checkOptions(options);
    this.log = options.onLog ?? (() => {});
    this.holdTime = options.holdTime ?? 90;
    for (const config of options.peers) {
      const address = peerKey(config.address)!;
      if (this.slots.has(address)) throw new RangeError(`peer ${address} is configured twice`);
      this.slots.set(address, { config, address, counters: { updatesReceived: 0, prefixesAnnounced: 0, prefixesWithdrawn: 0 }, idleSince: Date.now() });
    }
    this.server = createServer((socket) => this.accept(socket));
  }

  get refusedConnections(): number {
    return this.refused;
  }

  listen(port: number, host?: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  private accept(socket: Socket): void {
    socket.on('error', () => {}); // a refused socket's reset must not become an uncaught error
    const remote = socket.remoteAddress ?? '';
    const key = peerKey(remote);
    const slot = key ? this.slots.get(key) : undefined;
    if (!slot || this.closing) {
      this.refused++;
      this.log(`bgp: connection from ${remote} refused: ${this.closing ? 'shutting down' : 'not a configured peer'}`);
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const current = slot.session;
    if (current && !current.isEnded) {
      // Both connections come from the peer (we never connect): keep the one we have, unless it is
      // an established session of a peer that restarts gracefully, which the new one replaces (RFC 4724 4.2).
      if (current.state === 'established' && current.peerRestartSeconds !== undefined) {
        current.dropForRestart('the peer connected again (graceful restart)');
      } else {
        this.log(`bgp: second connection from ${slot.address} refused: a session is ${current.state}`);
        socket.end(encodeNotification(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION));
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
    }
    const session = new BgpSession(socket, {
      localAs: this.options.localAs,
      routerId: this.options.routerId,
      peerAddress: slot.address,
      peerAs: slot.config.as,
      holdTime: this.holdTime,
      sink: this.options.sink,
      log: this.log,
      counters: slot.counters,
      onEnd: (ended, reason) => {
        slot.lastError = reason;
        if (slot.session === ended) slot.idleSince = Date.now();
      },
    });
    slot.session = session;
    this.log(`bgp: connection from ${slot.address}`);
    session.start();
  }

  sessions(): SessionInfo[] {
    return [...this.slots.values()].map((slot) => {
      const s = slot.session;
      const live = s && !s.isEnded;
      return {
        ...(live && s.peer && { peer: s.peer }),
        remoteAddress: slot.address,
        state: live ? s.state : 'idle',
        since: live ? s.since : slot.idleSince,
        updatesReceived: slot.counters.updatesReceived,
        prefixesAnnounced: slot.counters.prefixesAnnounced,
        prefixesWithdrawn: slot.counters.prefixesWithdrawn,
        ...(live && s.holdTime !== undefined && { holdTime: s.holdTime }),
        ...(slot.lastError !== undefined && { lastError: slot.lastError }),
      };
    });
  }

  /** Cease / Administrative Shutdown to every peer (their routes go through peerDown), then stops listening. */
  async close(): Promise<void> {
    this.closing = true;
    for (const slot of this.slots.values()) {
      if (slot.session && !slot.session.isEnded) slot.session.notifyAndClose(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, 'fibscope is shutting down');
    }
    await new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}
