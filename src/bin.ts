#!/usr/bin/env node
// The `fibscope` program (package.json "bin"): turns on Node's compile cache, then runs the
// command line. With the cache (Node 22.1 and later; older versions have none and start as
// before), the bundled command line, dist/cli.js, is not compiled afresh at every start: about
// 10 ms of each run on Node 24. Node keeps the cache in its own directory under the system's
// temporary directory, or in NODE_COMPILE_CACHE.
import module from 'node:module';

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./cli.js');
