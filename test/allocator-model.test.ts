import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instantiate } from '../build/fibscope.js';
import type { FibscopeExports } from '../src/wasm/module.js';
import { Random } from './helpers/random.js';

// The WebAssembly allocator (assembly/memory/alloc.ts) against an obvious model: a list of live
// blocks with the bytes each should hold. After every step no two live blocks overlap, every
// block lies inside memory, and every block still holds what was written into it; after
// everything is freed the heap is back at its start, and the same work again takes no more.

interface Block { ptr: number; size: number; seed: number }

const BUILDS = [
  ['release', '../build/fibscope.wasm'],
  ['debug', '../build/fibscope.debug.wasm'],
] as const;

/** The bare instance, without the host's guard (src/wasm/memory-guard.ts): the allocator as it is. */
async function instance(file: string): Promise<FibscopeExports> {
  const module = await WebAssembly.compile(readFileSync(new URL(file, import.meta.url)));
  return instantiate(module, { env: { table: new WebAssembly.Table({ initial: 1, element: 'anyfunc' }), abort: () => { throw new Error('abort'); } } });
}

function fill(wasm: FibscopeExports, block: Block): void {
  const bytes = new Uint8Array(wasm.memory.buffer, block.ptr, block.size);
  for (let i = 0; i < block.size; i++) bytes[i] = (block.seed + i * 31) & 0xff;
}

function holds(wasm: FibscopeExports, block: Block): boolean {
  const bytes = new Uint8Array(wasm.memory.buffer, block.ptr, block.size);
  for (let i = 0; i < block.size; i++) if (bytes[i] !== ((block.seed + i * 31) & 0xff)) return false;
  return true;
}

function checkLayout(wasm: FibscopeExports, live: Block[]): void {
  const sorted = [...live].sort((a, b) => a.ptr - b.ptr);
  const end = wasm.memoryHeapEnd();
  for (let i = 0; i < sorted.length; i++) {
    const block = sorted[i];
    expect(block.ptr % 8, `block at ${block.ptr} is not 8-aligned`).toBe(0);
    expect(block.ptr + block.size, `block at ${block.ptr} ends past the heap`).toBeLessThanOrEqual(end);
    if (i > 0) {
      const before = sorted[i - 1];
      expect(before.ptr + before.size, `blocks at ${before.ptr} and ${block.ptr} overlap`).toBeLessThanOrEqual(block.ptr);
    }
  }
}

/** Sizes of every kind: tiny, the small classes' edge, slab-sized, large, and odd ones. */
function randomSize(random: Random): number {
  switch (random.below(6)) {
    case 0: return 1 + random.below(64);
    case 1: return 4090 + random.below(12);
    case 2: return 1 + random.below(4096);
    case 3: return 4097 + random.below(60_000);
    case 4: return 65_536 + random.below(3) * 8 - 8;
    default: return 1 + random.below(600_000);
  }
}

/** Runs `steps` random allocs, reallocs and frees; returns the highest heap end seen. */
function drive(wasm: FibscopeExports, random: Random, live: Block[], steps: number, checkEvery: number): number {
  let peak = wasm.memoryHeapEnd();
  for (let step = 0; step < steps; step++) {
    const op = live.length === 0 ? 0 : random.below(10);
    if (op < 5) {
      const size = randomSize(random);
      // one in four through the zeroing tryAlloc, which must zero reused memory as fresh
      const zeroed = random.below(4) === 0;
      const block = { ptr: (zeroed ? wasm.allocatorTryAllocZeroed(size) : wasm.allocatorAlloc(size)) >>> 0, size, seed: random.below(256) };
      if (block.ptr === 0) continue;
      const bytes = new Uint8Array(wasm.memory.buffer, block.ptr, size);
      for (let i = 0; zeroed && i < size; i++) {
        if (bytes[i] !== 0) throw new Error(`tryAllocZeroed left byte ${i} of a ${size}-byte block at ${bytes[i]}`);
      }
      fill(wasm, block);
      live.push(block);
    } else if (op < 8) {
      const index = random.below(live.length);
      const block = live[index];
      const size = randomSize(random);
      // op 7: the zeroing realloc, which must zero what lies past the old size, reused memory or fresh
      const zeroed = op === 7;
      const ptr = zeroed ? wasm.allocatorReallocZeroed(block.ptr, block.size, size) : wasm.allocatorRealloc(block.ptr, block.size, size);
      const moved = { ptr: ptr >>> 0, size, seed: block.seed };
      // the bytes both sizes hold survive the move
      const kept = Math.min(block.size, size);
      const bytes = new Uint8Array(wasm.memory.buffer, moved.ptr, size);
      for (let i = 0; i < kept; i++) {
        if (bytes[i] !== ((block.seed + i * 31) & 0xff)) throw new Error(`realloc lost byte ${i} of a ${block.size}-byte block`);
      }
      for (let i = kept; zeroed && i < size; i++) {
        if (bytes[i] !== 0) throw new Error(`reallocZeroed left byte ${i} of a ${size}-byte block (was ${block.size}) at ${bytes[i]}`);
      }
      fill(wasm, moved);
      live[index] = moved;
    } else {
      const index = random.below(live.length);
      const [block] = live.splice(index, 1);
      expect(holds(wasm, block), `the ${block.size}-byte block at ${block.ptr} was overwritten`).toBe(true);
      wasm.allocatorFree(block.ptr, block.size);
    }
    peak = Math.max(peak, wasm.memoryHeapEnd());
    if (step % checkEvery === 0) checkLayout(wasm, live);
    if (step % (checkEvery * 10) === 0) {
      for (const block of live) expect(holds(wasm, block), `the ${block.size}-byte block at ${block.ptr} was overwritten`).toBe(true);
    }
  }
  return peak;
}

describe.each(BUILDS)('the allocator (%s build)', (_name, file) => {
  it('keeps live blocks apart and whole through random allocs, reallocs and frees of every size', async () => {
    const wasm = await instance(file);
    const start = wasm.memoryHeapEnd();
    const inUse = wasm.memoryBytesInUse();
    for (const seed of [1, 2]) {
      const random = new Random(seed);
      const live: Block[] = [];
      drive(wasm, random, live, 2500, 50);
      checkLayout(wasm, live);
      for (const block of live) {
        expect(holds(wasm, block)).toBe(true);
        wasm.allocatorFree(block.ptr, block.size);
      }
      // everything freed (and the empty slab kept per size given back): the heap is back where it started
      wasm.memoryTrim();
      expect(wasm.memoryHeapEnd()).toBe(start);
      expect(wasm.memoryBytesInUse()).toBe(inUse);
    }
  });

  it('reuses what was freed: the same work again takes the heap no higher', async () => {
    const wasm = await instance(file);
    const start = wasm.memoryHeapEnd();
    const peaks: number[] = [];
    for (let round = 0; round < 3; round++) {
      const live: Block[] = [];
      peaks.push(drive(wasm, new Random(9), live, 2000, 500));
      for (const block of live) wasm.allocatorFree(block.ptr, block.size);
      wasm.memoryTrim();
      expect(wasm.memoryHeapEnd()).toBe(start);
    }
    expect(peaks[1]).toBe(peaks[0]);
    expect(peaks[2]).toBe(peaks[0]);
  });

  it('frees a block of one size for requests of any other size', async () => {
    const wasm = await instance(file);
    const start = wasm.memoryHeapEnd();
    // a megabyte of small blocks of one size, freed, then taken again as large blocks and as
    // small blocks of other sizes: the heap does not grow past the first megabyte
    const small = Array.from({ length: 16_384 }, () => wasm.allocatorAlloc(64) >>> 0);
    const high = wasm.memoryHeapEnd();
    for (const ptr of small) wasm.allocatorFree(ptr, 64);
    wasm.memoryTrim();
    expect(wasm.memoryHeapEnd()).toBe(start);
    const large = Array.from({ length: 8 }, () => wasm.allocatorAlloc(100_000) >>> 0);
    expect(wasm.memoryHeapEnd()).toBeLessThanOrEqual(high);
    for (const ptr of large) wasm.allocatorFree(ptr, 100_000);
    const other = Array.from({ length: 4096 }, () => wasm.allocatorAlloc(200) >>> 0);
    expect(wasm.memoryHeapEnd()).toBeLessThanOrEqual(high);
    for (const ptr of other) wasm.allocatorFree(ptr, 200);
    wasm.memoryTrim();
    expect(wasm.memoryHeapEnd()).toBe(start);
  });

  it('stops at its limit with a clean failure, and what is live survives', async () => {
    const wasm = await instance(file);
    const start = wasm.memoryHeapEnd();
    wasm.memorySetLimits(start + (8 << 20), 1 << 20);
    const live: Block[] = [];
    // optional growth stops at the soft limit with 0, leaving the reserve
    for (;;) {
      const size = 300_000;
      const ptr = wasm.allocatorTryAlloc(size) >>> 0;
      if (ptr === 0) break;
      const block = { ptr, size, seed: live.length };
      fill(wasm, block);
      live.push(block);
    }
    expect(wasm.memoryHeapEnd()).toBeLessThanOrEqual(start + (7 << 20));
    // work under way may use the reserve
    const reserved = wasm.allocatorAlloc(500_000) >>> 0;
    expect(reserved).toBeGreaterThan(0);
    // past the hard limit the call traps, saying how much it wanted
    expect(() => wasm.allocatorAlloc(4 << 20)).toThrow(WebAssembly.RuntimeError);
    expect(wasm.memoryAllocationFailure()).toBe(4 << 20);
    checkLayout(wasm, [...live, { ptr: reserved, size: 500_000, seed: 0 }]);
    for (const block of live) expect(holds(wasm, block)).toBe(true);
  });

  it('grows memory ahead in one step, within the soft limit, and takes nothing', async () => {
    const wasm = await instance(file);
    const start = wasm.memoryHeapEnd();
    wasm.memorySetLimits(start + (24 << 20), 4 << 20);
    wasm.allocatorGrowAhead(12 << 20);
    const grown = wasm.memory.buffer.byteLength;
    expect(grown).toBeGreaterThanOrEqual(start + (12 << 20));
    // nothing taken: the heap's top is where it was
    expect(wasm.memoryHeapEnd()).toBe(start);
    const live: Block[] = [];
    for (let taken = 0; taken + 500_000 <= (12 << 20) - 65_536; taken += 500_000) {
      const block = { ptr: wasm.allocatorTryAllocZeroed(500_000) >>> 0, size: 500_000, seed: live.length };
      expect(block.ptr).toBeGreaterThan(0);
      fill(wasm, block);
      live.push(block);
    }
    // the blocks needed no more memory
    expect(wasm.memory.buffer.byteLength).toBe(grown);
    checkLayout(wasm, live);
    for (const block of live) expect(holds(wasm, block)).toBe(true);
    // never past the soft limit (24 MiB less the 4 MiB reserve from the start)
    wasm.allocatorGrowAhead(64 << 20);
    expect(wasm.memory.buffer.byteLength).toBeLessThanOrEqual(start + (20 << 20) + 65_536);
  });

  it('never wraps near 4 GiB: a request past the address space fails instead of overlapping', async () => {
    const wasm = await instance(file);
    const first = wasm.allocatorAlloc(1024) >>> 0;
    // 4 GiB - 8 bytes: its end would wrap a 32-bit sum
    expect(wasm.allocatorTryAlloc(0xfffffff8) >>> 0).toBe(0);
    expect(() => wasm.allocatorAlloc(0xfffffff8)).toThrow(WebAssembly.RuntimeError);
    const second = wasm.allocatorAlloc(1024) >>> 0;
    expect(second === first || second >= first + 1024 || second + 1024 <= first).toBe(true);
  });

  it('takes a large request from the first free block that holds it, also after requests that none held', async () => {
    const wasm = await instance(file);
    // the model: first fit among the free blocks in address order. First no free block is left
    // that holds 10 000 bytes (the start leaves some), so that the blocks below follow each other
    for (const size of [1 << 20, 10_000]) {
      for (;;) {
        const end = wasm.memoryHeapEnd();
        if ((wasm.allocatorAlloc(size) >>> 0) >= end) break;
      }
    }
    const a = wasm.allocatorAlloc(100_000) >>> 0;
    const b = wasm.allocatorAlloc(10_000) >>> 0;
    const c = wasm.allocatorAlloc(300_000) >>> 0;
    expect([b, c]).toEqual([a + 100_000, a + 110_000]);
    wasm.allocatorAlloc(10_000);
    const g = wasm.allocatorAlloc(500_000) >>> 0;
    wasm.allocatorAlloc(10_000); // keeps the frees below off the top of the heap
    wasm.allocatorFree(a, 100_000);
    wasm.allocatorFree(c, 300_000);
    // no free block holds 400 000 bytes: from the top
    const end = wasm.memoryHeapEnd();
    const top = wasm.allocatorAlloc(400_000) >>> 0;
    expect(top).toBeGreaterThanOrEqual(end);
    // a block freed after that walk is found, and so is one that merging made big enough
    wasm.allocatorFree(g, 500_000);
    expect(wasm.allocatorAlloc(450_000) >>> 0).toBe(g);
    wasm.allocatorFree(b, 10_000);
    expect(wasm.allocatorAlloc(405_000) >>> 0).toBe(a);
  });
});
