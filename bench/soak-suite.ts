// `npm run bench -- soak`: the long soak of bench/soak.ts, and a capture with more distinct
// destinations than the destination table can hold under the default memory limit.
import { Analyzer, Fib } from 'fibscope';
import type { Figure } from './fib.js';
import { runSoak } from './soak.js';

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
  const header = new Uint8Array(24);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, 0xa1b2c3d4, true); hv.setUint16(4, 2, true); hv.setUint16(6, 4, true);
  hv.setUint32(16, 65535, true); hv.setUint32(20, 101, true);
  analyzer.push(header);
  const perChunk = 1 << 16;
  const chunk = new Uint8Array(perChunk * 36);
  const view = new DataView(chunk.buffer);
  const began = performance.now();
  for (let first = 0; first < total; first += perChunk) {
    const count = Math.min(perChunk, total - first);
    for (let i = 0; i < count; i++) {
      const at = i * 36;
      view.setUint32(at, 1_700_000_000, true);
      view.setUint32(at + 8, 20, true);
      view.setUint32(at + 12, 100, true);
      chunk[at + 16] = 0x45;
      view.setUint16(at + 18, 20);
      view.setUint32(at + 32, (first + i) * 0x9e3779b1 >>> 0);
    }
    analyzer.push(chunk.subarray(0, count * 36));
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
  figures.push({ name: 'ceiling: destinations one analyzer holds', value: kept, unit: 'destinations', note: `overflow ${overflow?.packets ?? 0} packets` });
  analyzer.dispose();
  return figures;
}
