// LiveRoutes case by case: the decision process's order independence (MED compared within one
// neighbour AS only), graceful restart, the file's routes, what counts as a change, bad calls.
import { describe, expect, it } from 'vitest';
import type { PathAttributes, PeerDescription } from '../../src/bgp/types.js';
import { Fib } from '../../src/fib/fib.js';
import { LiveRoutes } from '../../src/live-routes/live-routes.js';
import { Random } from '../helpers/random.js';
import { liveRoutesIn, makeHarness, path, peer, watchFibChanges } from './harness.js';
import { modelBest } from './model.js';

const PREFIX = '203.0.113.0/24';

function orders<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => orders([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.below(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

type Announcement = { peer: PeerDescription; attributes: PathAttributes };

async function winnerAfter(announcements: readonly Announcement[]): Promise<string | undefined> {
  const { fib, live } = await makeHarness();
  return winnerIn(fib, live, PREFIX, announcements);
}

/** The source of the route `prefix` gets once the peers announced their paths to it in this order. */
function winnerIn(fib: Fib, live: LiveRoutes, prefix: string, announcements: readonly Announcement[]): string | undefined {
  for (const { peer: from, attributes } of announcements) {
    if (!live.peers().some((known) => known.peer.id === from.id)) live.peerUp(from);
    live.update(from.id, [{ family: 4, withdrawn: [], announced: [prefix], attributes }]);
  }
  return fib.routesFor(prefix)[0]?.source;
}

describe('the decision process', () => {
  // R1 loses to R3 on MED (both from AS 100); R2, from AS 200, is not compared by MED with either
  // and wins the router-id tie-break against R3. A pairwise fold picks R1 or R3 depending on order.
  const med = [
    { peer: peer('r1', { address: '192.0.2.1', routerId: '10.0.0.1' }), attributes: path('100 65000', { med: 50 }) },
    { peer: peer('r2', { address: '192.0.2.2', routerId: '10.0.0.2' }), attributes: path('200 65000', { med: 90 }) },
    { peer: peer('r3', { address: '192.0.2.3', routerId: '10.0.0.3' }), attributes: path('100 65000', { med: 20 }) },
  ];

  it('eliminates by MED within each neighbour AS, whatever the order the paths came in', async () => {
    const pairwise = new Set<string>();
    for (const order of orders(med)) {
      expect(await winnerAfter(order)).toBe('r2');
      // the naive way: keep the better of two, one path after the other
      const better = (a: (typeof med)[number], b: (typeof med)[number]) => {
        if (a.attributes.neighborAs === b.attributes.neighborAs && a.attributes.med !== b.attributes.med) {
          return a.attributes.med! < b.attributes.med! ? a : b;
        }
        return a.peer.routerId < b.peer.routerId ? a : b;
      };
      pairwise.add(order.reduce(better).peer.id);
    }
    // the example does tell the two ways apart
    expect(pairwise.size).toBeGreaterThan(1);
  });

  it('picks the same winner as the model for every order of random sets of paths', async () => {
    const random = new Random(11);
    const { fib, live } = await makeHarness();
    const peers = [
      peer('a', { address: '192.0.2.1', routerId: '10.0.0.1' }),
      peer('b', { address: '192.0.2.2', routerId: '10.0.0.1' }),
      peer('c', { address: '192.0.2.3', routerId: '9.0.0.1', internal: true }),
      peer('d', { address: '2001:db8::1', routerId: '10.0.0.1' }),
      peer('e', { address: '192.0.2.5', routerId: '10.0.0.5', internal: true }),
    ];
    for (let trial = 0; trial < 60; trial++) {
      const set = peers.filter(() => random.below(3) > 0).map((from) => ({
        peer: from,
        attributes: path(['100', '200', '100 300', '200 300'][random.below(4)], {
          origin: random.below(2) as 0 | 1,
          ...(random.below(3) > 0 ? { med: random.below(3) * 10 } : {}),
          ...(random.below(2) > 0 ? { localPref: [100, 200][random.below(2)] } : {}),
        }),
      }));
      if (set.length === 0) continue;
      const expected = modelBest(set).peer.id;
      for (let order = 0; order < 4; order++) {
        expect(winnerIn(fib, live, `10.${trial}.${order}.0/24`, shuffled(set, random))).toBe(expected);
      }
    }
  });

  it('prefers LOCAL_PREF, then the shorter AS path, then ORIGIN, then eBGP', async () => {
    const ebgp = peer('ebgp', { address: '192.0.2.9', routerId: '10.0.0.9' });
    const ibgp = peer('ibgp', { address: '192.0.2.1', routerId: '10.0.0.1', internal: true });
    expect(await winnerAfter([{ peer: ebgp, attributes: path('100') }, { peer: ibgp, attributes: path('100 200 300', { localPref: 101 }) }])).toBe('ibgp');
    // an absent LOCAL_PREF is 100
    expect(await winnerAfter([{ peer: ebgp, attributes: path('100 200') }, { peer: ibgp, attributes: path('100', { localPref: 99 }) }])).toBe('ebgp');
    expect(await winnerAfter([{ peer: ebgp, attributes: path('100 200') }, { peer: ibgp, attributes: path('100') }])).toBe('ibgp');
    expect(await winnerAfter([{ peer: ebgp, attributes: path('100', { origin: 2 }) }, { peer: ibgp, attributes: path('100', { origin: 1 }) }])).toBe('ibgp');
    expect(await winnerAfter([{ peer: ebgp, attributes: path('100') }, { peer: ibgp, attributes: path('100') }])).toBe('ebgp');
  });
});

describe('LiveRoutes', () => {
  const a = peer('bgp 192.0.2.1', { address: '192.0.2.1', routerId: '10.0.0.1' });
  const b = peer('bgp 192.0.2.2', { address: '192.0.2.2', routerId: '10.0.0.2' });
  const fromA = path('64501 64510', { nextHop: '192.0.2.1', communities: ['64501:1'], largeCommunities: ['64501:1:2'], med: 5 });
  const fromB = path('64502 64510', { nextHop: '192.0.2.2', localPref: 90 });
  const v6 = path('64501', { nextHop: '2001:db8::1' });

  it('installs the winner with its attributes at metric 20, and the next best when the winner goes', async () => {
    const { fib, live, changes } = await makeHarness();
    const watched = watchFibChanges(fib);
    live.peerUp(a);
    live.peerUp(b);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8', '10.1.0.0/16'], attributes: fromA }]);
    live.update(b.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8'], attributes: fromB }]);
    expect(fib.routesFor('10.0.0.0/8')).toMatchObject([{
      nextHop: '192.0.2.1', metric: 20, asPath: '64501 64510', originAs: 64510, communities: ['64501:1', '64501:1:2'], med: 5, source: a.id,
    }]);
    expect(fib.routesFor('10.0.0.0/8')[0].localPref).toBeUndefined();
    live.peerDown(a.id, 'hold timer expired');
    expect(fib.routesFor('10.0.0.0/8')).toMatchObject([{ nextHop: '192.0.2.2', localPref: 90, source: b.id }]);
    expect(fib.routesFor('10.1.0.0/16')).toEqual([]);
    expect(changes).toEqual({ add: 2, replace: 1, remove: 1 });
    expect(watched).toEqual({ made: changes, idle: 0 });
  });

  it('leaves routes of other metrics alone, and they win lookups at metric 0', async () => {
    const { fib, live } = await makeHarness();
    fib.load('10.1.0.0/16 via 172.16.0.1\n10.1.0.0/16 via 172.16.0.2 metric 20\n', { source: 'file' });
    const before = fib.routesFor('10.1.0.0/16');
    live.peerUp(a);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.1.0.0/16', '10.2.0.0/16'], attributes: fromA }]);
    // the file's metric-20 route is the one at this layer's metric: replaced, as `ip route replace` does
    expect(fib.routesFor('10.1.0.0/16').map((route) => [route.nextHop, route.metric])).toEqual([['172.16.0.1', 0], ['192.0.2.1', 20]]);
    expect(fib.lookup('10.1.2.3')).toEqual(before[0]);
    expect(fib.lookup('10.2.3.4')?.source).toBe(a.id);
    live.peerDown(a.id, 'test');
    expect(fib.routesFor('10.1.0.0/16')).toEqual([before[0]]);
  });

  it('takes another metric', async () => {
    const fib = await Fib.create();
    const live = new LiveRoutes(fib, { metric: 200 });
    live.peerUp(a);
    live.update(a.id, [{ family: 6, withdrawn: [], announced: ['2001:db8::/32'], attributes: v6 }]);
    expect(fib.routesFor('2001:db8::/32')).toMatchObject([{ metric: 200, nextHop: '2001:db8::1', asPath: '64501' }]);
    expect(() => new LiveRoutes(fib, { metric: -1 })).toThrow(/metric must be a whole number/);
  });

  it('changes nothing in the Fib for a path sent again, the same object or an equal one', async () => {
    const { fib, live, changes } = await makeHarness();
    live.peerUp(a);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8', '10.1.0.0/16'], attributes: fromA }]);
    const watched = watchFibChanges(fib);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8'], attributes: fromA }]);
    // other ORIGIN and AS path length: the decision sees them, the Fib's route does not
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8'], attributes: { ...fromA, origin: 1 } }]);
    // withdrawn and announced again by one UPDATE
    live.update(a.id, [{ family: 4, withdrawn: ['10.1.0.0/16'], announced: ['10.1.0.0/16'], attributes: fromA }]);
    expect(watched).toEqual({ made: { add: 0, replace: 0, remove: 0 }, idle: 0 });
    expect(changes).toEqual({ add: 2, replace: 0, remove: 0 });
    // a withdrawal of what the peer never sent changes nothing either
    live.update(a.id, [{ family: 4, withdrawn: ['192.0.2.0/24'], announced: [] }]);
    expect(watched.idle).toBe(0);
  });

  it('keeps a restarting peer\'s routes stale until re-sent, End-of-RIB or the restart time', async () => {
    const { fib, live, clock, changes, log } = await makeHarness();
    live.peerUp(a);
    live.peerUp(b);
    clock.advance(1000);
    live.update(a.id, [
      { family: 4, withdrawn: [], announced: ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'], attributes: fromA },
      { family: 6, withdrawn: [], announced: ['2001:db8::/32', '2001:db8:1::/48'], attributes: v6 },
    ]);
    live.update(b.id, [{ family: 4, withdrawn: [], announced: ['10.2.0.0/16'], attributes: fromB }]);
    clock.advance(1000);
    live.peerDown(a.id, 'connection reset', 120);
    const stale = { peer: a, ipv4: 3, ipv6: 2, stale: 5, lastChange: 2000, up: false, updates: 5, withdrawals: 0 };
    expect(live.peers()[0]).toEqual(stale);
    expect(liveRoutesIn(fib).size).toBe(5);
    expect(clock.pending).toBe(1);

    clock.advance(30_000);
    live.peerUp(a);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8'], attributes: fromA }]);
    expect(live.peers()[0]).toMatchObject({ up: true, stale: 4, lastChange: 32_000 });
    live.endOfRib(a.id, 4);
    // 10.1/16 gone, 10.2/16 to b; IPv6 still stale
    expect([...liveRoutesIn(fib)].map(([prefix, route]) => [prefix, route.source])).toEqual([
      ['10.0.0.0/8', a.id], ['10.2.0.0/16', b.id], ['2001:db8::/32', a.id], ['2001:db8:1::/48', a.id],
    ]);
    expect(live.peers()[0]).toMatchObject({ ipv4: 1, ipv6: 2, stale: 2 });
    expect(clock.pending).toBe(1);
    clock.advance(90_000);
    expect(live.peers()[0]).toMatchObject({ ipv4: 1, ipv6: 0, stale: 0, lastChange: 122_000 });
    expect(liveRoutesIn(fib).size).toBe(2);
    expect(changes).toEqual({ add: 5, replace: 1, remove: 3 });
    expect(log.some((line) => line.includes('restart time over, 2 stale routes withdrawn'))).toBe(true);

    // End-of-RIB for every family with stale routes stops the timer
    live.peerDown(a.id, 'again', 60);
    live.peerUp(a);
    live.endOfRib(a.id, 4);
    live.endOfRib(a.id, 6);
    expect(clock.pending).toBe(0);
    expect(live.peers()[0]).toMatchObject({ ipv4: 0, ipv6: 0, stale: 0 });
  });

  it('drops the routes of a session replaced without a peerDown, but not the stale ones', async () => {
    const { fib, live } = await makeHarness();
    live.peerUp(a);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.0.0.0/8'], attributes: fromA }]);
    live.peerDown(a.id, 'restarting', 60);
    live.peerUp(a);
    live.update(a.id, [{ family: 4, withdrawn: [], announced: ['10.1.0.0/16'], attributes: fromA }]);
    live.peerUp(a);
    expect([...liveRoutesIn(fib).keys()]).toEqual(['10.0.0.0/8']);
    expect(live.peers()[0]).toMatchObject({ ipv4: 1, stale: 1, up: true });
  });

  it('decides again when a peer comes back with another router id', async () => {
    const { fib, live } = await makeHarness();
    live.peerUp(a);
    live.peerUp(b);
    const same = path('64501', { nextHop: '192.0.2.7' });
    live.update(a.id, [{ family: 4, withdrawn: [], announced: [PREFIX], attributes: same }]);
    live.update(b.id, [{ family: 4, withdrawn: [], announced: [PREFIX], attributes: same }]);
    expect(fib.routesFor(PREFIX)[0].source).toBe(a.id);
    live.peerDown(a.id, 'restart', 60);
    live.peerUp({ ...a, routerId: '10.0.0.3' });
    expect(fib.routesFor(PREFIX)[0].source).toBe(b.id);
  });

  it('refuses calls for peers that are not up, changing nothing', async () => {
    const { fib, live } = await makeHarness();
    const change = { family: 4 as const, withdrawn: [], announced: ['10.0.0.0/8'], attributes: fromA };
    expect(() => live.update('bgp 192.0.2.99', [change])).toThrow("LiveRoutes.update: no peer 'bgp 192.0.2.99' (peerUp first)");
    expect(() => live.peerDown('bgp 192.0.2.99', 'x')).toThrow(/no peer 'bgp 192.0.2.99'/);
    live.peerUp(a);
    expect(() => live.update(a.id, [change, { family: 4, withdrawn: [], announced: ['10.1.0.0/16'] }]))
      .toThrow(`LiveRoutes.update from ${a.id}: 1 prefixes announced without attributes`);
    expect(() => live.update(a.id, [{ ...change, family: 5 as 4 }])).toThrow(/family must be 4 or 6, got 5/);
    expect(liveRoutesIn(fib).size).toBe(0);
    live.peerDown(a.id, 'x');
    expect(() => live.endOfRib(a.id, 4)).toThrow(`LiveRoutes.endOfRib: peer '${a.id}' is down`);
    expect(live.peers()[0]).toMatchObject({ ipv4: 0, updates: 0, up: false });
  });
});
