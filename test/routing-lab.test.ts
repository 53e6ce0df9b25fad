/**
 * The routing lab itself (test/helpers/routing-lab.ts), with the daemons alone: BIRD with nothing
 * to talk to stays Active (connection refused), and BIRD peered with GoBGP over the veth link
 * hands GoBGP its static routes with the next hops the configs ask for, IPv4 and IPv6; a config
 * rewritten and applied with `birdc configure` withdraws, changes and adds routes at GoBGP. GoBGP
 * is the oracle of what BIRD sends, so the fibscope tests can expect the same. Needs root,
 * iproute2, bird2 and gobgpd; skipped with the reason otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Bird, birdConfig, type BirdConfig, daemonMissing, Gobgp, gobgpConfig, labUnavailable, RoutingLab, type StaticRoute, waitFor,
} from './helpers/routing-lab.js';

const missing = labUnavailable() ?? daemonMissing('bird') ?? daemonMissing('gobgp');
const BIRD_AS = 65001;
const GOBGP_AS = 65002;
const GOBGP_PORT = 1790;

/** GoBGP's RIB of a family as prefix → next hop and AS path, from `gobgp global rib -j`. */
function gobgpRib(gobgp: Gobgp, family: 4 | 6): Map<string, { nextHop: string; asPath: string }> {
  const rib = new Map<string, { nextHop: string; asPath: string }>();
  const table = JSON.parse(gobgp.cli(['global', 'rib', '-a', `ipv${family}`, '-j'])) as Record<string, { attrs: { type: number; nexthop?: string; as_paths?: { asns: number[] }[] }[] }[]>;
  for (const [prefix, paths] of Object.entries(table)) {
    const attrs = paths[0].attrs;
    const nextHop = attrs.find((a) => a.type === 3 || a.type === 14)?.nexthop ?? '';
    const asPath = (attrs.find((a) => a.type === 2)?.as_paths ?? []).flatMap((s) => s.asns).join(' ');
    rib.set(prefix, { nextHop, asPath });
  }
  return rib;
}

describe.skipIf(missing)('the routing lab, daemons alone', () => {
  const lab = new RoutingLab('lab', 241);
  const { router, speaker } = lab.addresses;
  const via4 = (host: number) => lab.link.v4(host);
  const via6 = (host: number) => lab.link.v6(host);
  let bird: Bird;
  let gobgp: Gobgp;
  const config = (static4: StaticRoute[], static6: StaticRoute[]): BirdConfig => ({
    routerId: router.v4,
    static4,
    static6,
    bgp: [
      { name: 'to4', family: 4, localAddress: router.v4, localAs: BIRD_AS, neighborAddress: speaker.v4, neighborAs: GOBGP_AS, neighborPort: GOBGP_PORT, holdTime: 3, nextHopKeep: true },
      { name: 'to6', family: 6, localAddress: router.v6, localAs: BIRD_AS, neighborAddress: speaker.v6, neighborAs: GOBGP_AS, neighborPort: GOBGP_PORT, holdTime: 3, nextHopKeep: true },
    ],
  });

  beforeAll(() => lab.create());
  afterAll(() => lab.close());

  it('BIRD with nobody listening stays Active, connection refused', async () => {
    bird = new Bird(lab, 'router', birdConfig(config([{ prefix: '10.250.1.0/24', via: via4(3) }], [])));
    await bird.start();
    expect(bird.protocols().get('static4')?.state).toBe('up');
    const info = await bird.waitForProtocol('to4', /Connection refused/);
    expect(info).toMatch(/^(Active|Connect)/);
    expect(bird.birdc(['show', 'route', 'protocol', 'static4'])).toContain('10.250.1.0/24');
  });

  it('BIRD hands GoBGP its static routes, next hop kept, over IPv4 and IPv6', async () => {
    gobgp = new Gobgp(lab, 'speaker', gobgpConfig({
      as: GOBGP_AS, routerId: speaker.v4, listenPort: GOBGP_PORT,
      neighbors: [
        { address: router.v4, as: BIRD_AS, holdTime: 3, families: [4] },
        { address: router.v6, as: BIRD_AS, holdTime: 3, families: [6] },
      ],
    }));
    await gobgp.start();
    bird.reconfigure(birdConfig(config(
      [{ prefix: '10.250.1.0/24', via: via4(3) }, { prefix: '10.250.2.0/24', via: via4(4) }],
      [{ prefix: 'fd00:250:1::/48', via: via6(3) }],
    )));
    await bird.waitForProtocol('to4', /Established/);
    await bird.waitForProtocol('to6', /Established/);
    expect(gobgp.neighborState(router.v4)).toBe('Establ');
    const rib4 = await waitFor('both IPv4 routes at GoBGP', () => { const r = gobgpRib(gobgp, 4); return r.size === 2 ? r : undefined; });
    expect(Object.fromEntries(rib4)).toEqual({
      '10.250.1.0/24': { nextHop: via4(3), asPath: `${BIRD_AS}` },
      '10.250.2.0/24': { nextHop: via4(4), asPath: `${BIRD_AS}` },
    });
    const rib6 = await waitFor('the IPv6 route at GoBGP', () => { const r = gobgpRib(gobgp, 6); return r.size === 1 ? r : undefined; });
    expect(Object.fromEntries(rib6)).toEqual({ 'fd00:250:1::/48': { nextHop: via6(3), asPath: `${BIRD_AS}` } });
  });

  it('birdc configure withdraws a route, changes a next hop and adds a more specific', async () => {
    bird.reconfigure(birdConfig(config(
      [{ prefix: '10.250.2.0/24', via: via4(5) }, { prefix: '10.250.2.128/25', via: via4(6) }],
      [{ prefix: 'fd00:250:1::/48', via: via6(3) }],
    )));
    const rib4 = await waitFor('the changes at GoBGP', () => {
      const r = gobgpRib(gobgp, 4);
      return !r.has('10.250.1.0/24') && r.get('10.250.2.0/24')?.nextHop === via4(5) && r.has('10.250.2.128/25') ? r : undefined;
    });
    expect(Object.fromEntries(rib4)).toEqual({
      '10.250.2.0/24': { nextHop: via4(5), asPath: `${BIRD_AS}` },
      '10.250.2.128/25': { nextHop: via4(6), asPath: `${BIRD_AS}` },
    });
  });

  it('a killed BIRD drops the session at GoBGP, a restarted one brings the routes back', async () => {
    await bird.kill();
    await waitFor('GoBGP to drop the session', () => (gobgp.neighborState(router.v4) !== 'Establ' ? true : undefined));
    expect(gobgpRib(gobgp, 4).size).toBe(0);
    await bird.start();
    await waitFor('the routes back at GoBGP', () => (gobgpRib(gobgp, 4).size === 2 ? true : undefined));
    await gobgp.stop();
    await bird.waitForProtocol('to4', /Active|Connect/);
  });
});
