import { FibscopeError } from '../errors.js';

/**
 * A record of an MRT file that is not what RFC 6396 says it is: names the file and the byte offset
 * of the record (and of the field, where known). Code 'ROUTE_FORMAT', as a bad line of a text routes file.
 */
export class MrtFormatError extends FibscopeError {
  constructor(readonly source: string, readonly offset: number, message: string) {
    super('ROUTE_FORMAT', `${source}@${offset}: ${message}`);
  }
}
