// What the collector needs from the two OPENs a Peer Up carries (RFC 4271 4.2): each side's AS
// and BGP identifier, and whether it offered 4-octet AS numbers (RFC 6793), which decides how the
// peer's UPDATEs encode AS_PATH. Optional parameters in either the classic or the RFC 9072
// extended form.
import { formatIPv4 } from '../../net/address.js';
import { FieldReader } from './field-reader.js';

const OPTIONAL_PARAMETER_CAPABILITIES = 2;
const CAPABILITY_FOUR_OCTET_AS = 65;
/** RFC 9072: this parameter type, where the 1-byte length would be, announces 2-byte lengths. */
const EXTENDED_PARAMETERS = 255;

export interface OpenSummary {
  /** The 4-octet AS from the capability when offered, else the 2-byte My AS field. */
  readonly as: number;
  readonly routerId: string;
  readonly holdTime: number;
  readonly fourOctetAs: boolean;
}

/** `open` is a whole BGP OPEN message (header checked by readBgpMessage); `what` names it in errors. */
export function decodeOpenSummary(open: Uint8Array, what: string): OpenSummary {
  const reader = new FieldReader(open, what, 19);
  const version = reader.u8('BGP version');
  if (version !== 4) throw reader.error(`BGP version ${version}, not 4`, 19);
  let as = reader.u16('My AS');
  const holdTime = reader.u16('hold time');
  const routerId = formatIPv4(reader.u32('BGP identifier'));
  let parametersLength = reader.u8('optional parameters length');
  let extended = false;
  if (parametersLength === 255 && reader.remaining > 0 && open[reader.offset] === EXTENDED_PARAMETERS) {
    reader.u8('extended parameters marker');
    parametersLength = reader.u16('extended optional parameters length');
    extended = true;
  }
  if (parametersLength !== reader.remaining) {
    throw reader.error(`optional parameters length ${parametersLength}, but ${reader.remaining} bytes follow`);
  }
  let fourOctetAs = false;
  while (reader.remaining > 0) {
    const type = reader.u8('optional parameter type');
    const length = extended ? reader.u16('optional parameter length') : reader.u8('optional parameter length');
    const value = reader.bytesOf(length, `optional parameter ${type}`);
    if (type !== OPTIONAL_PARAMETER_CAPABILITIES) continue;
    const capabilities = new FieldReader(value, what, 0);
    while (capabilities.remaining > 0) {
      const code = capabilities.u8('capability code');
      const capability = capabilities.bytesOf(capabilities.u8('capability length'), `capability ${code}`);
      if (code === CAPABILITY_FOUR_OCTET_AS && capability.length === 4) {
        fourOctetAs = true;
        as = ((capability[0] << 24) | (capability[1] << 16) | (capability[2] << 8) | capability[3]) >>> 0;
      }
    }
  }
  return { as, routerId, holdTime, fourOctetAs };
}
