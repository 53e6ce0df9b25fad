import { describe, expect, it } from 'vitest';
import { Fib, formatIPv4, type Route } from '../../src/node.js';
import { buildOverlay, pathProduct } from '../../src/compare/overlay.js';
import { Random } from '../helpers/random.js';
import { probeAddresses } from '../helpers/tables.js';
import { bigIntToV6 } from '../helpers/reference-lpm.js';
import { formatIPv6 } from '../../src/net/address.js';
import { randomTablePair } from './random-tables.js';

const addressText = (family: 4 | 6, value: bigint) => (family === 4 ? formatIPv4(Number(value)) : formatIPv6(bigIntToV6(value)));

/** assembly/fib/routes.ts pickPath, written out again: the next hop a flow hash takes. */
function pick(weights: readonly number[], hash: number): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const point = Number((BigInt(hash) * BigInt(total)) >> 32n);
  let cumulative = 0;
  for (let i = 0; i < weights.length; i++) if (point < (cumulative += weights[i])) return i;
  throw new Error('no path');
}

const route = (weights: number[]): Route => ({
  id: 0, prefix: '10.0.0.0/8', type: 'unicast', nextHop: 'a', dev: null, metric: 0,
  nextHops: weights.map((weight, i) => ({ via: `h${i}`, dev: null, weight })),
});

describe('the overlay table', () => {
  for (const seed of [1, 2, 3]) {
    it(`answers (lookup before, lookup after) for every address: random tables, seed ${seed}`, async () => {
      const { before, after, prefixes } = await randomTablePair(seed, 300);
      const overlay = await buildOverlay(before, after);
      const random = new Random(seed + 100);
      let checked = 0;
      let differing = 0;
      for (const family of [4, 6] as const) {
        const own = prefixes.filter((prefix) => prefix.family === family);
        for (const value of probeAddresses(random, family, own, 3000)) {
          const address = addressText(family, value);
          const hit = overlay.fib.lookup(address);
          const expectedBefore = before.lookup(address);
          const expectedAfter = after.lookup(address);
          if (hit === undefined) {
            expect([expectedBefore, expectedAfter], address).toEqual([undefined, undefined]);
          } else {
            const pair = overlay.pair(hit.metric)!;
            expect(pair.before?.id, `${address} before`).toBe(expectedBefore?.id);
            expect(pair.after?.id, `${address} after`).toBe(expectedAfter?.id);
          }
          checked++;
          if (expectedBefore?.id !== expectedAfter?.id || expectedBefore?.prefix !== expectedAfter?.prefix) differing++;
        }
      }
      expect(checked).toBe(6000);
      // the tables differ enough for the test to mean something
      expect(differing).toBeGreaterThan(600);
    });
  }

  it('covers default routes and a table with no routes of a family', async () => {
    const before = await Fib.create();
    const after = await Fib.create();
    before.add('0.0.0.0/0', { nextHop: '192.0.2.1' });
    before.add('10.0.0.0/8', { nextHop: '192.0.2.2' });
    after.add('10.1.0.0/16', { nextHop: '192.0.2.3' });
    after.add('::/0', { nextHop: 'fe80::1' });
    const overlay = await buildOverlay(before, after);
    for (const address of ['10.1.2.3', '10.2.0.1', '11.0.0.1', '2001:db8::1']) {
      const pair = overlay.pair(overlay.fib.lookup(address)!.metric)!;
      expect([pair.before?.prefix, pair.after?.prefix], address).toEqual([before.lookup(address)?.prefix, after.lookup(address)?.prefix]);
    }
  });

  it('picks, for multipath on both sides, each side\'s own next hop for every flow hash', () => {
    const random = new Random(5);
    for (let trial = 0; trial < 200; trial++) {
      const weightsBefore = Array.from({ length: 1 + random.below(5) }, () => 1 + random.below(trial < 100 ? 4 : 200));
      const weightsAfter = Array.from({ length: 1 + random.below(5) }, () => 1 + random.below(trial < 100 ? 4 : 200));
      let product;
      try {
        product = pathProduct(route(weightsBefore), route(weightsAfter));
      } catch (error) {
        // weights too large to combine exactly are refused, never approximated
        expect(String(error)).toMatch(/combined weight above 65535/);
        continue;
      }
      if (weightsBefore.length === 1 && weightsAfter.length === 1) {
        expect(product).toBeUndefined();
        continue;
      }
      const weights = product!.hops.map((hop) => hop.weight);
      const hashes = [0, 1, 0xffffffff, 0x80000000, ...Array.from({ length: 2000 }, () => random.u32())];
      // every cut point of either side, and its neighbours: where rounding would show
      for (const cuts of [weightsBefore, weightsAfter]) {
        const total = cuts.reduce((a, b) => a + b, 0);
        let cumulative = 0;
        for (const weight of cuts) {
          cumulative += weight;
          const at = Number(((BigInt(cumulative) << 32n) + BigInt(total) - 1n) / BigInt(total));
          for (const hash of [at - 1, at, at + 1]) if (hash >= 0 && hash <= 0xffffffff) hashes.push(hash);
        }
      }
      const wrong = hashes.filter((hash) => {
        const cell = product!.paths[pick(weights, hash)];
        return cell.before !== (weightsBefore.length === 1 ? 0 : pick(weightsBefore, hash))
          || cell.after !== (weightsAfter.length === 1 ? 0 : pick(weightsAfter, hash));
      });
      expect(wrong, `weights ${weightsBefore} and ${weightsAfter}`).toEqual([]);
    }
  });
});
