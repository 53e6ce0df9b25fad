// Information TLVs (RFC 7854 4.4) of Initiation, Termination and Peer Up messages.
import type { FieldReader } from './field-reader.js';

export const INFO_TYPE = {
  STRING: 0,
  SYS_DESCR: 1,
  SYS_NAME: 2,
} as const;

export interface InfoTlv {
  readonly type: number;
  readonly value: Uint8Array;
}

/** TLVs up to the end of the message; each length checked against the bytes left. */
export function readInfoTlvs(reader: FieldReader, what = 'information TLV'): InfoTlv[] {
  const tlvs: InfoTlv[] = [];
  while (reader.remaining > 0) {
    const type = reader.u16(`${what} type`);
    const length = reader.u16(`${what} length`);
    tlvs.push({ type, value: reader.bytesOf(length, `${what} ${type} value`) });
  }
  return tlvs;
}

const utf8 = new TextDecoder('utf-8');

/** The UTF-8 text of the first TLV of `type` (RFC 7854: strings are not NUL-terminated). */
export function infoText(tlvs: readonly InfoTlv[], type: number): string | undefined {
  const tlv = tlvs.find((t) => t.type === type);
  return tlv ? utf8.decode(tlv.value) : undefined;
}
