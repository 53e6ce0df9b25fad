// OPEN (RFC 4271 4.2) with its optional parameters (RFC 5492 capabilities; RFC 9072's extended
// parameter length read too). Whether the values are acceptable is the session's decision.
import { formatIPv4 } from '../../net/address.js';
import { ErrorCode, MessageType, OPTIONAL_PARAMETER_CAPABILITIES, OpenSubcode } from './constants.js';
import { BgpMessageError } from './errors.js';
import { addressBytes, concatBytes, readU16, readU32, u16Bytes } from './bytes.js';
import { encodeMessage } from './header.js';
import { type Capabilities, decodeCapabilities, emptyCapabilities, encodeCapabilities, twoOctetAs } from './capabilities.js';

export interface OpenMessage {
  readonly version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS for a 4-octet AS). */
  readonly myAs: number;
  /** The sender's AS: the 4-octet AS capability's, else `myAs`. */
  readonly as: number;
  readonly holdTime: number;
  /** Dotted quad. */
  readonly bgpIdentifier: string;
  readonly bgpIdentifierValue: number;
  readonly capabilities: Capabilities;
}

function openError(subcode: number, reason: string): BgpMessageError {
  return new BgpMessageError(ErrorCode.OPEN_MESSAGE, subcode, reason);
}

/** `bytes` is the whole message, header included (at least 29 octets, decodeHeader checked). */
export function decodeOpen(bytes: Uint8Array): OpenMessage | BgpMessageError {
  const end = bytes.length;
  if (end < 29) return openError(OpenSubcode.UNSPECIFIC, `OPEN of ${end} octets, at least 29 needed`);
  const version = bytes[19];
  const myAs = readU16(bytes, 20);
  const holdTime = readU16(bytes, 22);
  const bgpIdentifierValue = readU32(bytes, 24);
  let parametersLength = bytes[28];
  let i = 29;
  let extended = false;
  // RFC 9072: a length of 255 and a first parameter type of 255 announce a 2-octet length after it.
  if (parametersLength === 255 && end > 29 && bytes[29] === 255) {
    if (end < 32) return openError(OpenSubcode.UNSPECIFIC, 'extended optional parameters length cut');
    parametersLength = readU16(bytes, 30);
    i = 32;
    extended = true;
  }
  if (i + parametersLength !== end) {
    return openError(OpenSubcode.UNSPECIFIC, `optional parameters length ${parametersLength} does not match the ${end - i} octets after it`);
  }
  const capabilities = emptyCapabilities();
  while (i < end) {
    const headerLength = extended ? 3 : 2;
    if (end - i < headerLength) return openError(OpenSubcode.UNSPECIFIC, `optional parameter header cut at octet ${i - 19}`);
    const type = bytes[i];
    const length = extended ? readU16(bytes, i + 1) : bytes[i + 1];
    const value = i + headerLength;
    if (value + length > end) return openError(OpenSubcode.UNSPECIFIC, `optional parameter ${type} length ${length} runs past the OPEN`);
    i = value + length;
    if (type !== OPTIONAL_PARAMETER_CAPABILITIES) {
      return openError(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${type} (only 2, capabilities, is supported)`);
    }
    const problem = decodeCapabilities(bytes, value, i, capabilities);
    if (problem) return openError(OpenSubcode.UNSPECIFIC, problem);
  }
  return {
    version, myAs, as: capabilities.fourOctetAs ?? myAs, holdTime,
    bgpIdentifier: formatIPv4(bgpIdentifierValue), bgpIdentifierValue, capabilities,
  };
}

export interface OpenFields {
  /** The real AS: written as AS_TRANS in the 2-octet field above 65535. */
  readonly as: number;
  readonly holdTime: number;
  readonly bgpIdentifier: string;
  readonly capabilities: Capabilities;
  /** Default 4. */
  readonly version?: number;
}

export function encodeOpen(o: OpenFields): Uint8Array {
  const capabilities = encodeCapabilities(o.capabilities);
  const parameters = capabilities.length > 0
    ? concatBytes([Uint8Array.of(OPTIONAL_PARAMETER_CAPABILITIES, capabilities.length), capabilities])
    : new Uint8Array(0);
  return encodeMessage(MessageType.OPEN, concatBytes([
    Uint8Array.of(o.version ?? 4), u16Bytes(twoOctetAs(o.as)), u16Bytes(o.holdTime), addressBytes(o.bgpIdentifier),
    Uint8Array.of(parameters.length), parameters,
  ]));
}
