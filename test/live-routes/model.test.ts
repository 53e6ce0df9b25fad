// LiveRoutes against the slow model (model.ts) over random sequences of sink calls from several
// peers: after every call, the Fib's routes at the live metric must be the model's winners, the
// file's routes at metric 0 untouched, the change counters the Fib changes seen, and peers() the
// model's figures.
import { describe, expect, it } from 'vitest';
import type { AddressFamily, PathAttributes, PeerDescription, RouteChange } from '../../src/bgp/types.js';
import { Random } from '../helpers/random.js';
import { liveRoutesIn, makeHarness, path, peer, watchFibChanges } from './harness.js';
import { LiveModel } from './model.js';

const PREFIXES: Record<AddressFamily, string[]> = {
  4: ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/25', '203.0.113.128/25', '0.0.0.0/0'],
  6: ['2001:db8::/32', '2001:db8:1::/48', '2001:db8:2::/48', '::/0'],
};

/** Routes loaded from a file before any peer: some share prefixes with the peers' routes. */
const FILE_ROUTES = ['10.1.0.0/16 via 172.16.0.1', '192.0.2.0/24 via 172.16.0.2', '172.16.0.0/12 via 172.16.0.3',
  '2001:db8:1::/48 via fe80::1 dev eth0'].join('\n');

/** Few values each, so ties at every step of the decision process are common. */
const AS_PATHS = ['', '64501', '64502', '64501 64510', '64502 64510', '64503 64510', '64501 {64520,64521}', '64503 64504 64510'];
const NEXT_HOPS: Record<AddressFamily, string[]> = { 4: ['198.51.100.1', '198.51.100.2'], 6: ['2001:db8:ff::1', '2001:db8:ff::2'] };

const PEERS: PeerDescription[] = [
  // one router id, two addresses: 192.0.2.9 is the lower, though not as text
  peer('bgp 192.0.2.10', { address: '192.0.2.10', routerId: '10.0.0.1', as: 64501 }),
  peer('bgp 192.0.2.9', { address: '192.0.2.9', routerId: '10.0.0.1', as: 64502 }),
  peer('bgp 192.0.2.3', { address: '192.0.2.3', routerId: '9.255.0.1', as: 64500, internal: true }),
  peer('bgp 2001:db8::9', { address: '2001:db8::9', routerId: '10.0.0.2', as: 64500, internal: true }),
  // one peer seen twice through BMP: same router id and address, told apart by id only
  peer('bmp 10.9.9.9 peer 192.0.2.7 post-policy', { kind: 'bmp', address: '192.0.2.7', routerId: '10.0.0.7', as: 64503, bmpRouter: '10.9.9.9' }),
  peer('bmp 10.9.9.9 peer 192.0.2.7 pre-policy', { kind: 'bmp', address: '192.0.2.7', routerId: '10.0.0.7', as: 64503, bmpRouter: '10.9.9.9' }),
];

function randomAttributes(random: Random, family: AddressFamily): PathAttributes {
  const pick = <T>(values: readonly T[]): T => values[random.below(values.length)];
  const asPath = pick(AS_PATHS);
  const set = asPath.includes('{');
  const base = path(asPath);
  return {
    ...base,
    // a set counts as one (RFC 4271 9.1.2.2 a)
    asPathLength: set ? 2 : base.asPathLength,
    origin: pick([0, 0, 1, 2] as const),
    nextHop: pick(NEXT_HOPS[family]),
    ...(random.below(3) > 0 ? { med: pick([0, 10, 20]) } : {}),
    ...(random.below(2) > 0 ? { localPref: pick([100, 100, 200, 50]) } : {}),
    ...(random.below(3) === 0 ? { communities: [pick(['64501:1', '64502:2', 'no-export'])] } : {}),
    ...(random.below(4) === 0 ? { largeCommunities: ['64501:1:2'] } : {}),
  };
}

function randomChange(random: Random, family: AddressFamily, attributesPool: PathAttributes[]): RouteChange {
  const prefixes = PREFIXES[family];
  const some = () => prefixes.filter(() => random.below(3) === 0);
  const announced = random.below(4) === 0 ? [] : some();
  if (announced.length === 0) return { family, withdrawn: some(), announced: [] };
  // an object used before (a re-announcement the table should skip), or new ones
  const reuse = attributesPool.filter((attributes) => (attributes.nextHop?.includes(':') ?? false) === (family === 6));
  const attributes = reuse.length > 0 && random.below(3) === 0 ? reuse[random.below(reuse.length)] : randomAttributes(random, family);
  attributesPool.push(attributes);
  return { family, withdrawn: random.below(3) === 0 ? some() : [], announced, attributes };
}

async function runSequence(seed: number, steps: number): Promise<void> {
  const random = new Random(seed);
  const { fib, live, clock, changes } = await makeHarness();
  fib.load(FILE_ROUTES, { source: 'file' });
  const fileRoutes = JSON.stringify([...fib.routes()]);
  const model = new LiveModel();
  const pool: PathAttributes[] = [];
  const watched = watchFibChanges(fib);
  const trail: string[] = [];

  for (let step = 0; step < steps; step++) {
    const known = [...model.peers.values()];
    const up = known.filter((p) => p.up);
    const operation = random.weighted<string>([
      ['update', up.length > 0 ? 10 : 0], ['peerUp', 2], ['peerDown', known.length > 0 ? 1 : 0],
      ['gracefulDown', known.length > 0 ? 1 : 0], ['endOfRib', up.length > 0 ? 1 : 0], ['time', 1],
    ]);
    if (operation === 'update') {
      const id = up[random.below(up.length)].description.id;
      const families: AddressFamily[] = random.below(3) === 0 ? [4, 6] : [random.below(2) === 0 ? 4 : 6];
      const update = families.map((family) => randomChange(random, family, pool));
      trail.push(`update ${id} ${JSON.stringify(update)}`);
      live.update(id, update);
      model.update(id, update);
    } else if (operation === 'peerUp') {
      const description = PEERS[random.below(PEERS.length)];
      // now and then the peer comes back with another router id: ranks change
      const changed = random.below(3) === 0 ? { ...description, routerId: `10.0.0.${random.below(3)}` } : description;
      trail.push(`peerUp ${JSON.stringify(changed)}`);
      live.peerUp(changed);
      model.peerUp(changed);
    } else if (operation === 'peerDown' || operation === 'gracefulDown') {
      const id = known[random.below(known.length)].description.id;
      const restart = operation === 'gracefulDown' ? 1 + random.below(120) : undefined;
      trail.push(`peerDown ${id} ${restart}`);
      live.peerDown(id, 'test', restart);
      model.peerDown(id, restart);
    } else if (operation === 'endOfRib') {
      const id = up[random.below(up.length)].description.id;
      const family: AddressFamily = random.below(2) === 0 ? 4 : 6;
      trail.push(`endOfRib ${id} ${family}`);
      live.endOfRib(id, family);
      model.endOfRib(id, family);
    } else {
      const ms = random.below(90_000);
      trail.push(`time +${ms}`);
      clock.advance(ms);
      model.advance(ms);
    }

    const where = `seed ${seed} step ${step}:\n${trail.slice(-6).join('\n')}`;
    expect(Object.fromEntries(liveRoutesIn(fib)), where).toEqual(Object.fromEntries(model.expected()));
    expect(JSON.stringify([...fib.routes()].filter((route) => route.metric === 0)), where).toBe(fileRoutes);
    // every Fib call changed something, and each change was counted once
    expect(changes, where).toEqual(watched.made);
    expect(watched.idle, where).toBe(0);
    expect(live.peers(), where).toEqual([...model.peers.values()].map((p) => ({
      peer: p.description,
      ipv4: [...p.paths.values()].filter((held) => held.family === 4).length,
      ipv6: [...p.paths.values()].filter((held) => held.family === 6).length,
      stale: [...p.paths.values()].filter((held) => held.stale).length,
      lastChange: p.lastChange,
      up: p.up,
      updates: p.updates,
      withdrawals: p.withdrawals,
    })));
  }
  // the file's routes still win lookups where they share a prefix with a live route
  expect(fib.lookup('10.1.9.9')?.metric).toBe(0);
  live.close();
  expect(clock.pending).toBe(0);
}

describe('LiveRoutes against the model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`random sink calls from six peers, seed ${seed}`, async () => {
      await runSequence(seed, 400);
    });
  }
});
