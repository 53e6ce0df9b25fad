// Why frames are not IP, and which link types nobody decodes: the WebAssembly tables of
// assembly/count/frame-types.ts read into `totals.nonIpByType` and `totals.unsupportedLinkByType`.
import { linkTypeName } from '../report/link-type-names.js';
import { compareCounts, readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { Count } from './report.js';

/** The key of the frames past the tables' first 256 types. */
export const OTHER_TYPES = 'other';

// the kinds of assembly/parse/link.ts nonIpKey
const ETHERTYPE = 1;
const LLC = 2;
const PPP = 3;
const CISCO_HDLC = 4;
const ADDRESS_FAMILY = 5;

/** Ethertypes by name, only the well-known ones (IEEE registry, RFCs). */
const ETHERTYPE_NAMES: Record<number, string> = {
  0x0806: 'ARP', 0x0842: 'Wake-on-LAN', 0x6003: 'DECnet', 0x8035: 'RARP', 0x809b: 'AppleTalk', 0x80f3: 'AARP', 0x8137: 'IPX',
  0x8808: 'MAC control', 0x8809: 'slow protocols, LACP', 0x8847: 'MPLS', 0x8848: 'MPLS multicast',
  0x8863: 'PPPoE discovery', 0x8864: 'PPPoE session', 0x888e: '802.1X', 0x88a2: 'AoE', 0x88ca: 'TIPC', 0x88cc: 'LLDP', 0x88e5: 'MACsec',
  0x88f7: 'PTP', 0x8902: 'CFM', 0x8906: 'FCoE', 0x8914: 'FIP', 0x9000: 'loopback',
};

/** PPP protocols by name (RFC 1661 and the IANA PPP DLL protocol numbers). */
const PPP_NAMES: Record<number, string> = {
  0x0029: 'AppleTalk', 0x002b: 'IPX', 0x002d: 'VJ compressed TCP/IP', 0x002f: 'VJ uncompressed TCP/IP',
  0x003d: 'multilink', 0x00fd: 'compressed datagram', 0x0281: 'MPLS', 0x0283: 'MPLS multicast',
  0x8021: 'IPCP', 0x8057: 'IPV6CP', 0x80fd: 'CCP', 0x8281: 'MPLSCP',
  0xc021: 'LCP', 0xc023: 'PAP', 0xc025: 'LQR', 0xc223: 'CHAP', 0xc227: 'EAP',
};

/** Cisco HDLC protocols: ethertypes, but for SLARP. */
const CISCO_HDLC_NAMES: Record<number, string> = { ...ETHERTYPE_NAMES, 0x8035: 'SLARP', 0x2000: 'CDP' };

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

function named(text: string, name: string | undefined): string {
  return name === undefined ? text : `${text} (${name})`;
}

/** The report's key for a non-IP frame key of assembly/parse/link.ts. */
export function nonIpTypeName(kind: number, value: number): string {
  switch (kind) {
    case ETHERTYPE: return named(`ethertype ${hex16(value)}`, ETHERTYPE_NAMES[value]);
    case LLC: return '802.3 length (LLC)';
    case PPP: return named(`ppp ${hex16(value)}`, PPP_NAMES[value]);
    case CISCO_HDLC: return named(`cisco hdlc ${hex16(value)}`, CISCO_HDLC_NAMES[value]);
    case ADDRESS_FAMILY: return `address family ${value}`;
    default: return `kind ${kind} value ${value}`;
  }
}

/**
 * One table as a report object: busiest type first (then by key), `other` last when the table
 * was full; empty when nothing was counted.
 */
export function readFrameTypes(wasm: FibscopeExports, counters: number, unsupportedLink: boolean): Record<string, Count> {
  const table = wasm.countersFrameTypes(counters, unsupportedLink) >>> 0;
  const view = new DataView(wasm.memory.buffer);
  const slots = view.getUint32(table, true);
  const rows: [string, Count][] = [];
  for (let slot = 0; slot < slots; slot++) {
    const at = table + 16 + slot * 16;
    const count = readCount(view, at + 8);
    if (count === 0) continue;
    const kind = view.getUint32(at + 4, true);
    const value = view.getUint32(at, true);
    rows.push([unsupportedLink ? linkTypeName(value) : nonIpTypeName(kind, value), count]);
  }
  rows.sort(([a, m], [b, n]) => compareCounts(n, m) || (a < b ? -1 : a > b ? 1 : 0));
  const other = readCount(view, table + 8);
  if (other !== 0) rows.push([OTHER_TYPES, other]);
  return Object.fromEntries(rows);
}
