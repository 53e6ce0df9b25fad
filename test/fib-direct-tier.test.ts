import { describe, expect, it } from 'vitest';
import { Fib } from '../src/index.js';
import { Mirror } from './helpers/mirror.js';
import { BGP_V4_LENGTHS, Random } from './helpers/random.js';
import { prefixText, probeAddresses, randomPrefixes, type TestPrefix } from './helpers/tables.js';

// A large IPv4 table moves to the 24-bit direct array once it has answered 2^24 lookups, and
// back to the 18-bit one when it has shrunk (assembly/fib/direct-tier.ts). The move must change
// no answer: checked against the reference before, across and after each move, and through
// route changes in the large form.

const MOVE_AFTER = 1 << 24;
const LARGE_ARRAY = 64 * 2 ** 20;

/**
 * A table of `count` random BGP-like IPv4 prefixes, loaded in bulk (in `pieces` loads), mirrored
 * in the reference.
 */
async function largeTable(count: number, options: { memoryLimit?: number } = {}, pieces = 1) {
  const random = new Random(count);
  const prefixes = randomPrefixes(random, 4, count, BGP_V4_LENGTHS);
  const mirror = new Mirror(await Fib.create(options));
  const size = Math.ceil(count / pieces);
  for (let start = 0; start < count; start += size) {
    mirror.fib.load(prefixes.slice(start, start + size).map(prefixText).join('\n'), { format: 'plain' });
  }
  for (const route of mirror.fib.routes()) {
    const [address, length] = route.prefix.split('/');
    mirror.reference[4].add(route.id, BigInt(address.split('.').reduce((v, o) => v * 256 + Number(o), 0) >>> 0), Number(length), route.metric);
  }
  return { mirror, prefixes, random };
}

/** 2^24 lookups and a few more, each batch's answers the same as the first batch's. */
function lookMany(fib: Fib, random: Random): void {
  const addresses = Uint32Array.from({ length: 1 << 20 }, () => random.below(2 ** 32) >>> 0);
  const first = fib.lookup4(addresses).slice();
  const out = new Int32Array(addresses.length);
  for (let done = addresses.length; done <= MOVE_AFTER + addresses.length; done += addresses.length) {
    fib.lookup4(addresses, out);
    let differ = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== first[i]) differ++;
    expect(differ, `after ${done} lookups`).toBe(0);
  }
}

describe('the IPv4 direct array follows the table', () => {
  it('moves a large table to the large array after 2^24 lookups and back once it shrinks, every answer the same', async () => {
    const { mirror, prefixes, random } = await largeTable(300_000);
    const probes = () => probeAddresses(random, 4, prefixes, 20_000);
    mirror.check(4, probes());
    expect(mirror.fib.stats().ipv4LookupBytes).toBeLessThan(LARGE_ARRAY);

    lookMany(mirror.fib, random);
    expect(mirror.fib.stats().ipv4LookupBytes).toBeGreaterThanOrEqual(LARGE_ARRAY);
    mirror.check(4, probes());

    // changes in the large form, each checked around its prefix
    const changed: TestPrefix[] = [];
    for (let step = 0; step < 2_000; step++) {
      const p = prefixes[random.below(prefixes.length)];
      if (step % 2 === 0) mirror.remove(p); else mirror.add(p, random.below(3));
      changed.push(p);
      mirror.check(4, probeAddresses(random, 4, [p], 8), 0);
    }
    // a default route and a short prefix: thousands of slots of the large array each
    mirror.add({ family: 4, key: 0n, length: 0 });
    mirror.add({ family: 4, key: 0x0a000000n, length: 8 });
    mirror.check(4, probes());

    // shrink well below the line: back to the small array at the next look
    for (const route of [...mirror.fib.routes()].slice(20_000)) {
      mirror.reference[4].remove(route.id);
      expect(mirror.fib.removeRoute(route.id)).toBe(true);
    }
    mirror.check(4, probes());
    lookMany(mirror.fib, random);
    expect(mirror.fib.stats().ipv4LookupBytes).toBeLessThan(LARGE_ARRAY);
    mirror.check(4, [...probes(), ...probeAddresses(random, 4, changed, 5_000)]);
  }, 120_000);

  it('stays in the small array, answering the same, when the large one does not fit under the memory limit', async () => {
    // loaded in pieces: a bulk load asks for room for far more than it takes
    const { mirror, prefixes, random } = await largeTable(300_000, { memoryLimit: 96 * 2 ** 20 }, 10);
    lookMany(mirror.fib, random);
    expect(mirror.fib.stats().ipv4LookupBytes).toBeLessThan(LARGE_ARRAY);
    mirror.check(4, probeAddresses(random, 4, prefixes, 20_000));
    // and it can still take routes: the refused move left nothing half done
    mirror.add({ family: 4, key: 0xc0a80000n, length: 16 });
    mirror.check(4, probeAddresses(random, 4, prefixes.slice(0, 1000), 5_000));
  }, 120_000);
});
