// The BMP builders' messages, and this decoder's reading of them, checked against Wireshark's
// BMP and BGP dissectors (tshark, `-d tcp.port==N,bmp`): each message goes into a pcap as the
// payload of one TCP segment, and tshark's fields for it must equal what decodeMessage (and
// decodeUpdate for Route Monitoring) made of the same bytes. Skipped when tshark is absent.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeUpdate } from '../../src/bgp/message/update.js';
import { decodeMessage, type BmpMessage } from '../../src/bmp/message/messages.js';
import type { PerPeerHeader } from '../../src/bmp/message/per-peer-header.js';
import { pcap } from '../helpers/captures.js';
import { ETHERTYPE, ethernet, IPPROTO, ipv4, LINKTYPE, tcp } from '../helpers/packets.js';
import {
  bgpNotification, bgpOpen, bgpUpdate, FLAG, initiation, peerDown, peerUp, routeMirroring, routeMonitoring, statisticsReport,
  termination, type PeerFields,
} from '../helpers/bmp.js';
import { tempDir } from '../helpers/temp-dir.js';

const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
if (!tshark) console.log('bmp tshark: skipped: `tshark` (Wireshark) is not on PATH');

const PORT = 11019;
const dir = tempDir('fibscope-bmp-tshark-');

/** tshark's `fields` for each message, one TCP segment each; a field's occurrences joined by ','. */
function tsharkFields(messages: Uint8Array[], fields: string[]): string[][] {
  let seq = 1;
  const records = messages.map((payload, i) => {
    const segment = tcp({ srcPort: 40000, dstPort: PORT, seq, flags: 0x18, payload });
    seq += payload.length;
    return { ts: { sec: 1 + i, frac: 0 }, data: ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: IPPROTO.TCP, payload: segment }) }) };
  });
  const path = join(dir, `${fields.length}-${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(path, pcap({ linkType: LINKTYPE.EN10MB, records }));
  const result = spawnSync('tshark', [
    '-r', path, '-d', `tcp.port==${PORT},bmp`, '-o', 'tcp.analyze_sequence_numbers:FALSE',
    '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f]),
  ], { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`tshark: ${result.stderr}`);
  return result.stdout.trimEnd().split('\n').map((line) => line.split('|'));
}

const v4: PeerFields = { address: '192.0.2.7', as: 64500, routerId: '192.0.2.7', seconds: 1_700_000_123, microseconds: 456_000 };
const v6: PeerFields = { address: '2001:db8::9', as: 4_200_000_009, routerId: '10.9.9.9', postPolicy: true };
const open = (as: number, routerId: string) => bgpOpen({ as, routerId, holdTime: 90 });
const messages = [
  initiation({ sysDescr: 'FRRouting 8.4.4', sysName: 'r1' }),
  peerUp({ peer: v4, localAddress: '192.0.2.1', localPort: 179, remotePort: 40123, sentOpen: open(65001, '10.0.0.1'), receivedOpen: open(64500, '192.0.2.7') }),
  peerUp({ peer: v6, localAddress: '2001:db8::1', localPort: 55000, remotePort: 179, sentOpen: open(65001, '10.0.0.1'), receivedOpen: open(4_200_000_009, '10.9.9.9') }),
  routeMonitoring(v4, bgpUpdate({ announced: ['198.51.100.0/24', '203.0.113.128/25'], withdrawn: ['192.0.2.0/24'], asPath: [64500, 4_200_000_000, 3], nextHop: '192.0.2.7', med: 7, localPref: 150, communities: ['64500:100', '65000:1'] })),
  routeMonitoring(v6, bgpUpdate({ asPath: [4_200_000_009], ipv6: { nextHop: '2001:db8::9', announced: ['2001:db8:100::/48', '2001:db8:200::/40'] } })),
  routeMonitoring(v6, bgpUpdate({ ipv6: { nextHop: '::', withdrawn: ['2001:db8:100::/48'] } })),
  routeMonitoring({ ...v4, flags: FLAG.A }, bgpUpdate({ announced: ['198.51.100.0/24'], asPath: [64500, 3, 65535], twoOctetAs: true, nextHop: '192.0.2.7' })),
  statisticsReport(v4, [{ type: 0, value: 3 }, { type: 7, value: 2 ** 33 + 5, gauge: true }]),
  routeMirroring(v4, bgpNotification(6, 2), 0),
  peerDown({ peer: v4, reason: 1, notification: bgpNotification(6, 2) }),
  peerDown({ peer: v6, reason: 2, fsmEvent: 7 }),
  termination({ text: 'maintenance', reason: 0 }),
];
const decoded: BmpMessage[] = messages.map((m) => decodeMessage(m));
const TYPES: Record<BmpMessage['type'], number> = {
  'route-monitoring': 0, 'statistics-report': 1, 'peer-down': 2, 'peer-up': 3, initiation: 4, termination: 5, 'route-mirroring': 6,
};
const peerOf = (m: BmpMessage): PerPeerHeader | undefined => ('peer' in m ? m.peer : undefined);

describe.skipIf(!tshark)('BMP messages read by tshark and by the decoder', () => {
  it('common header: version, length, type of every message', () => {
    const rows = tsharkFields(messages, ['bmp.version', 'bmp.length', 'bmp.type']);
    expect(rows).toEqual(decoded.map((m, i) => ['3', String(messages[i].length), String(TYPES[m.type])]));
  });

  it('per-peer header: type, flags, address, AS, BGP ID, timestamp', () => {
    const rows = tsharkFields(messages, ['bmp.peer.type', 'bmp.peer.flags', 'bmp.peer.ip.addr', 'bmp.peer.ipv6.addr', 'bmp.peer.asn', 'bmp.peer.id', 'bmp.peer.timestamp.sec']);
    expect(rows.map((r) => r[0] === '' ? [] : [Number(r[0]), Number(r[1]), r[2] || r[3], Number(r[4]), r[5], Number(r[6])])).toEqual(decoded.map((m) => {
      const p = peerOf(m);
      return p ? [p.peerType, p.flags, p.address, p.as, p.routerId, Math.floor(p.timestamp / 1000)] : [];
    }));
  });

  it('Peer Up: local address and ports, both OPENs\' AS, hold time and BGP identifier', () => {
    const rows = tsharkFields(messages, ['bmp.peer.up.ip.addr', 'bmp.peer.up.ipv6.addr', 'bmp.peer.up.port.local', 'bmp.peer.up.port.remote', 'bgp.open.myas', 'bgp.open.holdtime', 'bgp.open.identifier']);
    expect(decoded.filter((m) => m.type === 'peer-up')).toHaveLength(2);
    decoded.forEach((m, i) => {
      if (m.type !== 'peer-up') return;
      const [a4, a6, local, remote, myas, hold, id] = rows[i];
      expect([a4 || a6, Number(local), Number(remote)]).toEqual([m.localAddress, m.localPort, m.remotePort]);
      expect(myas.split(',').map(Number)).toEqual([m.sentOpen.myAs, m.receivedOpen.myAs]);
      expect(hold.split(',').map(Number)).toEqual([m.sentOpen.holdTime, m.receivedOpen.holdTime]);
      expect(id.split(',')).toEqual([m.sentOpen.bgpIdentifier, m.receivedOpen.bgpIdentifier]);
    });
  });

  it('Route Monitoring: the UPDATE\'s prefixes, AS path, next hop, MED, LOCAL_PREF, communities as decodeUpdate reads them', () => {
    const rows = tsharkFields(messages, [
      'bgp.withdrawn_prefix', 'bgp.nlri_prefix', 'bgp.mp_reach_nlri_ipv6_prefix', 'bgp.mp_unreach_nlri_ipv6_prefix',
      'bgp.update.path_attribute.as_path_segment.as4', 'bgp.update.path_attribute.as_path_segment.as2', 'bgp.update.path_attribute.next_hop', 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6',
      'bgp.update.path_attribute.multi_exit_disc', 'bgp.update.path_attribute.local_pref', 'bgp.update.path_attribute.community_as', 'bgp.update.path_attribute.community_value',
      'bgp.prefix_length',
    ]);
    let checked = 0;
    decoded.forEach((m, i) => {
      if (m.type !== 'route-monitoring') return;
      const update = decodeUpdate(m.update, { fourOctetAs: !m.peer.legacyAsPath });
      expect(update.outcome).toBe('ok');
      const [w4, a4, a6, w6, asPath4, asPath2, nextHop, nextHop6, med, localPref, communityAs, communityValue, prefixLengths] = rows[i];
      const list = (text: string) => (text === '' ? [] : text.split(','));
      const prefixes = (family: 4 | 6, key: 'announced' | 'withdrawn') => update.changes.filter((c) => c.family === family).flatMap((c) => c[key]);
      // tshark gives each prefix's address, and all prefix lengths in message order: withdrawn
      // routes, MP_REACH's, MP_UNREACH's (the builder's attribute order), then the NLRI
      const lengths = list(prefixLengths);
      const withLengths = (addresses: string[]) => addresses.map((address) => `${address}/${lengths.shift()}`);
      expect(withLengths(list(w4))).toEqual(prefixes(4, 'withdrawn'));
      expect(withLengths(list(a6))).toEqual(prefixes(6, 'announced'));
      expect(withLengths(list(w6))).toEqual(prefixes(6, 'withdrawn'));
      expect(withLengths(list(a4))).toEqual(prefixes(4, 'announced'));
      expect(lengths).toEqual([]);
      const attributes = update.changes.find((c) => c.attributes)?.attributes;
      expect(list(m.peer.legacyAsPath ? asPath2 : asPath4).join(' ')).toBe(attributes?.asPath ?? '');
      expect(nextHop || nextHop6 || null).toBe(attributes?.nextHop ?? null);
      expect(med === '' ? undefined : Number(med)).toBe(attributes?.med);
      expect(localPref === '' ? undefined : Number(localPref)).toBe(attributes?.localPref);
      const communities = list(communityAs).map((as, k) => `${as}:${list(communityValue)[k]}`);
      expect(communities).toEqual(attributes?.communities ?? []);
      checked++;
    });
    expect(checked).toBe(4);
  });

  it('Peer Down reason, Statistics Report count, Initiation and Termination information', () => {
    const rows = tsharkFields(messages, ['bmp.peer.down.reason', 'bmp.stats.count', 'bmp.init.info', 'bmp.term.info', 'bmp.term.reason']);
    decoded.forEach((m, i) => {
      const [reason, count, init, termInfo, termReason] = rows[i];
      if (m.type === 'peer-down') expect(Number(reason)).toBe(m.reason);
      if (m.type === 'statistics-report') expect(Number(count)).toBe(m.stats.length);
      if (m.type === 'initiation') expect(init.split(',')).toEqual([m.sysDescr, m.sysName]);
      if (m.type === 'termination') {
        expect(termInfo).toBe('maintenance');
        expect(Number(termReason)).toBe(m.reason);
      }
    });
  });
});
