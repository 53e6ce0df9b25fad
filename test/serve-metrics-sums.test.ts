import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import type { DestinationCounters } from '../src/analyze/report.js';
import { Fib } from '../src/fib/fib.js';
import { TopDestinations } from '../src/report/prom.js';
import { FibscopeServer } from '../src/serve/server.js';
import { TopDestinationSeries } from '../src/serve/top-destination-series.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { familySamples, sumOfSamples } from './helpers/serve-process.js';

// The sums of /metrics (and of `analyze -f prom`) add up at every scrape: the top-K destination
// series plus `other` are counted, no series ever goes down but at a reset of the counters;
// route series + unrouted + removed are counted after routes are deleted and replaced.
// Checked against a slow obvious model: the history of scrapes kept here.

const POOL = Array.from({ length: 12 }, (_, i) => `10.0.${i >> 2}.${i + 1}`);
const K = 3;

interface Scrape {
  /** Whole counts of every destination at this scrape (the model's own count). */
  counts: Map<string, number>;
  /** The members, as the tracker gave them: address → series value. */
  series: Map<string, number>;
  other: number;
  /** The counters were reset just before this scrape. */
  afterReset: boolean;
}

/**
 * The model of a member's series: its whole count now, less its count at the scrape its
 * unbroken run of membership began, or less nothing when that run began at the first scrape
 * after the start or a reset.
 */
function modelSeries(history: readonly Scrape[], address: string): number {
  const now = history.length - 1;
  let start = now;
  while (start > 0 && !history[start].afterReset && history[start - 1].series.has(address)) start--;
  const fresh = start === 0 || history[start].afterReset;
  return history[now].counts.get(address)! - (fresh ? 0 : history[start].counts.get(address)!);
}

function checkScrape(history: readonly Scrape[]): void {
  const now = history[history.length - 1];
  const total = [...now.counts.values()].reduce((a, b) => a + b, 0);
  // the K series plus other are counted
  expect([...now.series.values()].reduce((a, b) => a + b, 0) + now.other).toBe(total);
  // the members are a top K by whole counts
  const members = [...now.series.keys()];
  expect(members).toHaveLength(Math.min(K, [...now.counts.values()].filter((n) => n > 0).length));
  const lowestMember = Math.min(...members.map((a) => now.counts.get(a)!));
  for (const [address, n] of now.counts) if (!now.series.has(address)) expect(n).toBeLessThanOrEqual(lowestMember);
  for (const address of members) expect(now.series.get(address), address).toBe(modelSeries(history, address));
  if (history.length < 2 || now.afterReset) return;
  // nothing goes down between two scrapes without a reset
  const before = history[history.length - 2];
  expect(now.other).toBeGreaterThanOrEqual(before.other);
  for (const [address, value] of now.series) {
    const was = before.series.get(address);
    if (was !== undefined) expect(value).toBeGreaterThanOrEqual(was);
    else expect(value).toBe(0); // a joining member starts at 0
  }
}

/** A run of scrapes where members join, leave, join again, and the counters are reset. */
function scenario(seed: number, tracker: {
  add(address: string, packets: number): void;
  reset(): void;
  scrape(): { members: { address: string; packets: number | bigint }[]; other: number | bigint };
}): Scrape[] {
  const random = new Random(seed);
  const counts = new Map<string, number>();
  const history: Scrape[] = [];
  for (let step = 0; step < 40; step++) {
    let afterReset = false;
    // a reset as a scrape can see it: counted goes down (a step adds at most 48 packets)
    if (step > 0 && [...counts.values()].reduce((a, b) => a + b, 0) > 48 && random.below(8) === 0) {
      tracker.reset();
      counts.clear();
      afterReset = true;
    }
    // a few favourites that change every few steps, so members leave and come back
    const favourite = POOL[(seed + Math.floor(step / 4)) % POOL.length];
    for (let i = 0; i < 1 + random.below(6); i++) {
      const address = random.below(2) === 0 ? favourite : POOL[random.below(POOL.length)];
      const packets = 1 + random.below(address === favourite ? 8 : 3);
      tracker.add(address, packets);
      counts.set(address, (counts.get(address) ?? 0) + packets);
    }
    const sample = tracker.scrape();
    history.push({
      counts: new Map(counts),
      series: new Map(sample.members.map((d) => [d.address, Number(d.packets)])),
      other: Number(sample.other),
      afterReset,
    });
    checkScrape(history);
  }
  return history;
}

/** Whether the scenario did what it is for: members that left, joined later, and resets. */
function coverage(history: readonly Scrape[]) {
  let joins = 0;
  let leaves = 0;
  for (let i = 1; i < history.length; i++) {
    if (history[i].afterReset) continue;
    for (const a of history[i].series.keys()) if (!history[i - 1].series.has(a)) joins++;
    for (const a of history[i - 1].series.keys()) if (!history[i].series.has(a)) leaves++;
  }
  return { joins, leaves, resets: history.filter((s) => s.afterReset).length };
}

const analyzers: Analyzer[] = [];
afterEach(() => {
  for (const a of analyzers.splice(0)) a.dispose();
});

async function countingAnalyzer(table = '10.0.0.0/16 192.0.2.1 eth0\n') {
  const fib = await Fib.create();
  fib.load(table);
  const analyzer = new Analyzer({ fib });
  analyzers.push(analyzer);
  let time = 1_700_000_000_000;
  const send = (address: string, packets: number) => {
    for (let i = 0; i < packets; i++) analyzer.pushFrame(raw(udp4('192.0.2.200', address, new Uint8Array(10))), { linkType: LINKTYPE.RAW, time: time++ });
  };
  return { fib, analyzer, send };
}

describe('top-K destination series add up to counted and never go down', () => {
  it('in analyze -f prom (TopDestinations), across joins, leaves and resets', () => {
    let totals = { joins: 0, leaves: 0, resets: 0 };
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const top = new TopDestinations(K);
      const counts = new Map<string, number>();
      const history = scenario(seed, {
        add: (address, packets) => counts.set(address, (counts.get(address) ?? 0) + packets),
        // the same tracker: it must see the reset by itself (the total went down)
        reset: () => counts.clear(),
        scrape: () => {
          const destinations: DestinationCounters[] = [...counts].map(([address, packets]) =>
            ({ address, prefix: null, packets, bytes: packets * 60, firstSeen: '', lastSeen: '' }));
          const sample = top.update(destinations);
          // bytes add up the same way
          const bytes = sample.members.reduce((s, d) => s + Number(d.bytes), 0) + Number(sample.other.bytes);
          expect(bytes).toBe(destinations.reduce((s, d) => s + Number(d.bytes), 0));
          return { members: sample.members, other: sample.other.packets };
        },
      });
      const c = coverage(history);
      totals = { joins: totals.joins + c.joins, leaves: totals.leaves + c.leaves, resets: totals.resets + c.resets };
    }
    expect(totals.joins).toBeGreaterThan(5);
    expect(totals.leaves).toBeGreaterThan(5);
    expect(totals.resets).toBeGreaterThan(1);
  });

  it('in serve (TopDestinationSeries on a live analyzer), across joins, leaves and resets', async () => {
    let totals = { joins: 0, leaves: 0, resets: 0 };
    for (const seed of [1, 2, 3, 4]) {
      const { analyzer, send } = await countingAnalyzer();
      const series = new TopDestinationSeries(K);
      const history = scenario(seed, {
        add: send,
        reset: () => analyzer.reset(),
        scrape: () => {
          const sample = series.sample(analyzer);
          return { members: sample.members, other: sample.other.packets };
        },
      });
      const c = coverage(history);
      totals = { joins: totals.joins + c.joins, leaves: totals.leaves + c.leaves, resets: totals.resets + c.resets };
    }
    expect(totals.joins).toBeGreaterThan(5);
    expect(totals.leaves).toBeGreaterThan(5);
    expect(totals.resets).toBeGreaterThan(1);
  });

  it('gives the top K their whole counts on a finished capture, other the rest', async () => {
    const { analyzer, send } = await countingAnalyzer();
    const sent = new Map([['10.0.0.1', 9], ['10.0.0.2', 7], ['10.0.0.3', 5], ['10.0.0.4', 2], ['10.0.0.5', 1]]);
    for (const [address, n] of sent) send(address, n);
    const series = new TopDestinationSeries(K);
    for (let scrape = 0; scrape < 3; scrape++) {
      const sample = series.sample(analyzer);
      expect(new Map(sample.members.map((d) => [d.address, d.packets]))).toEqual(new Map([...sent].slice(0, K)));
      expect(sample.other.packets).toBe([...sent.values()].slice(K).reduce((a, b) => a + b, 0));
    }
  });
});



describe('serve /metrics sums', () => {
  it('route series + unrouted + removed are counted after deletes and replaces; destinations add up too', async () => {
    const { fib, analyzer, send } = await countingAnalyzer('10.0.0.0/16 192.0.2.1 eth0\n10.0.1.0/24 192.0.2.2 eth0\n10.0.2.0/24 192.0.2.3 eth0\n');
    const server = new FibscopeServer({ fib, analyzer, topDestinations: K, onError: (error) => { throw error; } });
    const { port }: AddressInfo = await server.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${port}`;
    try {
      const random = new Random(9);
      let counted = 0;
      let previous: { removed: number; destinations: Map<string, number> } | undefined;
      const changes = [
        () => fetch(`${base}/routes/10.0.1.0/24`, { method: 'DELETE' }),
        () => fetch(`${base}/routes`, { method: 'POST', body: '10.0.2.0/24 192.0.2.9 eth1\n' }), // replaced: another route
        () => fetch(`${base}/routes`, { method: 'POST', body: '10.0.1.0/24 192.0.2.2 eth0\n' }), // back again, from 0
        () => fetch(`${base}/routes/10.0.0.0/16`, { method: 'DELETE' }), // what it caught is unrouted from now on
        () => fetch(`${base}/routes/10.0.2.0/24`, { method: 'DELETE' }),
      ];
      for (let step = 0; step <= changes.length; step++) {
        for (let i = 0; i < 20; i++) {
          const n = 1 + random.below(4);
          send(POOL[random.below(POOL.length)], n);
          counted += n;
        }
        const text = await (await fetch(`${base}/metrics`)).text();
        expect(sumOfSamples(familySamples(text, 'fibscope_counted_packets_total'))).toBe(counted);
        const routed = sumOfSamples(familySamples(text, 'fibscope_route_packets_total'));
        const unrouted = sumOfSamples(familySamples(text, 'fibscope_unrouted_packets_total'));
        const removed = sumOfSamples(familySamples(text, 'fibscope_removed_route_packets_total'));
        expect(routed + unrouted + removed, `step ${step}`).toBe(counted);
        const destinations = familySamples(text, 'fibscope_destination_packets_total');
        expect(sumOfSamples(destinations)).toBe(counted);
        if (previous) {
          expect(removed).toBeGreaterThanOrEqual(previous.removed);
          for (const [labels, value] of destinations) {
            if (previous.destinations.has(labels)) expect(value).toBeGreaterThanOrEqual(previous.destinations.get(labels)!);
          }
        }
        if (step > 0) expect(removed).toBeGreaterThan(0);
        previous = { removed, destinations };
        if (step < changes.length) {
          const answer = await changes[step]();
          expect(answer.status).toBe(200);
          await answer.arrayBuffer();
        }
      }
    } finally {
      await server.close(100);
    }
  });
});
