import { FibscopeArgumentError } from '../errors.js';
import {
  createPrefixBuffer, maskV4, maskV6, prefixErrorReason, scanPrefix, PREFIX_OK,
} from './address.js';

/** A prefix as the table takes it: IPv4 host-order in `v4`, IPv6 network-order bytes in `v6`. */
export interface PrefixKey {
  family: 4 | 6;
  length: number;
  v4: number;
  v6: Uint8Array;
}

const scratch = createPrefixBuffer();

/**
 * Parses `ADDR/LEN`, a bare address (a host route) or `default` (0.0.0.0/0) for the API into
 * `into` (reused by the caller, so one API call allocates nothing). Host bits are cleared.
 * Throws FibscopeArgumentError saying what is wrong.
 */
export function parsePrefixText(text: string, into: PrefixKey): PrefixKey {
  if (typeof text !== 'string') throw new FibscopeArgumentError(`a prefix must be a string, got ${typeof text}`);
  if (text === 'default') {
    into.family = 4;
    into.length = 0;
    into.v4 = 0;
    return into;
  }
  const status = scanPrefix(text, 0, text.length, scratch);
  if (status !== PREFIX_OK) throw new FibscopeArgumentError(prefixErrorReason(status, text));
  into.length = scratch.length;
  if (scratch.family === 4) {
    into.family = 4;
    into.v4 = maskV4(scratch.v4, scratch.length);
  } else {
    into.family = 6;
    into.v6.set(scratch.v6);
    maskV6(into.v6, 0, scratch.length);
  }
  return into;
}
