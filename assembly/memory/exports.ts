// Exports about memory itself: the limits the host sets, what it reads when a call fails for
// want of memory, and the raw allocator for the property test against a model
// (test/allocator-model.test.ts), which must see exactly what every other caller gets.

import {
  alloc, allocationFailure, availableBytes, belowSoftLimit, bytesTakenTotal, free, growAhead, heapEnd, limitBytes, poolBytesInUse, realloc, reallocZeroed, reserveBytes,
  setLimits, trimSlabs, tryAlloc, tryAllocZeroed, POOL_OTHER,
} from './alloc';

/** Sets the heap's hard limit and the reserve below it, in bytes (numbers up to 2^32). */
export function memorySetLimits(limit: f64, reserve: f64): void {
  setLimits(<u64>limit, <u64>reserve);
}

export function memoryLimit(): f64 { return <f64>limitBytes(); }
export function memoryReserve(): f64 { return <f64>reserveBytes(); }
export function memoryHeapEnd(): f64 { return <f64>heapEnd(); }
export function memoryBelowSoftLimit(): bool { return belowSoftLimit(); }
export function memoryAvailable(): f64 { return <f64>availableBytes(); }
/** Grows memory once for `bytes` more (a bulk load's estimate); views of it are then detached. */
export function memoryPrepare(bytes: f64): void { growAhead(<u64>bytes); }
/** Gives back the empty slab kept per block size (assembly/memory/alloc.ts). */
export function memoryTrim(): void { trimSlabs(); }
/** The size of the request that made the instance trap for want of memory; 0 when none did. */
export function memoryAllocationFailure(): f64 { return <f64>allocationFailure(); }
export function memoryBytesInUse(): f64 { return <f64>poolBytesInUse(POOL_OTHER); }
/** Every byte the allocator has handed out, freed or not. */
export function memoryBytesTakenTotal(): f64 { return <f64>bytesTakenTotal(); }

export function allocatorAlloc(size: u32): usize { return alloc(size, POOL_OTHER); }
export function allocatorTryAlloc(size: u32): usize { return tryAlloc(size, POOL_OTHER); }
export function allocatorTryAllocZeroed(size: u32): usize { return tryAllocZeroed(size, POOL_OTHER); }
export function allocatorGrowAhead(bytes: f64): void { growAhead(<u64>bytes); }
export function allocatorFree(ptr: usize, size: u32): void { free(ptr, size, POOL_OTHER); }
export function allocatorRealloc(ptr: usize, oldSize: u32, newSize: u32): usize {
  return realloc(ptr, oldSize, newSize, POOL_OTHER);
}
export function allocatorReallocZeroed(ptr: usize, oldSize: u32, newSize: u32): usize {
  return reallocZeroed(ptr, oldSize, newSize, POOL_OTHER);
}
