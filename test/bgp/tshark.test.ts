// The oracle nobody here wrote: Wireshark's BGP dissector reads the messages our encoders build
// (the speaker's OPEN/KEEPALIVE/NOTIFICATION and peer-style UPDATEs) from a pcap, as TCP payload
// on port 179, and its fields must equal what our decoders say. Skipped when tshark is absent.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeUpdate, encodePathAttributes, encodeUpdate } from '../../src/bgp/message/update.js';
import { decodeOpen, encodeOpen } from '../../src/bgp/message/open.js';
import { encodeKeepalive } from '../../src/bgp/message/keepalive.js';
import { decodeNotification, encodeNotification } from '../../src/bgp/message/notification.js';
import { encodeAtomicAggregate, encodeAggregator } from '../../src/bgp/message/attributes/simple.js';
import { encodeMpReach } from '../../src/bgp/message/attributes/multiprotocol.js';
import type { RouteChange } from '../../src/bgp/types.js';
import { pcap } from '../helpers/captures.js';
import { IPPROTO, LINKTYPE, ipv4, tcp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { randomUpdate } from '../helpers/bgp-updates.js';
import { speakerCapabilities } from '../../src/bgp/session.js';
import { tempDir } from '../helpers/temp-dir.js';

const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
if (!tshark) console.log('bgp tshark: skipped: `tshark` (Wireshark) is not on PATH');

const dir = tempDir('fibscope-bgp-tshark-');

/** Each message in its own TCP segment from 192.0.2.1:40000 to 192.0.2.2:179; tshark's fields per frame. */
function dissect(messages: Uint8Array[], fields: string[], asnLength: 2 | 4): string[][] {
  let seq = 1;
  const records = messages.map((message, i) => {
    const data = ipv4({ src: '192.0.2.1', dst: '192.0.2.2', proto: IPPROTO.TCP, payload: tcp({ srcPort: 40000, dstPort: 179, seq, flags: 0x18, payload: message }) });
    seq += message.length;
    return { ts: { sec: 1 + i, frac: 0 }, data };
  });
  const path = join(dir, `${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(path, pcap({ linkType: LINKTYPE.RAW, records }));
  const result = spawnSync('tshark', ['-r', path, '-o', `bgp.asn_len:${asnLength}`, '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tshark: ${result.stderr}`);
  return result.stdout.trimEnd().split('\n').map((line) => line.split('|'));
}

const list = (text: string) => (text === '' ? [] : text.split(';'));

/** The prefix list as tshark shows it: address and length in two fields. */
function prefixes(addresses: string, lengths: string[]): string[] {
  return list(addresses).map((a, i) => `${a}/${lengths[i]}`);
}

const UPDATE_FIELDS = [
  'bgp.type', 'bgp.withdrawn_prefix', 'bgp.nlri_prefix', 'bgp.mp_reach_nlri_ipv6_prefix', 'bgp.mp_unreach_nlri_ipv6_prefix', 'bgp.prefix_length',
  'bgp.update.path_attribute.origin', 'bgp.update.path_attribute.as_path_segment.type', 'bgp.update.path_attribute.as_path_segment.as4',
  'bgp.update.path_attribute.as_path_segment.as2', 'bgp.update.path_attribute.next_hop', 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6',
  'bgp.update.path_attribute.multi_exit_disc', 'bgp.update.path_attribute.local_pref', 'bgp.update.path_attribute.community_as',
  'bgp.update.path_attribute.community_value', 'bgp.large_communities.ga', 'bgp.large_communities.ldp1', 'bgp.large_communities.ldp2',
];

/** Our decode of one UPDATE, in tshark's terms (field order as UPDATE_FIELDS). */
function ourView(changes: readonly RouteChange[], asOctets: 2 | 4): string[] {
  const v4 = changes.find((c) => c.family === 4);
  const v6 = changes.find((c) => c.family === 6);
  const a = v4?.attributes ?? v6?.attributes;
  const pfx = (list: readonly string[] = []) => list.map((p) => p.split('/')[0]).join(';');
  // tshark lists lengths in message order: withdrawn, then MP attributes as encoded (reach, then unreach), then NLRI.
  const lengths = [...(v4?.withdrawn ?? []), ...(v6?.announced ?? []), ...(v6?.withdrawn ?? []), ...(v4?.announced ?? [])].map((p) => p.split('/')[1]);
  const segments = a ? a.asPath.match(/\{[^}]*\}|\S+/g) ?? [] : [];
  const types = segments.length === 0 ? [] : a!.asPath.includes('{') ? ['2', '1'] : ['2'];
  const asns = segments.flatMap((s) => s.replace(/[{}]/g, '').split(/[ ,]/));
  const communities = a?.communities ?? [];
  const large = (a?.largeCommunities ?? []).map((c) => c.split(':'));
  return [
    '2', pfx(v4?.withdrawn), pfx(v4?.announced), pfx(v6?.announced), pfx(v6?.withdrawn), lengths.join(';'),
    a ? String(a.origin) : '', types.join(';'), asOctets === 4 ? asns.join(';') : '', asOctets === 2 ? asns.join(';') : '',
    v4?.attributes?.nextHop ?? '', v6?.attributes?.nextHop ?? '',
    a?.med !== undefined ? String(a.med) : '', a?.localPref !== undefined ? String(a.localPref) : '',
    communities.map((c) => c.split(':')[0]).join(';'), communities.map((c) => c.split(':')[1]).join(';'),
    large.map((c) => c[0]).join(';'), large.map((c) => c[1]).join(';'), large.map((c) => c[2]).join(';'),
  ];
}

describe.skipIf(!tshark)('BGP messages, read by tshark', () => {
  for (const asOctets of [4, 2] as const) {
    it(`random UPDATEs (${asOctets}-octet AS): prefixes, path, next hops and attributes as we decode them`, () => {
      const random = new Random(7 + asOctets);
      const updates = Array.from({ length: 60 }, () => randomUpdate(random, asOctets === 4, 5)).filter((u) => u.changes.length > 0);
      const rows = dissect(updates.map((u) => u.bytes), UPDATE_FIELDS, asOctets);
      expect(rows.length).toBe(updates.length);
      updates.forEach((u, i) => {
        const decoded = decodeUpdate(u.bytes, { fourOctetAs: asOctets === 4 });
        expect(decoded.outcome).toBe('ok');
        const theirs = rows[i];
        // tshark's AS_PATH segment type is shown as a number; prefixes as address then length.
        expect(theirs, `update ${i}`).toEqual(ourView(decoded.changes, asOctets));
      });
    });
  }

  it('an UPDATE with ATOMIC_AGGREGATE, AGGREGATOR and a 32-octet IPv6 next hop', () => {
    const bytes = encodeUpdate({
      attributes: [encodeMpReach(6, ['2001:db8::7', 'fe80::7'], ['2001:db8:7::/48']), ...encodePathAttributes({ origin: 2, asPath: '4200000000 65001', nextHop: null }, true), encodeAtomicAggregate(), encodeAggregator({ as: 4200000000, address: '198.51.100.9' }, true)],
    });
    const [row] = dissect([bytes], ['bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6', 'bgp.update.path_attribute.mp_reach_nlri.next_hop.ipv6.link_local', 'bgp.update.path_attribute.aggregator_as', 'bgp.update.path_attribute.aggregator_origin', 'bgp.update.path_attribute.type_code'], 4);
    expect(row).toEqual(['2001:db8::7', 'fe80::7', '4200000000', '198.51.100.9', '14;1;2;6;7']);
    expect(decodeUpdate(bytes, { fourOctetAs: true }).changes[0].attributes).toMatchObject({ nextHop: '2001:db8::7', origin: 2, asPath: '4200000000 65001' });
  });

  it("the speaker's OPEN (AS_TRANS above 65535, capabilities), KEEPALIVE and NOTIFICATION", () => {
    const open = encodeOpen({ as: 4200000001, holdTime: 90, bgpIdentifier: '192.0.2.9', capabilities: speakerCapabilities(4200000001) });
    const rows = dissect([open, encodeKeepalive(), encodeNotification(6, 2)], [
      'bgp.type', 'bgp.open.version', 'bgp.open.myas', 'bgp.open.holdtime', 'bgp.open.identifier', 'bgp.cap.type', 'bgp.cap.mp.afi', 'bgp.cap.mp.safi',
      'bgp.cap.4as', 'bgp.cap.gr.timers.restart_flag', 'bgp.cap.gr.timers.restart_time', 'bgp.cap.gr.afi', 'bgp.notify.major_error', 'bgp.notify.minor_error_cease',
    ], 4);
    const decoded = decodeOpen(open);
    if (decoded instanceof Error) throw decoded;
    expect(rows[0]).toEqual(['1', '4', String(decoded.myAs), '90', decoded.bgpIdentifier, '1;1;2;64;65',
      decoded.capabilities.multiprotocol.map((m) => m.afi).join(';'), decoded.capabilities.multiprotocol.map((m) => m.safi).join(';'),
      String(decoded.capabilities.fourOctetAs), String(Number(decoded.capabilities.gracefulRestart!.restarting)), String(decoded.capabilities.gracefulRestart!.restartTime), '', '', '']);
    expect(decoded.myAs).toBe(23456);
    expect(rows[1]).toEqual(['4', ...Array(13).fill('')]);
    const notification = decodeNotification(encodeNotification(6, 2));
    expect(rows[2]).toEqual(['3', ...Array(11).fill(''), String(notification.errorCode), String(notification.subcode)]);
  });
});
