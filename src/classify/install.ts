import { functionTable, type FibscopeExports } from '../wasm/module.js';

/**
 * A function compiled at run time (a filter, a rule set), instantiated against an instance's
 * memory and put in its function table, where the per-packet loop calls it by `slot`.
 */
export interface InstalledFunction {
  readonly slot: number;
  /** Empties the slot for reuse: nothing may call it any more. */
  release(): void;
}

/** Slots emptied by release, per table, reused before the table grows. */
const freeSlots = new WeakMap<WebAssembly.Table, number[]>();

/**
 * Instantiates `bytes` (a module importing `env.memory`) beside `wasm` and installs its export
 * `name`. Synchronous: browsers allow it off the main thread, and on it for modules under 8 MB.
 */
export function installFunction(wasm: FibscopeExports, bytes: Uint8Array, name: string): InstalledFunction {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(module, { env: { memory: wasm.memory } });
  const fn = instance.exports[name];
  if (typeof fn !== 'function') throw new Error(`the compiled module has no function ${name}`);
  const table = functionTable(wasm);
  let free = freeSlots.get(table);
  if (!free) freeSlots.set(table, free = []);
  const slot = free.pop() ?? table.grow(1);
  table.set(slot, fn);
  let released = false;
  return {
    slot,
    release() {
      if (released) return;
      released = true;
      table.set(slot, null);
      free.push(slot);
    },
  };
}
