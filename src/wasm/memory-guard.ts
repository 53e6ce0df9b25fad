import { FibscopeOutOfMemoryError } from '../errors.js';
import type { FibscopeExports } from './module.js';

/**
 * Wraps every exported function so that a call which ran out of WebAssembly memory half-way
 * (the allocator's reserve used up: assembly/memory/alloc.ts) poisons the instance: that call
 * and every later one throw FibscopeOutOfMemoryError instead of reading a half-made change.
 * Other traps (bugs) pass through unchanged.
 */
export function guardMemory(exports: FibscopeExports): FibscopeExports {
  const raw = exports as unknown as Record<string, unknown>;
  const guarded: Record<string, unknown> = {};
  let failure: FibscopeOutOfMemoryError | undefined;
  for (const name in raw) {
    const value = raw[name];
    if (typeof value !== 'function') {
      Object.defineProperty(guarded, name, { get: () => raw[name], enumerable: true });
      continue;
    }
    const call = value as (...args: unknown[]) => unknown;
    guarded[name] = (...args: unknown[]): unknown => {
      if (failure) throw failure;
      try {
        return call.apply(raw, args);
      } catch (error) {
        const wanted = error instanceof WebAssembly.RuntimeError ? exports.memoryAllocationFailure() : 0;
        if (wanted <= 0) throw error;
        const limit = exports.memoryLimit();
        failure = new FibscopeOutOfMemoryError('WebAssembly memory',
          `out of WebAssembly memory: ${name} needed ${wanted} more bytes past the ${limit}-byte limit half-way through `
          + 'its work; this table and its analyzers cannot be used any more (load the routes into a new Fib)', true);
        throw failure;
      }
    };
  }
  return guarded as unknown as FibscopeExports;
}
