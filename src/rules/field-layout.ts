/**
 * TEMPORARY: the 64-byte fields block's offsets and flags (the layout the `fields` branch owns in
 * src/classify/fields.ts). Deleted when that branch is merged; everything here then imports
 * from there.
 */
export const FIELD_FAMILY = 0;
export const FIELD_PROTOCOL = 1;
export const FIELD_FLAGS = 2;
export const FIELD_SOURCE_PORT = 4;
export const FIELD_DESTINATION_PORT = 6;
export const FIELD_TCP_FLAGS = 8;
export const FIELD_VLAN_TAGS = 11;
export const FIELD_OUTER_VLAN = 12;
export const FIELD_INTERFACE = 20;
export const FIELD_SOURCE_HI = 24;
export const FIELD_SOURCE_LO = 32;
export const FIELD_DESTINATION_HI = 40;
export const FIELD_DESTINATION_LO = 48;
export const FIELDS_SIZE = 64;

export const FLAG_HAS_PORTS = 1;
export const FLAG_HAS_TCP_FLAGS = 2;
export const FLAG_HAS_PROTOCOL = 32;

/** The fields the rules test, decoded from a block (for the reference evaluator and tests). */
export interface RuleFields {
  family: number;
  protocol: number;
  flags: number;
  sourcePort: number;
  destinationPort: number;
  tcpFlags: number;
  vlanTags: number;
  outerVlan: number;
  interfaceId: number;
  /** IPv4: the address in the low 32 bits; IPv6: the 128 bits. */
  source: bigint;
  destination: bigint;
}

export function readRuleFields(view: DataView, at: number): RuleFields {
  const family = view.getUint8(at + FIELD_FAMILY);
  const address = (hi: number, lo: number): bigint => (family === 6
    ? (view.getBigUint64(at + hi, true) << 64n) | view.getBigUint64(at + lo, true)
    : BigInt(view.getUint32(at + hi, true)));
  return {
    family,
    protocol: view.getUint8(at + FIELD_PROTOCOL),
    flags: view.getUint8(at + FIELD_FLAGS),
    sourcePort: view.getUint16(at + FIELD_SOURCE_PORT, true),
    destinationPort: view.getUint16(at + FIELD_DESTINATION_PORT, true),
    tcpFlags: view.getUint8(at + FIELD_TCP_FLAGS),
    vlanTags: view.getUint8(at + FIELD_VLAN_TAGS),
    outerVlan: view.getUint16(at + FIELD_OUTER_VLAN, true) & 0xfff,
    interfaceId: view.getUint32(at + FIELD_INTERFACE, true),
    source: address(FIELD_SOURCE_HI, FIELD_SOURCE_LO),
    destination: address(FIELD_DESTINATION_HI, FIELD_DESTINATION_LO),
  };
}
