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
    const failed = (error: unknown): never => {
      const wanted = error instanceof WebAssembly.RuntimeError ? exports.memoryAllocationFailure() : 0;
      if (wanted <= 0) throw error;
      const limit = exports.memoryLimit();
      failure = new FibscopeOutOfMemoryError('WebAssembly memory',
        `out of WebAssembly memory: ${name} needed ${wanted} more bytes past the ${limit}-byte limit half-way through `
        + 'its work; this table and its analyzers cannot be used any more (load the routes into a new Fib)', true);
      throw failure;
    };
    // a wrapper of the function's own arity: V8 calls these as cheaply as the export itself,
    // where rest parameters and apply cost some 7% of a small route change
    guarded[name] = wrapperOfArity(call.length, call, () => failure, failed);
  }
  return guarded as unknown as FibscopeExports;
}

type Call = (...args: unknown[]) => unknown;

function wrapperOfArity(arity: number, call: Call, poisoned: () => Error | undefined, failed: (error: unknown) => never): Call {
  const check = () => {
    const failure = poisoned();
    if (failure) throw failure;
  };
  switch (arity) {
    case 0: return () => { check(); try { return call(); } catch (e) { return failed(e); } };
    case 1: return (a) => { check(); try { return call(a); } catch (e) { return failed(e); } };
    case 2: return (a, b) => { check(); try { return call(a, b); } catch (e) { return failed(e); } };
    case 3: return (a, b, c) => { check(); try { return call(a, b, c); } catch (e) { return failed(e); } };
    case 4: return (a, b, c, d) => { check(); try { return call(a, b, c, d); } catch (e) { return failed(e); } };
    default: return (...args) => { check(); try { return call(...args); } catch (e) { return failed(e); } };
  }
}
