import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { distinctAddresses, rawPcapHeader, rawRecords } from '../bench/raw-capture.js';
import { familySamples, sumOfSamples } from './helpers/serve-process.js';

// A soak of serve as it runs for weeks, sized for the suite: a capture stream with ever-new
// destinations, route changes through the API (adds, replaces, deletes), /metrics with top-K
// destination series, /report, counter resets and analyzers made and disposed beside it. Every
// answer is checked against a reference counted here, and WebAssembly memory must stay flat.

let fib: Fib;
let analyzer: Analyzer;
let server: FibscopeServer;
let base: string;

beforeAll(async () => {
  fib = await Fib.create();
  fib.load('0.0.0.0/1 low\n128.0.0.0/1 high\n');
  analyzer = new Analyzer({ fib, name: 'soak' });
  analyzer.push(rawPcapHeader());
  server = new FibscopeServer({ fib, analyzer, topDestinations: 10, onError: (error) => { throw error; } });
  const address: AddressInfo = await server.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await server.close(100);
  analyzer.dispose();
});



it('answers every scrape, report and route change right through 200 cycles, in flat WebAssembly memory', async () => {
  const { wasm } = fib.engine();
  let counted = 0;
  let bytes = 0;
  let destinations = 0;
  let next = 0;
  let heapAfterWarmup = 0;
  const churn: string[] = [];
  let previous: { series: Map<string, number>; counted: number } | undefined;
  for (let cycle = 1; cycle <= 200; cycle++) {
    // 500 new destinations and 100 repeats of the first of them
    const addresses = Uint32Array.from([...distinctAddresses(500, next), ...distinctAddresses(100, next)]);
    next += 500 * 0x9e3779b1;
    const wire = (i: number) => 60 + (i % 900);
    analyzer.push(rawRecords(addresses, wire, 1_700_000_000 + cycle));
    counted += addresses.length;
    destinations += 500;
    for (let i = 0; i < addresses.length; i++) bytes += wire(i);

    // route changes through the API
    const prefix = `10.${cycle % 256}.0.0/16`;
    const post = await fetch(`${base}/routes`, { method: 'POST', body: `${prefix} hop${cycle % 3}\n172.16.${cycle % 256}.0/24 x\n` });
    expect(post.status).toBe(200);
    churn.push(prefix, `172.16.${cycle % 256}.0/24`);
    while (churn.length > 40) {
      const gone = churn.shift()!;
      const removed = await fetch(`${base}/routes/${encodeURIComponent(gone)}`, { method: 'DELETE' });
      expect([200, 404]).toContain(removed.status);
      await removed.arrayBuffer();
    }
    await post.arrayBuffer();

    // a scrape: the top-K series and `other` add up to counted, none went down since the last
    // scrape (a member that joined starts at 0), and routes + unrouted + removed are counted
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect([...familySamples(text, 'fibscope_counted_packets_total').values()]).toEqual([counted]);
    const perDestination = familySamples(text, 'fibscope_destination_packets_total');
    expect(perDestination.size).toBe(11);
    expect(sumOfSamples(perDestination)).toBe(counted);
    expect(sumOfSamples(familySamples(text, 'fibscope_route_packets_total')) + sumOfSamples(familySamples(text, 'fibscope_unrouted_packets_total'))
      + sumOfSamples(familySamples(text, 'fibscope_removed_route_packets_total'))).toBe(counted);
    if (previous) {
      for (const [labels, value] of perDestination) {
        const before = previous.series.get(labels);
        expect(value).toBeGreaterThanOrEqual(before ?? 0);
        if (before === undefined) expect(value).toBe(0);
      }
    }
    previous = { series: perDestination, counted };

    if (cycle % 10 === 0) {
      const report = await (await fetch(`${base}/report`)).json();
      expect(report.totals.counted).toBe(counted);
      expect(report.totals.bytes).toBe(bytes);
      expect(report.destinations.length).toBe(destinations);
    }
    if (cycle % 7 === 0) {
      const passing = new Analyzer({ fib, name: 'passing' });
      passing.push(rawPcapHeader());
      passing.push(rawRecords(addresses.subarray(0, 10)));
      expect(passing.report().totals.counted).toBe(10);
      passing.dispose();
    }
    if (cycle % 50 === 0) {
      analyzer.reset();
      previous = undefined;
      counted = 0;
      bytes = 0;
      destinations = 0;
    }
    if (cycle === 60) heapAfterWarmup = wasm.memoryHeapEnd();
  }
  // the heap stays where the first reset cycles left it (a little slack for route records)
  expect(wasm.memoryHeapEnd() - heapAfterWarmup).toBeLessThan(2 << 20);
});

it('answers 503 with the reason, not an internal error, once its table ran out of memory half-way', async () => {
  const poisonedFib = await Fib.create();
  poisonedFib.load('0.0.0.0/0 default\n');
  const counting = new Analyzer({ fib: poisonedFib });
  const notices: string[] = [];
  const errors: unknown[] = [];
  const poisoned = new FibscopeServer({ fib: poisonedFib, analyzer: counting, onNotice: (line) => notices.push(line), onError: (e) => errors.push(e) });
  const address: AddressInfo = await poisoned.listen(0, '127.0.0.1');
  try {
    // what a change that outgrew the reserve meets: the raw allocator past the hard limit
    expect(() => poisonedFib.engine().wasm.allocatorAlloc(0xfffffff0)).toThrow(/out of WebAssembly memory/);
    for (const path of ['/metrics', '/report']) {
      const answer = await fetch(`http://127.0.0.1:${address.port}${path}`);
      expect(answer.status).toBe(503);
      expect(await answer.text()).toMatch(/out of WebAssembly memory.*cannot be used any more/);
    }
    expect(errors).toEqual([]);
    expect(notices.filter((line) => line.includes('out of WebAssembly memory'))).toHaveLength(2);
  } finally {
    await poisoned.close(100);
  }
});
