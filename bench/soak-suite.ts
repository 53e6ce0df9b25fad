// `npm run bench -- soak`: the long soak of bench/soak.ts, and a capture with more distinct
// destinations than the destination table can hold under the default memory limit.
import { Analyzer, Fib, writeJson } from 'fibscope';
import type { Figure } from './fib.js';
import { distinctAddresses, rawPcapHeader, rawRecords } from './raw-capture.js';
import { runSoak } from './soak.js';

const STRIDE = 0x9e3779b1;

const MiB = 1 << 20;

export async function soakBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const cycles = Number(process.env.FIBSCOPE_SOAK_CYCLES ?? 3000);
  log(`soak: ${cycles} cycles of 1,000 new destinations, 1,000 repeats, 20 route changes, a report`);
  const started = performance.now();
  const soak = await runSoak({
    cycles, newDestinations: 1000, repeats: 1000,
    onProgress: (cycle, f) => {
      if (cycle % 500 === 0) log(`  cycle ${cycle}: heap ${(f.heapPeak / MiB).toFixed(1)} MiB, cycled ${(f.bytesCycled / MiB).toFixed(0)} MiB, RSS ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
    },
  });
  log(`  ${soak.packets} packets in ${((performance.now() - started) / 1000).toFixed(1)} s, counts agreed with the reference throughout`);
  figures.push(
    { name: 'soak: WebAssembly heap after warm-up', value: soak.heapAfterWarmup / MiB, unit: 'MiB' },
    { name: 'soak: WebAssembly heap at its highest', value: soak.heapPeak / MiB, unit: 'MiB' },
    { name: 'soak: bytes through the allocator', value: soak.bytesCycled / MiB, unit: 'MiB', note: `${(soak.bytesCycled / soak.heapPeak).toFixed(0)}× the heap` },
    { name: 'soak: RSS at start / highest', value: soak.rssPeak / MiB, unit: 'MiB', note: `start ${(soak.rssStart / MiB).toFixed(0)} MiB` },
  );

  // one destination more than fits: 2^24 + 1 distinct IPv4 destinations
  const total = 2 ** 24 + 1;
  log(`ceiling: ${total} distinct destinations into one analyzer under the default limit`);
  const fib = await Fib.create();
  fib.load('0.0.0.0/0 default\n');
  const analyzer = new Analyzer({ fib });
  analyzer.push(rawPcapHeader());
  const perChunk = 1 << 16;
  const began = performance.now();
  for (let first = 0; first < total; first += perChunk) {
    const count = Math.min(perChunk, total - first);
    analyzer.push(rawRecords(distinctAddresses(count, Math.imul(first, STRIDE) >>> 0, STRIDE), () => 100));
  }
  const countedIn = (performance.now() - began) / 1000;
  // destination objects would be 16.7 million JavaScript objects: read the route's count instead
  const report = analyzer.report({ destinations: false });
  const kept = report.routes[0]?.destinations ?? 0;
  const overflow = report.totals.destinationOverflow;
  log(`  ${kept} destinations kept, overflow ${JSON.stringify(overflow)}, counted ${report.totals.counted} in ${countedIn.toFixed(1)} s; `
    + `WebAssembly memory ${(fib.engine().wasm.memory.buffer.byteLength / MiB).toFixed(0)} MiB`);
  if (Number(report.totals.counted) !== total || kept + Number(overflow?.packets ?? 0) !== total) {
    throw new Error('ceiling: counts do not add up');
  }
  // the JSON report of all of them, streamed from WebAssembly: the table left room for its copy
  const writing = performance.now();
  let jsonBytes = 0;
  let lines = 0;
  writeJson(analyzer.report(), (chunk) => {
    jsonBytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x7b) lines++;
  });
  log(`  the JSON report: ${(jsonBytes / MiB).toFixed(0)} MiB, ${lines} objects, in ${((performance.now() - writing) / 1000).toFixed(1)} s; `
    + `WebAssembly memory ${(fib.engine().wasm.memory.buffer.byteLength / MiB).toFixed(0)} MiB`);
  figures.push({ name: 'ceiling: destinations one analyzer holds', value: kept, unit: 'destinations', note: `overflow ${overflow?.packets ?? 0} packets; its JSON report ${(jsonBytes / MiB).toFixed(0)} MiB` });
  analyzer.dispose();
  return figures;
}
