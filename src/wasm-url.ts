// Where the WebAssembly module lies: build/ beside dist/ (or src/, for Vite). This file sits at the
// top of src/ so the path is the same from dist/cli.js, the command line bundled into one file
// (rolldown.config.mjs), as from the modules tsc writes.

/** The compiled module, for callers that do not hand one over. */
export const WASM_URL = new URL('../build/fibscope.wasm', import.meta.url);
