/**
 * The slow, obvious rule evaluator the compiled set is checked against: every rule in turn,
 * every condition as model.ts words it, on decoded fields. Not for the per-packet path.
 */
import type { Prefix } from '../net/address.js';
import {
  FIELD_DESTINATION_HI, FIELD_DESTINATION_LO, FIELD_DESTINATION_PORT, FIELD_FAMILY, FIELD_FLAGS, FIELD_INTERFACE,
  FIELD_PROTOCOL, FIELD_SOURCE_HI, FIELD_SOURCE_LO, FIELD_SOURCE_PORT, FIELD_TCP_FLAGS, FIELD_VLAN_COUNT, FIELD_VLAN_OUTER,
  FLAG_HAS_PORTS, FLAG_HAS_PROTOCOL, FLAG_HAS_TCP_FLAGS,
} from '../classify/fields.js';
import type { PortRange, RuleCondition, RuleSet } from './model.js';

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
    vlanTags: view.getUint8(at + FIELD_VLAN_COUNT),
    outerVlan: view.getUint16(at + FIELD_VLAN_OUTER, true) & 0xfff,
    interfaceId: view.getUint32(at + FIELD_INTERFACE, true),
    source: address(FIELD_SOURCE_HI, FIELD_SOURCE_LO),
    destination: address(FIELD_DESTINATION_HI, FIELD_DESTINATION_LO),
  };
}

export interface ReferenceOptions {
  /** The interface number a name stands for in fields@20, or -1 when no interface has it. */
  interfaceNumber: (name: string) => number;
  /** Whether a rule's pcap-filter expression matches the packet (the compiled filter, in tests). */
  filterMatches?: (expression: string) => boolean;
}

export function prefixContains(prefix: Prefix, family: number, address: bigint): boolean {
  if (prefix.family !== family) return false;
  const bits = family === 4 ? 32 : 128;
  const shift = BigInt(bits - prefix.length);
  const network = prefix.family === 4 ? BigInt(prefix.v4) : bytesToBigInt(prefix.v6);
  return address >> shift === network >> shift;
}

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function inRanges(ranges: PortRange[], port: number): boolean {
  return ranges.some((range) => port >= range.from && port <= range.to);
}

export function conditionHolds(condition: RuleCondition, fields: RuleFields, options: ReferenceOptions): boolean {
  const isIp = fields.family === 4 || fields.family === 6;
  switch (condition.kind) {
    case 'family':
      return fields.family === condition.family;
    case 'src':
    case 'dst': {
      if (!isIp) return false;
      const address = condition.kind === 'src' ? fields.source : fields.destination;
      return condition.prefixes.some((prefix) => prefixContains(prefix, fields.family, address)) !== condition.negated;
    }
    case 'proto':
      if ((fields.flags & FLAG_HAS_PROTOCOL) === 0) return false;
      return condition.protocols.includes(fields.protocol) !== condition.negated;
    case 'sport':
    case 'dport':
      if ((fields.flags & FLAG_HAS_PORTS) === 0) return false;
      return inRanges(condition.ranges, condition.kind === 'sport' ? fields.sourcePort : fields.destinationPort) !== condition.negated;
    case 'vlan':
      if (fields.vlanTags === 0) return false;
      return condition.ids.includes(fields.outerVlan) !== condition.negated;
    case 'interface':
      return condition.names.some((name) => options.interfaceNumber(name) === fields.interfaceId) !== condition.negated;
    case 'tcp-flags':
      if ((fields.flags & FLAG_HAS_TCP_FLAGS) === 0) return false;
      return ((fields.tcpFlags & condition.mask) === condition.value) !== condition.negated;
    case 'filter':
      if (options.filterMatches === undefined) throw new Error('a filter rule needs options.filterMatches');
      return options.filterMatches(condition.expression) !== condition.negated;
  }
}

/** The index of the first rule whose conditions all hold, or -1. */
export function referenceFirstMatch(set: RuleSet, fields: RuleFields, options: ReferenceOptions): number {
  return set.rules.findIndex((rule) => rule.match.every((condition) => conditionHolds(condition, fields, options)));
}
