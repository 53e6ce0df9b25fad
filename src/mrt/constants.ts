// MRT record types and subtypes (RFC 6396 4, RFC 8050 for ADD-PATH), and how to name them in notes.

export const MrtType = {
  TABLE_DUMP: 12,
  TABLE_DUMP_V2: 13,
  BGP4MP: 16,
  BGP4MP_ET: 17,
} as const;

export const TableDumpV2Subtype = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
} as const;

export const Bgp4mpSubtype = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
} as const;

/** Every type RFC 6396 (and its updates) defines, deprecated ones included: a record of one is well framed. */
const TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'START', 2: 'DIE', 3: 'I_AM_DEAD', 4: 'PEER_DOWN', 5: 'BGP', 6: 'RIP', 7: 'IDRP',
  8: 'RIPNG', 9: 'BGP4PLUS', 10: 'BGP4PLUS_01', 11: 'OSPFv2', 12: 'TABLE_DUMP', 13: 'TABLE_DUMP_V2',
  16: 'BGP4MP', 17: 'BGP4MP_ET', 32: 'ISIS', 33: 'ISIS_ET', 48: 'OSPFv3', 49: 'OSPFv3_ET',
};

const SUBTYPE_NAMES: Record<number, Record<number, string>> = {
  [MrtType.TABLE_DUMP]: { 1: 'AFI_IPv4', 2: 'AFI_IPv6' },
  [MrtType.TABLE_DUMP_V2]: {
    1: 'PEER_INDEX_TABLE', 2: 'RIB_IPV4_UNICAST', 3: 'RIB_IPV4_MULTICAST', 4: 'RIB_IPV6_UNICAST',
    5: 'RIB_IPV6_MULTICAST', 6: 'RIB_GENERIC', 8: 'RIB_IPV4_UNICAST_ADDPATH', 9: 'RIB_IPV4_MULTICAST_ADDPATH',
    10: 'RIB_IPV6_UNICAST_ADDPATH', 11: 'RIB_IPV6_MULTICAST_ADDPATH', 12: 'RIB_GENERIC_ADDPATH',
  },
  [MrtType.BGP4MP]: {
    0: 'STATE_CHANGE', 1: 'MESSAGE', 4: 'MESSAGE_AS4', 5: 'STATE_CHANGE_AS4', 6: 'MESSAGE_LOCAL',
    7: 'MESSAGE_AS4_LOCAL', 8: 'MESSAGE_ADDPATH', 9: 'MESSAGE_AS4_ADDPATH', 10: 'MESSAGE_LOCAL_ADDPATH',
    11: 'MESSAGE_AS4_LOCAL_ADDPATH',
  },
};
SUBTYPE_NAMES[MrtType.BGP4MP_ET] = SUBTYPE_NAMES[MrtType.BGP4MP];

export function isKnownType(type: number): boolean {
  return Object.hasOwn(TYPE_NAMES, type);
}

/** Whether the subtype is one RFC 6396 defines for `type` (any subtype of the types without a table here). */
export function isKnownSubtype(type: number, subtype: number): boolean {
  const names = SUBTYPE_NAMES[type];
  return names === undefined ? true : Object.hasOwn(names, subtype);
}

/** Types whose header carries a microsecond field (RFC 6396 3). */
export function isExtendedTimestamp(type: number): boolean {
  return type === MrtType.BGP4MP_ET || type === 33 || type === 49;
}

/** `MRT TABLE_DUMP_V2/RIB_GENERIC (13/6)`: how notes and errors name a kind of record. */
export function recordKindName(type: number, subtype: number): string {
  const typeName = TYPE_NAMES[type] ?? `type ${type}`;
  const subtypeName = SUBTYPE_NAMES[type]?.[subtype] ?? `subtype ${subtype}`;
  return `MRT ${typeName}/${subtypeName} (${type}/${subtype})`;
}
