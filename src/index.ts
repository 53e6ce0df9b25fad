// The package's browser (and default) entry: re-exports only. Node gets node.ts.
export * from './common.js';
export { readRoutesBytes, readRoutesFile } from './routes/read-unavailable.js';
export { readUpdatesFile } from './updates/read-unavailable.js';
export { analyzeFile, analyzeFiles } from './analyze/analyze-unavailable.js';
export { compareFiles } from './analyze/analyze-unavailable.js';
export { FibscopeServer } from './serve/server-unavailable.js';
export type { ServeOptions } from './serve/server.js';
