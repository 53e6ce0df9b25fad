// Node's built-in modules that only the service (`serve`) or the threads use, loaded when first needed
// rather than when the command line starts: importing `node:http` costs Node 24 about 20 ms of
// its start (`node:https` and `node:tls` load it too), which every `analyze` run would pay.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const nodeHttp = (): typeof import('node:http') => load('node:http');
export const nodeHttps = (): typeof import('node:https') => load('node:https');
export const nodeTls = (): typeof import('node:tls') => load('node:tls');
export const nodeCrypto = (): typeof import('node:crypto') => load('node:crypto');
export const nodeWorkerThreads = (): typeof import('node:worker_threads') => load('node:worker_threads');
export const nodeV8 = (): typeof import('node:v8') => load('node:v8');
export const nodeVm = (): typeof import('node:vm') => load('node:vm');
