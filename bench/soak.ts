// A soak of the library as `fibscope serve` uses it for weeks: a capture stream with ever-new
// destinations, route churn (adds, removes, replaces, reloads), reports with and without
// destinations, resets, analyzers made and disposed. It keeps a slow obvious reference of
// what must be counted beside it and checks the two agree, and records how WebAssembly memory
// and the process's RSS move. The test suite runs it briefly (test/soak.test.ts); `npm run bench
// -- soak` runs it long.
import { Analyzer, Fib } from 'fibscope';
import { rawPcapHeader, rawRecords } from './raw-capture.js';

export interface SoakOptions {
  cycles: number;
  /** New destinations per cycle. */
  newDestinations: number;
  /** Packets per cycle to destinations already seen. */
  repeats: number;
  seed?: number;
  /** Told of progress every so many cycles. */
  onProgress?: (cycle: number, figures: SoakFigures) => void;
}

export interface SoakFigures {
  cycles: number;
  packets: number;
  /** Bytes the WebAssembly allocator handed out over the soak (and took back). */
  bytesCycled: number;
  /** The heap's end after the first cycles, and its highest since. */
  heapAfterWarmup: number;
  heapPeak: number;
  /** WebAssembly memory's size (pages × 64 KiB) at the end. */
  memoryBytes: number;
  rssStart: number;
  rssPeak: number;
  reportMs: number;
}

/** A small deterministic generator (xorshift32), so a failing soak can be run again. */
class Stream {
  private state: number;
  constructor(seed: number) { this.state = seed || 1; }
  next(): number {
    let x = this.state;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  below(n: number): number { return this.next() % n; }
}

function prefixText(stream: Stream): string {
  const length = 8 + stream.below(17);
  const address = stream.next() & (length === 0 ? 0 : (~0 << (32 - length)));
  return `${address >>> 24}.${(address >>> 16) & 255}.${(address >>> 8) & 255}.${address & 255}/${length}`;
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`soak: ${what}`);
}

/** Runs the soak; throws on the first disagreement with the reference. */
export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const stream = new Stream(options.seed ?? 2026);
  const fib = await Fib.create();
  const { wasm } = fib.engine();
  const base: string[] = [];
  for (let i = 0; i < 2000; i++) base.push(`${prefixText(stream)} base${i % 7}`);
  fib.load(base.join('\n'));
  const churn: string[] = [];

  const analyzer = new Analyzer({ fib, name: 'soak' });
  analyzer.push(rawPcapHeader());
  // the reference: per destination, packets and bytes since the last reset
  let reference = new Map<number, { packets: number; bytes: number }>();
  let seen: number[] = [];
  let nextAddress = 0x01000000;
  let packets = 0;
  let reportMs = 0;
  const figures: SoakFigures = {
    cycles: 0, packets: 0, bytesCycled: 0, heapAfterWarmup: 0, heapPeak: 0, memoryBytes: 0,
    rssStart: process.memoryUsage().rss, rssPeak: 0, reportMs: 0,
  };
  const takenAtStart = wasm.memoryBytesTakenTotal();

  for (let cycle = 1; cycle <= options.cycles; cycle++) {
    // traffic: new destinations, then repeats of ones seen since the last reset
    const addresses: number[] = [];
    const wires: number[] = [];
    for (let i = 0; i < options.newDestinations; i++) {
      nextAddress = (nextAddress + 0x9e3779b1) >>> 0;
      addresses.push(nextAddress);
      seen.push(nextAddress);
    }
    for (let i = 0; i < options.repeats && seen.length > 0; i++) addresses.push(seen[stream.below(seen.length)]);
    for (const address of addresses) {
      const wire = 40 + stream.below(1460);
      wires.push(wire);
      const entry = reference.get(address);
      if (entry) { entry.packets++; entry.bytes += wire; } else reference.set(address, { packets: 1, bytes: wire });
    }
    analyzer.push(rawRecords(addresses, (i) => wires[i], 1_700_000_000 + cycle));
    packets += addresses.length;

    // route churn: adds, replaces, removes, and now and then a reload of a whole block
    for (let i = 0; i < 20; i++) {
      const prefix = prefixText(stream);
      if (stream.below(3) === 0) fib.replace(prefix, { nextHop: `r${stream.below(9)}`, metric: stream.below(3) });
      else fib.add(prefix, { nextHop: `c${stream.below(9)}`, metric: stream.below(3) });
      churn.push(prefix);
    }
    while (churn.length > 400) fib.remove(churn.splice(stream.below(churn.length), 1)[0]);
    if (cycle % 10 === 0) {
      const block = Array.from({ length: 500 }, (_, i) => `${prefixText(stream)} reload${i % 3}`);
      fib.load(block.join('\n'));
      for (const line of block) fib.remove(line.split(' ')[0]);
    }

    // reports: with destinations, checked against the reference; route counters only
    const started = performance.now();
    if (cycle % 5 === 0) {
      const report = analyzer.report();
      check(report.destinations.length === reference.size, `cycle ${cycle}: ${report.destinations.length} destinations, expected ${reference.size}`);
      for (const destination of report.destinations) {
        const parts = destination.address.split('.').map(Number);
        const key = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
        const expected = reference.get(key);
        check(expected !== undefined && expected.packets === Number(destination.packets) && expected.bytes === Number(destination.bytes),
          `cycle ${cycle}: ${destination.address} counted ${destination.packets}/${destination.bytes}, expected ${expected?.packets}/${expected?.bytes}`);
      }
      const counted = [...reference.values()].reduce((sum, entry) => sum + entry.packets, 0);
      check(Number(report.totals.counted) === counted, `cycle ${cycle}: counted ${report.totals.counted}, expected ${counted}`);
    } else {
      analyzer.report({ destinations: false });
    }
    reportMs += performance.now() - started;

    // analyzers that come and go beside the long-lived one
    if (cycle % 3 === 0) {
      const passing = new Analyzer({ fib, name: 'passing' });
      passing.push(rawPcapHeader());
      passing.push(rawRecords(addresses.slice(0, 50), (i) => wires[i]));
      check(Number(passing.report().totals.counted) === Math.min(50, addresses.length), `cycle ${cycle}: a passing analyzer miscounted`);
      passing.dispose();
    }
    if (cycle % 25 === 0) {
      analyzer.reset();
      reference = new Map();
      seen = [];
    }

    const heap = wasm.memoryHeapEnd();
    if (cycle === Math.min(25, options.cycles)) figures.heapAfterWarmup = heap;
    figures.heapPeak = Math.max(figures.heapPeak, heap);
    figures.rssPeak = Math.max(figures.rssPeak, process.memoryUsage().rss);
    figures.cycles = cycle;
    figures.packets = packets;
    figures.bytesCycled = wasm.memoryBytesTakenTotal() - takenAtStart;
    figures.memoryBytes = wasm.memory.buffer.byteLength;
    figures.reportMs = reportMs;
    if (options.onProgress && cycle % 50 === 0) options.onProgress(cycle, figures);
  }
  analyzer.dispose();
  return figures;
}
