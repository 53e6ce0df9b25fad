/**
 * The live-routing proof end to end: `fibscope serve --bgp` (the built command) in one network
 * namespace learns its table from BIRD 2 in the other, over IPv4 and IPv6 sessions, while
 * `tcpdump -U -w -` on the speaker's side of the link feeds it the traffic. The speaker
 * namespace's default routes point at the router, so its pings to addresses inside the learned
 * prefixes leave through the captured veth (the router drops them: it does not forward).
 *
 * The oracles: BIRD's config (what /routes must hold: each static route with its gateway as next
 * hop, `next hop keep`, BIRD's AS as the path, source `bgp ADDRESS`), the longest match over it
 * (which route each destination must count under) and ping's own count of echo requests sent.
 * Through `birdc configure` (a withdrawal, a new next hop, a more specific), a killed BIRD (the
 * TCP close: routes gone, /peers and fibscope_bgp_session_up show the sessions down) and a
 * restart, /routes and the counters follow.
 *
 * serve listens for HTTP on the namespace's loopback, out of this process's reach: a small relay
 * in the namespace passes a Unix socket in the lab's folder (file system sockets cross network
 * namespaces) on to it. Needs root, iproute2, bird2, tcpdump, ping and the build (dist/cli.js).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bird, birdConfig, type BirdConfig, daemonMissing, labUnavailable, RoutingLab, type StaticRoute, waitFor } from './helpers/routing-lab.js';
import { CLI, serveUnavailable } from './helpers/serve-process.js';
import { untilListening } from './helpers/tcpdump.js';

const missingTool = ['tcpdump', 'ping'].find((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const missing = labUnavailable() ?? daemonMissing('bird')
  ?? (missingTool ? `the command ${missingTool} is missing (Debian: ${missingTool === 'ping' ? 'iputils-ping' : 'tcpdump'})` : null)
  ?? serveUnavailable() ?? null;
if (missing) console.warn(`skipping fibscope serve --bgp against BIRD 2: ${missing}`);

const FIBSCOPE_AS = 65000;
const BIRD_AS = 65001;
const BGP_PORT = 1790;
// Ethernet frames of ping's default 56 data bytes
const PING4_BYTES = 14 + 20 + 8 + 56;
const PING6_BYTES = 14 + 40 + 8 + 56;

interface ApiRoute { prefix: string; nextHop: string | null; source: string; asPath?: string; originAs?: number; metric: number }
interface ReportRoute { prefix: string; nextHop: string | null; packets: number; bytes: number; destinations: number }
interface Peer { id: string; state: string; as: number; routerId?: string; prefixes?: { ipv4: number; ipv6: number } }

describe.skipIf(missing)('fibscope serve --bgp against BIRD 2, counting a live capture', () => {
  const lab = new RoutingLab('e2e', 243);
  const { router, speaker } = lab.addresses;
  const via4 = lab.link.v4;
  const via6 = lab.link.v6;
  const source4 = `bgp ${router.v4}`;
  const source6 = `bgp ${router.v6}`;
  const socket = join(lab.dir, 'http.sock');
  let bird: Bird;
  let serve: ChildProcess;
  let serveLog = '';

  const config = (static4: StaticRoute[], static6: StaticRoute[]): BirdConfig => ({
    routerId: router.v4,
    static4,
    static6,
    // graceful restart off: a killed BIRD's routes must go at the TCP close, not be kept stale
    bgp: [
      { name: 'fib4', family: 4, localAddress: router.v4, localAs: BIRD_AS, neighborAddress: speaker.v4, neighborAs: FIBSCOPE_AS, neighborPort: BGP_PORT, nextHopKeep: true, gracefulRestart: false, connectDelay: 0 },
      { name: 'fib6', family: 6, localAddress: router.v6, localAs: BIRD_AS, neighborAddress: speaker.v6, neighborAs: FIBSCOPE_AS, neighborPort: BGP_PORT, nextHopKeep: true, gracefulRestart: false, connectDelay: 0 },
    ],
  });
  const first = config(
    [{ prefix: '10.250.1.0/24', via: via4(3) }, { prefix: '10.250.2.0/24', via: via4(4) }, { prefix: '192.0.2.0/24', via: via4(3) }],
    [{ prefix: 'fd00:250:1::/48', via: via6(3) }, { prefix: '2001:db8:7::/48', via: via6(4) }],
  );
  const changed = config(
    // 10.250.1.0/24 withdrawn, 10.250.2.0/24 to a new next hop, a more specific inside it; the same in IPv6
    [{ prefix: '10.250.2.0/24', via: via4(5) }, { prefix: '10.250.2.128/25', via: via4(6) }, { prefix: '192.0.2.0/24', via: via4(3) }],
    [{ prefix: 'fd00:250:1::/48', via: via6(5) }, { prefix: 'fd00:250:1:8000::/49', via: via6(6) }, { prefix: '2001:db8:7::/48', via: via6(4) }],
  );

  // ---------------------------------------------------------------- HTTP through the relay

  function get(path: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: socket, path, timeout: 5_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
      req.on('error', reject);
      req.end();
    });
  }
  const json = async (path: string) => JSON.parse((await get(path)).text);

  // ---------------------------------------------------------------- what the table must hold

  /** prefix → the fields /routes must show, for a BIRD config. */
  function expected(c: BirdConfig): Record<string, Partial<ApiRoute>> {
    const rows: Record<string, Partial<ApiRoute>> = {};
    for (const [routes, source] of [[c.static4 ?? [], source4], [c.static6 ?? [], source6]] as const) {
      for (const r of routes) rows[r.prefix] = { prefix: r.prefix, nextHop: r.via, source, asPath: `${BIRD_AS}`, originAs: BIRD_AS, metric: 20 };
    }
    return rows;
  }
  const view = (routes: ApiRoute[]) => Object.fromEntries(routes.map((r) =>
    [r.prefix, { prefix: r.prefix, nextHop: r.nextHop, source: r.source, asPath: r.asPath, originAs: r.originAs, metric: r.metric }]));
  const canonical = (rows: Record<string, unknown>) => JSON.stringify(Object.keys(rows).sort().map((k) => [k, rows[k]]));

  /** Waits until GET /routes shows exactly `want`, and returns what it showed. */
  async function routesBecome(want: Record<string, Partial<ApiRoute>>, what: string, ms = 15_000) {
    let last: Record<string, unknown> = {};
    await waitFor(what, async () => {
      last = view((await json('/routes')).routes);
      return canonical(last) === canonical(want) ? true : undefined;
    }, ms, 200).catch((error) => {
      throw new Error(`${(error as Error).message}\n/routes: ${canonical(last)}\nserve: ${serveLog}\nbird: ${bird.log()}`);
    });
    return last;
  }

  /** BIRD's own export table to a protocol: the prefixes it says it sent. */
  const birdExports = (protocol: string) =>
    bird.birdc(['show', 'route', 'export', protocol]).split('\n').map((line) => /^(\S+\/\d+)\s/.exec(line)?.[1]).filter((p): p is string => p !== undefined).sort();
  const families = (routes: Record<string, unknown>) => ({
    fib4: Object.keys(routes).filter((p) => !p.includes(':')).sort(),
    fib6: Object.keys(routes).filter((p) => p.includes(':')).sort(),
  });

  const peers = async (): Promise<Peer[]> => (await json('/peers')).peers;
  const peerStates = async () => Object.fromEntries((await peers()).map((p) => [p.id, p.state]));

  // ---------------------------------------------------------------- traffic and its counts

  /** Sends `count` echo requests from the speaker namespace; resolves with how many ping says it sent (no reply comes: the router does not forward). */
  function ping(address: string, count: number): Promise<number> {
    const family = address.includes(':') ? '-6' : '-4';
    return new Promise((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', lab.spaces.speaker, 'ping', family, '-n', '-q', '-c', String(count), '-i', '0.2', '-W', '1', address],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (status) => {
        // 1: sent, no reply (as expected); anything else is a failure to send
        const sent = /(\d+) packets transmitted/.exec(out);
        if ((status === 0 || status === 1) && sent) resolve(Number(sent[1]));
        else reject(new Error(`ping ${address}: exit ${status}: ${out}`));
      });
    });
  }

  /** What the counters show: /report's route rows (`prefix via next hop` → packets, bytes), its unrouted and counted totals, and the removed routes' packets from /metrics. */
  async function counts() {
    const report = await json('/report');
    const metrics = (await get('/metrics')).text;
    const removed = /^fibscope_removed_route_packets_total (\d+)$/m.exec(metrics)?.[1];
    return {
      routes: Object.fromEntries((report.routes as ReportRoute[]).map((r) => [`${r.prefix} via ${r.nextHop}`, { packets: r.packets, bytes: r.bytes }])),
      unrouted: Number(report.totals.noRoute.packets),
      removed: Number(removed),
      counted: Number(report.totals.counted),
    };
  }
  type Counts = Awaited<ReturnType<typeof counts>>;

  /**
   * Sends the pings (in parallel: each waits a second for its reply that never comes), then waits
   * until the counters show `want`: the route rows exactly (a removed or replaced route's row is
   * gone, its packets in `removed`), and counted = the rows + unrouted + removed.
   */
  async function sendAndCount(pings: [string, number][], want: Omit<Counts, 'counted'>) {
    const sent = await Promise.all(pings.map(([address, count]) => ping(address, count)));
    expect(sent).toEqual(pings.map(([, count]) => count));
    const rowsTotal = Object.values(want.routes).reduce((sum, r) => sum + r.packets, 0);
    const full = { ...want, routes: sortedKeys(want.routes), counted: rowsTotal + want.unrouted + want.removed };
    let seen: Counts | undefined;
    await waitFor('the pings counted', async () => {
      seen = await counts();
      seen.routes = sortedKeys(seen.routes);
      return JSON.stringify(seen) === JSON.stringify(full) ? true : undefined;
    }, 10_000, 200).catch(() => undefined);
    expect(seen).toEqual(full);
  }
  const sortedKeys = <T>(rows: Record<string, T>) => Object.fromEntries(Object.keys(rows).sort().map((k) => [k, rows[k]]));
  const v4 = (packets: number) => ({ packets, bytes: packets * PING4_BYTES });
  const v6 = (packets: number) => ({ packets, bytes: packets * PING6_BYTES });

  // ---------------------------------------------------------------- the lab

  beforeAll(async () => {
    lab.create();
    // the speaker's traffic goes to the router, through the captured veth
    lab.exec('speaker', 'ip', ['route', 'add', 'default', 'via', router.v4]);
    lab.exec('speaker', 'ip', ['-6', 'route', 'add', 'default', 'via', router.v6]);

    serve = lab.spawn('speaker', process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0',
      '--bgp', `[::]:${BGP_PORT}`, '--bgp-as', String(FIBSCOPE_AS), '--bgp-id', speaker.v4,
      '--bgp-peer', `${router.v4},${BIRD_AS}`, '--bgp-peer', `${router.v6},${BIRD_AS}`, '-']);
    serve.stdout!.on('data', (d) => (serveLog += d));
    serve.stderr!.on('data', (d) => (serveLog += d));
    const port = await waitFor('serve to listen', () => {
      if (serve.exitCode !== null) throw new Error(`serve exited (${serve.exitCode}): ${serveLog}`);
      return /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(serveLog)?.[1];
    });

    const relay = lab.spawn('speaker', process.execPath, ['-e', `
      const net = require('node:net');
      net.createServer((client) => {
        const upstream = net.connect(${port}, '127.0.0.1');
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      }).listen(${JSON.stringify(socket)}, () => console.log('ready'));
    `]);
    await new Promise<void>((resolve, reject) => {
      relay.stdout!.once('data', () => resolve());
      relay.once('exit', (status) => reject(new Error(`the HTTP relay exited (${status})`)));
    });

    // only the echo requests: BGP's keepalives, ARP and neighbour discovery depend on timing
    const tcpdump = lab.spawn('speaker', 'tcpdump', ['-U', '-n', '-i', lab.devices.speaker, '-w', '-',
      '(icmp and icmp[icmptype] == icmp-echo) or (icmp6 and ip6[40] == 128)']);
    tcpdump.stdout!.pipe(serve.stdin!);
    await untilListening(tcpdump);

    bird = new Bird(lab, 'router', birdConfig(first));
    await bird.start();
  }, 40_000);

  afterAll(async () => {
    // the namespaces go with every process in them: serve, tcpdump, the relay, BIRD
    await lab.close();
  });

  it('learns its IPv4 and IPv6 routes with next hop, AS path and source', async () => {
    await bird.waitForProtocol('fib4', /Established/);
    await bird.waitForProtocol('fib6', /Established/);
    const routes = await routesBecome(expected(first), 'the first routes');
    expect(routes).toEqual(expected(first));
    expect(families(routes)).toEqual({ fib4: birdExports('fib4'), fib6: birdExports('fib6') });

    const listed = await peers();
    expect(listed.map((p) => [p.id, p.state, p.as, p.routerId, p.prefixes]).sort()).toEqual([
      [source4, 'established', BIRD_AS, router.v4, { ipv4: 3, ipv6: 0 }],
      [source6, 'established', BIRD_AS, router.v4, { ipv4: 0, ipv6: 2 }],
    ].sort());
    const metrics = (await get('/metrics')).text;
    expect(metrics).toContain(`fibscope_bgp_session_up{peer="${source4}",as="${BIRD_AS}"} 1`);
    expect(metrics).toContain(`fibscope_bgp_session_up{peer="${source6}",as="${BIRD_AS}"} 1`);
  });

  it('counts the captured pings under the learned routes, IPv4 and IPv6', async () => {
    await sendAndCount([
      ['10.250.1.9', 3], ['10.250.2.200', 2], ['192.0.2.7', 1], ['198.51.100.1', 1],
      ['fd00:250:1::9', 2], ['2001:db8:7::1', 3],
    ], {
      routes: {
        [`10.250.1.0/24 via ${via4(3)}`]: v4(3),
        [`10.250.2.0/24 via ${via4(4)}`]: v4(2),
        [`192.0.2.0/24 via ${via4(3)}`]: v4(1),
        [`fd00:250:1::/48 via ${via6(3)}`]: v6(2),
        [`2001:db8:7::/48 via ${via6(4)}`]: v6(3),
      },
      // 198.51.100.1: in no learned prefix
      unrouted: 1,
      removed: 0,
    });
  });

  it('birdc configure: /routes follows a withdrawal, a new next hop and a more specific, and new packets count under the new routes', async () => {
    bird.reconfigure(birdConfig(changed));
    const routes = await routesBecome(expected(changed), 'the changed routes');
    expect(routes).toEqual(expected(changed));
    expect(families(routes)).toEqual({ fib4: birdExports('fib4'), fib6: birdExports('fib6') });
    // the withdrawal came as one (a new next hop is an announcement that replaces)
    const metrics = (await get('/metrics')).text;
    expect(metrics).toContain(`fibscope_bgp_prefixes_withdrawn_total{peer="${source4}",as="${BIRD_AS}"} 1`);
    expect(metrics).toContain(`fibscope_bgp_prefixes_withdrawn_total{peer="${source6}",as="${BIRD_AS}"} 0`);
    expect(metrics).toContain(`fibscope_bgp_prefixes{peer="${source6}",as="${BIRD_AS}",family="ipv6"} 3`);

    await sendAndCount([
      // withdrawn: no route now
      ['10.250.1.9', 2],
      // the /24 at its new next hop, and the more specific /25 inside it
      ['10.250.2.9', 2], ['10.250.2.200', 3],
      ['fd00:250:1::9', 1], ['fd00:250:1:8000::1', 2], ['2001:db8:7::1', 1],
    ], {
      routes: {
        [`10.250.2.0/24 via ${via4(5)}`]: v4(2),
        [`10.250.2.128/25 via ${via4(6)}`]: v4(3),
        [`192.0.2.0/24 via ${via4(3)}`]: v4(1),
        [`fd00:250:1::/48 via ${via6(5)}`]: v6(1),
        [`fd00:250:1:8000::/49 via ${via6(6)}`]: v6(2),
        // unchanged by the reconfiguration: it keeps counting on
        [`2001:db8:7::/48 via ${via6(4)}`]: v6(3 + 1),
      },
      unrouted: 1 + 2,
      // the withdrawn /24 and the two routes replaced by new next hops take what they counted along
      removed: 3 + 2 + 2,
    });
  });

  it('a killed BIRD takes its routes away at the TCP close, /peers and the metrics show the sessions down; a restarted one brings them back', async () => {
    await bird.kill();
    await routesBecome({}, 'no routes after BIRD was killed', 10_000);
    expect(await peerStates()).toEqual({ [source4]: 'idle', [source6]: 'idle' });
    const metrics = (await get('/metrics')).text;
    expect(metrics).toContain(`fibscope_bgp_session_up{peer="${source4}",as="${BIRD_AS}"} 0`);
    expect(metrics).toContain(`fibscope_bgp_session_up{peer="${source6}",as="${BIRD_AS}"} 0`);
    // nothing routes now, and every route's packets are the removed ones'
    await sendAndCount([['10.250.2.9', 1], ['fd00:250:1::9', 1]], { routes: {}, unrouted: 3 + 2, removed: 7 + 2 + 3 + 1 + 1 + 2 + 4 });

    await bird.start();
    expect(await routesBecome(expected(changed), 'the routes after the restart')).toEqual(expected(changed));
    expect(await peerStates()).toEqual({ [source4]: 'established', [source6]: 'established' });
    const after = (await get('/metrics')).text;
    expect(after).toContain(`fibscope_bgp_session_up{peer="${source4}",as="${BIRD_AS}"} 1`);
    expect(after).toContain(`fibscope_bgp_session_up{peer="${source6}",as="${BIRD_AS}"} 1`);
    // a route that comes back counts again from zero
    await sendAndCount([['10.250.2.9', 1], ['fd00:250:1:8000::2', 2]], {
      routes: { [`10.250.2.0/24 via ${via4(5)}`]: v4(1), [`fd00:250:1:8000::/49 via ${via6(6)}`]: v6(2) },
      unrouted: 5,
      removed: 20,
    });
  });
});
