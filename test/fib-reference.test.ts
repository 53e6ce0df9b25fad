import { beforeEach, describe, expect, it } from 'vitest';
import { Fib } from '../src/index.js';
import { Mirror } from './helpers/mirror.js';
import { BGP_V4_LENGTHS, BGP_V6_LENGTHS, Random, uniformLengths } from './helpers/random.js';
import { nestedPrefixes, probeAddresses, randomPrefixes, type TestPrefix } from './helpers/tables.js';

// Each table kind is checked against the reference LPM through lookup4/lookup6 (batch) and
// lookup (one address, from text). Each family twice: with the direct array a table starts with
// (18 bits for IPv4, 20 for IPv6), and with the 24-bit one a large table in use is given
// (assembly/fib/direct-tier.ts), forced on these small tables.

/** A Fib whose `family` lookup structure has a direct array of `directBits` bits. */
async function createFib(family: 4 | 6, directBits: number): Promise<Fib> {
  const fib = await Fib.create();
  if (directBits === 24 && !fib.engine().wasm.useDirectBits(family, directBits)) throw new Error('no room for the direct array');
  return fib;
}

function loadAll(mirror: Mirror, prefixes: TestPrefix[], random: Random): void {
  for (const p of prefixes) mirror.add(p, random.below(3), `nh${random.below(50)}`);
}

describe.each([[4, 18], [4, 24], [6, 20], [6, 24]] as const)('IPv%i longest-prefix match against the reference, direct array of %i bits', (family, directBits) => {
  let mirror: Mirror;
  beforeEach(async () => {
    mirror = new Mirror(await createFib(family, directBits));
  });
  const bgpLengths = family === 4 ? BGP_V4_LENGTHS : BGP_V6_LENGTHS;
  const bits = family === 4 ? 32 : 128;

  it('agrees on a BGP-like table', () => {
    const random = new Random(family * 1000 + 1);
    const prefixes = randomPrefixes(random, family, 20_000, bgpLengths);
    loadAll(mirror, prefixes, random);
    const matched = mirror.check(family, probeAddresses(random, family, prefixes, family === 4 ? 100_000 : 30_000));
    expect(matched).toBeGreaterThan(family === 4 ? 50_000 : 15_000);
  });

  it('agrees on an adversarial mix of every length 0..max', () => {
    const random = new Random(family * 1000 + 2);
    const prefixes = randomPrefixes(random, family, 5_000, uniformLengths(bits));
    loadAll(mirror, prefixes, random);
    mirror.check(family, probeAddresses(random, family, prefixes, 60_000));
  });

  it('agrees on nested more-specifics, host routes and a default route', () => {
    const random = new Random(family * 1000 + 3);
    const prefixes = nestedPrefixes(random, family, 2_000);
    loadAll(mirror, prefixes, random);
    mirror.check(family, probeAddresses(random, family, prefixes, 60_000));
  });

  it('answers -1 everywhere in an empty table and the default route everywhere with only it', () => {
    const random = new Random(family * 1000 + 4);
    const probes = probeAddresses(random, family, [], 1000);
    expect(mirror.check(family, probes)).toBe(0);
    mirror.add({ family, key: 0n, length: 0 });
    expect(mirror.check(family, probes)).toBe(1000);
  });

  it('stays correct through long random interleavings of add, remove and replace', async () => {
    const random = new Random(family * 1000 + 5);
    const pool = [
      ...randomPrefixes(random, family, 3_000, bgpLengths),
      ...randomPrefixes(random, family, 500, uniformLengths(bits)),
      ...nestedPrefixes(random, family, 200),
    ];
    const live: number[] = [];
    for (let step = 1; step <= 12_000; step++) {
      const p = pool[random.below(pool.length)];
      const op = random.below(10);
      if (op < 5) live.push(mirror.add(p, random.below(3), `nh${random.below(4)}`));
      else if (op < 7) mirror.replace(p, random.below(3), `nh${random.below(4)}`);
      else if (op < 9) mirror.remove(p);
      else if (live.length > 0) {
        const id = live.splice(random.below(live.length), 1)[0];
        if (mirror.fib.route(id)) mirror.removeRoute(id);
      }
      // addresses around the prefix just changed, every step; a broad sample now and then
      mirror.check(family, probeAddresses(random, family, [p], 8), 1);
      if (step % 1000 === 0) mirror.check(family, probeAddresses(random, family, pool, 20_000));
    }
    const stats = mirror.fib.stats();
    const lookupBytes = family === 4 ? 'ipv4LookupBytes' : 'ipv6LookupBytes';
    expect(family === 4 ? stats.ipv4Routes : stats.ipv6Routes).toBe(mirror.reference[family].size);
    // piecewise updates leave the shape a fresh build of the same routes has, byte for byte
    const fresh = await createFib(family, directBits);
    for (const route of mirror.fib.routes()) fresh.add(route.prefix, route);
    expect(stats[lookupBytes]).toBe(fresh.stats()[lookupBytes]);
    const empty = (await createFib(family, directBits)).stats()[lookupBytes];
    // removing everything leaves an empty table that answers -1
    for (const p of pool) mirror.remove(p);
    expect(mirror.check(family, probeAddresses(random, family, pool, 5_000))).toBe(0);
    expect(mirror.fib.stats()[family === 4 ? 'ipv4Routes' : 'ipv6Routes']).toBe(0);
    expect(mirror.fib.stats()[lookupBytes]).toBe(empty);
  });
});
