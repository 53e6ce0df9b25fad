// Starts what --bgp and --bmp ask for: the live table over the Fib, then each listener. The
// protocol code loads only when asked for.
import type { AddressInfo } from 'node:net';
import { FibscopeError } from '../errors.js';
import type { RouteProtocolServer } from '../bgp/types.js';
import type { Fib } from '../fib/fib.js';
import type { RouteChangeCounts } from '../report/prom.js';
import type { RoutingSetup } from '../cli/routing-options.js';
import type { ListenAddress } from './listen-address.js';
import { ServedRouting } from './routing.js';

const shownAddress = ({ host, port }: { host?: string; port: number }) =>
  `${host === undefined ? '*' : host.includes(':') ? `[${host}]` : host}:${port}`;

async function listenOrSay(server: RouteProtocolServer, listen: ListenAddress, flag: string): Promise<AddressInfo> {
  try {
    return await server.listen(listen.port, listen.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? 'the address is in use'
      : code === 'EACCES' ? 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : (error as Error).message;
    throw new FibscopeError('LISTEN_FAILED', `${flag}: cannot listen on ${shownAddress(listen)}: ${reason}`);
  }
}

/**
 * Starts the live table and the listeners `setup` names; undefined when it names none. Route
 * changes from peers count in `changes`, beside the API's.
 */
export async function startRouting(setup: RoutingSetup, fib: Fib, changes: RouteChangeCounts,
  log: (line: string) => void): Promise<ServedRouting | undefined> {
  if (!setup.bgp && !setup.bmp) return undefined;
  const { LiveRoutes } = await import('../live-routes/live-routes.js');
  const live = new LiveRoutes(fib, { changes, onLog: log });
  const servers: RouteProtocolServer[] = [];
  const bound: { bgp?: AddressInfo; bmp?: AddressInfo } = {};
  try {
    if (setup.bgp) {
      const { BgpSpeaker } = await import('../bgp/speaker.js');
      const { localAs, routerId, peers, holdTime } = setup.bgp;
      const speaker = new BgpSpeaker({ localAs, routerId, peers, holdTime, sink: live, onLog: log });
      servers.push(speaker);
      bound.bgp = await listenOrSay(speaker, setup.bgp.listen, '--bgp');
      log(`BGP on ${shownAddress({ host: bound.bgp.address, port: bound.bgp.port })} as AS${localAs} (id ${routerId}), receive-only; peers ${peers.map((peer) => `${peer.address} AS${peer.as}`).join(', ')}`);
    }
    if (setup.bmp) {
      const { BmpCollector } = await import('../bmp/collector.js');
      const { routers, monitoredPeers } = setup.bmp;
      const collector = new BmpCollector({ routers, monitoredPeers, sink: live, onLog: log });
      servers.push(collector);
      bound.bmp = await listenOrSay(collector, setup.bmp.listen, '--bmp');
      log(`BMP on ${shownAddress({ host: bound.bmp.address, port: bound.bmp.port })} from ${routers.join(', ')}${monitoredPeers.length > 0 ? `; routes of peers ${monitoredPeers.join(', ')}` : ''}`);
    }
  } catch (error) {
    await Promise.allSettled(servers.map((server) => server.close()));
    live.close();
    throw error;
  }
  return new ServedRouting(live, servers, (setup.bgp?.peers ?? []).map((peer) => ({ kind: 'bgp', ...peer })), bound);
}
