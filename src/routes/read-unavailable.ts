import { FibscopeError } from '../errors.js';
import type { ReadRoutesOptions } from './read.js';
import type { RouteList } from './route-list.js';

/** `readRoutesFile` where there is no file system: says what to use instead. */
export async function readRoutesFile(path: string, _options?: ReadRoutesOptions, _into?: RouteList): Promise<RouteList> {
  throw new FibscopeError('NODE_ONLY',
    `readRoutesFile('${path}') needs Node's file system; in a browser, read the file yourself and pass its text to parseRoutes or fib.load`);
}

/** `readRoutesBytes` where there is no file system: says what to use instead. */
export async function readRoutesBytes(path: string): Promise<Uint8Array> {
  throw new FibscopeError('NODE_ONLY',
    `readRoutesBytes('${path}') needs Node's file system; in a browser, pass the file's bytes (await file.bytes()) to fib.load`);
}
