import { describe, expect, it } from 'vitest';
import { Analyzer, Fib, FibscopeOutOfMemoryError } from '../src/index.js';
import { distinctAddresses, rawPcapHeader, rawRecords } from '../bench/raw-capture.js';
import { tempDir } from './helpers/temp-dir.js';

// WebAssembly memory is finite (4 GiB for wasm32, less with memoryLimit). These tests set a small
// limit and go past it: growth stops with a clear outcome, and every number that is reported is
// exact, checked against the same work done without the limit.

const ROUTES = '10.0.0.0/8 a\n0.0.0.0/1 b\n128.0.0.0/1 c\n';
const LIMIT = 24 << 20;

async function table(memoryLimit?: number): Promise<Fib> {
  const fib = await Fib.create(memoryLimit ? { memoryLimit } : {});
  fib.load(ROUTES);
  return fib;
}

function countInto(analyzer: Analyzer, addresses: Uint32Array, wire: (i: number) => number): void {
  analyzer.push(rawPcapHeader());
  for (let start = 0; start < addresses.length; start += 50_000) {
    const slice = addresses.subarray(start, start + 50_000);
    analyzer.push(rawRecords(slice, (i) => wire(start + i)));
  }
  analyzer.end();
}

describe('a destination table that fills its memory', () => {
  it('stops adding destinations, counts the rest in an overflow bucket, and every other count stays exact', async () => {
    const addresses = distinctAddresses(150_000);
    const wire = (i: number) => 40 + (i % 1400);
    const limited = new Analyzer({ fib: await table(LIMIT) });
    const free = new Analyzer({ fib: await table() });
    countInto(limited, addresses, wire);
    countInto(free, addresses, wire);
    const small = limited.report();
    const full = free.report();

    expect(full.destinations.length).toBe(150_000);
    expect(full.totals.destinationOverflow).toBeUndefined();
    const kept = small.destinations.length;
    expect(kept).toBeGreaterThan(1000);
    expect(kept).toBeLessThan(150_000);
    // the table takes destinations in order of arrival: the first `kept` got in, the rest did not
    const overflowBytes = addresses.subarray(kept).reduce((sum, _, i) => sum + wire(kept + i), 0);
    expect(small.totals.destinationOverflow).toEqual({ packets: 150_000 - kept, bytes: overflowBytes });
    // everything else is what the unlimited table counted
    const { destinationOverflow: _, ...totals } = small.totals;
    expect(totals).toEqual(full.totals);
    const byAddress = new Map(full.destinations.map((d) => [d.address, d]));
    for (const destination of small.destinations) expect(destination).toEqual(byAddress.get(destination.address));
    const routePackets = (report: typeof full) => report.routes.map((r) => [r.prefix, r.packets, r.bytes]);
    expect(routePackets(small)).toEqual(routePackets(full));
    // what is counted under a destination and in the bucket adds up to everything counted
    const listed = small.destinations.reduce((sum, d) => sum + Number(d.packets), 0);
    expect(listed + Number(small.totals.destinationOverflow!.packets)).toBe(small.totals.counted);
  });

  it('still reports after overflowing, again and again, without growing', async () => {
    const fib = await table(LIMIT);
    const analyzer = new Analyzer({ fib });
    const { wasm } = fib.engine();
    analyzer.push(rawPcapHeader());
    let heapAfterFirst = 0;
    for (let round = 0; round < 40; round++) {
      analyzer.push(rawRecords(distinctAddresses(5000, 0x0b000000 + round * 5000, 1)));
      const report = analyzer.report();
      expect(report.totals.counted).toBe((round + 1) * 5000);
      if (round === 20) heapAfterFirst = wasm.memoryHeapEnd();
    }
    expect(analyzer.report().totals.destinationOverflow?.packets).toBeGreaterThan(0);
    expect(wasm.memoryHeapEnd()).toBeLessThanOrEqual(heapAfterFirst);
  });
});

describe('a time series past the limit', () => {
  it('is refused with what it would have taken, and a smaller one is then kept', async () => {
    const fib = await table(LIMIT);
    const analyzer = new Analyzer({ fib });
    const routes = [fib.routesFor('10.0.0.0/8')[0].id];
    const start = { seconds: 1_600_000_000, nanoseconds: 0 };
    // 1,000,000 bins of 16 bytes: 16 MB, more than a 24 MiB table has left
    expect(() => analyzer.trackTimeSeries({ routes, start, binNanoseconds: 1e9, bins: 1_000_000 }))
      .toThrow(/no room for 1 routes × 1000000 bins/);
    expect(analyzer.timeSeries()).toBeUndefined();
    analyzer.trackTimeSeries({ routes, start, binNanoseconds: 1e9, bins: 10 });
    analyzer.push(rawPcapHeader());
    analyzer.push(rawRecords(distinctAddresses(5, 0x0a000001, 1), () => 100, 1_600_000_003));
    expect(analyzer.timeSeries()?.[0].packets).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 0, 0]);
  });
});

describe('memory that is given back', () => {
  it('an analyzer made and disposed 20,000 times leaves the heap where the first left it', async () => {
    // the old allocator lost ~65 KB a cycle here: 20,000 cycles would have taken 1.3 GB
    const fib = await table();
    const { wasm } = fib.engine();
    const cycle = () => {
      const analyzer = new Analyzer({ fib });
      analyzer.pushFrame(new Uint8Array([0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 10, 1, 2, 3]), { linkType: 101 });
      expect(analyzer.report().totals.counted).toBe(1);
      analyzer.dispose();
    };
    cycle();
    const heap = wasm.memoryHeapEnd();
    const pages = wasm.memory.buffer.byteLength;
    for (let i = 0; i < 20_000; i++) cycle();
    expect(wasm.memoryHeapEnd()).toBe(heap);
    expect(wasm.memory.buffer.byteLength).toBe(pages);
  });

  it('reports made while destinations keep arriving cost nothing once made', async () => {
    const fib = await table();
    const { wasm } = fib.engine();
    const analyzer = new Analyzer({ fib });
    analyzer.push(rawPcapHeader());
    const heights: number[] = [];
    for (let round = 0; round < 300; round++) {
      analyzer.push(rawRecords(distinctAddresses(100, 0x0c000000 + round * 100, 1)));
      const report = analyzer.report();
      if (round % 50 === 0) expect(report.destinations.length).toBe((round + 1) * 100);
      heights.push(wasm.memoryHeapEnd());
    }
    // the heap grows with the destinations only: 30,000 entries with their index and one
    // report's copy, not a copy per report (the old allocator kept every copy: 360 MB here)
    expect(heights[299] - heights[0]).toBeLessThan(16 << 20);
  });
});

describe('routes that come and go', () => {
  it('a block of routes loaded and removed again and again reuses its ids and its memory', async () => {
    // plain text is loaded through WebAssembly's scanner; it once took fresh ids every time,
    // so a table reloaded every few minutes doubled its route records now and then, for ever
    const fib = await table();
    const { wasm } = fib.engine();
    const block = Array.from({ length: 500 }, (_, i) => `172.${16 + (i >> 8)}.${i & 255}.0/24 reload${i % 3}`).join('\n');
    const cycle = () => {
      expect(fib.load(block).added).toBe(500);
      expect(fib.lookup('172.16.7.9')?.prefix).toBe('172.16.7.0/24');
      for (let i = 0; i < 500; i++) fib.remove(`172.${16 + (i >> 8)}.${i & 255}.0/24`);
      expect(fib.lookup('172.16.7.9')?.prefix).toBe('128.0.0.0/1');
    };
    cycle();
    const heap = wasm.memoryHeapEnd();
    for (let i = 0; i < 300; i++) cycle();
    expect(wasm.memoryHeapEnd()).toBe(heap);
    expect(Math.max(...[...fib.routes()].map((route) => route.id))).toBeLessThan(600);
  });
});

describe('routes past the limit', () => {
  it('a load that would not fit is refused before anything changes', async () => {
    const fib = await Fib.create({ memoryLimit: 16 << 20 });
    fib.load(ROUTES);
    const before = fib.routes();
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(`${(i >>> 8) & 255}.${i & 255}.${(i * 7) & 255}.0/24 nh${i % 5}`);
    let error: unknown;
    try {
      fib.load(lines.join('\n'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FibscopeOutOfMemoryError);
    expect((error as FibscopeOutOfMemoryError).code).toBe('OUT_OF_MEMORY');
    expect((error as Error).message).toMatch(/40000 routes .*nothing was changed/);
    expect(() => fib.load(lines.join('\n'), { source: 'rib.txt' })).toThrow(/40000 routes from rib\.txt may need/);
    expect(fib.routes()).toEqual(before);
    expect(fib.lookup('10.1.2.3')?.prefix).toBe('10.0.0.0/8');
    // the table still takes what fits
    expect(fib.add('192.0.2.0/24', { nextHop: 'x' })).toBeGreaterThanOrEqual(0);
  });

  it('a routes text too big to read is refused whole, whichever of its buffers does not fit', async () => {
    for (const lines of [130_000, 400_000]) {
      const fib = await Fib.create({ memoryLimit: 16 << 20 });
      fib.load(ROUTES);
      const before = [...fib.routes()];
      const text = Array.from({ length: lines }, (_, i) => `${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}.0/24 n`).join('\n');
      expect(() => fib.load(new TextEncoder().encode(text))).toThrow(FibscopeOutOfMemoryError);
      expect([...fib.routes()]).toEqual(before);
      expect(fib.lookup('10.1.2.3')?.prefix).toBe('10.0.0.0/8');
    }
  });

  it('a call that ran out half-way leaves an instance that refuses every later call, never a wrong answer', async () => {
    const fib = await table();
    const { wasm } = fib.engine();
    // the raw allocator past the hard limit: what a change that outgrew the reserve would meet
    expect(() => wasm.allocatorAlloc(0xfffffff0)).toThrow(FibscopeOutOfMemoryError);
    let error: unknown;
    try {
      fib.lookup('10.1.2.3');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FibscopeOutOfMemoryError);
    expect((error as FibscopeOutOfMemoryError).unusable).toBe(true);
    expect(() => new Analyzer({ fib })).toThrow(FibscopeOutOfMemoryError);
  });

  it('memoryLimit is checked', async () => {
    await expect(Fib.create({ memoryLimit: 1000 })).rejects.toThrow(/memoryLimit must be/);
    await expect(Fib.create({ memoryLimit: 2 ** 33 })).rejects.toThrow(/memoryLimit must be/);
    // 4 GiB, as a user writes it, is all wasm32 addresses: taken as its last page's start
    expect((await Fib.create({ memoryLimit: 2 ** 32 })).engine().wasm.memoryLimit()).toBe(2 ** 32 - 65536);
    await expect(Fib.create({ memoryLimit: 64 << 20, memoryReserve: 40 << 20 })).rejects.toThrow(/memoryReserve/);
  });
});

describe('fibscope analyze --memory-limit', () => {
  const CLI = new URL('../dist/cli.js', import.meta.url).pathname;

  it('warns that the destination table filled up, writes the whole report, and exits 0', async () => {
    const { spawnSync } = await import('node:child_process');
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = tempDir('fibscope-limit-');
    const path = join(dir, 'many.pcap');
    const addresses = distinctAddresses(150_000);
    writeFileSync(path, Buffer.concat([rawPcapHeader(), rawRecords(addresses)]));
    const run = spawnSync(process.execPath, [CLI, 'analyze', '--memory-limit', '24MiB', '-f', 'json', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const overflow = report.totals.destinationOverflow;
    expect(overflow.packets).toBe(150_000 - report.destinations.length);
    expect(overflow.bytes).toBe(overflow.packets * 20);
    expect(run.stderr).toContain(`warning: the destination table is full (memory limit): ${overflow.packets} packets`);
    const bad = spawnSync(process.execPath, [CLI, 'analyze', '--memory-limit', 'lots', path], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--memory-limit takes a size such as 512MiB or 2g, not 'lots'");
  });
});
