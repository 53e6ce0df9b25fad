import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { startRouting } from '../src/serve/start-routing.js';
import { encodePathAttributes, encodeUpdate } from '../src/bgp/message/update.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { TestPeer } from './helpers/bgp-peer.js';

// serve with a BGP speaker, in process: a scripted peer announces routes; GET /routes shows them
// with their source and attributes, GET /peers the session, /metrics the fibscope_bgp_* series,
// and packets count under the learned routes. A file route of the same prefix wins (metric 0);
// a session that ends takes its routes with it.

const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n198.51.100.0/24 192.0.2.1 eth0\n';
let fib: Fib;
let analyzer: Analyzer;
let server: FibscopeServer;
let base: string;
let bgpPort: number;
const peers: TestPeer[] = [];

function capture(destinations: string[]): Uint8Array {
  return pcap({
    linkType: LINKTYPE.RAW,
    records: destinations.map((dst, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(udp4('192.0.2.200', dst)) })),
  });
}

async function get(path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, text: await response.text() };
}
const json = async (path: string) => JSON.parse((await get(path)).text);

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  fib = await Fib.create();
  fib.load(TABLE);
  analyzer = new Analyzer({ fib, name: 'test' });
  server = new FibscopeServer({ fib, analyzer, onError: (e) => { throw e; }, onNotice: () => {} });
  const { port } = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  server.routing = await startRouting({
    bgp: { listen: { host: '127.0.0.1', port: 0 }, localAs: 65000, routerId: '192.0.2.250', peers: [{ address: '127.0.0.1', as: 65001 }, { address: '127.0.0.5', as: 65005 }] },
  }, fib, server.routes.changes, () => {});
  bgpPort = server.routing!.bound.bgp!.port;
});

afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await server.routing?.close();
  await server.close();
  analyzer.dispose();
});

describe('serve with a BGP peer', () => {
  it('lists configured peers before they connect', async () => {
    const listed = await json('/peers');
    expect(listed.peers.map((peer: { id: string; state: string; as: number }) => [peer.id, peer.state, peer.as]))
      .toEqual([['bgp 127.0.0.1', 'idle', 65001], ['bgp 127.0.0.5', 'idle', 65005]]);
    expect(listed.refusedConnections).toEqual({ bgp: 0, bmp: 0 });
  });

  it('puts the routes a peer announces in the table, shown with their source, and counts packets under them', async () => {
    const peer = new TestPeer(bgpPort, '127.0.0.1');
    peers.push(peer);
    await peer.establish({ as: 65001, routerId: '192.0.2.11' });
    peer.send(encodeUpdate({
      attributes: encodePathAttributes({ origin: 0, asPath: '65001 64500', nextHop: '192.0.2.11', med: 7, communities: ['65001:100'], largeCommunities: ['65001:1:2'] }, true),
      nlri: ['203.0.113.0/24', '10.0.0.0/8'],
    }));
    const learned = await until('the learned route', async () => {
      const found = (await json('/routes')).routes.find((route: { prefix: string }) => route.prefix === '203.0.113.0/24');
      return found;
    });
    expect(learned).toMatchObject({
      prefix: '203.0.113.0/24', nextHop: '192.0.2.11', metric: 20, source: 'bgp 127.0.0.1',
      asPath: '65001 64500', originAs: 64500, med: 7, communities: ['65001:100', '65001:1:2'],
    });
    // the file's route of 10.0.0.0/8 (metric 0) stays first; the peer's is behind it
    const tenSlashEight = (await json('/routes/10.0.0.0/8')).routes;
    expect(tenSlashEight.map((route: { source: string; metric: number }) => [route.source, route.metric])).toEqual([['file', 0], ['bgp 127.0.0.1', 20]]);

    analyzer.push(capture(['203.0.113.9', '203.0.113.10', '10.1.1.1']));
    const report = await json('/report');
    const byPrefix = Object.fromEntries(report.routes.map((row: { prefix: string; packets: number }) => [row.prefix, row.packets]));
    expect(byPrefix['203.0.113.0/24']).toBe(2);
    expect(byPrefix['10.0.0.0/8']).toBe(1);

    const listed = (await json('/peers')).peers.find((p: { id: string }) => p.id === 'bgp 127.0.0.1');
    expect(listed).toMatchObject({
      kind: 'bgp', address: '127.0.0.1', as: 65001, routerId: '192.0.2.11', internal: false, state: 'established',
      updatesReceived: 1, prefixesAnnounced: 2, prefixes: { ipv4: 2, ipv6: 0 }, stale: 0,
    });
    const metrics = (await get('/metrics')).text;
    expect(metrics).toContain('fibscope_bgp_session_up{peer="bgp 127.0.0.1",as="65001"} 1');
    expect(metrics).toContain('fibscope_bgp_session_up{peer="bgp 127.0.0.5",as="65005"} 0');
    expect(metrics).toContain('fibscope_bgp_prefixes{peer="bgp 127.0.0.1",as="65001",family="ipv4"} 2');
    expect(metrics).toContain('fibscope_bgp_updates_received_total{peer="bgp 127.0.0.1",as="65001"} 1');
    expect(metrics).toMatch(/fibscope_route_changes_total\{op="add"\} 2/);
  });

  it('refuses and counts a connection from an address that is not a peer', async () => {
    const stranger = new TestPeer(bgpPort, '127.0.0.9');
    peers.push(stranger);
    await stranger.waitClosed();
    await until('the refusal counted', async () => ((await json('/peers')).refusedConnections.bgp === 1 ? true : undefined));
    expect((await get('/metrics')).text).toContain('fibscope_routing_refused_connections_total{protocol="bgp"} 1');
  });

  it('withdraws, and takes every route of a session that ends', async () => {
    const peer = peers[0];
    peer.send(encodeUpdate({ withdrawn: ['203.0.113.0/24'] }));
    await until('the withdrawal', async () => ((await get('/routes/203.0.113.0/24')).status === 404 ? true : undefined));
    peer.destroy();
    await until('the session down', async () => {
      const listed = (await json('/peers')).peers.find((p: { id: string }) => p.id === 'bgp 127.0.0.1');
      return listed.state === 'idle' ? listed : undefined;
    });
    const ten = (await json('/routes/10.0.0.0/8')).routes;
    expect(ten.map((route: { source: string }) => route.source)).toEqual(['file']);
    // the packets counted under the withdrawn route stay counted, as for any route removed
    const report = await json('/report');
    expect(report.totals.counted).toBe(3);
    const metrics = (await get('/metrics')).text;
    expect(metrics).toContain('fibscope_removed_route_packets_total 2');
    expect(metrics).toContain('fibscope_bgp_session_up{peer="bgp 127.0.0.1",as="65001"} 0');
    expect(metrics).toContain('fibscope_bgp_prefixes_withdrawn_total{peer="bgp 127.0.0.1",as="65001"} 1');
  });
});
