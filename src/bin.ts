#!/usr/bin/env node
// The `fibscope` program (package.json "bin"): runs the command line from compiled code kept
// between runs. Node 22.1 and later keep it themselves once their compile cache is on (in a
// directory under the system's temporary directory, or NODE_COMPILE_CACHE): about 10 ms of each
// run on Node 24. Node 20 has no such cache: src/code-cache.ts keeps one (20 ms of each run).
import module from 'node:module';

const nodeCache = (module as { enableCompileCache?: () => unknown }).enableCompileCache;
const hasBuiltins = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';
if (!nodeCache && hasBuiltins) {
  // Node 20.16 and later: the bundle's one import() of a Node module has another way in (src/wasm/module.ts)
  (await import('./code-cache.js')).runFromCodeCache();
} else {
  nodeCache?.();
  await import('./cli.js');
}
