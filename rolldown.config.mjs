// The command line bundled into one file, dist/cli.js, over the entry tsc wrote: Node then
// loads one module instead of about 160 (with commander, cli-table3 and cli-progress), which
// saves about 50 ms at every start (README, "Speed against native code"). The library
// (dist/node.js, dist/index.js) and the thread worker stay as tsc wrote them. Paths to the
// package's own files are made in src/wasm-url.ts and src/worker-url.ts, at dist/cli.js's depth.
import { chmodSync } from 'node:fs';
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli.js',
  platform: 'node',
  logLevel: 'warn',
  output: { file: 'dist/cli.js', format: 'esm', codeSplitting: false },
  // a new file is written 0644: `npx fibscope` and the package's bin need it executable
  plugins: [{ name: 'executable', writeBundle: (options) => chmodSync(options.file, 0o755) }],
});
