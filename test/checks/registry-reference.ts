// The slow reference of the bogon classes, built from the registries' text: the IANA IPv4 and
// IPv6 Special-Purpose Address Registries as IANA publishes them in CSV (quoted fields, footnote
// marks, a field with two prefixes, line breaks inside quotes), and the multicast blocks in the
// same columns. An address's classes: the most specific live row containing it (naive scan of
// every row), then the rules of docs/checks.md, written out again here.

import { parsePrefix, parseIPv4, parseIPv6 } from '../../src/net/address.js';
import { parseCsv } from '../helpers/readers.js';


export const IPV4_REGISTRY_CSV = `Address Block,Name,RFC,Allocation Date,Termination Date,Source,Destination,Forwardable,Globally Reachable,Reserved-by-Protocol
0.0.0.0/8,"""This network""","[RFC791], Section 3.2",1981-09,N/A,True,False,False,False,True
0.0.0.0/32,"""This host on this network""","[RFC1122], Section 3.2.1.3",1981-09,N/A,True,False,False,False,True
10.0.0.0/8,Private-Use,[RFC1918],1996-02,N/A,True,True,True,False,False
100.64.0.0/10,Shared Address Space,[RFC6598],2012-04,N/A,True,True,True,False,False
127.0.0.0/8,Loopback,"[RFC1122], Section 3.2.1.3",1981-09,N/A,False [1],False [1],False [1],False [1],True
169.254.0.0/16,Link Local,[RFC3927],2005-05,N/A,True,True,False,False,True
172.16.0.0/12,Private-Use,[RFC1918],1996-02,N/A,True,True,True,False,False
192.0.0.0/24 [2],IETF Protocol Assignments,"[RFC6890], Section 2.1",2010-01,N/A,False,False,False,False,False
192.0.0.0/29,IPv4 Service Continuity Prefix,[RFC7335],2011-06,N/A,True,True,True,False,False
192.0.0.8/32,IPv4 dummy address,[RFC7600],2015-03,N/A,True,False,False,False,False
192.0.0.9/32,Port Control Protocol Anycast,[RFC7723],2015-10,N/A,True,True,True,True,False
192.0.0.10/32,Traversal Using Relays around NAT Anycast,[RFC8155],2017-02,N/A,True,True,True,True,False
"192.0.0.170/32, 192.0.0.171/32",NAT64/DNS64 Discovery,"[RFC8880][RFC7050], Section 2.2",2013-02,N/A,False,False,False,False,True
192.0.2.0/24,Documentation (TEST-NET-1),[RFC5737],2010-01,N/A,False,False,False,False,False
192.31.196.0/24,AS112-v4,[RFC7535],2014-12,N/A,True,True,True,True,False
192.52.193.0/24,AMT,[RFC7450],2014-12,N/A,True,True,True,True,False
192.88.99.0/24,Deprecated (6to4 Relay Anycast),[RFC7526],2001-06,2015-03,,,,,
192.88.99.2/32,6a44-relay anycast address,[RFC6751],2012-10,N/A,True,True,True,False,False
192.168.0.0/16,Private-Use,[RFC1918],1996-02,N/A,True,True,True,False,False
192.175.48.0/24,Direct Delegation AS112 Service,[RFC7534],1996-01,N/A,True,True,True,True,False
198.18.0.0/15,Benchmarking,[RFC2544],1999-03,N/A,True,True,True,False,False
198.51.100.0/24,Documentation (TEST-NET-2),[RFC5737],2010-01,N/A,False,False,False,False,False
203.0.113.0/24,Documentation (TEST-NET-3),[RFC5737],2010-01,N/A,False,False,False,False,False
240.0.0.0/4,Reserved,"[RFC1112], Section 4",1989-08,N/A,False,False,False,False,True
255.255.255.255/32,Limited Broadcast,"[RFC8190]
[RFC919], Section 7",1984-10,N/A,False,True,False,False,True
`;

export const IPV6_REGISTRY_CSV = `Address Block,Name,RFC,Allocation Date,Termination Date,Source,Destination,Forwardable,Globally Reachable,Reserved-by-Protocol
::1/128,Loopback Address,[RFC4291],2006-02,N/A,False,False,False,False,True
::/128,Unspecified Address,[RFC4291],2006-02,N/A,True,False,False,False,True
::ffff:0:0/96,IPv4-mapped Address,[RFC4291],2006-02,N/A,False,False,False,False,True
64:ff9b::/96,IPv4-IPv6 Translat.,[RFC6052],2010-10,N/A,True,True,True,True,False
64:ff9b:1::/48,IPv4-IPv6 Translat.,[RFC8215],2017-06,N/A,True,True,True,False,False
100::/64,Discard-Only Address Block,[RFC6666],2012-06,N/A,True,True,True,False,False
100:0:0:1::/64,Dummy IPv6 Prefix,[RFC9780],2025-04,N/A,True,False,False,False,False
2001::/23,IETF Protocol Assignments,[RFC2928],2000-09,N/A,False [1],False [1],False [1],False [1],False
2001::/32,TEREDO,"[RFC4380]
[RFC8190]",2006-01,N/A,True,True,True,N/A [2],False
2001:1::1/128,Port Control Protocol Anycast,[RFC7723],2015-10,N/A,True,True,True,True,False
2001:1::2/128,Traversal Using Relays around NAT Anycast,[RFC8155],2017-02,N/A,True,True,True,True,False
2001:1::3/128,DNS-SD Service Registration Protocol Anycast Address,[RFC9665],2024-04,N/A,True,True,True,True,False
2001:2::/48,Benchmarking,[RFC5180][RFC Errata 1752],2008-04,N/A,True,True,True,False,False
2001:3::/32,AMT,[RFC7450],2014-12,N/A,True,True,True,True,False
2001:4:112::/48,AS112-v6,[RFC7535],2014-12,N/A,True,True,True,True,False
2001:10::/28,Deprecated (previously ORCHID),[RFC4843],2007-03,2014-03,,,,,
2001:20::/28,ORCHIDv2,[RFC7343],2014-07,N/A,True,True,True,True,False
2001:30::/28,Drone Remote ID Protocol Entity Tags (DETs) Prefix,[RFC9374],2022-12,N/A,True,True,True,True,False
2001:db8::/32,Documentation,[RFC3849],2004-07,N/A,False,False,False,False,False
2002::/16 [3],6to4,[RFC3056],2001-02,N/A,True,True,True,N/A [3],False
2620:4f:8000::/48,Direct Delegation AS112 Service,[RFC7534],2011-05,N/A,True,True,True,True,False
3fff::/20,Documentation,[RFC9637],2024-07,N/A,False,False,False,False,False
5f00::/16,Segment Routing (SRv6) SIDs,[RFC9602],2024-04,N/A,True,True,True,False,False
fc00::/7,Unique-Local,"[RFC4193]
[RFC8190]",2005-10,N/A,True,True,True,False [4],False
fe80::/10,Link-Local Unicast,[RFC4291],2006-02,N/A,True,True,False,False,True
`;

// Not in the special-purpose registries: multicast groups, valid destinations and never sources.
export const MULTICAST_CSV = `Address Block,Name,RFC,Allocation Date,Termination Date,Source,Destination,Forwardable,Globally Reachable,Reserved-by-Protocol
224.0.0.0/4,Multicast,[RFC5771],1989-08,N/A,False,True,True,N/A,False
ff00::/8,Multicast,[RFC4291],2006-02,N/A,False,True,True,N/A,False
`;

export const SOURCE = 1;
export const DESTINATION = 2;
export const PRIVATE_USE = 4;

/** One row per prefix (a row naming two prefixes gives two). */
export interface RegistryRow {
  prefix: string;
  family: 4 | 6;
  length: number;
  /** The prefix's first address as an unsigned integer of 32 or 128 bits. */
  start: bigint;
  name: string;
  terminated: boolean;
  source: string;
  destination: string;
  forwardable: string;
  globallyReachable: string;
}


/** A "True", "False [1]", "N/A [2]" cell without its footnote mark. */
function cell(text: string): string {
  return text.replace(/\s*\[\d+\]$/, '').trim();
}

export function addressValue(text: string): { family: 4 | 6; value: bigint } {
  const v4 = parseIPv4(text);
  if (v4 >= 0) return { family: 4, value: BigInt(v4) };
  const bytes = new Uint8Array(16);
  if (!parseIPv6(text, bytes)) throw new Error(`not an address: ${text}`);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return { family: 6, value };
}

export function registryRows(csv: string): RegistryRow[] {
  const [header, ...lines] = parseCsv(csv, false);
  const column = (name: string) => {
    const at = header.indexOf(name);
    if (at < 0) throw new Error(`no column ${name}`);
    return at;
  };
  const rows: RegistryRow[] = [];
  for (const line of lines) {
    for (const block of line[column('Address Block')].split(',')) {
      const prefix = cell(block);
      const slash = prefix.indexOf('/');
      const { family, value } = addressValue(prefix.slice(0, slash));
      rows.push({
        prefix, family, length: Number(prefix.slice(slash + 1)), start: value,
        name: line[column('Name')],
        terminated: cell(line[column('Termination Date')]) !== 'N/A',
        source: cell(line[column('Source')]),
        destination: cell(line[column('Destination')]),
        forwardable: cell(line[column('Forwardable')]),
        globallyReachable: cell(line[column('Globally Reachable')]),
      });
    }
  }
  return rows;
}

export const REGISTRY_ROWS: readonly RegistryRow[] = [
  ...registryRows(IPV4_REGISTRY_CSV), ...registryRows(IPV6_REGISTRY_CSV), ...registryRows(MULTICAST_CSV),
];

export function contains(family: 4 | 6, start: bigint, length: number, addressFamily: 4 | 6, address: bigint): boolean {
  if (family !== addressFamily) return false;
  const hostBits = BigInt((family === 4 ? 32 : 128) - length);
  return address >> hostBits === start >> hostBits;
}

/** The classes of the registries alone. */
export function referenceClasses(family: 4 | 6, address: bigint): number {
  let best: RegistryRow | undefined;
  for (const row of REGISTRY_ROWS) {
    if (row.terminated || !contains(row.family, row.start, row.length, family, address)) continue;
    if (!best || row.length > best.length) best = row;
  }
  if (!best) return 0;
  if (best.name === 'Private-Use' || best.name === 'Unique-Local') return PRIVATE_USE;
  let classes = 0;
  if (best.source === 'False' || best.globallyReachable === 'False') classes |= SOURCE;
  if (best.destination === 'False' || best.globallyReachable === 'False') classes |= DESTINATION;
  return classes;
}

/** A bogon list as sets of prefix starts per family and length: membership by masking, one look-up per length. */
export class ReferenceList {
  private readonly byLength = new Map<string, Set<bigint>>();
  constructor(prefixTexts: readonly string[]) {
    for (const text of prefixTexts) {
      const prefix = parsePrefix(text);
      if (!prefix) throw new Error(`bad prefix ${text}`);
      const slash = text.indexOf('/');
      const { family, value } = addressValue(slash < 0 ? text : text.slice(0, slash));
      const hostBits = BigInt((family === 4 ? 32 : 128) - prefix.length);
      const key = `${family}/${prefix.length}`;
      if (!this.byLength.has(key)) this.byLength.set(key, new Set());
      this.byLength.get(key)!.add(value >> hostBits);
    }
  }
  has(family: 4 | 6, address: bigint): boolean {
    for (const [key, starts] of this.byLength) {
      const [f, length] = key.split('/').map(Number);
      if (f !== family) continue;
      if (starts.has(address >> BigInt((family === 4 ? 32 : 128) - length))) return true;
    }
    return false;
  }
}

/** The classes with a bogon list: listed addresses are bogons both ways, except private-use ones. */
export function referenceClassesWithList(family: 4 | 6, address: bigint, list: ReferenceList): number {
  const classes = referenceClasses(family, address);
  if (classes & PRIVATE_USE || !list.has(family, address)) return classes;
  return classes | SOURCE | DESTINATION;
}
