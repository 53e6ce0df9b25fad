// The collector over loopback TCP: routers not configured are refused and counted; each router's
// peers are its own sources; a malformed message or a lost connection ends that router's session
// (its peers' routes withdrawn, a log line) and leaves other routers' routes alone.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BmpCollector } from '../../src/bmp/collector.js';
import { bgpOpen, bgpUpdate, peerUp, routeMonitoring, initiation, type PeerFields } from '../helpers/bmp.js';
import { concat } from '../helpers/packets.js';
import { RecordingSink } from '../helpers/recording-sink.js';

const peer: PeerFields = { address: '192.0.2.7', as: 64500, routerId: '192.0.2.7' };
const routes = concat(
  initiation({ sysName: 'r' }),
  peerUp({ peer, localAddress: '192.0.2.1', sentOpen: bgpOpen({ as: 65001, routerId: '10.0.0.1' }), receivedOpen: bgpOpen({ as: 64500, routerId: '192.0.2.7' }) }),
  routeMonitoring(peer, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500], nextHop: '192.0.2.7' })),
);
const id = (router: string) => `bmp ${router} peer 192.0.2.7 pre-policy`;

let collector: BmpCollector | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await collector?.close();
  collector = undefined;
});

async function until(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function connect(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

async function start(routers: string[]) {
  const sink = new RecordingSink();
  const log: string[] = [];
  collector = new BmpCollector({ routers, sink, onLog: (l) => log.push(l) });
  const { port } = await collector.listen(0, '127.0.0.1');
  return { sink, log, port, collector };
}

describe('the BMP collector over TCP', () => {
  it('refuses and counts a router that is not configured; takes one that is', async () => {
    const { port, log, collector: c, sink } = await start(['127.0.0.2']);
    const refused = await connect(port, '127.0.0.3');
    await new Promise((r) => refused.on('close', r));
    expect(c.refusedConnections).toBe(1);
    expect(log).toContain('bmp: refused a connection from 127.0.0.3: not a configured router');
    const router = await connect(port, '127.0.0.2');
    router.write(routes);
    await until('the route', () => sink.routes.get(id('127.0.0.2'))?.size === 1);
    expect(c.refusedConnections).toBe(1);
    expect(c.routers()).toMatchObject([{ address: '127.0.0.2', connected: true, sysName: 'r' }]);
    expect(c.sessions()).toMatchObject([{ peer: { id: id('127.0.0.2'), bmpRouter: '127.0.0.2' }, state: 'established', prefixesAnnounced: 1 }]);
  });

  it('a malformed message ends that router\'s session only: its routes go, the other router\'s stay', async () => {
    const { port, log, collector: c, sink } = await start(['127.0.0.2', '127.0.0.3']);
    const a = await connect(port, '127.0.0.2');
    const b = await connect(port, '127.0.0.3');
    a.write(routes);
    b.write(routes);
    await until('both routers\' routes', () => sink.routes.get(id('127.0.0.2'))?.size === 1 && sink.routes.get(id('127.0.0.3'))?.size === 1);
    const closed = new Promise((r) => a.on('close', r));
    a.write(Uint8Array.of(3, 0, 0, 0, 6, 9)); // message type 9
    await closed;
    await until('the peer down', () => !sink.routes.has(id('127.0.0.2')));
    expect(sink.callsOf('peerDown')).toMatchObject([{ peerId: id('127.0.0.2'), reason: expect.stringContaining('unknown message type 9') }]);
    expect(log.some((l) => l.startsWith('bmp 127.0.0.2: session ended: BMP common header, byte 5: unknown message type 9'))).toBe(true);
    expect(sink.routes.get(id('127.0.0.3'))?.size).toBe(1);
    expect(c.routers().map((r) => [r.address, r.connected])).toEqual([['127.0.0.2', false], ['127.0.0.3', true]]);
    expect(sink.violations).toEqual([]);
  });

  it('a lost connection withdraws the router\'s peers; a reconnect brings them back; close() ends everything', async () => {
    const { port, collector: c, sink } = await start(['127.0.0.2']);
    const first = await connect(port, '127.0.0.2');
    first.write(routes.subarray(0, routes.length - 3)); // the last message cut
    await until('the peer up', () => c.sessions().length === 1);
    first.destroy();
    await until('the session end', () => c.routers()[0]?.connected === false);
    expect(c.routers()[0].lastError).toMatch(/^connection closed; the stream stopped inside a message \(\d+ of the \d+ bytes of a message\)$/);
    const second = await connect(port, '127.0.0.2');
    second.write(routes);
    await until('the route again', () => sink.routes.get(id('127.0.0.2'))?.size === 1);
    await c.close();
    collector = undefined;
    expect(sink.routes.size).toBe(0);
    expect(sink.callsOf('peerDown').map((x) => x.reason)).toEqual(['router session ended: collector closing']);
    expect(sink.violations).toEqual([]);
  });

  it('a router connecting again while connected: the old session ends first', async () => {
    const { port, sink } = await start(['127.0.0.2']);
    (await connect(port, '127.0.0.2')).write(routes);
    await until('the route', () => sink.routes.get(id('127.0.0.2'))?.size === 1);
    (await connect(port, '127.0.0.2')).write(routes);
    await until('the second session\'s route', () => sink.callsOf('peerUp').length === 2 && sink.routes.get(id('127.0.0.2'))?.size === 1);
    expect(sink.callsOf('peerDown').map((x) => x.reason)).toEqual(['router session ended: the router opened a new connection']);
    expect(sink.violations).toEqual([]);
  });

  it('a sink that throws ends the session with a log line, not an exception in Node', async () => {
    const log: string[] = [];
    const sink = new RecordingSink();
    sink.update = () => {
      throw new Error('table broken');
    };
    collector = new BmpCollector({ routers: ['127.0.0.2'], sink, onLog: (l) => log.push(l) });
    const { port } = await collector.listen(0, '127.0.0.1');
    (await connect(port, '127.0.0.2')).write(routes);
    await until('the session end', () => collector!.routers()[0]?.connected === false);
    expect(collector.routers()[0].lastError).toBe('internal error: table broken');
  });

  it('refuses a router list entry that is not an address', () => {
    expect(() => new BmpCollector({ routers: ['router1'], sink: new RecordingSink() })).toThrow("BMP router 'router1' is not an IPv4 or IPv6 address");
  });
});
