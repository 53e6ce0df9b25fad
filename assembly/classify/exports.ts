// Exports of the packet fields and capture interfaces: the interface registry for the host (it
// names pcap inputs' interfaces and lists the names), and a per-frame entry point that runs the
// same decode as the counting loop, for tests and reference models.

import { CaptureInput } from '../capture/input';
import { decodeLink, networkOffset } from '../parse/link';
import { decodeIPv4, decodeIPv6 } from '../parse/ip';
import { FRAME_IPV4, FRAME_IPV6 } from '../parse/status';
import { decodeFields, FIELDS_BYTES } from './fields';
import {
  currentInterface, interfaceNameAt as nameAt, interfaceNameLength as nameLength, interfaceNames,
  MAX_INTERFACE_NAME, registerInterface,
} from './interfaces';

/** Size of a fields block (classify/fields.ts). */
export function fieldsBytes(): u32 {
  return <u32>FIELDS_BYTES;
}

/**
 * Decodes the frame of `caplen` bytes at `data` as the counting loop does and writes its fields at
 * `out`, with the current interface (the last record a capture input read). Returns the frame kind
 * (parse/status.ts).
 */
export function fieldsOfFrame(linkType: u32, data: usize, caplen: u32, out: usize): i32 {
  let frame = decodeLink(linkType, data, caplen);
  if (frame == FRAME_IPV4) frame = decodeIPv4(data, caplen, networkOffset);
  else if (frame == FRAME_IPV6) frame = decodeIPv6(data, caplen, networkOffset);
  decodeFields(linkType, data, caplen, frame, out);
  return frame;
}

/** The number of the interface name of `length` bytes at `at` (registered if new); -1 when longer than 255 bytes, 0 when empty. */
export function interfaceRegister(at: usize, length: u32): i32 {
  if (length > MAX_INTERFACE_NAME) return -1;
  return <i32>registerInterface(at, length);
}

/** How many names are registered: the numbers 1..interfaceCount. */
export function interfaceCount(): u32 {
  return interfaceNames;
}

/** Bytes of interface `number`'s name (0: none). */
export function interfaceNameLength(number: u32): u32 {
  return nameLength(number);
}

/** Where interface `number`'s name is, valid until the next registration. */
export function interfaceNameAt(number: u32): usize {
  return nameAt(number);
}

/** The interface number of the record last read by any capture input. */
export function interfaceCurrent(): u32 {
  return currentInterface;
}

/** Gives every record of pcap input `input` interface `number` (0, or one interfaceRegister gave); false for a number not in use. */
export function inputSetInterface(input: usize, number: u32): bool {
  if (number > interfaceNames) return false;
  changetype<CaptureInput>(input).pcapInterface = number;
  return true;
}
