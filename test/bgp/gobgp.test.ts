// A real BGP speaker: GoBGP's gobgpd connects to our passive speaker over loopback (to our
// ephemeral port, its remote-port), and routes added and deleted with the gobgp CLI must reach our
// recording sink exactly, attributes included. Skipped when gobgpd is absent; the daemon is
// killed in afterAll whatever happened.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BgpSpeaker } from '../../src/bgp/speaker.js';
import type { RouteChange } from '../../src/bgp/types.js';
import { RecordingSink } from '../helpers/recording-sink.js';
import { gobgpConfig } from '../helpers/routing-lab.js';
import { tempDir } from '../helpers/temp-dir.js';

const available = spawnSync('sh', ['-c', 'command -v gobgpd && command -v gobgp']).status === 0;
if (!available) console.log('bgp gobgp: skipped: gobgpd/gobgp (Debian package gobgpd) not on PATH');

const LOCAL_AS = 4200000000;
const GOBGP_AS = 65010;
const dir = tempDir('fibscope-gobgp-');
let daemon: ChildProcess | undefined;
let daemonLog = '';
let speaker: BgpSpeaker | undefined;
let apiPort = 0;
const sink = new RecordingSink();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function gobgp(...args: string[]): string {
  const result = spawnSync('gobgp', ['-p', String(apiPort), ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`gobgp ${args.join(' ')}: ${result.stderr || result.stdout}`);
  return result.stdout;
}

beforeAll(async () => {
  if (!available) return;
  speaker = new BgpSpeaker({ localAs: LOCAL_AS, routerId: '192.0.2.100', peers: [{ address: '127.0.0.1', as: GOBGP_AS }], sink, holdTime: 30 });
  const { port } = await speaker.listen(0, '127.0.0.1');
  apiPort = await freePort();
  const config = join(dir, 'gobgpd.toml');
  writeFileSync(config, gobgpConfig({
    as: GOBGP_AS, routerId: '10.0.0.10',
    neighbors: [{ address: '127.0.0.1', as: LOCAL_AS, remotePort: port, localAddress: '127.0.0.1', holdTime: 30, families: [4, 6] }],
  }));
  daemon = spawn('gobgpd', ['-f', config, '--api-hosts', `127.0.0.1:${apiPort}`, '--pprof-disable', '-p'], { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d) => { daemonLog += d; });
  daemon.stderr!.on('data', (d) => { daemonLog += d; });
}, 30_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    daemon.kill('SIGTERM');
    await new Promise((resolve) => { daemon!.once('exit', resolve); setTimeout(resolve, 3000); });
    if (daemon.exitCode === null) daemon.kill('SIGKILL');
  }
  await speaker?.close();
});

/** Every prefix's latest state from the sink's updates: announced attributes, or gone. */
function table(): Map<string, RouteChange['attributes'] | null> {
  const routes = new Map<string, RouteChange['attributes'] | null>();
  for (const c of sink.calls) {
    if (c.call !== 'update') continue;
    for (const change of c.changes) {
      for (const p of change.withdrawn) routes.set(p, null);
      for (const p of change.announced) routes.set(p, change.attributes);
    }
  }
  return routes;
}

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not seen in ${ms} ms; sink: ${JSON.stringify(sink.calls)}; gobgpd: ${daemonLog.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!available)('GoBGP peers with the speaker', () => {
  it('establishes, and its announcements and withdrawal reach the sink exactly', async () => {
    await until(() => sink.calls.some((c) => c.call === 'peerUp'), 'peerUp');
    expect(sink.calls[0]).toMatchObject({ call: 'peerUp', peer: { id: 'bgp 127.0.0.1', as: GOBGP_AS, routerId: '10.0.0.10', internal: false } });
    expect(speaker!.sessions()[0]).toMatchObject({ state: 'established', holdTime: 30 });

    gobgp('global', 'rib', 'add', '-a', 'ipv4', '10.20.0.0/24', 'origin', 'egp', 'nexthop', '127.0.0.1', 'med', '10', 'community', '65010:100,no-export', 'large-community', '65010:1:2');
    gobgp('global', 'rib', 'add', '-a', 'ipv4', '10.21.0.0/16', 'origin', 'igp', 'aspath', '65100 65200', 'nexthop', '127.0.0.1', 'community', '65010:7');
    gobgp('global', 'rib', 'add', '-a', 'ipv6', '2001:db8:20::/48', 'origin', 'igp', 'nexthop', '2001:db8::20', 'med', '20', 'large-community', '4200000000:3:4');
    gobgp('global', 'rib', 'add', '-a', 'ipv6', '2001:db8:21::/48', 'origin', 'incomplete', 'nexthop', '2001:db8::20');
    await until(() => table().size === 4, 'four routes');
    const routes = table();
    expect(routes.get('10.20.0.0/24')).toEqual({
      origin: 1, asPath: '65010', asPathLength: 1, neighborAs: GOBGP_AS, nextHop: '127.0.0.1', med: 10,
      communities: ['65010:100', 'no-export'], largeCommunities: ['65010:1:2'],
    });
    expect(routes.get('10.21.0.0/16')).toEqual({
      origin: 0, asPath: '65010 65100 65200', asPathLength: 3, neighborAs: GOBGP_AS, nextHop: '127.0.0.1', communities: ['65010:7'],
    });
    // eBGP over an IPv4 session: GoBGP has no IPv6 address of its own to put there, so the given next hop stays.
    expect(routes.get('2001:db8:20::/48')).toMatchObject({ origin: 0, asPath: '65010', nextHop: '2001:db8::20', med: 20, largeCommunities: ['4200000000:3:4'] });
    expect(routes.get('2001:db8:21::/48')).toMatchObject({ origin: 2, asPath: '65010' });
    const nextHop6 = routes.get('2001:db8:21::/48')!.nextHop;
    expect(nextHop6).toBe('2001:db8::20');

    gobgp('global', 'rib', 'del', '-a', 'ipv4', '10.21.0.0/16');
    gobgp('global', 'rib', 'del', '-a', 'ipv6', '2001:db8:20::/48');
    await until(() => table().get('10.21.0.0/16') === null && table().get('2001:db8:20::/48') === null, 'the withdrawals');
    expect([...table()].filter(([, a]) => a !== null).map(([p]) => p).sort()).toEqual(['10.20.0.0/24', '2001:db8:21::/48']);
    expect(sink.calls.some((c) => c.call === 'peerDown')).toBe(false);
  });
});
