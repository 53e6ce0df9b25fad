// NOTIFICATION (RFC 4271 4.5): error code, subcode and data; sent before closing a session.
import { ErrorCode, MessageType, describeError } from './constants.js';
import { concatBytes } from './bytes.js';
import { encodeMessage } from './header.js';

export interface Notification {
  readonly errorCode: number;
  readonly subcode: number;
  readonly data: Uint8Array;
}

/** `bytes` is the whole message (header included). */
export function decodeNotification(bytes: Uint8Array): Notification {
  return { errorCode: bytes[19], subcode: bytes[20], data: bytes.slice(21) };
}

export function encodeNotification(errorCode: number, subcode: number, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeMessage(MessageType.NOTIFICATION, concatBytes([Uint8Array.of(errorCode, subcode), data]));
}

/**
 * `Cease / Administrative Shutdown (6/2)`, with the RFC 8203 shutdown communication when the
 * data is one (a length octet and that much UTF-8).
 */
export function describeNotification(n: Notification): string {
  let text = describeError(n.errorCode, n.subcode);
  if (n.errorCode === ErrorCode.CEASE && n.data.length > 0 && n.data[0] === n.data.length - 1) {
    text += `: "${new TextDecoder().decode(n.data.subarray(1))}"`;
  }
  return text;
}
