// Wireshark's tshark as the oracle of the packet fields: what it dissects in each frame, reduced to
// the OUTERMOST IP header and what follows it, which is all the fields block describes. tshark also
// dissects tunnels (IP in IP, GRE, VXLAN) and the headers quoted inside ICMP errors; those inner
// values come after the outer ones in each field's list, so only the first is compared, and ports,
// flags and ICMP only where the outer protocol is the one they belong to.

import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { RecordFields } from './fields-driver.js';

export const hasTshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;

const FIELDS = [
  'frame.number', 'frame.protocols', 'frame.interface_name',
  'ip.src', 'ip.dst', 'ip.cur_rt', 'ip.proto', 'ip.ttl', 'ip.len', 'ip.flags.mf', 'ip.frag_offset',
  'ipv6.src', 'ipv6.dst', 'ipv6.nxt', 'ipv6.hlim', 'ipv6.plen',
  'ipv6.hopopts.nxt', 'ipv6.routing.nxt', 'ipv6.fraghdr.nxt', 'ipv6.dstopts.nxt', 'ah.next_header', 'ipv6.fraghdr.offset',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'udp.srcport', 'udp.dstport', 'sctp.srcport', 'sctp.dstport',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code',
  'eth.type', 'vlan.id', 'vlan.etype', 'ieee8021ad.id', '_ws.malformed',
] as const;
type Field = typeof FIELDS[number];
export type TsharkFrame = Record<Field, string[]>;

/** tshark's values per frame, every occurrence of each field in order; no reassembly, so each frame stands alone. */
export async function tsharkFrames(path: string): Promise<TsharkFrame[]> {
  const { stdout } = await promisify(execFile)('tshark', [
    '-r', path, '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-T', 'fields',
    '-E', 'separator=\t', '-E', 'aggregator=;', '-E', 'occurrence=a', ...FIELDS.flatMap((f) => ['-e', f]),
  ], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return stdout.split('\n').filter((line) => line !== '').map((line) => {
    const values = line.split('\t');
    return Object.fromEntries(FIELDS.map((f, i) => [f, values[i] ? values[i].split(/[;,]/) : []])) as TsharkFrame;
  });
}

const EXTENSION_FIELD: Record<string, Field> = {
  'ipv6.hopopts': 'ipv6.hopopts.nxt', 'ipv6.routing': 'ipv6.routing.nxt', 'ipv6.fraghdr': 'ipv6.fraghdr.nxt',
  'ipv6.dstopts': 'ipv6.dstopts.nxt', 'ah': 'ah.next_header',
};
const TAGS = new Set(['vlan', 'ieee8021ad']);
const BEYOND_TAGS = new Set(['ip', 'ipv6', 'pppoes', 'mpls', 'arp']);

/** The outer IPv6 header's extension chain as tshark saw it: the protocol after it, and its fragment header's offset. */
function ipv6Chain(t: TsharkFrame): { protocol: number | null; fragmentOffset: number | null } {
  const tokens = t['frame.protocols'][0].split(':');
  const seen: Record<string, number> = {};
  let protocol = Number(t['ipv6.nxt'][0]);
  let fragmentOffset: number | null = null;
  for (let i = tokens.indexOf('ipv6') + 1; i < tokens.length && EXTENSION_FIELD[tokens[i]]; i++) {
    const token = tokens[i];
    const index = seen[token] = (seen[token] ?? -1) + 1;
    const value = t[EXTENSION_FIELD[token]][index];
    if (value === undefined) return { protocol: null, fragmentOffset };
    protocol = Number(value);
    if (token === 'ipv6.fraghdr') fragmentOffset = Number(t['ipv6.fraghdr.offset'][index]);
  }
  return { protocol, fragmentOffset };
}

const first = (t: TsharkFrame, f: Field): number | undefined => (t[f].length ? Number(t[f][0]) : undefined);

/** What was compared, for the caller to check that a capture exercised something. */
export interface Compared {
  ip: number; ports: number; tcpFlags: number; icmp: number; fragments: number; vlans: number; extensions: number;
  /** records tshark called malformed where fibscope read on (see expectLikeTshark) */
  readPastMalformed: number;
}

/** Checks one record's fields against tshark's frame; counts what it compared in `compared`. */
export function expectLikeTshark(ours: RecordFields, t: TsharkFrame, where: string, compared: Compared): void {
  const at = `${where} frame ${ours.number}`;
  expect(Number(t['frame.number'][0]), at).toBe(ours.number);
  // link: VLAN tags before the network layer, their ids (802.1ad tags are outer), the ethertype after them
  const tokens = t['frame.protocols'][0]?.split(':') ?? [];
  const end = tokens.findIndex((p) => BEYOND_TAGS.has(p));
  const tags = tokens.slice(0, end < 0 ? tokens.length : end).filter((p) => TAGS.has(p)).length;
  if (tokens[0] === 'eth' && (ours.frame === 4 || ours.frame === 6)) {
    expect(ours.vlanCount, `${at} VLAN tags`).toBe(tags);
    expect(ours.vlanIds, `${at} VLAN ids`).toEqual([...t['ieee8021ad.id'], ...t['vlan.id']].slice(0, Math.min(tags, 2)).map(Number));
    const lastTagIsVlan = tags > 0 && tokens.slice(0, end).filter((p) => TAGS.has(p)).at(-1) === 'vlan';
    const vlanTokens = tokens.slice(0, end).filter((p) => p === 'vlan').length;
    if (tags === 0) expect(ours.ethertype, `${at} ethertype`).toBe(first(t, 'eth.type'));
    else if (lastTagIsVlan) expect(ours.ethertype, `${at} ethertype`).toBe(Number(t['vlan.etype'][vlanTokens - 1]));
    if (tags) compared.vlans++;
  }
  // tshark says 'unknown' for a pcapng interface without if_name
  const name = t['frame.interface_name'][0] ?? '';
  expect(ours.interfaceName, `${at} interface`).toBe(name === 'unknown' ? '' : name);
  if (ours.family === 0) return;
  compared.ip++;
  let protocol: number | null;
  let fragment: boolean;
  let later: boolean;
  if (ours.family === 4) {
    // with a source route option tshark's ip.dst is the route's final address; the header's
    // destination field (ours, and libpcap's) is its "current route"
    expect([ours.source, ours.destination, ours.ttl, ours.ipLength], `${at} IPv4 header`)
      .toEqual([t['ip.src'][0], t['ip.cur_rt'][0] ?? t['ip.dst'][0], first(t, 'ip.ttl'), first(t, 'ip.len')]);
    protocol = first(t, 'ip.proto')!;
    const offset = first(t, 'ip.frag_offset')!;
    later = offset > 0;
    fragment = later || t['ip.flags.mf'][0] === '1' || t['ip.flags.mf'][0] === 'True';
  } else {
    expect([ours.source, ours.destination, ours.ttl, ours.ipLength], `${at} IPv6 header`)
      .toEqual([t['ipv6.src'][0], t['ipv6.dst'][0], first(t, 'ipv6.hlim'), first(t, 'ipv6.plen')! + 40]);
    const chain = ipv6Chain(t);
    protocol = chain.protocol;
    fragment = chain.fragmentOffset !== null;
    later = (chain.fragmentOffset ?? 0) > 0;
    if (protocol !== first(t, 'ipv6.nxt')) compared.extensions++;
  }
  // a chain tshark could not finish (null) is one we cannot either, the capture being cut inside it;
  // except where tshark stopped at the IPv6 payload length (a malformed packet): fibscope reads
  // on to the captured end, as libpcap's filters do
  if (protocol === null && ours.protocol !== null && t['_ws.malformed'].length) {
    compared.readPastMalformed++;
    return;
  }
  expect(ours.protocol, `${at} protocol`).toBe(protocol);
  expect([ours.fragment, ours.laterFragment], `${at} fragment, later fragment`).toEqual([fragment, later]);
  if (fragment) compared.fragments++;
  const transport = protocol === 6 ? 'tcp' : protocol === 17 ? 'udp' : protocol === 132 ? 'sctp' : null;
  if (transport && !later) {
    const ports = t[`${transport}.srcport`].length ? [first(t, `${transport}.srcport`), first(t, `${transport}.dstport`)] : [null, null];
    expect([ours.sourcePort, ours.destinationPort], `${at} ${transport} ports`).toEqual(ports);
    if (ours.sourcePort !== null) compared.ports++;
  }
  if (transport === 'tcp' && !later) {
    expect(ours.tcpFlags, `${at} TCP flags`).toBe(t['tcp.flags'].length ? Number(t['tcp.flags'][0]) & 0xff : null);
    if (ours.tcpFlags !== null) compared.tcpFlags++;
  }
  const icmp = ours.family === 4 && protocol === 1 ? 'icmp' : ours.family === 6 && protocol === 58 ? 'icmpv6' : null;
  if (icmp && !later) {
    const expected = t[`${icmp}.type`].length ? [first(t, `${icmp}.type`), first(t, `${icmp}.code`) ?? null] : [null, null];
    expect([ours.icmpType, ours.icmpCode], `${at} ${icmp} type and code`).toEqual(expected);
    if (ours.icmpType !== null) compared.icmp++;
  }
}
