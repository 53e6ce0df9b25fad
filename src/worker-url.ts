// Where the analysis worker's script lies. At the top of src/ for the same reason as wasm-url.ts:
// dist/cli.js, the bundled command line, sits at this depth. The worker itself is not bundled.

/** The script each analysis thread runs (src/threads/worker.ts). */
export const WORKER_URL = new URL('./threads/worker.js', import.meta.url);
