import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { LINKTYPE, raw, udp4, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

// Analyzer.topDestinations(k): the K busiest destinations picked in WebAssembly with a bounded
// heap, checked against the obvious model: the full report's destinations (sorted by packets,
// ties in order of first appearance), sliced to K; for the release build and the debug build
// (AssemblyScript's run-time checks on).

const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n10.1.0.0/16 192.0.2.2 eth0\n2001:db8::/32 fe80::1 eth1\n';

/** Sends `packets` packets of random sizes to `address`; few distinct counts, so many ties. */
function send(analyzer: Analyzer, random: Random, address: string, packets: number): void {
  for (let i = 0; i < packets; i++) {
    const payload = new Uint8Array(random.below(3) * 10);
    const frame = address.includes(':') ? udp6('2001:db8:ffff::1', address, payload) : udp4('192.0.2.200', address, payload);
    analyzer.pushFrame(raw(frame), { linkType: LINKTYPE.RAW, time: 1_700_000_000_000 + i });
  }
}

function randomAddress(random: Random): string {
  switch (random.below(4)) {
    case 0: return `10.0.${random.below(4)}.${random.below(256)}`;
    case 1: return `10.1.${random.below(2)}.${random.below(256)}`;
    case 2: return `2001:db8::${random.below(0x10000).toString(16)}`;
    default: return `198.51.100.${random.below(256)}`; // no route
  }
}

const pick = ({ address, prefix, packets, bytes }: { address: string; prefix: string | null; packets: number | bigint; bytes: number | bigint }) =>
  ({ address, prefix, packets, bytes });

/** The model: every destination of the full report, busiest first (stable), the first k. */
function model(analyzer: Analyzer, k: number) {
  return analyzer.report().destinations.map(pick).slice(0, k);
}

const BUILDS = {
  release: async () => Fib.create(),
  debug: async () => Fib.create({ module: await WebAssembly.compile(readFileSync(new URL('../build/fibscope.debug.wasm', import.meta.url))) }),
};

describe.each(Object.entries(BUILDS))('Analyzer.topDestinations (%s build)', (_, createFib) => {
  it('is the full sort sliced to k, on random data with ties, k = 0 and k beyond the count', async () => {
    const fib = await createFib();
    fib.load(TABLE);
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = new Random(seed);
      const analyzer = new Analyzer({ fib });
      const rounds = 1 + random.below(4);
      for (let round = 0; round < rounds; round++) {
        const addresses = 1 + random.below(400);
        for (let i = 0; i < addresses; i++) send(analyzer, random, randomAddress(random), 1 + random.below(4));
        const full = analyzer.report().destinations;
        const count = full.length;
        for (const k of [0, 1, 2, 7, Math.floor(count / 2), count - 1, count, count + 5, 1000]) {
          if (k < 0) continue;
          const top = analyzer.topDestinations(k);
          expect(top.destinations.map(pick), `seed ${seed} round ${round} k ${k}`).toEqual(model(analyzer, k));
          expect(top.count).toBe(count);
          expect(top.packets).toBe(full.reduce((sum, d) => sum + Number(d.packets), 0));
          expect(top.bytes).toBe(full.reduce((sum, d) => sum + Number(d.bytes), 0));
        }
      }
      analyzer.dispose();
    }
  });

  it('shows a destination whose route has gone as unrouted, as the report does', async () => {
    const fib = await createFib();
    fib.load(TABLE);
    const analyzer = new Analyzer({ fib });
    const random = new Random(9);
    for (let i = 0; i < 200; i++) send(analyzer, random, randomAddress(random), 1 + random.below(5));
    fib.remove('10.1.0.0/16');
    // replaced: a route of the same prefix and metric is another route
    fib.replace('2001:db8::/32', { nextHop: 'fe80::2', dev: 'eth1', metric: 0 });
    const top = analyzer.topDestinations(150).destinations;
    expect(top.map(pick)).toEqual(model(analyzer, 150));
    expect(top.some((d) => d.address.startsWith('10.1.') && d.prefix === null)).toBe(true);
    expect(top.some((d) => d.address.startsWith('10.0.') && d.prefix === '10.0.0.0/8')).toBe(true);
    analyzer.dispose();
  });

  it('puts preferred entries first among equal counts, and only there', async () => {
    const fib = await createFib();
    fib.load(TABLE);
    const analyzer = new Analyzer({ fib });
    const random = new Random(11);
    for (let i = 0; i < 300; i++) send(analyzer, random, randomAddress(random), 1 + random.below(3));
    // entry numbers are the order of first appearance: the report's order breaks ties by it
    const all = analyzer.topDestinations(100_000).destinations;
    const entryOf = new Map(all.map((d) => [d.address, d.entry]));
    const preferred = new Set<number>();
    for (let i = 0; i < 40; i++) preferred.add(random.below(all.length));
    const expected = [...all].sort((a, b) => Number(b.packets) - Number(a.packets)
      || Number(preferred.has(b.entry)) - Number(preferred.has(a.entry)) || a.entry - b.entry);
    for (const k of [1, 10, 50, 200]) {
      const top = analyzer.topDestinations(k, [...preferred]).destinations;
      expect(top.map((d) => d.address)).toEqual(expected.slice(0, k).map((d) => d.address));
      expect(top.every((d) => entryOf.get(d.address) === d.entry)).toBe(true);
    }
    analyzer.dispose();
  });
});
