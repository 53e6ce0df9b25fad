// MRT has no magic number: a file is taken for MRT when it opens with a run of well-formed record
// headers (RFC 6396 2): a plausible timestamp, a type and subtype RFC 6396 defines, and a length
// that stays within the file. Text cannot pass: its bytes make no known type (`1.`, `TA`...).

import { isKnownSubtype, isKnownType } from './constants.js';
import { MRT_HEADER_LENGTH } from './records.js';

const HEADERS_CHECKED = 16;
/** 1980-01-01 and 2100-01-01: a collector's clock is somewhere between. */
const EARLIEST = 315_532_800;
const LATEST = 4_102_444_800;

/**
 * True when `bytes` start with up to 16 well-formed MRT record headers, each record within the
 * file; the last one looked at may run past the end of the file (a truncated file) if at least
 * one whole record comes before it.
 */
export function looksLikeMrt(bytes: Uint8Array): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let whole = 0;
  while (whole < HEADERS_CHECKED && at < bytes.length) {
    if (bytes.length - at < MRT_HEADER_LENGTH) return whole > 0;
    const timestamp = view.getUint32(at);
    const type = view.getUint16(at + 4);
    const subtype = view.getUint16(at + 6);
    const length = view.getUint32(at + 8);
    if (timestamp < EARLIEST || timestamp > LATEST || !isKnownType(type) || !isKnownSubtype(type, subtype)) return false;
    at += MRT_HEADER_LENGTH + length;
    if (at > bytes.length) return whole > 0;
    whole++;
  }
  return whole > 0;
}
