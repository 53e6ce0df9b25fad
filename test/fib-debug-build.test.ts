import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Fib } from '../src/index.js';
import { Mirror } from './helpers/mirror.js';
import { BGP_V4_LENGTHS, BGP_V6_LENGTHS, Random } from './helpers/random.js';
import { probeAddresses, randomPrefixes } from './helpers/tables.js';

// The debug build keeps AssemblyScript's run-time checks (bounds, asserts); it must give the
// same answers as release through adds, removes and replaces.
it('the debug build agrees with the reference through updates', async () => {
  const module = await WebAssembly.compile(readFileSync(new URL('../build/fibscope.debug.wasm', import.meta.url)));
  const mirror = new Mirror(await Fib.create({ module }));
  const random = new Random(77);
  for (const family of [4, 6] as const) {
    const pool = randomPrefixes(random, family, 2000, family === 4 ? BGP_V4_LENGTHS : BGP_V6_LENGTHS);
    for (let step = 0; step < 4000; step++) {
      const p = pool[random.below(pool.length)];
      const op = random.below(3);
      if (op === 0) mirror.add(p, random.below(2), `nh${random.below(3)}`);
      else if (op === 1) mirror.replace(p, random.below(2), `nh${random.below(3)}`);
      else mirror.remove(p);
    }
    expect(mirror.check(family, probeAddresses(random, family, pool, 20_000))).toBeGreaterThan(0);
  }
});
