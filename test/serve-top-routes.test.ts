import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { formatProm } from '../src/report/prom.js';
import { FibscopeServer } from '../src/serve/server.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { familySamples, sumOfSamples } from './helpers/serve-process.js';

// `serve --top-routes K`: the K busiest routes picked in WebAssembly (Analyzer.topRoutes), checked
// against the full report sorted the obvious way; and /metrics' route series over a run of
// random traffic, route changes and resets, checked at every scrape against a slow model kept
// here (each route's whole count, and the history of what was shown): at most K + 1 series,
// the members a top K, each member's series what it counted since it joined, nothing going
// down, and route series + unrouted + removed = counted, bytes too.

const PREFIXES = Array.from({ length: 12 }, (_, i) => `10.0.${i}.0/24`);
const TABLE = PREFIXES.map((p) => `${p} 192.0.2.1 eth0\n`).join('');

const analyzers: Analyzer[] = [];
afterEach(() => {
  for (const a of analyzers.splice(0)) a.dispose();
});

async function counting(createFib: () => Promise<Fib>) {
  const fib = await createFib();
  fib.load(TABLE);
  const analyzer = new Analyzer({ fib });
  analyzers.push(analyzer);
  let time = 1_700_000_000_000;
  /** Sends `packets` packets of random sizes to `address`; returns their wire bytes. */
  const send = (random: Random, address: string, packets: number) => {
    let bytes = 0;
    for (let i = 0; i < packets; i++) {
      const frame = raw(udp4('192.0.2.200', address, new Uint8Array(random.below(3) * 10)));
      analyzer.pushFrame(frame, { linkType: LINKTYPE.RAW, time: time++ });
      bytes += frame.length;
    }
    return bytes;
  };
  return { fib, analyzer, send };
}

const BUILDS = {
  release: async () => Fib.create(),
  debug: async () => Fib.create({ module: await WebAssembly.compile(readFileSync(new URL('../build/fibscope.debug.wasm', import.meta.url))) }),
};

describe.each(Object.entries(BUILDS))('Analyzer.topRoutes (%s build)', (_, createFib) => {
  it('is the report\'s routes sorted by packets then id, sliced to k; preferred ids first among equals; sums exact; atLeast changes nothing', async () => {
    const { fib, analyzer, send } = await counting(createFib);
    const random = new Random(3);
    let countedBytes = 0;
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 60; i++) countedBytes += send(random, `10.0.${random.below(14)}.${random.below(256)}`, 1 + random.below(3));
      if (round === 2) fib.remove(PREFIXES[random.below(PREFIXES.length)]);
      const idOf = (prefix: string) => fib.routesFor(prefix)[0].id;
      const routes = analyzer.report().routes.map((r) => ({ id: idOf(r.prefix), packets: r.packets, bytes: r.bytes }));
      const preferred = new Set(routes.filter(() => random.below(3) === 0).map((r) => r.id));
      const order = (withPreferred: boolean) => [...routes].sort((a, b) => Number(b.packets) - Number(a.packets)
        || (withPreferred ? Number(preferred.has(b.id)) - Number(preferred.has(a.id)) : 0) || a.id - b.id);
      for (const k of [0, 1, 3, routes.length, routes.length + 4]) {
        const top = analyzer.topRoutes(k);
        expect(top.routes.map(({ id, packets, bytes }) => ({ id, packets, bytes })), `round ${round} k ${k}`).toEqual(order(false).slice(0, k));
        expect(top.packets).toBe(routes.reduce((s, r) => s + Number(r.packets), 0));
        expect(top.bytes).toBe(routes.reduce((s, r) => s + Number(r.bytes), 0));
        expect(top.countedBytes).toBe(countedBytes);
        const withPreferred = analyzer.topRoutes(k, [...preferred]);
        expect(withPreferred.routes.map((r) => r.id)).toEqual(order(true).slice(0, k).map((r) => r.id));
        // a starting count (the last pick's K-th, or one too high: it asks again) changes nothing
        const kth = Number(order(true)[k - 1]?.packets ?? 0);
        for (const atLeast of [kth, kth + 1, kth + 50]) {
          expect(analyzer.topRoutes(k, [...preferred], atLeast).routes.map((r) => r.id), `atLeast ${atLeast}`).toEqual(order(true).slice(0, k).map((r) => r.id));
        }
      }
    }
  });
});

/** A route of the model: one incarnation of a prefix (a replace or a re-add is another). */
interface ModelRoute { key: string; prefix: string; packets: number; bytes: number }

interface Shown { packets: number; bytes: number }

interface Scrape {
  /** Whole counts of every route in the table now, by key. */
  routes: Map<string, ModelRoute>;
  /** Members shown, by key: their series. */
  members: Map<string, Shown>;
  other: Shown;
  removed: number;
  afterReset: boolean;
}

/** The model of a member's series: its count now less its count where its unbroken membership began (nothing if at a fresh start). */
function modelSeries(history: readonly Scrape[], key: string): Shown {
  const now = history.length - 1;
  let start = now;
  while (start > 0 && !history[start].afterReset && history[start - 1].members.has(key)) start--;
  const fresh = start === 0 || history[start].afterReset;
  const route = history[now].routes.get(key)!;
  const join = fresh ? { packets: 0, bytes: 0 } : history[start].routes.get(key)!;
  return { packets: route.packets - join.packets, bytes: route.bytes - join.bytes };
}

describe('serve --top-routes K: /metrics route series', () => {
  it('stay K + 1 at most, never go down and add up with unrouted and removed, across traffic, route changes and resets', async () => {
    const K = 3;
    let seen = { joins: 0, leaves: 0, removedMembers: 0, resets: 0 };
    for (const seed of [1, 2, 3]) {
      const { fib, analyzer, send } = await counting(BUILDS.release);
      const server = new FibscopeServer({ fib, analyzer, topRoutes: K, onError: (error) => { throw error; } });
      const { port }: AddressInfo = await server.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${port}`;
      try {
        const random = new Random(seed);
        const table = new Map<string, ModelRoute>(PREFIXES.map((prefix) => [prefix, { key: `${prefix}#0`, prefix, packets: 0, bytes: 0 }]));
        let incarnations = 0;
        let counted = 0;
        let countedBytes = 0;
        let unrouted = { packets: 0, bytes: 0 };
        let removedModel = { packets: 0, bytes: 0 };
        const history: Scrape[] = [];
        for (let step = 0; step < 30; step++) {
          let afterReset = false;
          // a reset as a scrape sees it: counted goes down (a step adds at most 40 packets)
          if (counted > 40 && random.below(9) === 0) {
            analyzer.reset();
            counted = 0;
            countedBytes = 0;
            unrouted = { packets: 0, bytes: 0 };
            removedModel = { packets: 0, bytes: 0 };
            for (const route of table.values()) { route.packets = 0; route.bytes = 0; }
            afterReset = true;
          }
          // route changes: a delete, a replace (another route), a re-add (from 0)
          for (let change = random.below(3); change > 0; change--) {
            const prefix = PREFIXES[random.below(PREFIXES.length)];
            if (table.has(prefix) && random.below(2) === 0) {
              const answer = await fetch(`${base}/routes/${prefix}`, { method: 'DELETE' });
              expect(answer.status).toBe(200);
              await answer.arrayBuffer();
              table.delete(prefix);
            } else {
              const answer = await fetch(`${base}/routes`, { method: 'POST', body: `${prefix} 192.0.2.${2 + (++incarnations % 200)} eth0\n` });
              expect(answer.status).toBe(200);
              await answer.arrayBuffer();
              table.set(prefix, { key: `${prefix}#${incarnations}`, prefix, packets: 0, bytes: 0 });
            }
          }
          // traffic: a favourite that changes every few steps, so members leave and come back
          const favourite = (seed + Math.floor(step / 4)) % 14;
          for (let i = 0; i < 10; i++) {
            const net = random.below(2) === 0 ? favourite : random.below(14);
            const packets = 1 + random.below(net === favourite ? 3 : 1);
            const bytes = send(random, `10.0.${net}.${1 + random.below(250)}`, packets);
            counted += packets;
            countedBytes += bytes;
            const route = table.get(`10.0.${net}.0/24`);
            if (route) { route.packets += packets; route.bytes += bytes; } else { unrouted.packets += packets; unrouted.bytes += bytes; }
          }

          const text = await (await fetch(`${base}/metrics`)).text();
          const packetSeries = familySamples(text, 'fibscope_route_packets_total');
          const byteSeries = familySamples(text, 'fibscope_route_bytes_total');
          const prefixOf = (labels: string) => /prefix="([^"]*)"/.exec(labels)![1];
          const otherLabels = '{prefix="other",next_hop="",dev="",family=""}';
          expect(packetSeries.size).toBeLessThanOrEqual(K + 1);
          expect(packetSeries.has(otherLabels)).toBe(true);
          expect(sumOfSamples(familySamples(text, 'fibscope_counted_packets_total'))).toBe(counted);
          expect(sumOfSamples(familySamples(text, 'fibscope_unrouted_packets_total'))).toBe(unrouted.packets);
          const removed = sumOfSamples(familySamples(text, 'fibscope_removed_route_packets_total'));
          expect(sumOfSamples(packetSeries) + unrouted.packets + removed, `seed ${seed} step ${step}`).toBe(counted);

          const members = new Map<string, Shown>();
          for (const [labels, packets] of packetSeries) {
            if (labels === otherLabels) continue;
            const route = table.get(prefixOf(labels));
            expect(route, labels).toBeDefined();
            members.set(route!.key, { packets, bytes: byteSeries.get(labels)! });
          }
          // members that left the table since the last scrape take their last shown series to removed
          const before = history[history.length - 1];
          if (before && !afterReset) {
            const keys = new Set([...table.values()].map((r) => r.key));
            for (const [key, shown] of before.members) {
              if (keys.has(key)) continue;
              removedModel = { packets: removedModel.packets + shown.packets, bytes: removedModel.bytes + shown.bytes };
              seen.removedMembers++;
            }
          }
          expect(removed).toBe(removedModel.packets);
          expect(sumOfSamples(byteSeries)).toBe(countedBytes - unrouted.bytes - removedModel.bytes);
          const now: Scrape = {
            routes: new Map([...table.values()].map((r) => [r.key, { ...r }])),
            members,
            other: { packets: packetSeries.get(otherLabels)!, bytes: byteSeries.get(otherLabels)! },
            removed,
            afterReset,
          };
          history.push(now);
          // the members are a top K by whole counts, each with what it counted since it joined
          const live = [...now.routes.values()].filter((r) => r.packets > 0);
          expect(members.size).toBe(Math.min(K, live.length));
          const lowest = Math.min(...[...members.keys()].map((key) => now.routes.get(key)!.packets));
          for (const route of live) if (!members.has(route.key)) expect(route.packets).toBeLessThanOrEqual(lowest);
          for (const [key, shown] of members) expect(shown, key).toEqual(modelSeries(history, key));
          // nothing goes down between two scrapes without a reset; a joining member starts at 0
          if (before && !afterReset) {
            expect(now.other.packets).toBeGreaterThanOrEqual(before.other.packets);
            expect(now.other.bytes).toBeGreaterThanOrEqual(before.other.bytes);
            expect(now.removed).toBeGreaterThanOrEqual(before.removed);
            for (const [key, shown] of members) {
              const was = before.members.get(key);
              if (was) {
                expect(shown.packets).toBeGreaterThanOrEqual(was.packets);
                expect(shown.bytes).toBeGreaterThanOrEqual(was.bytes);
              } else {
                expect(shown).toEqual({ packets: 0, bytes: 0 });
                seen.joins++;
              }
            }
            for (const key of before.members.keys()) if (!members.has(key)) seen.leaves++;
          }
          if (afterReset) seen.resets++;
        }
      } finally {
        await server.close(100);
      }
    }
    // the run did what it is for
    expect(seen.joins).toBeGreaterThan(5);
    expect(seen.leaves).toBeGreaterThan(5);
    expect(seen.removedMembers).toBeGreaterThan(1);
    expect(seen.resets).toBeGreaterThan(0);
  });

  it('gives the top K their whole counts on a finished capture, every scrape the same', async () => {
    const { fib, analyzer, send } = await counting(BUILDS.release);
    const random = new Random(5);
    const sent = [9, 7, 5, 2, 1];
    sent.forEach((n, i) => send(random, `10.0.${i}.1`, n));
    const server = new FibscopeServer({ fib, analyzer, topRoutes: 3, onError: (error) => { throw error; } });
    const { port }: AddressInfo = await server.listen(0, '127.0.0.1');
    try {
      for (let scrape = 0; scrape < 3; scrape++) {
        const series = familySamples(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'fibscope_route_packets_total');
        expect([...series].map(([labels, n]) => [/prefix="([^"]*)"/.exec(labels)![1], n])).toEqual([
          ['10.0.0.0/24', 9], ['10.0.1.0/24', 7], ['10.0.2.0/24', 5], ['other', 3],
        ]);
      }
    } finally {
      await server.close(100);
    }
  });
});

describe('serve /metrics without --top-routes: every route read from the counters', () => {
  it('writes the route families analyze -f prom writes from the report, across route changes, multipath and label sets alike', async () => {
    const { fib, analyzer, send } = await counting(BUILDS.release);
    const random = new Random(8);
    const server = new FibscopeServer({ fib, analyzer, onError: (error) => { throw error; } });
    const { port }: AddressInfo = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    const routeLines = (text: string) => text.split('\n').filter((line) => /^fibscope_(route_(packets|bytes)|removed_route_packets)_total/.test(line));
    const changes = [
      `${PREFIXES[1]} nexthop via 192.0.2.7 dev eth1 weight 1 nexthop via 192.0.2.8 dev eth2 weight 3\n`, // multipath
      `${PREFIXES[2]} 192.0.2.1 eth0 metric 5\n`, // the same labels as the metric-0 route: one series
      `${PREFIXES[3]} 192.0.2.9 eth0\n`, // replaced
      `${PREFIXES[1]} 192.0.2.1 eth0\n`, // multipath replaced by one next hop
    ];
    try {
      for (let step = 0; step <= changes.length + 2; step++) {
        for (let i = 0; i < 80; i++) send(random, `10.0.${random.below(13)}.${random.below(256)}`, 1 + random.below(3));
        const text = await (await fetch(`${base}/metrics`)).text();
        expect(routeLines(text), `step ${step}`).toEqual(routeLines(formatProm(analyzer.report())));
        if (step < changes.length) {
          const answer = await fetch(`${base}/routes`, { method: 'POST', body: changes[step] });
          expect(answer.status).toBe(200);
          await answer.arrayBuffer();
        } else if (step === changes.length) {
          await (await fetch(`${base}/routes/${PREFIXES[4]}`, { method: 'DELETE' })).arrayBuffer();
        }
      }
    } finally {
      await server.close(100);
    }
  });
});
