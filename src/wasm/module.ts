import { instantiate } from '../../build/fibscope.js';
import { guardMemory } from './memory-guard.js';
import { WASM_URL } from '../wasm-url.js';

/** The WebAssembly module's exports, as its generated bindings type them. */
export type FibscopeExports = Awaited<ReturnType<typeof instantiate>>;

let compiled: Promise<WebAssembly.Module> | undefined;
/** The compiled module once compileModule has it, for work that cannot wait for it. */
let ready: WebAssembly.Module | undefined;

/** Compiles the module once per process (or page) and hands out the same compiled module after. */
export function compileModule(): Promise<WebAssembly.Module> {
  compiled ??= fetchAndCompile().then((module) => {
    ready = module;
    return module;
  }, (error: unknown) => {
    compiled = undefined; // let a later call try again
    throw error;
  });
  return compiled;
}

/** The compiled module if compileModule has finished, else undefined (nothing is started). */
export function compiledModuleIfReady(): WebAssembly.Module | undefined {
  return ready;
}

async function fetchAndCompile(): Promise<WebAssembly.Module> {
  if (WASM_URL.protocol === 'file:') {
    // Node's own module where it hands it out (20.16 and later): the command line's CommonJS
    // bundle, run from a code cache (src/code-cache.ts), has no import(); else a name bundlers
    // do not follow: browsers never take this branch
    const fsModule = 'node:fs/promises';
    type FsPromises = typeof import('node:fs/promises');
    const builtin = (globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule;
    const { readFile } = (builtin?.(fsModule) ?? await import(/* @vite-ignore */ fsModule)) as FsPromises;
    return WebAssembly.compile(await readFile(WASM_URL));
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`cannot load ${WASM_URL.href}: HTTP ${response.status}`);
  if (typeof WebAssembly.compileStreaming === 'function'
    && response.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** Each instance's function table, where code compiled at run time is put (src/classify/install.ts). */
const functionTables = new WeakMap<FibscopeExports, WebAssembly.Table>();

/** The function table of an instance made by instantiateModule. */
export function functionTable(wasm: FibscopeExports): WebAssembly.Table {
  const table = functionTables.get(wasm);
  if (!table) throw new Error('not an instance of instantiateModule');
  return table;
}

/** A fresh instance: its own memory, so two tables never share state. */
export async function instantiateModule(module?: WebAssembly.Module): Promise<FibscopeExports> {
  // slot 0 stays empty: the module takes index 0 for "none"
  const table = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
  const wasm = guardMemory(await instantiate(module ?? await compileModule(), {
    env: {
      table,
      abort(_message: number, _file: number, line: number, column: number): never {
        throw new Error(`fibscope WebAssembly aborted at ${line}:${column}`);
      },
    },
  }));
  functionTables.set(wasm, table);
  return wasm;
}
