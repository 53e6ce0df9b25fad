// A random collector dump: peers with 2- and 4-octet ASNs, IPv4 and IPv6 prefixes, AS paths with
// sets and confederation segments, MEDs, communities. Seeded: a failure replays.
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { formatIPv4, formatIPv6 } from '../../src/net/address.js';
import { Random } from '../helpers/random.js';
import { peerIndexTable, ribRecord, type TestAttributes, type TestEntry, type TestPeer } from './build.js';

export const DUMP_TIME = 1_700_000_000;

function randomAs(random: Random): number {
  return random.below(4) === 0 ? 4_200_000_000 + random.below(1_000_000) : 1 + random.below(65_000);
}

export function randomAttributes(random: Random, peer: TestPeer, v6: boolean): TestAttributes {
  const path: string[] = [String(peer.as)];
  for (let n = random.below(5); n > 0; n--) path.push(String(randomAs(random)));
  const shape = random.below(10);
  if (shape === 0) path.push(`{${randomAs(random)},${randomAs(random)}}`);
  if (shape === 1) path.splice(0, 0, `(${65000 + random.below(500)} ${65000 + random.below(500)})`);
  const attributes: TestAttributes = {
    asPath: path.join(' '),
    nextHop: v6 ? `2001:db8:${random.below(0xffff).toString(16)}::${1 + random.below(0xfff)}` : formatIPv4(0xc0000200 + random.below(250) + 1),
  };
  if (random.below(3) === 0) attributes.med = random.below(1000);
  if (random.below(3) === 0) attributes.localPref = 100 + random.below(100);
  if (random.below(2) === 0) {
    attributes.communities = Array.from({ length: 1 + random.below(3) }, () => `${random.below(65536)}:${random.below(65536)}`);
    if (random.below(5) === 0) attributes.communities.push('no-export');
  }
  if (v6 && random.below(3) === 0) attributes.linkLocal = 'fe80::1';
  return attributes;
}

export interface RandomDump {
  bytes: Uint8Array;
  peers: TestPeer[];
  /** Each RIB record: its prefix and entries. */
  records: { prefix: string; entries: TestEntry[] }[];
}

/** `prefixes` RIB records (a quarter IPv6) from `peerCount` peers, each record holding some of them. */
export function randomDump(seed: number, prefixes: number, peerCount: number): RandomDump {
  const random = new Random(seed);
  const peers: TestPeer[] = Array.from({ length: peerCount }, (_, i) => ({
    bgpId: formatIPv4(0x0a000001 + i),
    address: i % 3 === 2 ? `2001:db8::${i + 1}` : formatIPv4(0xc0000201 + i),
    as: i % 2 === 0 ? 4_200_000_000 + i : 64_500 + i,
    as2: i % 4 === 1,
  }));
  const records: { prefix: string; entries: TestEntry[] }[] = [];
  const parts = [peerIndexTable(DUMP_TIME, '10.255.0.1', random.below(2) ? 'rrc00' : '', peers)];
  const seen = new Set<string>();
  while (records.length < prefixes) {
    const v6 = random.below(4) === 0;
    let prefix: string;
    if (v6) {
      const length = 16 + random.below(49);
      const bytes = new Uint8Array(16);
      for (let b = 0; b < 8; b++) bytes[b] = random.below(256);
      bytes[0] = 0x20; bytes[1] = 0x01;
      for (let bit = length; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
      prefix = `${formatIPv6(bytes)}/${length}`;
    } else {
      const length = 8 + random.below(25);
      const address = length === 32 ? random.u32() : random.u32() & (0xffffffff << (32 - length));
      prefix = `${formatIPv4(address >>> 0)}/${length}`;
    }
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const entries: TestEntry[] = [];
    for (let p = 0; p < peers.length; p++) {
      if (random.below(3) === 0 && !(p === peers.length - 1 && entries.length === 0)) continue;
      entries.push({ peerIndex: p, attributes: randomAttributes(random, peers[p], v6) });
    }
    // collectors write entries in peer order, but RFC 6396 does not say so
    if (random.below(4) === 0) entries.reverse();
    records.push({ prefix, entries });
    parts.push(ribRecord(DUMP_TIME, records.length - 1, prefix, entries));
  }
  return { bytes: concatBytes(parts), peers, records };
}
