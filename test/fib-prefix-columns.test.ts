import { describe, expect, it } from 'vitest';
import { Fib, type Route } from '../src/node.js';
import { formatIPv6 } from '../src/node.js';
import type { PrefixColumns } from '../src/fib/fib.js';
import { Random } from './helpers/random.js';

// Fib.addPrefixColumns (compare's overlay table) makes its records in WebAssembly from columns.
// The model: the same routes added one at a time with Fib.add. Both tables must hold the same
// routes and answer every lookup alike, on a fresh table and on one whose freed ids are reused.

const describeRoute = (r: Route | undefined) => (r === undefined ? 'none' : `${r.prefix} ${r.type} ${r.nextHop} ${r.dev} ${r.metric}`);

function randomColumns(random: Random, count: number): { columns: PrefixColumns; prefixes: string[] } {
  const columns: PrefixColumns = {
    count, family: new Uint8Array(count), length: new Uint8Array(count), words: new Uint32Array(count * 4), metric: new Uint32Array(count),
  };
  const prefixes: string[] = [];
  for (let i = 0; i < count; i++) {
    const v6 = random.below(4) === 0;
    const length = v6 ? random.below(129) : random.below(33);
    columns.family[i] = v6 ? 6 : 4;
    columns.length[i] = length;
    columns.metric[i] = random.below(5);
    const bytes = new Uint8Array(16);
    for (let w = 0; w < (v6 ? 4 : 1); w++) {
      // masked to the length, as a table's prefixes are
      const keep = Math.max(0, Math.min(32, length - w * 32));
      const word = keep === 0 ? 0 : (random.u32() & (0xffffffff << (32 - keep))) >>> 0;
      columns.words[i * 4 + w] = word;
      new DataView(bytes.buffer).setUint32(w * 4, word);
    }
    const word = columns.words[i * 4];
    prefixes.push(v6 ? `${formatIPv6(bytes)}/${length}` : `${word >>> 24}.${(word >>> 16) & 255}.${(word >>> 8) & 255}.${word & 255}/${length}`);
  }
  return { columns, prefixes };
}

async function expectSameTables(fib: Fib, model: Fib, prefixes: string[], random: Random): Promise<void> {
  for (const prefix of new Set(prefixes)) {
    expect(fib.routesFor(prefix).map(describeRoute), prefix).toEqual(model.routesFor(prefix).map(describeRoute));
  }
  const found = (table: Fib, ids: Int32Array) => Array.from(ids, (id) => describeRoute(id < 0 ? undefined : table.route(id)));
  const v4 = new Uint32Array(5000).map(() => random.u32());
  expect(found(fib, fib.lookup4(v4))).toEqual(found(model, model.lookup4(v4)));
}

describe('Fib.addPrefixColumns', () => {
  for (const [name, count] of [['a few routes', 300], ['a bulk load', 9000]] as const) {
    it(`holds what Fib.add of each route holds: ${name}, fresh and with freed ids reused`, async () => {
      const random = new Random(count);
      const { columns, prefixes } = randomColumns(random, count);
      for (const reuse of [false, true]) {
        const fib = await Fib.create();
        const model = await Fib.create();
        if (reuse) {
          // routes added and removed first: their ids are free, and taken again out of order
          for (const table of [fib, model]) {
            for (let i = 0; i < 50; i++) table.add(`198.51.100.${i}/32`, { nextHop: '192.0.2.9' });
            for (let i = 0; i < 50; i += 3) table.remove(`198.51.100.${i}/32`);
          }
        }
        const result = fib.addPrefixColumns(columns);
        let added = 0;
        for (let i = 0; i < count; i++) {
          const before = model.stats().ipv4Routes + model.stats().ipv6Routes;
          model.add(prefixes[i], { metric: columns.metric[i] });
          if (model.stats().ipv4Routes + model.stats().ipv6Routes > before) added++;
        }
        expect(result.added).toBe(added);
        expect(result.duplicates).toBe(count - added);
        expect(fib.stats().ipv4Routes).toBe(model.stats().ipv4Routes);
        expect(fib.stats().ipv6Routes).toBe(model.stats().ipv6Routes);
        await expectSameTables(fib, model, prefixes, random);
      }
    });
  }
});
