// Two random routing tables that overlap as real "current" and "proposed" tables do: shared
// prefixes (some with other next hops), prefixes of one only, nested chains, default routes,
// several routes (metrics) at a prefix, multipath routes, blackhole and unreachable routes.
import { Fib, type RouteAttributes } from '../../src/node.js';
import { Random, uniformLengths } from '../helpers/random.js';
import { nestedPrefixes, prefixText, randomPrefixes, type TestPrefix } from '../helpers/tables.js';

export interface TablePair {
  before: Fib;
  after: Fib;
  /** Every prefix of either, for probing. */
  prefixes: TestPrefix[];
}

const NEXT_HOPS = ['192.0.2.1', '192.0.2.2', '192.0.2.3', 'fe80::1', 'fe80::2'];
const DEVS = ['eth0', 'eth1', 'eth2'];

function randomAttributes(random: Random): RouteAttributes {
  const kind = random.below(20);
  const metric = random.below(3) * 100;
  if (kind === 0) return { type: 'blackhole', metric };
  if (kind === 1) return { type: 'unreachable', metric };
  if (kind < 5) {
    const count = 2 + random.below(3);
    return {
      metric,
      nextHops: Array.from({ length: count }, (_, i) => ({ via: NEXT_HOPS[(i + random.below(5)) % 5], dev: DEVS[i % 3], weight: 1 + random.below(4) })),
    };
  }
  return { nextHop: NEXT_HOPS[random.below(NEXT_HOPS.length)], dev: DEVS[random.below(DEVS.length)], metric };
}

function addRandom(fib: Fib, random: Random, prefix: string): void {
  fib.add(prefix, randomAttributes(random));
  // now and then a second route at the prefix, with another metric: the best must answer
  if (random.below(8) === 0) fib.add(prefix, randomAttributes(random));
}

/** Two tables from `seed`, each with about `size` prefixes per family. */
export async function randomTablePair(seed: number, size: number): Promise<TablePair> {
  const random = new Random(seed);
  const before = await Fib.create();
  const after = await Fib.create();
  const prefixes: TestPrefix[] = [];
  for (const family of [4, 6] as const) {
    const pool = [
      ...nestedPrefixes(random, family, Math.ceil(size / 8)),
      ...randomPrefixes(random, family, size, uniformLengths(family === 4 ? 32 : 128)),
    ];
    prefixes.push(...pool);
    for (const prefix of pool) {
      const text = prefixText(prefix);
      const where = random.below(10);
      // 0-5: in both (2-3 the same route, 4-5 another); 6-7: before only; 8-9: after only
      if (where < 4) {
        const attributes = randomAttributes(random);
        before.add(text, attributes);
        after.add(text, where < 2 ? attributes : randomAttributes(random));
      } else if (where < 6) {
        addRandom(before, random, text);
        addRandom(after, random, text);
      } else if (where < 8) addRandom(before, random, text);
      else addRandom(after, random, text);
    }
  }
  // removals leave holes in the route ids (and reuse them): the overlay must read around them
  before.remove(prefixText(prefixes[0]));
  for (const prefix of prefixes) {
    if (random.below(20) !== 0) continue;
    (random.below(2) === 0 ? before : after).remove(prefixText(prefix));
  }
  return { before, after, prefixes };
}
