// Random captures for the compare tests: many flows (random source ports) to addresses in and
// around the tables' prefixes, IPv4 and IPv6, some ARP.
import { formatIPv4 } from '../../src/node.js';
import { formatIPv6 } from '../../src/net/address.js';
import { pcap, type PcapRecord } from '../helpers/captures.js';
import { arpFrame, ETHERTYPE, ethernet, ipv4, ipv6, IPPROTO, LINKTYPE, udp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { probeAddresses, type TestPrefix } from '../helpers/tables.js';
import { bigIntToV6 } from '../helpers/reference-lpm.js';

/** The Ethernet frames of a random capture. */
export function randomFrames(random: Random, prefixes: TestPrefix[], packets: number): Uint8Array[] {
  const destinations = [4, 6].flatMap((family) => probeAddresses(random, family as 4 | 6, prefixes.filter((p) => p.family === family), 400)
    .map((value) => (family === 4 ? formatIPv4(Number(value)) : formatIPv6(bigIntToV6(value)))));
  const frames: Uint8Array[] = [];
  for (let i = 0; i < packets; i++) {
    if (random.below(50) === 0) {
      frames.push(arpFrame());
      continue;
    }
    const dst = destinations[random.below(destinations.length)];
    const payload = udp({ srcPort: 1024 + random.below(60000), dstPort: 443, payload: new Uint8Array(random.below(300)) });
    frames.push(dst.includes(':')
      ? ethernet({ etherType: ETHERTYPE.IPV6, payload: ipv6({ src: `2001:db8:ffff::${random.below(1000).toString(16)}`, dst, nextHeader: IPPROTO.UDP, payload }) })
      : ethernet({ etherType: ETHERTYPE.IPV4, payload: ipv4({ src: `198.18.${random.below(256)}.${random.below(256)}`, dst, proto: IPPROTO.UDP, payload }) }));
  }
  return frames;
}

export function captureOf(frames: readonly Uint8Array[]): Uint8Array {
  const records: PcapRecord[] = frames.map((data, i) => ({ ts: { sec: 1_700_000_000 + (i >> 4), frac: (i * 7919) % 1_000_000 }, data }));
  return pcap({ linkType: LINKTYPE.EN10MB, records });
}

/** A capture of `packets` packets, as randomFrames makes them. */
export function randomCapture(random: Random, prefixes: TestPrefix[], packets: number): Uint8Array {
  return captureOf(randomFrames(random, prefixes, packets));
}
