// The bounded tracker of each anomaly class's busiest addresses (assembly/count/top-tracker.ts,
// Space-Saving) against exact counts kept in the test: every address it lists counts at least
// its true packets and at most `overstatedBy` more; every address with more than a 64th of the
// class's packets is listed; with few addresses it is exact. Driven through an Analyzer with
// checks on, where every source of 100.64.0.0/10 is a bogon source.
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../src/node.js';
import { ipv4, IPPROTO, LINKTYPE, udp } from './helpers/packets.js';
import { Random } from './helpers/random.js';

let fib: Fib;
beforeAll(async () => {
  fib = await Fib.create();
  fib.load('0.0.0.0/0 wan');
});

function bogonSource(i: number): string {
  return `100.${64 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}`;
}

/** Sends `sources` (one packet each, in order) and returns the class's top sources beside the true counts. */
function track(sources: string[]) {
  const analyzer = new Analyzer({ fib, checks: true });
  try {
    for (const src of sources) {
      analyzer.pushFrame(ipv4({ src, dst: '8.8.8.8', proto: IPPROTO.UDP, payload: udp({ srcPort: 1, dstPort: 2 }) }), { linkType: LINKTYPE.RAW });
    }
    const row = analyzer.report().anomalies!.find((entry) => entry.class === 'bogon-source')!;
    const truth = new Map<string, number>();
    for (const src of sources) truth.set(src, (truth.get(src) ?? 0) + 1);
    return { row, truth };
  } finally {
    analyzer.dispose();
  }
}

describe('the busiest addresses of an anomaly class', () => {
  it('are exact while the class has seen few addresses', () => {
    const random = new Random(5);
    const sources = Array.from({ length: 500 }, () => bogonSource(random.below(20)));
    const { row, truth } = track(sources);
    const exact = [...truth].sort((a, b) => b[1] - a[1]);
    expect(row.topSources.map((entry) => Number(entry.packets))).toEqual(exact.slice(0, 10).map(([, packets]) => packets));
    for (const entry of row.topSources) {
      expect(entry.packets).toBe(truth.get(entry.address));
      expect(entry.overstatedBy).toBeUndefined();
    }
  });

  it('keep every heavy hitter of a flood of forged sources, within their stated error', () => {
    for (const seed of [1, 2, 3]) {
      const random = new Random(seed);
      const heavy = [bogonSource(1), bogonSource(2), bogonSource(3)];
      const sources: string[] = [];
      let unique = 1000;
      for (let i = 0; i < 6000; i++) {
        const roll = random.below(100);
        sources.push(roll < 30 ? heavy[roll % 3] : bogonSource(unique++));
      }
      const { row, truth } = track(sources);
      expect(row.packets).toBe(sources.length);
      for (const entry of row.topSources) {
        const real = truth.get(entry.address)!;
        expect(Number(entry.packets), entry.address).toBeGreaterThanOrEqual(real);
        expect(Number(entry.packets), entry.address).toBeLessThanOrEqual(real + Number(entry.overstatedBy ?? 0));
      }
      const listed = row.topSources.map((entry) => entry.address);
      for (const address of heavy) expect(listed, `seed ${seed}`).toContain(address);
      expect(row.topSources.slice(0, 3).map((entry) => entry.address).sort()).toEqual([...heavy].sort());
    }
  });
});
