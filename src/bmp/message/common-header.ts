// The common header every BMP message starts with (RFC 7854 4.1): version, length, type.
import { BmpFormatError } from '../errors.js';

export const BMP_VERSION = 3;
export const COMMON_HEADER_LENGTH = 6;
/**
 * The longest message accepted: a Route Monitoring holds one BGP message (65535 bytes at most
 * with RFC 8654) and a Peer Up two OPENs; anything near this is a broken or hostile stream, and
 * its length would otherwise make the collector buffer it whole.
 */
export const MAX_MESSAGE_LENGTH = 1 << 20;

export const MESSAGE_TYPE = {
  ROUTE_MONITORING: 0,
  STATISTICS_REPORT: 1,
  PEER_DOWN: 2,
  PEER_UP: 3,
  INITIATION: 4,
  TERMINATION: 5,
  ROUTE_MIRRORING: 6,
} as const;

export const MESSAGE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Route Monitoring',
  1: 'Statistics Report',
  2: 'Peer Down Notification',
  3: 'Peer Up Notification',
  4: 'Initiation',
  5: 'Termination',
  6: 'Route Mirroring',
};

export interface CommonHeader {
  readonly version: number;
  /** The whole message's length, this header included. */
  readonly length: number;
  readonly type: number;
}

/**
 * The header of the message at `bytes[at]` (6 bytes must be there). Throws BmpFormatError for a
 * version other than 3, a length shorter than the header or longer than MAX_MESSAGE_LENGTH, and
 * an unknown type: after any of these the stream cannot be followed. `streamOffset` (where the
 * message starts in the stream) goes into the error's text.
 */
export function decodeCommonHeader(bytes: Uint8Array, at = 0, streamOffset?: number): CommonHeader {
  const where = streamOffset === undefined ? '' : ` (message at stream byte ${streamOffset})`;
  const version = bytes[at];
  const length = ((bytes[at + 1] << 24) | (bytes[at + 2] << 16) | (bytes[at + 3] << 8) | bytes[at + 4]) >>> 0;
  const type = bytes[at + 5];
  if (version !== BMP_VERSION) {
    throw new BmpFormatError('common header', 0, `version ${version}, only BMP version 3 (RFC 7854) is supported${where}`);
  }
  if (length < COMMON_HEADER_LENGTH) {
    throw new BmpFormatError('common header', 1, `message length ${length} is shorter than the 6-byte common header${where}`);
  }
  if (length > MAX_MESSAGE_LENGTH) {
    throw new BmpFormatError('common header', 1, `message length ${length} is over the limit of ${MAX_MESSAGE_LENGTH} bytes${where}`);
  }
  if (!(type in MESSAGE_TYPE_NAMES)) {
    throw new BmpFormatError('common header', 5, `unknown message type ${type}${where}`);
  }
  return { version, length, type };
}
