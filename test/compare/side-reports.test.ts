import { describe, expect, it } from 'vitest';
import { Random } from '../helpers/random.js';
import { analyzeBy, checkComparison, compareBy } from './compare-check.js';
import { randomCapture } from './random-capture.js';
import { differenceRows, NO_ROUTE } from '../../src/compare/differences.js';
import { randomTablePair } from './random-tables.js';

describe('compare: each side equals a plain analysis by its table', () => {
  for (const seed of [11, 12, 13, 14]) {
    it(`random tables and captures, seed ${seed}`, async () => {
      const { before, after, prefixes } = await randomTablePair(seed, 200);
      const random = new Random(seed);
      const captures = [randomCapture(random, prefixes, 3000), randomCapture(random, prefixes, 1000)];
      const compared = await compareBy(before, after, captures, 'random.pcap');
      checkComparison(compared, before, after, captures, 'random.pcap');
      // the tables differ enough for the test to mean something
      expect(Number(compared.moved.packets)).toBeGreaterThan(400);
      expect(compared.moves.some((move) => move.from !== null && move.to !== null && move.from.nextHop !== move.to.nextHop)).toBe(true);
    });
  }

  it('gives per next hop, device, route and AS the traffic before, after and the difference', async () => {
    const { before, after, prefixes } = await randomTablePair(31, 150);
    const captures = [randomCapture(new Random(31), prefixes, 2000)];
    const compared = await compareBy(before, after, captures, 'd.pcap');
    const plain = { before: analyzeBy(before, captures, 'd.pcap'), after: analyzeBy(after, captures, 'd.pcap') };
    for (const by of ['route', 'nexthop', 'dev', 'as'] as const) {
      const rows = differenceRows(compared.before, compared.after, by, 'packets');
      // every counted packet is somewhere on both sides: the differences cancel out
      expect(rows.reduce((sum, row) => sum + Number(row.packetsDifference), 0), by).toBe(0);
      expect(rows.reduce((sum, row) => sum + Number(row.packetsBefore), 0), by).toBe(Number(plain.before.totals.counted));
      expect(rows.every((row) => Number(row.packetsAfter) - Number(row.packetsBefore) === Number(row.packetsDifference))).toBe(true);
    }
    // per next hop, each side as the plain analysis sums its routes' shares
    const perHop = (report: typeof plain.before) => {
      const out = new Map<string | null, number>();
      for (const route of report.routes) {
        const shares = route.nextHops && route.nextHops.length > 1 ? route.nextHops.map((hop) => [hop.via, hop.packets] as const) : [[route.nextHop, route.packets] as const];
        for (const [hop, packets] of shares) out.set(hop, (out.get(hop) ?? 0) + Number(packets));
      }
      if (Number(report.totals.noRoute.packets) > 0) out.set(NO_ROUTE, Number(report.totals.noRoute.packets));
      return out;
    };
    const hops = differenceRows(compared.before, compared.after, 'nexthop', 'packets');
    for (const side of ['before', 'after'] as const) {
      const expected = perHop(plain[side]);
      const got = new Map(hops.map((row) => [row.key, Number(side === 'before' ? row.packetsBefore : row.packetsAfter)] as const).filter(([, n]) => n !== 0));
      expect(new Map([...got].sort()), side).toEqual(new Map([...expected].filter(([, n]) => n !== 0).sort()));
    }
  });

  it('swaps the sides when the tables swap', async () => {
    const { before, after, prefixes } = await randomTablePair(21, 150);
    const captures = [randomCapture(new Random(21), prefixes, 2000)];
    const forward = await compareBy(before, after, captures, 'x.pcap');
    const backward = await compareBy(after, before, captures, 'x.pcap');
    expect(JSON.stringify(backward.before)).toBe(JSON.stringify(forward.after));
    expect(JSON.stringify(backward.after)).toBe(JSON.stringify(forward.before));
    expect(backward.becomesUnrouted).toEqual(forward.becomesRouted);
  });
});
