// The common header (RFC 4271 4.1): 16 octets of marker (all ones), a length (19..4096, header
// included) and a type.
import { BgpMessageError } from './errors.js';
import {
  ErrorCode, HEADER_LENGTH, HeaderSubcode, MAX_MESSAGE_LENGTH, MESSAGE_TYPE_NAMES, MIN_LENGTH,
} from './constants.js';
import { u16Bytes } from './bytes.js';

export interface MessageHeader {
  readonly type: number;
  /** The whole message's length, header included. */
  readonly length: number;
}

/**
 * The header at `bytes[offset]` (19 octets must be there), checked as RFC 4271 6.1 says: the
 * marker, the length against the limits and against the type's own minimum (KEEPALIVE exactly 19),
 * and the type.
 */
export function decodeHeader(bytes: Uint8Array, offset: number): MessageHeader | BgpMessageError {
  for (let i = 0; i < 16; i++) {
    if (bytes[offset + i] !== 0xff) {
      return new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED, `marker octet ${i} is 0x${bytes[offset + i].toString(16).padStart(2, '0')}, not 0xff`);
    }
  }
  const length = (bytes[offset + 16] << 8) | bytes[offset + 17];
  const type = bytes[offset + 18];
  const lengthField = bytes.slice(offset + 16, offset + 18);
  if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
    return new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `message length ${length} outside ${HEADER_LENGTH}..${MAX_MESSAGE_LENGTH}`, lengthField);
  }
  const minimum = MIN_LENGTH[type];
  if (minimum === undefined) {
    return new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, `message type ${type} is not 1..5`, Uint8Array.of(type));
  }
  if (length < minimum || (type === 4 && length !== 19)) {
    return new BgpMessageError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, `${MESSAGE_TYPE_NAMES[type]} of length ${length}, ${type === 4 ? 'exactly 19' : `at least ${minimum}`} expected`, lengthField);
  }
  return { type, length };
}

/** A whole message: header and body. */
export function encodeMessage(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out.fill(0xff, 0, 16);
  out.set(u16Bytes(out.length), 16);
  out[18] = type;
  out.set(body, HEADER_LENGTH);
  return out;
}
