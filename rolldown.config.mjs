// The command line and the thread worker bundled, each into one file over what tsc wrote: Node
// then loads one module instead of about 160 (with commander, cli-table3 and cli-progress), which
// saves about 50 ms at every start (README, "Speed against native code"), and a worker of
// `analyze --threads` one instead of about 100 (40 ms of its start). The library (dist/node.js,
// dist/index.js) stays as tsc wrote it. Both bundles sit at dist/'s top, where src/wasm-url.ts
// and src/worker-url.ts make the paths to the package's own files.
import { chmodSync } from 'node:fs';
import { defineConfig } from 'rolldown';

const bundle = (input, file) => ({
  input,
  platform: 'node',
  logLevel: 'warn',
  output: { file, format: 'esm', codeSplitting: false },
});

export default defineConfig([
  // the same command line as CommonJS, for Node 20's code cache (src/code-cache.ts); built first,
  // from what tsc wrote, before the bundle below takes dist/cli.js's place
  {
    input: 'dist/cli.js',
    platform: 'node',
    logLevel: 'warn',
    output: { file: 'dist/cli.cjs', format: 'cjs', codeSplitting: false, banner: '"use strict";' },
  },
  {
    ...bundle('dist/cli.js', 'dist/cli.js'),
    // a new file is written 0644: it must be executable, as must the package's bin that starts it
    // (dist/bin.js, src/bin.ts as tsc wrote it)
    plugins: [{ name: 'executable', writeBundle: (options) => { for (const file of [options.file, 'dist/bin.js']) chmodSync(file, 0o755); } }],
  },
  bundle('dist/threads/worker.js', 'dist/worker.js'),
]);
