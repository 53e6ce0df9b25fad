import { FibscopeError } from '../errors.js';
import type { UpdateStream } from './types.js';

/** `readUpdatesFile` where there is no file system: says what to use instead. */
export async function readUpdatesFile(path: string): Promise<UpdateStream> {
  throw new FibscopeError('NODE_ONLY', `readUpdatesFile('${path}') needs Node's file system; in a browser, read the file yourself and pass its text to parseUpdates`);
}
