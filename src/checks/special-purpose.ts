// The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, with the columns of RFC
// 8190), as data, plus the multicast blocks (not in those registries) that are bogons as a
// source. Each block carries the registry's columns and, derived from them by the rules of
// docs/checks.md, the classes (classes.ts) it puts an address in. For an address inside several
// blocks the most specific block decides (192.0.0.9/32 is reachable inside 192.0.0.0/24, which is
// not), as RFC 8190 section 2 says of the registries.

import { BOGON_DESTINATION, BOGON_SOURCE, PRIVATE } from './classes.js';

/** A registry column: True, False, or N/A (null: the registry gives no value, e.g. Teredo's reachability). */
export type RegistryFlag = boolean | null;

export interface SpecialPurposeBlock {
  /** CIDR text, host bits clear. */
  readonly prefix: string;
  readonly name: string;
  /** The RFCs the registry names, e.g. 'RFC 1918'. */
  readonly rfc: string;
  readonly registry: 'ipv4-special-purpose' | 'ipv6-special-purpose' | 'multicast';
  /** Registry "Termination Date" (yyyy-mm) of a deprecated block, else null. Deprecated blocks put an address in no class. */
  readonly terminated: string | null;
  readonly source: RegistryFlag;
  readonly destination: RegistryFlag;
  readonly forwardable: RegistryFlag;
  readonly globallyReachable: RegistryFlag;
  /** Private-use space (RFC 1918, RFC 4193): the `private` class instead of the bogon ones. */
  readonly privateUse: boolean;
  /** The classes (classes.ts bits) an address whose most specific block this is falls in. */
  readonly classes: number;
}

type Row = readonly [
  prefix: string, name: string, rfc: string, terminated: string | null,
  source: RegistryFlag, destination: RegistryFlag, forwardable: RegistryFlag, globallyReachable: RegistryFlag,
];

const T = true;
const F = false;
const NA = null;

// The registries as IANA publishes them (iana-ipv4-special-registry, iana-ipv6-special-registry),
// columns Source, Destination, Forwardable, Globally Reachable. Footnotes ("False [1]": loopback
// exceptions of RFC 4379/5884) are left out: they do not change the value.
const IPV4_ROWS: readonly Row[] = [
  ['0.0.0.0/8', 'This network', 'RFC 791', null, T, F, F, F],
  ['0.0.0.0/32', 'This host on this network', 'RFC 1122', null, T, F, F, F],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918', null, T, T, T, F],
  ['100.64.0.0/10', 'Shared Address Space', 'RFC 6598', null, T, T, T, F],
  ['127.0.0.0/8', 'Loopback', 'RFC 1122', null, F, F, F, F],
  ['169.254.0.0/16', 'Link Local', 'RFC 3927', null, T, T, F, F],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918', null, T, T, T, F],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890', null, F, F, F, F],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335', null, T, T, T, F],
  ['192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600', null, T, F, F, F],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723', null, T, T, T, T],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', null, T, T, T, T],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050', null, F, F, F, F],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050', null, F, F, F, F],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737', null, F, F, F, F],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535', null, T, T, T, T],
  ['192.52.193.0/24', 'AMT', 'RFC 7450', null, T, T, T, T],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526', '2015-03', NA, NA, NA, NA],
  ['192.88.99.2/32', '6a44-relay anycast address', 'RFC 6751', null, T, T, T, F],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918', null, T, T, T, F],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534', null, T, T, T, T],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544', null, T, T, T, F],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737', null, F, F, F, F],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737', null, F, F, F, F],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112', null, F, F, F, F],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 8190, RFC 919', null, F, T, F, F],
];

const IPV6_ROWS: readonly Row[] = [
  ['::1/128', 'Loopback Address', 'RFC 4291', null, F, F, F, F],
  ['::/128', 'Unspecified Address', 'RFC 4291', null, T, F, F, F],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291', null, F, F, F, F],
  ['64:ff9b::/96', 'IPv4-IPv6 Translat.', 'RFC 6052', null, T, T, T, T],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translat.', 'RFC 8215', null, T, T, T, F],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666', null, T, T, T, F],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780', null, T, F, F, F],
  ['2001::/23', 'IETF Protocol Assignments', 'RFC 2928', null, F, F, F, F],
  ['2001::/32', 'TEREDO', 'RFC 4380, RFC 8190', null, T, T, T, NA],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723', null, T, T, T, T],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', null, T, T, T, T],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665', null, T, T, T, T],
  ['2001:2::/48', 'Benchmarking', 'RFC 5180', null, T, T, T, F],
  ['2001:3::/32', 'AMT', 'RFC 7450', null, T, T, T, T],
  ['2001:4:112::/48', 'AS112-v6', 'RFC 7535', null, T, T, T, T],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843', '2014-03', NA, NA, NA, NA],
  ['2001:20::/28', 'ORCHIDv2', 'RFC 7343', null, T, T, T, T],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374', null, T, T, T, T],
  ['2001:db8::/32', 'Documentation', 'RFC 3849', null, F, F, F, F],
  ['2002::/16', '6to4', 'RFC 3056', null, T, T, T, NA],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534', null, T, T, T, T],
  ['3fff::/20', 'Documentation', 'RFC 9637', null, F, F, F, F],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602', null, T, T, T, F],
  ['fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190', null, T, T, T, F],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291', null, T, T, F, F],
];

// Multicast groups are destinations, never sources (RFC 1112 section 4, RFC 4291 section 2.7).
const MULTICAST_ROWS: readonly Row[] = [
  ['224.0.0.0/4', 'Multicast', 'RFC 5771, RFC 1112', null, F, T, T, NA],
  ['ff00::/8', 'Multicast', 'RFC 4291', null, F, T, T, NA],
];

/** Private-use space: RFC 1918's three blocks and RFC 4193's unique-local block. */
const PRIVATE_USE = new Set(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7']);

/**
 * The classes of a block, by the rules of docs/checks.md: private-use space is `private` only;
 * a deprecated block is nothing; otherwise a block not globally reachable is a bogon both ways,
 * and Source False / Destination False make it a bogon source / destination.
 */
export function blockClasses(row: Pick<SpecialPurposeBlock, 'source' | 'destination' | 'globallyReachable' | 'privateUse' | 'terminated'>): number {
  if (row.terminated !== null) return 0;
  if (row.privateUse) return PRIVATE;
  let classes = 0;
  if (row.source === false || row.globallyReachable === false) classes |= BOGON_SOURCE;
  if (row.destination === false || row.globallyReachable === false) classes |= BOGON_DESTINATION;
  return classes;
}

function blocksOf(rows: readonly Row[], registry: SpecialPurposeBlock['registry']): SpecialPurposeBlock[] {
  return rows.map(([prefix, name, rfc, terminated, source, destination, forwardable, globallyReachable]) => {
    const fields = { prefix, name, rfc, registry, terminated, source, destination, forwardable, globallyReachable, privateUse: PRIVATE_USE.has(prefix) };
    return Object.freeze({ ...fields, classes: blockClasses(fields) });
  });
}

/** Every built-in block: both registries, then multicast. */
export const SPECIAL_PURPOSE_BLOCKS: readonly SpecialPurposeBlock[] = Object.freeze([
  ...blocksOf(IPV4_ROWS, 'ipv4-special-purpose'),
  ...blocksOf(IPV6_ROWS, 'ipv6-special-purpose'),
  ...blocksOf(MULTICAST_ROWS, 'multicast'),
]);
