import { describe, expect, it } from 'vitest';
import { Fib, type Route } from '../src/node.js';
import { Random } from './helpers/random.js';

// A bulk load of plain text inserts its routes in prefix order (assembly/fib/bulk-order.ts), not
// in the order of the file. The model is the same routes added one at a time in file order
// through the incremental path: both tables must hold the same routes, best first in the same
// order for every prefix (among equal metrics the last given wins), and answer every lookup alike.

const routeCount = (fib: Fib) => fib.stats().ipv4Routes + fib.stats().ipv6Routes;
const describeRoute = (r: Route | undefined) => (r === undefined ? 'none' : `${r.prefix} ${r.nextHop} ${r.metric}`);

/** A table well past the bulk threshold, in random order, with prefixes given again and again. */
function shuffledTable(random: Random, lines: number): { text: string; routes: [string, string, number][] } {
  const prefixes: string[] = [];
  const routes: [string, string, number][] = [];
  for (let i = 0; i < lines; i++) {
    let prefix: string;
    if (prefixes.length > 0 && random.below(4) === 0) {
      prefix = prefixes[random.below(prefixes.length)]; // the same prefix once more
    } else if (random.below(5) === 0) {
      const groups = Array.from({ length: 4 }, () => random.below(65536).toString(16));
      prefix = `2001:${groups.join(':')}::/${16 + random.below(65)}`;
    } else {
      const length = 8 + random.below(25);
      const address = random.u32() & (length === 0 ? 0 : (~0 << (32 - length)) >>> 0);
      prefix = `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}/${length}`;
    }
    prefixes.push(prefix);
    // few metrics and next hops, so equal metrics and identical routes meet often
    routes.push([prefix, `192.0.2.${1 + random.below(4)}`, random.below(3)]);
  }
  return { text: routes.map(([p, hop, metric]) => `${p} ${hop} - ${metric}`).join('\n'), routes };
}

describe('a bulk load in prefix order', () => {
  for (const seed of [1, 2, 3]) {
    it(`holds what adding the routes one by one in file order holds (seed ${seed})`, async () => {
      const random = new Random(seed);
      const { text, routes } = shuffledTable(random, 12_000);
      const bulk = await Fib.create();
      const model = await Fib.create();
      const loaded = bulk.load(text, { format: 'plain' });
      let added = 0;
      for (const [prefix, nextHop, metric] of routes) {
        const before = routeCount(model);
        model.add(prefix, { nextHop, metric });
        if (routeCount(model) > before) added++;
      }
      expect(loaded.added).toBe(added);
      expect(loaded.duplicates).toBe(routes.length - added);
      expect(routeCount(bulk)).toBe(routeCount(model));
      for (const prefix of new Set(routes.map(([p]) => p))) {
        expect(bulk.routesFor(prefix).map(describeRoute), prefix).toEqual(model.routesFor(prefix).map(describeRoute));
      }
      const addresses = new Uint32Array(20_000).map(() => random.u32());
      const found = (fib: Fib, ids: Int32Array) => Array.from(ids, (id) => describeRoute(id < 0 ? undefined : fib.route(id)));
      expect(found(bulk, bulk.lookup4(addresses))).toEqual(found(model, model.lookup4(addresses)));
    });
  }

  it('keeps the ids of a table already in order in file order', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24 192.0.2.1`);
    const fib = await Fib.create();
    fib.load(lines.join('\n'), { format: 'plain' });
    expect(fib.route(0)?.prefix).toBe('10.0.0.0/24');
    expect(fib.route(5999)?.prefix).toBe('10.23.111.0/24');
  });

  it('numbers a shuffled table in prefix order', async () => {
    const lines = Array.from({ length: 6000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24 192.0.2.1`).reverse();
    const fib = await Fib.create();
    fib.load(lines.join('\n'), { format: 'plain' });
    expect(fib.route(0)?.prefix).toBe('10.0.0.0/24');
  });
});
