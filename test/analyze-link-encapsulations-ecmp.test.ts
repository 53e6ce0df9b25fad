// The multipath flow hash behind PPPoE, MPLS, PPP and Cisco HDLC: it must find the same
// addresses, protocol and ports as over plain Ethernet, so a flow takes the same next hop
// whatever link it arrives on.
import { beforeAll, describe, expect, it } from 'vitest';
import { Fib } from '../src/node.js';
import { analyzeBytes } from './helpers/analyze.js';
import { pcap } from './helpers/captures.js';
import {
  ciscoHdlc, ETHERTYPE, ethernet, ipv4, ipv6, IPPROTO, LINKTYPE, mplsStack, ppp, PPP_PROTOCOL, pppoeSession, sll2, tcp, udp,
} from './helpers/packets.js';
import { Random } from './helpers/random.js';

const MULTIPATH = `198.51.100.0/24 proto static
\tnexthop via 192.0.2.1 dev eth0 weight 1
\tnexthop via 192.0.2.2 dev eth1 weight 1
2001:db8:77::/48
\tnexthop via fe80::1 dev eth0 weight 1
\tnexthop via fe80::2 dev eth1 weight 1
`;

let fib: Fib;
beforeAll(async () => {
  fib = await Fib.create();
  fib.load(MULTIPATH, { format: 'ip' });
});

type Encapsulation = [name: string, linkType: number, wrap: (ip: Uint8Array, v6: boolean) => Uint8Array];
const pppProtocol = (v6: boolean) => (v6 ? PPP_PROTOCOL.IPV6 : PPP_PROTOCOL.IPV4);
const etherType = (v6: boolean) => (v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4);
const encapsulations: Encapsulation[] = [
  ['Ethernet', LINKTYPE.EN10MB, (ip, v6) => ethernet({ etherType: etherType(v6), payload: ip })],
  ['PPPoE', LINKTYPE.EN10MB, (ip, v6) => ethernet({ etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: pppProtocol(v6), payload: ip }) })],
  ['QinQ, PPPoE', LINKTYPE.EN10MB, (ip, v6) => ethernet({
    vlans: [{ tpid: 0x88a8, vid: 10 }, { tpid: 0x8100, vid: 20 }], etherType: ETHERTYPE.PPPOE_SESSION, payload: pppoeSession({ protocol: pppProtocol(v6), payload: ip }),
  })],
  ['MPLS, 3 labels', LINKTYPE.EN10MB, (ip) => ethernet({ etherType: ETHERTYPE.MPLS, payload: mplsStack([1000, 2000, 3000], ip) })],
  ['SLL2, MPLS, 1 label', LINKTYPE.LINUX_SLL2, (ip) => sll2({ protocol: ETHERTYPE.MPLS, payload: mplsStack([16], ip) })],
  ['PPP', LINKTYPE.PPP, (ip, v6) => ppp({ protocol: pppProtocol(v6), payload: ip })],
  ['PPP_HDLC, 1-byte protocol', LINKTYPE.PPP_HDLC, (ip, v6) => ppp({ protocol: pppProtocol(v6), payload: ip, addressControl: false, compressProtocol: true })],
  ['C_HDLC', LINKTYPE.C_HDLC, (ip, v6) => ciscoHdlc({ protocol: etherType(v6), payload: ip })],
];

/** The index of the next hop that carried the one packet of `frame`. */
function hopOf(linkType: number, frame: Uint8Array, prefix: string): number {
  const report = analyzeBytes(fib, pcap({ linkType, records: [{ ts: { sec: 1, frac: 0 }, data: frame }] }));
  const hops = report.routes.find((r) => r.prefix === prefix)?.nextHops;
  if (!hops) throw new Error(`${prefix} counted nothing`);
  const used = hops.flatMap((hop, i) => (hop.packets > 0 ? [i] : []));
  expect(used.length).toBe(1);
  return used[0];
}

/** Flows between fixed addresses that differ only in their ports: without the ports they would all hash alike. */
function flows(count: number, seed: number): { ip: Uint8Array; v6: boolean; prefix: string }[] {
  const random = new Random(seed);
  return Array.from({ length: count }, (_, i) => {
    const srcPort = 1024 + random.below(60000);
    const dstPort = random.below(2) ? 443 : 53;
    const transport = i % 2 ? tcp({ srcPort, dstPort }) : udp({ srcPort, dstPort });
    const proto = i % 2 ? IPPROTO.TCP : IPPROTO.UDP;
    if (i % 3 === 2) {
      return { ip: ipv6({ src: '2001:db8:1::5', dst: '2001:db8:77::9', nextHeader: proto, payload: transport }), v6: true, prefix: '2001:db8:77::/48' };
    }
    return { ip: ipv4({ src: '203.0.113.5', dst: '198.51.100.9', proto, payload: transport }), v6: false, prefix: '198.51.100.0/24' };
  });
}

describe('the multipath flow hash behind every encapsulation', () => {
  const sample = flows(90, 11);

  it('sends flows that differ only in their ports both ways over plain Ethernet (the baseline)', () => {
    const [, linkType, wrap] = encapsulations[0];
    for (const v6 of [false, true]) {
      const hops = new Set(sample.filter((f) => f.v6 === v6).map((f) => hopOf(linkType, wrap(f.ip, f.v6), f.prefix)));
      expect(hops, v6 ? 'IPv6' : 'IPv4').toEqual(new Set([0, 1]));
    }
  });

  for (const [name, linkType, wrap] of encapsulations.slice(1)) {
    it(`${name}: every flow takes the next hop it takes over Ethernet`, () => {
      const [, ethernetType, ethernetWrap] = encapsulations[0];
      const overEthernet = sample.map((f) => hopOf(ethernetType, ethernetWrap(f.ip, f.v6), f.prefix));
      const overThis = sample.map((f) => hopOf(linkType, wrap(f.ip, f.v6), f.prefix));
      expect(overThis).toEqual(overEthernet);
    });
  }
});
