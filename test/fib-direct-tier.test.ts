import { describe, expect, it } from 'vitest';
import { Fib } from '../src/index.js';
import { Mirror } from './helpers/mirror.js';
import { BGP_V4_LENGTHS, BGP_V6_LENGTHS, Random } from './helpers/random.js';
import { prefixText, probeAddresses, randomPrefixes, type TestPrefix } from './helpers/tables.js';

// A large table moves to the 24-bit direct array once it has answered 2^24 lookups of its
// family, and back to the small one (IPv4 18 bits, IPv6 20) when it has shrunk
// (assembly/fib/direct-tier.ts). The move must change no answer: checked against the reference
// before, across and after each move, and through route changes in the large form.

const MOVE_AFTER = 1 << 24;
const LARGE_ARRAY = 64 * 2 ** 20;
/** Per family: more routes than this move; the table tested; the routes it keeps to move back. */
const SIZES = { 4: { above: 2 ** 18, table: 300_000, kept: 20_000 }, 6: { above: 2 ** 16, table: 70_000, kept: 4_000 } };
const lookupBytes = (fib: Fib, family: 4 | 6) => fib.stats()[family === 4 ? 'ipv4LookupBytes' : 'ipv6LookupBytes'];

/**
 * A table of `count` random BGP-like prefixes of `family`, loaded in bulk (in `pieces` loads),
 * mirrored in the reference.
 */
async function largeTable(family: 4 | 6, count: number, options: { memoryLimit?: number } = {}, pieces = 1) {
  const random = new Random(count);
  const prefixes = randomPrefixes(random, family, count, family === 4 ? BGP_V4_LENGTHS : BGP_V6_LENGTHS);
  const mirror = new Mirror(await Fib.create(options));
  const size = Math.ceil(count / pieces);
  for (let start = 0; start < count; start += size) {
    mirror.fib.load(prefixes.slice(start, start + size).map(prefixText).join('\n'), { format: 'plain' });
  }
  for (const p of prefixes) {
    for (const route of mirror.fib.routesFor(prefixText(p))) mirror.reference[family].add(route.id, p.key, p.length, route.metric);
  }
  return { mirror, prefixes, random };
}

/** 2^24 lookups of `family` and a few more, each batch's answers the same as the first batch's. */
function lookMany(fib: Fib, family: 4 | 6, random: Random): void {
  const count = family === 4 ? 1 << 20 : 1 << 18;
  const lookup: (out?: Int32Array) => Int32Array = family === 4
    ? ((addresses) => (out) => fib.lookup4(addresses, out))(Uint32Array.from({ length: count }, () => random.u32()))
    : ((addresses) => (out) => fib.lookup6(addresses, out))(random.bytes(count * 16));
  const first = lookup().slice();
  const out = new Int32Array(count);
  for (let done = count; done <= MOVE_AFTER + count; done += count) {
    lookup(out);
    let differ = 0;
    for (let i = 0; i < count; i++) if (out[i] !== first[i]) differ++;
    expect(differ, `after ${done} lookups`).toBe(0);
  }
}

describe.each([4, 6] as const)('the IPv%i direct array follows the table', (family) => {
  const { above, table, kept } = SIZES[family];

  it('moves a large table to the large array after 2^24 lookups and back once it shrinks, every answer the same', async () => {
    const { mirror, prefixes, random } = await largeTable(family, table);
    expect(table).toBeGreaterThan(above);
    const probes = () => probeAddresses(random, family, prefixes, 20_000);
    mirror.check(family, probes());
    expect(lookupBytes(mirror.fib, family)).toBeLessThan(LARGE_ARRAY);

    lookMany(mirror.fib, family, random);
    expect(lookupBytes(mirror.fib, family)).toBeGreaterThanOrEqual(LARGE_ARRAY);
    mirror.check(family, probes());

    // changes in the large form, each checked around its prefix
    const changed: TestPrefix[] = [];
    for (let step = 0; step < 2_000; step++) {
      const p = prefixes[random.below(prefixes.length)];
      if (step % 2 === 0) mirror.remove(p); else mirror.add(p, random.below(3));
      changed.push(p);
      mirror.check(family, probeAddresses(random, family, [p], 8), 0);
    }
    // a default route and a short prefix: thousands of slots of the large array each
    mirror.add({ family, key: 0n, length: 0 });
    mirror.add(family === 4 ? { family, key: 0x0a000000n, length: 8 } : { family, key: 0x2001n << 112n, length: 16 });
    mirror.check(family, probes());

    // shrink well below the line: back to the small array at the next look
    for (const route of [...mirror.fib.routes()].slice(kept)) {
      mirror.reference[family].remove(route.id);
      expect(mirror.fib.removeRoute(route.id)).toBe(true);
    }
    mirror.check(family, probes());
    lookMany(mirror.fib, family, random);
    expect(lookupBytes(mirror.fib, family)).toBeLessThan(LARGE_ARRAY);
    mirror.check(family, [...probes(), ...probeAddresses(random, family, changed, 5_000)]);
  }, 120_000);

  it('stays in the small array, answering the same, when the large one does not fit under the memory limit', async () => {
    // loaded in pieces: a bulk load asks for room for far more than it takes
    const { mirror, prefixes, random } = await largeTable(family, table, { memoryLimit: 96 * 2 ** 20 }, 10);
    lookMany(mirror.fib, family, random);
    expect(lookupBytes(mirror.fib, family)).toBeLessThan(LARGE_ARRAY);
    mirror.check(family, probeAddresses(random, family, prefixes, 20_000));
    // and it can still take routes: the refused move left nothing half done
    mirror.add(family === 4 ? { family, key: 0xc0a80000n, length: 16 } : { family, key: 0xfd00n << 112n, length: 8 });
    mirror.check(family, probeAddresses(random, family, prefixes.slice(0, 1000), 5_000));
  }, 120_000);
});
