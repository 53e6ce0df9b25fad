// The PPPoE, MPLS, PPP and Cisco HDLC builders read back by Wireshark's tshark, an
// implementation nobody here wrote: it must see the headers the builders meant (session id,
// labels with their fields and bottom-of-stack bit, PPP and HDLC protocols), and find the
// same outermost destination as the analyzer. Skipped with the reason when tshark is absent.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Fib } from '../src/node.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap } from './helpers/captures.js';
import {
  ciscoHdlc, ETHERTYPE, ethernet, LINKTYPE, mplsStack, ppp, PPP_PROTOCOL, pppoeSession, sll, sll2, udp4, udp6,
} from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
if (!tshark) console.log('analyze-link-encapsulations-tshark: skipped: `tshark` (Wireshark) is not on PATH');

let fib: Fib;
const dir = tempDir('fibscope-encapsulations-');
beforeAll(async () => {
  fib = await testFib();
});

/** tshark's fields, one line per frame and `|` between fields, for a one-link-type capture of `frames`. */
function tsharkFields(linkType: number, frames: Uint8Array[], fields: string[]): string[][] {
  const path = join(dir, `${linkType}-${fields.length}-${frames.length}-${Math.random().toString(36).slice(2)}.pcap`);
  writeFileSync(path, pcap({ linkType, records: frames.map((data, i) => ({ ts: { sec: 1 + i, frac: 0 }, data })) }));
  const result = spawnSync('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tshark: ${result.stderr}`);
  return result.stdout.trimEnd().split('\n').map((line) => line.split('|'));
}

const v4 = udp4('198.51.100.1', '10.1.2.3');
const v6 = udp6('2001:db8::1', '2001:db8::99');

describe.skipIf(!tshark)('the builders, read by tshark', () => {
  it('PPPoE session: the session id, length and PPP protocol, behind VLAN tags', () => {
    const frames = [
      ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ sessionId: 0x0abc, protocol: PPP_PROTOCOL.IPV4, payload: v4 }) }),
      ethernet({ vlans: [{ tpid: 0x88a8, vid: 7 }, { tpid: 0x8100, vid: 300 }], etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ sessionId: 1, protocol: PPP_PROTOCOL.IPV6, payload: v6 }) }),
    ];
    expect(tsharkFields(LINKTYPE.EN10MB, frames, ['pppoe.version', 'pppoe.type', 'pppoe.code', 'pppoe.session_id', 'pppoe.payload_length', 'ppp.protocol', 'ieee8021ad.id', 'vlan.id']))
      .toEqual([
        ['1', '1', '0x00', '0x0abc', String(2 + v4.length), '0x0021', '', ''],
        ['1', '1', '0x00', '0x0001', String(2 + v6.length), '0x0057', '7', '300'],
      ]);
  });

  it('MPLS: every label, traffic class, TTL and the bottom-of-stack bit on the last entry only', () => {
    const labels = Array.from({ length: 6 }, (_, i) => ({ label: 16 + i * 50_000, tc: i, ttl: 200 + i }));
    const frames = [ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack(labels, v4) })];
    const [[label, exp, bottom, ttl]] = tsharkFields(LINKTYPE.EN10MB, frames, ['mpls.label', 'mpls.exp', 'mpls.bottom', 'mpls.ttl']);
    expect(label.split(',').map(Number)).toEqual(labels.map((l) => l.label));
    expect(exp.split(',').map(Number)).toEqual(labels.map((l) => l.tc));
    expect(bottom.split(',').map(Number)).toEqual([0, 0, 0, 0, 0, 1]);
    expect(ttl.split(',').map(Number)).toEqual(labels.map((l) => l.ttl));
  });

  it('PPP: the protocol with and without address/control and compression', () => {
    for (const linkType of [LINKTYPE.PPP, LINKTYPE.PPP_HDLC]) {
      const frames = [
        ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4 }),
        ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6, addressControl: false }),
        ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4, compressProtocol: true }),
        ppp({ protocol: PPP_PROTOCOL.LCP, payload: Uint8Array.of(1, 1, 0, 4) }),
      ];
      expect(tsharkFields(linkType, frames, ['ppp.protocol']).map(([p]) => Number(p)), `link type ${linkType}`)
        .toEqual([PPP_PROTOCOL.IPV4, PPP_PROTOCOL.IPV6, PPP_PROTOCOL.IPV4, PPP_PROTOCOL.LCP]);
    }
  });

  it('Cisco HDLC: address and protocol', () => {
    const frames = [ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 }), ciscoHdlc({ protocol: ETHERTYPE.IPV6, payload: v6, address: 0x8f })];
    expect(tsharkFields(LINKTYPE.C_HDLC, frames, ['chdlc.address', 'chdlc.protocol'])).toEqual([['0x0f', '0x0800'], ['0x8f', '0x86dd']]);
  });
});

describe.skipIf(!tshark)('the analyzer and tshark agree on the outermost destination', () => {
  const cases: [string, number, Uint8Array][] = [
    ['Ethernet, PPPoE', LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV6, payload: v6 }) })],
    ['SLL, VLAN, PPPoE', LINKTYPE.LINUX_SLL, sll({ vlans: [{ tpid: 0x8100, vid: 2 }], protocol: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.IPV4, payload: v4 }) })],
    ['Ethernet, 20 labels', LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack(Array.from({ length: 20 }, (_, i) => 100 + i), v6) })],
    ['SLL2, multicast MPLS', LINKTYPE.LINUX_SLL2, sll2({ protocol: ETHERTYPE.MPLS_MULTICAST, payload: mplsStack([16, 17], v4) })],
    ['PPP', LINKTYPE.PPP, ppp({ protocol: PPP_PROTOCOL.IPV6, payload: v6 })],
    ['PPP_HDLC, 1-byte protocol', LINKTYPE.PPP_HDLC, ppp({ protocol: PPP_PROTOCOL.IPV4, payload: v4, compressProtocol: true })],
    ['C_HDLC', LINKTYPE.C_HDLC, ciscoHdlc({ protocol: ETHERTYPE.IPV4, payload: v4 })],
    // not IP for either
    ['PPPoE, LCP', LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: PPP_PROTOCOL.LCP, payload: Uint8Array.of(1, 1, 0, 4) }) })],
    ['C_HDLC, SLARP', LINKTYPE.C_HDLC, ciscoHdlc({ protocol: 0x8035, payload: new Uint8Array(18) })],
  ];
  for (const [name, linkType, frame] of cases) {
    it(name, () => {
      const [[ip, ip6]] = tsharkFields(linkType, [frame], ['ip.dst', 'ipv6.dst']);
      const theirs = (ip || ip6).split(',')[0];
      const report = analyzeBytes(fib, pcap({ linkType, records: [{ ts: { sec: 1, frac: 0 }, data: frame }] }));
      expect(report.destinations.map((d) => d.address)).toEqual(theirs ? [theirs] : []);
    });
  }
});
