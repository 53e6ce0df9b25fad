// The real thing: FRRouting's bgpd (with its bmp module) reports to the collector over BMP on
// loopback, while GoBGP's gobgpd, its eBGP peer (a 4-octet AS), announces IPv4 and IPv6 routes.
// The oracle is FRR itself: the routes `show bgp ... json` says FRR received must reach the
// recording sink, pre- and post-policy, with the same AS path, next hop, MED, communities and
// large communities; a withdraw on GoBGP must arrive as a withdraw, and GoBGP stopping as a
// Peer Down that takes the peer's routes. Skipped with the reason when FRR or GoBGP is absent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PathAttributes, RouteSink } from '../../src/bgp/types.js';
import { Fib } from '../../src/fib/fib.js';
import { LiveRoutes } from '../../src/live-routes/live-routes.js';
import { BmpCollector } from '../../src/bmp/collector.js';
import { RecordingSink } from '../helpers/recording-sink.js';
import { gobgpConfig } from '../helpers/routing-lab.js';
import { tempDir } from '../helpers/temp-dir.js';

const BGPD = '/usr/lib/frr/bgpd';
const BMP_MODULE = '/usr/lib/x86_64-linux-gnu/frr/modules/bgpd_bmp.so';
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const missing = [
  existsSync(BGPD) ? '' : BGPD, existsSync(BMP_MODULE) ? '' : BMP_MODULE,
  has('vtysh') ? '' : 'vtysh', has('gobgpd') ? '' : 'gobgpd', has('gobgp') ? '' : 'gobgp',
].filter(Boolean);
if (missing.length > 0) console.log(`bmp frr: skipped: missing ${missing.join(', ')} (Debian packages frr, gobgpd)`);

const FRR_ADDRESS = '127.0.0.1';
const GOBGP_ADDRESS = '127.0.0.2';
const FRR_AS = 65001;
const GOBGP_AS = 4_200_000_002;
const ROUTER = FRR_ADDRESS; // bgpd connects to the collector from 127.0.0.1
const sourceId = (policy: string) => `bmp ${ROUTER} peer ${GOBGP_ADDRESS} ${policy}-policy`;
const POLICIES = ['pre', 'post'];

const dir = tempDir('fibscope-bmp-frr-');
let collector: BmpCollector;
const sink = new RecordingSink();
// the same calls into a live table too: the routes FRR received, as fibscope's table holds them
const fib = await Fib.create();
const live = new LiveRoutes(fib);
const both: RouteSink = {
  peerUp: (peer) => { sink.peerUp(peer); live.peerUp(peer); },
  update: (peerId, changes) => { sink.update(peerId, changes); live.update(peerId, changes); },
  endOfRib: (peerId, family) => { sink.endOfRib(peerId, family); live.endOfRib(peerId, family); },
  peerDown: (peerId, reason, restartSeconds) => { sink.peerDown(peerId, reason, restartSeconds); live.peerDown(peerId, reason, restartSeconds); },
};
const log: string[] = [];
const children: ChildProcess[] = [];
const output = new Map<string, string>();
let apiPort = 0;

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function start(name: string, command: string, args: string[]): void {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const keep = (d: Buffer) => {
    text = (text + d).slice(-20_000);
    output.set(name, text);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  children.push(child);
}

async function waitFor(what: string, condition: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}\nsink: ${JSON.stringify([...sink.routes].map(([id, t]) => [id, [...t.keys()]]))}\nlog:\n${log.join('\n')}\n${[...output].map(([n, t]) => `--- ${n}\n${t.slice(-3000)}`).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function gobgp(args: string[]): string {
  const result = spawnSync('gobgp', ['-p', String(apiPort), ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`gobgp ${args.join(' ')}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

function vtysh(command: string): unknown {
  const result = spawnSync('vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', command], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`vtysh -c '${command}': ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}

interface FrrPath {
  aspath: { string: string };
  origin: string;
  metric?: number;
  community?: { list: string[] };
  largeCommunity?: { list: string[] };
  nexthops: { ip: string; scope?: string }[];
  peer: { peerId: string };
}

/** FRR's JSON names for well-known communities, and bgpdump's (the sink's). */
const FRR_COMMUNITY_NAMES: Record<string, string> = { noExport: 'no-export', noAdvertise: 'no-advertise', localAs: 'no-export-subconfed', blackhole: 'blackhole' };

/** What FRR says it received for `prefix` from GoBGP, in the sink's terms. */
function frrView(family: 'ipv4' | 'ipv6', prefix: string): Partial<PathAttributes> | undefined {
  const shown = vtysh(`show bgp ${family} unicast ${prefix} json`) as { paths?: FrrPath[] };
  const path = shown.paths?.find((p) => p.peer.peerId === GOBGP_ADDRESS);
  if (!path) return undefined;
  return {
    origin: (['igp', 'egp', 'incomplete'].indexOf(path.origin.toLowerCase())) as 0 | 1 | 2,
    asPath: path.aspath.string,
    nextHop: path.nexthops.find((n) => n.scope !== 'link-local')!.ip,
    med: path.metric,
    communities: path.community?.list.map((c) => FRR_COMMUNITY_NAMES[c] ?? c),
    largeCommunities: path.largeCommunity?.list,
  };
}

const routeOf = (policy: string, prefix: string) => sink.routes.get(sourceId(policy))?.get(prefix);

beforeAll(async () => {
  if (missing.length > 0) return;
  collector = new BmpCollector({ routers: [ROUTER], sink: both, onLog: (line) => log.push(line) });
  const { port: bmpPort } = await collector.listen(0, '127.0.0.1');
  const frrPort = await freePort(FRR_ADDRESS);
  const gobgpPort = await freePort(GOBGP_ADDRESS);
  apiPort = await freePort('127.0.0.1');
  writeFileSync(join(dir, 'bgpd.conf'), [
    'frr defaults traditional',
    'router bgp 65001',
    ' bgp router-id 10.255.0.1',
    ' no bgp ebgp-requires-policy',
    ' no bgp default ipv4-unicast',
    ` neighbor ${GOBGP_ADDRESS} remote-as ${GOBGP_AS}`,
    ` neighbor ${GOBGP_ADDRESS} port ${gobgpPort}`,
    ` neighbor ${GOBGP_ADDRESS} update-source ${FRR_ADDRESS}`,
    ` neighbor ${GOBGP_ADDRESS} timers connect 1`,
    // FRR's pre-policy Route Monitoring reads the Adj-RIB-In, which it keeps only with soft-reconfiguration
    // inbound; without it FRR sends every pre-policy route as a withdraw
    ...['ipv4', 'ipv6'].flatMap((family) => [
      ` address-family ${family} unicast`, `  neighbor ${GOBGP_ADDRESS} activate`, `  neighbor ${GOBGP_ADDRESS} soft-reconfiguration inbound`, ' exit-address-family',
    ]),
    ' bmp targets fibscope',
    '  bmp stats interval 1000',
    '  bmp mirror',
    '  bmp monitor ipv4 unicast pre-policy',
    '  bmp monitor ipv4 unicast post-policy',
    '  bmp monitor ipv6 unicast pre-policy',
    '  bmp monitor ipv6 unicast post-policy',
    `  bmp connect 127.0.0.1 port ${bmpPort} min-retry 100 max-retry 1000`,
    ' exit',
    'exit',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'gobgpd.toml'), gobgpConfig({
    as: GOBGP_AS, routerId: '10.255.0.2', listenPort: gobgpPort, listenAddresses: [GOBGP_ADDRESS],
    neighbors: [{ address: FRR_ADDRESS, as: FRR_AS, remotePort: frrPort, localAddress: GOBGP_ADDRESS, families: [4, 6] }],
  }));
  // -S: no change of user (it would need the frrvty group), -Z: no zebra, -P 0: no vty TCP port
  start('bgpd', BGPD, ['-M', 'bmp', '-Z', '-n', '-S', '--vty_socket', dir, '-i', join(dir, 'bgpd.pid'), '-f', join(dir, 'bgpd.conf'),
    '-p', String(frrPort), '-l', FRR_ADDRESS, '-P', '0', '--log', 'stdout']);
  start('gobgpd', 'gobgpd', ['-f', join(dir, 'gobgpd.toml'), '--api-hosts', `127.0.0.1:${apiPort}`, '--pprof-disable', '-p']);
});

/** SIGTERM, so bgpd removes its /var/tmp/frr/bgpd.PID crash-log directory; SIGKILL after 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

afterAll(async () => {
  await Promise.all(children.map(stop));
  await collector?.close();
});

describe.skipIf(missing.length > 0)('FRRouting bgpd reporting over BMP', () => {
  it('the routes FRR received from GoBGP, pre- and post-policy, with FRR\'s attributes', async () => {
    await waitFor('FRR to open the BMP session', () => collector.routers().some((r) => r.connected));
    await waitFor('GoBGP to peer with FRR', () => /Establ/.test(gobgp(['neighbor'])), 40_000);
    gobgp(['global', 'rib', 'add', '198.51.100.0/24', 'nexthop', '192.0.2.2', 'origin', 'igp', 'med', '5', 'aspath', '64500,64501',
      'community', '65002:100,no-export', 'large-community', '4200000002:1:2']);
    gobgp(['global', 'rib', 'add', '203.0.113.0/25', 'nexthop', '192.0.2.2']);
    gobgp(['global', 'rib', '-a', 'ipv6', 'add', '2001:db8:100::/48', 'nexthop', '2001:db8::2', 'community', '65002:200']);
    const wanted: ['ipv4' | 'ipv6', string][] = [['ipv4', '198.51.100.0/24'], ['ipv4', '203.0.113.0/25'], ['ipv6', '2001:db8:100::/48']];
    await waitFor('the routes in both policies\' sources', () => POLICIES.every((p) => wanted.every(([, prefix]) => routeOf(p, prefix))));
    for (const [family, prefix] of wanted) {
      const frr = frrView(family, prefix);
      expect(frr, `FRR has ${prefix}`).toBeDefined();
      for (const policy of POLICIES) {
        const route = routeOf(policy, prefix)!;
        expect({
          origin: route.origin, asPath: route.asPath, nextHop: route.nextHop, med: route.med,
          communities: route.communities, largeCommunities: route.largeCommunities,
        }, `${prefix} ${policy}-policy`).toEqual(frr);
        expect(route.neighborAs).toBe(GOBGP_AS);
      }
    }
    // not only equal to FRR: what GoBGP was told to send, so a shared mistake cannot pass
    expect(routeOf('pre', '198.51.100.0/24')).toMatchObject({
      origin: 0, asPath: '4200000002 64500 64501', nextHop: '192.0.2.2', med: 5, communities: ['65002:100', 'no-export'], largeCommunities: ['4200000002:1:2'],
    });
    // in the table: one route per prefix, from one of the two sources (equal paths: the lower peer id wins)
    for (const [, prefix] of wanted) {
      const routes = fib.routesFor(prefix);
      expect(routes.map((route) => route.source), prefix).toEqual([sourceId('post')]);
      expect(routes[0]).toMatchObject({ nextHop: routeOf('post', prefix)!.nextHop, metric: 20, asPath: routeOf('post', prefix)!.asPath });
    }
    expect(fib.lookup('198.51.100.77')).toMatchObject({ prefix: '198.51.100.0/24', originAs: 64501, med: 5 });
    for (const policy of POLICIES) {
      expect(sink.peers.get(sourceId(policy))).toEqual({
        id: sourceId(policy), kind: 'bmp', address: GOBGP_ADDRESS, as: GOBGP_AS, routerId: '10.255.0.2', internal: false, bmpRouter: ROUTER,
      });
    }
    expect(sink.violations).toEqual([]);
  });

  it('a withdraw on GoBGP arrives as a withdraw; the other routes stay', async () => {
    gobgp(['global', 'rib', 'del', '198.51.100.0/24']);
    await waitFor('the withdraw in both sources', () => POLICIES.every((p) => !routeOf(p, '198.51.100.0/24')));
    expect(frrView('ipv4', '198.51.100.0/24')).toBeUndefined();
    for (const policy of POLICIES) {
      expect(sink.callsOf('update').some((c) => c.peerId === sourceId(policy) && c.changes.some((ch) => ch.withdrawn.includes('198.51.100.0/24')))).toBe(true);
      expect(routeOf(policy, '203.0.113.0/25')).toBeDefined();
      expect(routeOf(policy, '2001:db8:100::/48')).toBeDefined();
    }
    expect(sink.callsOf('peerDown')).toEqual([]);
    expect(fib.routesFor('198.51.100.0/24')).toEqual([]);
    expect(fib.routesFor('203.0.113.0/25').length).toBe(1);
  });

  it('what else FRR sent: Initiation with its sysDescr, Statistics Reports, Route Mirroring; all decoded', async () => {
    await waitFor('a Statistics Report', () => (collector.routers()[0]?.counters.statisticsReports ?? 0) > 0, 10_000);
    const [router] = collector.routers();
    expect(router).toMatchObject({ address: ROUTER, connected: true, sysDescr: expect.stringMatching(/^FRRouting /) });
    expect(router.counters.routeMirroring).toBeGreaterThan(0);
    expect(router.counters).toMatchObject({ skippedPeerType: 0, skippedBeforePeerUp: 0, updateErrors: 0 });
    console.log(`bmp frr: FRR sent ${router.counters.messages} messages: ${JSON.stringify(router.counters)}`);
    expect(collector.sessions().filter((s) => s.peer).map((s) => [s.peer!.id, s.state]).sort()).toEqual(POLICIES.map((p) => [sourceId(p), 'established']).sort());
  });

  it('GoBGP stopping (SIGTERM): FRR sends Peer Down, the peer\'s routes go from both sources', async () => {
    await stop(children[1]);
    await waitFor('the Peer Down', () => POLICIES.every((p) => !sink.routes.has(sourceId(p))), 20_000);
    expect(sink.callsOf('peerDown').map((c) => c.peerId).sort()).toEqual(POLICIES.map(sourceId).sort());
    // GoBGP sends Cease when it stops; FRR passes it on as Peer Down reason 3 with the NOTIFICATION
    for (const call of sink.callsOf('peerDown')) expect(call.reason).toMatch(/^the peer sent NOTIFICATION Cease, subcode \d+$/);
    expect(collector.sessions().filter((s) => s.peer).every((s) => s.state === 'idle' && s.lastError)).toBe(true);
    expect(fib.stats()).toMatchObject({ ipv4Routes: 0, ipv6Routes: 0 });
    expect(sink.violations).toEqual([]);
  });
});
