// Where the analysis worker's script lies: dist/worker.js, src/threads/worker.ts bundled into one
// file (rolldown.config.mjs). At the top of src/ for the same reason as wasm-url.ts: dist/cli.js,
// the bundled command line, sits at this depth.

/** The script each analysis thread runs (src/threads/worker.ts, bundled). */
export const WORKER_URL = new URL('./worker.js', import.meta.url);
