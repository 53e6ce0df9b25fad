// The package's Node entry: the same API as index.ts, with the calls that need Node's file system.
export * from './common.js';
export { readRoutesBytes, readRoutesFile } from './routes/read.js';
export { readUpdatesFile } from './updates/read.js';
export { analyzeFile, analyzeFiles } from './analyze/analyze-file.js';
export type { AnalyzeOptions, ProgressListener } from './analyze/analyze-file.js';
export { compareFiles } from './compare/compare-files.js';
export type { CompareOptions } from './compare/compare-files.js';
export { FibscopeServer } from './serve/server.js';
export type { ServeOptions } from './serve/server.js';
