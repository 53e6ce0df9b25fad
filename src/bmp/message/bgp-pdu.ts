// The BGP messages a BMP message carries (OPENs in Peer Up, an UPDATE in Route Monitoring, a
// NOTIFICATION in Peer Down): their 19-byte header checked here, their body left to src/bgp/.
import type { FieldReader } from './field-reader.js';

export const BGP_HEADER_LENGTH = 19;
/** RFC 8654 extended messages; 4096 without. */
const BGP_MAX_LENGTH = 65535;

export const BGP_TYPE = { OPEN: 1, UPDATE: 2, NOTIFICATION: 3, KEEPALIVE: 4 } as const;
const BGP_TYPE_NAMES = ['', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE-REFRESH'];

/**
 * The BGP message of type `type` at the reader (its whole bytes, header included), checked: the
 * all-ones marker, a length from 19 to the bytes left, the type. `what` names it in errors.
 */
export function readBgpMessage(reader: FieldReader, type: number, what: string): Uint8Array {
  const start = reader.offset;
  const marker = reader.bytesOf(16, `${what}'s marker`);
  if (marker.some((b) => b !== 0xff)) throw reader.error(`${what}'s BGP marker is not all ones`, start);
  const length = reader.u16(`${what}'s length`);
  const actualType = reader.u8(`${what}'s type`);
  if (length < BGP_HEADER_LENGTH || length > BGP_MAX_LENGTH) {
    throw reader.error(`${what}'s BGP length ${length} is not within 19..65535`, start + 16);
  }
  if (actualType !== type) {
    throw reader.error(`${what} is a BGP ${BGP_TYPE_NAMES[actualType] ?? `type ${actualType}`} message, not ${BGP_TYPE_NAMES[type]}`, start + 18);
  }
  reader.bytesOf(length - BGP_HEADER_LENGTH, `${what}'s body (BGP length ${length})`);
  return reader.slice(start, reader.offset);
}
