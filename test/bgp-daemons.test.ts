/**
 * fibscope's BGP speaker against a real BIRD 2: BIRD in one network namespace announces static
 * routes over eBGP (`next hop keep`: each route's gateway is its next hop) to BgpSpeaker +
 * LiveRoutes + Fib in the other, over IPv4 and over IPv6. The oracles are BIRD's config and its
 * own export table (`birdc show route export`); the Fib must hold exactly those routes, with the
 * next hop, AS path and source `bgp ADDRESS`, through `birdc configure` changes (a withdrawal, a
 * new next hop, a more specific prefix), a killed daemon (the TCP close), a silent link (the
 * 3 s hold timer), a restart and a clean shutdown (Cease).
 *
 * The speaker runs in a child process in its namespace (test/helpers/bgp-speaker-host.mjs, on the
 * build: `npm run build` first), because a process cannot enter a namespace. Needs root, iproute2
 * and bird2; skipped with the reason otherwise.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bird, birdConfig, type BirdConfig, daemonMissing, labUnavailable, RoutingLab, type StaticRoute, waitFor } from './helpers/routing-lab.js';
import { type HostRoute, SpeakerHost } from './helpers/speaker-host.js';

const built = existsSync(new URL('../dist/bgp/speaker.js', import.meta.url)) && existsSync(new URL('../dist/live-routes/live-routes.js', import.meta.url))
  ? null : 'dist/ has no BGP speaker or LiveRoutes: run npm run build';
const missing = labUnavailable() ?? daemonMissing('bird') ?? built;
const FIBSCOPE_AS = 65000;
const BIRD_AS = 65001;
const PORT = 1790;
const HOLD_TIME = 3;

describe.skipIf(missing)('BgpSpeaker + LiveRoutes + Fib against BIRD 2', () => {
  const lab = new RoutingLab('bgpd', 242);
  const { router, speaker } = lab.addresses;
  const via4 = lab.link.v4;
  const via6 = lab.link.v6;
  const source4 = `bgp ${router.v4}`;
  const source6 = `bgp ${router.v6}`;
  let bird: Bird;
  let host: SpeakerHost;

  const config = (static4: StaticRoute[], static6: StaticRoute[]): BirdConfig => ({
    routerId: router.v4,
    static4,
    static6,
    bgp: [
      { name: 'fib4', family: 4, localAddress: router.v4, localAs: BIRD_AS, neighborAddress: speaker.v4, neighborAs: FIBSCOPE_AS, neighborPort: PORT, holdTime: HOLD_TIME, nextHopKeep: true, gracefulRestart: false },
      { name: 'fib6', family: 6, localAddress: router.v6, localAs: BIRD_AS, neighborAddress: speaker.v6, neighborAs: FIBSCOPE_AS, neighborPort: PORT, holdTime: HOLD_TIME, nextHopKeep: true, gracefulRestart: false },
    ],
  });
  const first = config(
    [{ prefix: '10.250.1.0/24', via: via4(3) }, { prefix: '10.250.2.0/24', via: via4(4) }, { prefix: '192.0.2.0/24', via: via4(3) }],
    [{ prefix: 'fd00:250:1::/48', via: via6(3) }, { prefix: '2001:db8:7::/48', via: via6(4) }],
  );
  const changed = config(
    // 10.250.1.0/24 withdrawn, 10.250.2.0/24 to a new next hop, a more specific inside it
    [{ prefix: '10.250.2.0/24', via: via4(5) }, { prefix: '10.250.2.128/25', via: via4(6) }, { prefix: '192.0.2.0/24', via: via4(3) }],
    [{ prefix: 'fd00:250:1::/48', via: via6(5) }, { prefix: 'fd00:250:1:8000::/49', via: via6(6) }],
  );

  /** What the Fib must hold for a BIRD config: each static route, its gateway as next hop, BIRD's AS as the path. */
  function expected(c: BirdConfig): Record<string, Partial<HostRoute>> {
    const rows: Record<string, Partial<HostRoute>> = {};
    for (const [routes, source] of [[c.static4 ?? [], source4], [c.static6 ?? [], source6]] as const) {
      for (const r of routes) rows[r.prefix] = { prefix: r.prefix, nextHop: r.via, asPath: `${BIRD_AS}`, originAs: BIRD_AS, source, type: 'unicast' };
    }
    return rows;
  }

  const view = (routes: Map<string, HostRoute>) =>
    Object.fromEntries([...routes].map(([prefix, r]) => [prefix, { prefix, nextHop: r.nextHop, asPath: r.asPath, originAs: r.originAs, source: r.source, type: r.type }]));

  /** The same rows in prefix order, comparable as text. */
  const canonical = (rows: Record<string, Partial<HostRoute>>) => JSON.stringify(Object.keys(rows).sort().map((k) => [k, rows[k]]));

  /** Waits until the Fib shows exactly `want` (prefix → fields), and returns it. */
  async function fibBecomes(want: Record<string, Partial<HostRoute>>, what: string, ms = 15_000) {
    let last: Record<string, Partial<HostRoute>> = {};
    await waitFor(what, async () => {
      last = view(await host.routes());
      return canonical(last) === canonical(want) ? true : undefined;
    }, ms, 200).catch((error) => {
      throw new Error(`${(error as Error).message}\nFib: ${canonical(last)}\nspeaker: ${host.log()}\nbird: ${bird.log()}`);
    });
    return last;
  }

  /** BIRD's own export table to a protocol: the prefixes it says it sent. */
  const birdExports = (protocol: string) =>
    bird.birdc(['show', 'route', 'export', protocol]).split('\n').map((line) => /^(\S+\/\d+)\s/.exec(line)?.[1]).filter((p): p is string => p !== undefined).sort();

  beforeAll(async () => {
    lab.create();
    host = await SpeakerHost.start(lab, 'speaker', {
      localAs: FIBSCOPE_AS, routerId: speaker.v4, holdTime: HOLD_TIME, host: '::', port: PORT,
      peers: [{ address: router.v4, as: BIRD_AS }, { address: router.v6, as: BIRD_AS }],
    });
    bird = new Bird(lab, 'router', birdConfig(first));
    await bird.start();
  });
  afterAll(async () => {
    await host?.close().catch(() => undefined);
    await lab.close();
  });

  it('BIRD connects over IPv4 and IPv6 and its static routes arrive with next hop, AS path and source', async () => {
    await bird.waitForProtocol('fib4', /Established/);
    await bird.waitForProtocol('fib6', /Established/);
    const routes = await fibBecomes(expected(first), 'the first routes');
    expect(routes).toEqual(expected(first));
    expect(Object.keys(routes).filter((p) => !p.includes(':')).sort()).toEqual(birdExports('fib4'));
    expect(Object.keys(routes).filter((p) => p.includes(':')).sort()).toEqual(birdExports('fib6'));

    const sessions = await host.sessions();
    expect(sessions.map((s) => [s.remoteAddress, s.state, s.peer?.as, s.peer?.routerId, s.peer?.internal, s.holdTime]).sort()).toEqual([
      [router.v4, 'established', BIRD_AS, router.v4, false, HOLD_TIME],
      [router.v6, 'established', BIRD_AS, router.v4, false, HOLD_TIME],
    ].sort());
    expect(sessions.find((s) => s.remoteAddress === router.v4)?.prefixesAnnounced).toBe(first.static4!.length);
    expect(sessions.find((s) => s.remoteAddress === router.v6)?.prefixesAnnounced).toBe(first.static6!.length);
  });

  it('birdc configure: a withdrawal, a new next hop and a more specific reach the Fib', async () => {
    bird.reconfigure(birdConfig(changed));
    const routes = await fibBecomes(expected(changed), 'the changed routes');
    expect(routes).toEqual(expected(changed));
    expect(routes['10.250.1.0/24']).toBeUndefined();
    expect(Object.keys(routes).filter((p) => !p.includes(':')).sort()).toEqual(birdExports('fib4'));
    expect(Object.keys(routes).filter((p) => p.includes(':')).sort()).toEqual(birdExports('fib6'));
    const withdrawn = host.events.flatMap((e) => (e.event === 'update' ? e.withdrawn : []));
    expect(withdrawn).toContain('10.250.1.0/24');
  });

  it('a killed BIRD takes its routes away (the TCP close), a restarted one brings them back', async () => {
    const downs = host.events.filter((e) => e.event === 'peerDown').length;
    await bird.kill();
    await fibBecomes({}, 'an empty Fib after BIRD was killed', 10_000);
    const down = host.events.filter((e) => e.event === 'peerDown').slice(downs);
    expect(down.map((e) => (e.event === 'peerDown' ? [e.peerId, e.restartSeconds] : [])).sort()).toEqual([[source4, undefined], [source6, undefined]].sort());

    await bird.start();
    expect(await fibBecomes(expected(changed), 'the routes after the restart')).toEqual(expected(changed));
  });

  it('a link gone silent ends the sessions at the 3 s hold timer, and the routes with them', async () => {
    const downs = host.events.filter((e) => e.event === 'peerDown').length;
    // the router's side of the veth goes down: no FIN, no RST, nothing more arrives at the speaker
    lab.exec('router', 'ip', ['link', 'set', lab.devices.router, 'down']);
    try {
      await fibBecomes({}, 'an empty Fib after the hold time', 10_000);
      const down = host.events.filter((e) => e.event === 'peerDown').slice(downs);
      expect(down).toHaveLength(2);
      for (const e of down) expect(e.event === 'peerDown' && e.reason).toMatch(/hold/i);
    } finally {
      lab.exec('router', 'ip', ['link', 'set', lab.devices.router, 'up']);
    }
    expect(await fibBecomes(expected(changed), 'the routes after the link came back', 20_000)).toEqual(expected(changed));
  });

  it('BIRD shut down cleanly sends a Cease, and the routes go', async () => {
    const downs = host.events.filter((e) => e.event === 'peerDown').length;
    await bird.stop();
    await fibBecomes({}, 'an empty Fib after BIRD stopped', 10_000);
    const down = host.events.filter((e) => e.event === 'peerDown').slice(downs);
    expect(down).toHaveLength(2);
    for (const e of down) expect(e.event === 'peerDown' && e.reason).toMatch(/cease|shut ?down/i);
  });
});
