// KEEPALIVE (RFC 4271 4.4): the header alone; its length is checked by decodeHeader.
import { MessageType } from './constants.js';
import { encodeMessage } from './header.js';

export function encodeKeepalive(): Uint8Array {
  return encodeMessage(MessageType.KEEPALIVE, new Uint8Array(0));
}
