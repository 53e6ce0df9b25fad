// tcpdump as the oracle over real captures from ../shared/data (VLAN and QinQ, IPv6 extension
// headers and fragments, IPv4 fragments, ICMP/ICMPv6, malformed ARP, raw IP, Linux cooked,
// BSD loopback, Cisco HDLC, a big-endian file, pcapng). See oracle.ts for what "agree" means.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ORACLE_EXPRESSIONS } from './expressions.js';
import { hasTool } from './harness.js';
import { disagreements } from './oracle.js';

const SHARED = join(import.meta.dirname, '../../../shared/data/captures');
const REAL_CAPTURES = [
  'pcapplusplus/Pcap++Test/PcapExamples/VlanPackets.pcap',
  'pcapplusplus/Packet++Test/PacketExamples/QinQ_802.1_AD.pcapng',
  'pcapplusplus/Packet++Test/PacketExamples/ipv6_opt_fragments.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/ip4_fragments.pcap',
  'pcapplusplus/Packet++Test/PacketExamples/IcmpPackets.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/ICMPv6_echos.cap',
  'tcpdump/arp-oobr.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/raw_ip.pcap',
  'tcpdump/mptcp-v1.pcap',
  'tcpdump/quic_handshake.pcap',
  'tcpdump/HDLC.pcap',
  'tcpdump/pptp.pcap',
];

const tcpdump = hasTool('tcpdump');
const shared = existsSync(SHARED);
if (!tcpdump) console.warn('tcpdump-oracle-real: tcpdump is not installed, skipping');
if (!shared) console.warn(`tcpdump-oracle-real: ${SHARED} is absent, skipping`);

describe.skipIf(!tcpdump || !shared)(`${ORACLE_EXPRESSIONS.length} expressions agree with tcpdump on real captures`, () => {
  for (const file of REAL_CAPTURES) {
    it(file, async () => {
      expect(await disagreements(file, join(SHARED, file))).toEqual([]);
    });
  }
});
