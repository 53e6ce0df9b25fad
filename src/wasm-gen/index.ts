// The WebAssembly binary emitter: see module.ts for the API.
export { ModuleBuilder, FunctionBuilder, I32, I64, VOID } from './module.js';
export type { ValueType, BlockType } from './module.js';
export { encodeUnsigned, encodeSigned32, encodeSigned64 } from './leb128.js';
