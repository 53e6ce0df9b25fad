// The BMP collector (RFC 7854): routers connect to it over TCP and report on their BGP peers;
// each monitored peer becomes a RouteSink source. The station only listens (BMP has nothing to
// send back), so a bad message ends that router's session with a log line.
import net from 'node:net';
import { FibscopeArgumentError } from '../errors.js';
import { canonicalAddress } from '../net/address.js';
import type { RouteProtocolServer, RouteSink, SessionInfo } from '../bgp/types.js';
import { BmpFormatError } from './errors.js';
import { BmpRouterSession, type RouterCounters } from './router-session.js';

export interface BmpCollectorOptions {
  /** Addresses of routers allowed to connect; others are refused at once and counted. */
  routers: readonly string[];
  /** Monitored peers whose routes are used, by address or AS (`--bmp-peer`); empty: all. */
  monitoredPeers?: readonly (string | number)[];
  sink: RouteSink;
  onLog?: (line: string) => void;
}

/** One router, as `GET /peers` could show it beside its peers. */
export interface BmpRouterInfo {
  readonly address: string;
  readonly connected: boolean;
  /** Unix ms of the connection. */
  readonly since: number;
  readonly sysName?: string;
  readonly sysDescr?: string;
  readonly counters: Readonly<RouterCounters>;
  /** Why the last connection ended. */
  readonly lastError?: string;
}

/**
 * Routes are used as they arrive, pre- and post-policy each as its own source
 * (`bmp ROUTER peer PEER pre-policy` / `post-policy`): a router configured to send one kind
 * yields one source per peer, one sending both yields two, and the live table's decision
 * process sees them as two peers. A source appears with its first Route Monitoring message
 * (FRR sends an End-of-RIB per family and policy right after Peer Up).
 */
export class BmpCollector implements RouteProtocolServer {
  readonly kind = 'bmp' as const;
  private refused = 0;
  private readonly server: net.Server;
  private readonly allowed: Set<string>;
  private readonly monitoredPeers: (string | number)[];
  /** The latest session of each router that connected, live or ended (its peers stay listed, idle). */
  private readonly routerSessions = new Map<string, { session: BmpRouterSession; socket: net.Socket }>();

  constructor(private readonly options: BmpCollectorOptions) {
    this.allowed = new Set(options.routers.map((r) => canonical(r, 'BMP router')));
    this.monitoredPeers = (options.monitoredPeers ?? []).map((p) => typeof p === 'number' ? p : canonical(p, 'BMP monitored peer'));
    this.server = net.createServer((socket) => this.accept(socket));
  }

  get refusedConnections(): number {
    return this.refused;
  }

  private log(line: string): void {
    this.options.onLog?.(line);
  }

  listen(port: number, host?: string): Promise<net.AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as net.AddressInfo);
      });
    });
  }

  private accept(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    const router = unmapped(canonicalAddress(remote) ?? remote);
    if (!this.allowed.has(router)) {
      this.refused++;
      this.log(`bmp: refused a connection from ${router || 'an unknown address'}: not a configured router`);
      socket.destroy();
      return;
    }
    const previous = this.routerSessions.get(router);
    if (previous && !previous.session.ended) {
      this.finish(previous, 'the router opened a new connection');
      previous.socket.destroy();
    }
    const session = new BmpRouterSession(router, {
      sink: this.options.sink,
      monitoredPeers: this.monitoredPeers,
      onLog: this.options.onLog,
    });
    const entry = { session, socket };
    this.routerSessions.set(router, entry);
    this.log(`bmp ${router}: connected`);
    // BMP has no keepalive of its own: let TCP find a router that vanished without a FIN
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => {
      try {
        session.receive(chunk);
      } catch (error) {
        this.finish(entry, error instanceof BmpFormatError ? error.message : `internal error: ${describe(error)}`);
        socket.destroy();
        return;
      }
      if (session.ended) socket.destroy(); // a Termination message
    });
    socket.on('error', (error) => this.finish(entry, `connection error: ${error.message}`));
    socket.on('close', () => this.finish(entry, 'connection closed'));
  }

  /** Ends a session once, with a log line; a sink that throws cannot escape into Node. */
  private finish(entry: { session: BmpRouterSession }, reason: string): void {
    if (entry.session.ended) return;
    try {
      entry.session.end(reason);
    } catch (error) {
      this.log(`bmp ${entry.session.router}: ending the session failed: ${describe(error)}`);
    }
    this.log(`bmp ${entry.session.router}: session ended: ${entry.session.endReason ?? reason}`);
  }

  close(): Promise<void> {
    for (const entry of this.routerSessions.values()) {
      this.finish(entry, 'collector closing');
      entry.socket.destroy();
    }
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  sessions(): SessionInfo[] {
    return [...this.routerSessions.values()].flatMap(({ session }) => session.sessions());
  }

  routers(): BmpRouterInfo[] {
    return [...this.routerSessions.values()].map(({ session }) => ({
      address: session.router,
      connected: !session.ended,
      since: session.connectedAt,
      ...(session.sysName === undefined ? {} : { sysName: session.sysName }),
      ...(session.sysDescr === undefined ? {} : { sysDescr: session.sysDescr }),
      counters: { ...session.counters },
      ...(session.endReason === undefined ? {} : { lastError: session.endReason }),
    }));
  }
}

function canonical(text: string, what: string): string {
  const address = canonicalAddress(text);
  if (address === null) throw new FibscopeArgumentError(`${what} '${text}' is not an IPv4 or IPv6 address`);
  return unmapped(address);
}

/** A dual-stack socket reports IPv4 clients as `::ffff:a.b.c.d`; routers are configured as `a.b.c.d`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
