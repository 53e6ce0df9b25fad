// The frame and capture builders of test/helpers are what every parser test stands on, so
// they are checked here twice: by a small reader written independently in this file (byte
// arithmetic, no DataView, nothing shared with the builders), and, when Wireshark's tshark,
// capinfos or tcpdump are installed, by those tools reading the same files.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EPB_FIELD, PCAPNG_BLOCK, chunks, corruptBlockLength, join, patchBlockU32, pcap, pcapLayout, pcapng, pcapngLayout,
  setBlockTrailer, setBlockType, setMagic, setRecordLength, truncate, type PcapngBlock,
} from './helpers/captures.js';
import {
  AF, ETHERTYPE, IPPROTO, LINKTYPE, arp, arpFrame, crc32, ethernet, icmp, internetChecksum, ipv4, ipv4Bytes, ipv6,
  ipv6Bytes, loop, macBytes, nullLoopback, raw, sll, sll2, tcp, udp, udp4, udp6,
} from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

// ---------------------------------------------------------------- an independent reader

type Reader = { u8: (o: number) => number; u16: (o: number) => number; u32: (o: number) => number };
function reader(b: Uint8Array, bigEndian: boolean): Reader {
  const u8 = (o: number) => {
    if (o >= b.length) throw new RangeError(`read past the end at ${o}`);
    return b[o];
  };
  return {
    u8,
    u16: (o) => (bigEndian ? u8(o) * 256 + u8(o + 1) : u8(o + 1) * 256 + u8(o)),
    u32: (o) => (bigEndian
      ? ((u8(o) * 256 + u8(o + 1)) * 256 + u8(o + 2)) * 256 + u8(o + 3)
      : ((u8(o + 3) * 256 + u8(o + 2)) * 256 + u8(o + 1)) * 256 + u8(o)),
  };
}
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

interface ReadPcap {
  bigEndian: boolean;
  magic: string;
  version: [number, number];
  snaplen: number;
  linkField: number;
  records: { sec: number; frac: number; caplen: number; origLen: number; extra: number[]; data: Uint8Array }[];
}
function readPcap(b: Uint8Array): ReadPcap {
  const magic = hex(b.subarray(0, 4));
  const bigEndian = magic.startsWith('a1b2');
  const le = ['d4c3b2a1', '4d3cb2a1', '34cdb2a1'];
  if (!bigEndian && !le.includes(magic)) throw new Error(`magic ${magic}`);
  const r = reader(b, bigEndian);
  const modified = magic === 'a1b2cd34' || magic === '34cdb2a1';
  const out: ReadPcap = { bigEndian, magic, version: [r.u16(4), r.u16(6)], snaplen: r.u32(16), linkField: r.u32(20), records: [] };
  let at = 24;
  while (at < b.length) {
    const caplen = r.u32(at + 8);
    const extra = modified ? [r.u32(at + 16), r.u16(at + 20), r.u8(at + 22), r.u8(at + 23)] : [];
    const data = at + (modified ? 24 : 16);
    if (data + caplen > b.length) throw new Error('record data cut');
    out.records.push({ sec: r.u32(at), frac: r.u32(at + 4), caplen, origLen: r.u32(at + 12), extra, data: b.slice(data, data + caplen) });
    at = data + caplen;
  }
  return out;
}

interface ReadOption { code: number; value: Uint8Array }
interface ReadBlock { type: number; length: number; body: Uint8Array; r: Reader; bodyAt: number }
interface ReadSection {
  bigEndian: boolean;
  version: [number, number];
  sectionLength: bigint;
  options: ReadOption[];
  interfaces: { linkType: number; snaplen: number; options: ReadOption[] }[];
  packets: { kind: string; interface: number; ts: bigint; caplen: number; origLen: number; data: Uint8Array; options: ReadOption[] }[];
  other: { type: number; body: Uint8Array }[];
}

function readOptions(b: Uint8Array, at: number, end: number, r: Reader): ReadOption[] {
  const options: ReadOption[] = [];
  while (at < end) {
    const code = r.u16(at);
    const length = r.u16(at + 2);
    if (code === 0) {
      expect(length).toBe(0);
      expect(at + 4).toBe(end); // opt_endofopt closes the block body
      return options;
    }
    options.push({ code, value: b.slice(at + 4, at + 4 + length) });
    at += 4 + ((length + 3) & ~3);
  }
  expect(options).toEqual([]); // options present but no opt_endofopt
  return options;
}

function readPcapng(b: Uint8Array): ReadSection[] {
  const sections: ReadSection[] = [];
  let at = 0;
  let r = reader(b, false);
  while (at < b.length) {
    if (hex(b.subarray(at, at + 4)) === '0a0d0d0a') {
      const order = hex(b.subarray(at + 8, at + 12));
      expect(['1a2b3c4d', '4d3c2b1a']).toContain(order);
      r = reader(b, order === '1a2b3c4d');
    }
    const type = r.u32(at);
    const length = r.u32(at + 4);
    expect(length % 4).toBe(0);
    expect(length).toBeGreaterThanOrEqual(12);
    expect(r.u32(at + length - 4)).toBe(length);
    const bodyAt = at + 8;
    const end = at + length - 4;
    const blk: ReadBlock = { type, length, body: b.slice(bodyAt, end), r, bodyAt };
    if (type === 0x0a0d0d0a) {
      const bigEndian = b[bodyAt] === 0x1a;
      const high = BigInt(r.u32(bodyAt + (bigEndian ? 8 : 12)));
      const low = BigInt(r.u32(bodyAt + (bigEndian ? 12 : 8)));
      sections.push({
        bigEndian,
        version: [r.u16(bodyAt + 4), r.u16(bodyAt + 6)],
        sectionLength: BigInt.asIntN(64, (high << 32n) | low),
        options: readOptions(b, bodyAt + 16, end, r),
        interfaces: [], packets: [], other: [],
      });
    } else {
      const s = sections[sections.length - 1];
      const ts = (o: number) => (BigInt(r.u32(o)) << 32n) | BigInt(r.u32(o + 4));
      if (type === 1) {
        s.interfaces.push({ linkType: r.u16(bodyAt), snaplen: r.u32(bodyAt + 4), options: readOptions(b, bodyAt + 8, end, r) });
      } else if (type === 6) {
        const caplen = r.u32(bodyAt + 12);
        const dataEnd = bodyAt + 20 + ((caplen + 3) & ~3);
        s.packets.push({
          kind: 'epb', interface: r.u32(bodyAt), ts: ts(bodyAt + 4), caplen, origLen: r.u32(bodyAt + 16),
          data: b.slice(bodyAt + 20, bodyAt + 20 + caplen), options: readOptions(b, dataEnd, end, r),
        });
      } else if (type === 2) {
        const caplen = r.u32(bodyAt + 12);
        const dataEnd = bodyAt + 20 + ((caplen + 3) & ~3);
        s.packets.push({
          kind: 'pb', interface: r.u16(bodyAt), ts: ts(bodyAt + 4), caplen, origLen: r.u32(bodyAt + 16),
          data: b.slice(bodyAt + 20, bodyAt + 20 + caplen), options: readOptions(b, dataEnd, end, r),
        });
      } else if (type === 3) {
        const origLen = r.u32(bodyAt);
        const room = end - bodyAt - 4;
        const caplen = Math.min(origLen, room, s.interfaces[0].snaplen || Infinity);
        s.packets.push({ kind: 'spb', interface: 0, ts: 0n, caplen, origLen, data: b.slice(bodyAt + 4, bodyAt + 4 + caplen), options: [] });
      } else {
        s.other.push({ type, body: blk.body });
      }
    }
    at += length;
  }
  return sections;
}

const optionValue = (options: ReadOption[], code: number) => options.find((o) => o.code === code)?.value;

// ---------------------------------------------------------------- frames

describe('frame builders', () => {
  it('parse address text', () => {
    expect([...ipv4Bytes('10.0.0.1')]).toEqual([10, 0, 0, 1]);
    expect(hex(ipv6Bytes('2001:db8::1'))).toBe('20010db8000000000000000000000001');
    expect(hex(ipv6Bytes('::'))).toBe('0'.repeat(32));
    expect(hex(ipv6Bytes('::1'))).toBe(`${'0'.repeat(31)}1`);
    expect(hex(ipv6Bytes('fe80::'))).toBe(`fe80${'0'.repeat(28)}`);
    expect(hex(ipv6Bytes('::ffff:192.0.2.1'))).toBe('00000000000000000000ffffc0000201');
    expect(hex(ipv6Bytes('64:ff9b::198.51.100.7'))).toBe('0064ff9b0000000000000000c6336407');
    expect(hex(ipv6Bytes('1:2:3:4:5:6:7:8'))).toBe('00010002000300040005000600070008');
    for (const bad of ['1:2:3', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8', 'g::1', '::1.2.3']) expect(() => ipv6Bytes(bad)).toThrow();
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d']) expect(() => ipv4Bytes(bad)).toThrow();
    expect(hex(macBytes('aa:BB:cc:00:01:ff'))).toBe('aabbcc0001ff');
  });

  it('ipv4 writes every field at its RFC 791 offset with a correct checksum', () => {
    const payload = udp({ srcPort: 1234, dstPort: 53, payload: Uint8Array.of(1, 2, 3) });
    const p = ipv4({ src: '192.0.2.1', dst: '198.51.100.2', proto: IPPROTO.UDP, payload, ttl: 7, id: 0x1234 });
    expect(p.length).toBe(20 + 11);
    expect(p[0]).toBe(0x45);
    expect(p[2] * 256 + p[3]).toBe(31);
    expect(p[4] * 256 + p[5]).toBe(0x1234);
    expect(p[8]).toBe(7);
    expect(p[9]).toBe(17);
    expect([...p.subarray(12, 16)]).toEqual([192, 0, 2, 1]);
    expect([...p.subarray(16, 20)]).toEqual([198, 51, 100, 2]);
    expect(internetChecksum(p.subarray(0, 20))).toBe(0);
    expect([...p.subarray(20, 28)]).toEqual([0x04, 0xd2, 0, 53, 0, 11, 0, 0]);
  });

  it('ipv4 options, IHL, version and total length overrides', () => {
    const withOptions = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, options: Uint8Array.of(1, 1, 1) });
    expect(withOptions[0]).toBe(0x46);
    expect(withOptions.length).toBe(24);
    expect([...withOptions.subarray(20, 24)]).toEqual([1, 1, 1, 0]);
    expect(internetChecksum(withOptions.subarray(0, 24))).toBe(0);
    const lying = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, ihl: 3, version: 6, totalLength: 9999 });
    expect(lying.length).toBe(20);
    expect(lying[0]).toBe(0x63);
    expect(lying[2] * 256 + lying[3]).toBe(9999);
    expect([...lying.subarray(16, 20)]).toEqual([10, 0, 0, 2]);
  });

  it('ipv6 header layout and extension headers', () => {
    const p = ipv6({ src: '2001:db8::1', dst: '2001:db8:ffff::2', nextHeader: IPPROTO.TCP, payload: tcp({ srcPort: 1, dstPort: 443 }), trafficClass: 0xab, flowLabel: 0x12345 });
    expect(p.length).toBe(60);
    expect(hex(p.subarray(0, 4))).toBe('6ab12345');
    expect(p[4] * 256 + p[5]).toBe(20);
    expect(p[6]).toBe(6);
    expect(p[7]).toBe(64);
    expect(hex(p.subarray(24, 40))).toBe('20010db8ffff00000000000000000002');
    expect(p[40 + 12]).toBe(0x50); // TCP data offset 5
    expect(p[40 + 13]).toBe(0x10); // ACK
    expect(ipv6({ src: '::1', dst: '::2', nextHeader: 59, version: 4 })[0] >> 4).toBe(4);
  });

  it('icmp, tcp and udp', () => {
    const echo = icmp({ payload: Uint8Array.of(9, 9) });
    expect(echo.length).toBe(10);
    expect(echo[0]).toBe(8);
    expect(internetChecksum(echo)).toBe(0);
    expect(icmp({ type: 128 })[2]).toBe(0);
    const t = tcp({ srcPort: 0x1234, dstPort: 80, seq: 0xdeadbeef, flags: 0x02 });
    expect(hex(t.subarray(0, 8))).toBe('12340050deadbeef');
    expect(t[13]).toBe(2);
    expect(udp({ srcPort: 1, dstPort: 2 }).length).toBe(8);
  });

  it('ethernet with VLAN and QinQ tags, padding and FCS', () => {
    const payload = udp4('10.0.0.1', '10.0.0.2');
    const plain = ethernet({ etherType: ETHERTYPE.IPV4, payload });
    expect(hex(plain.subarray(0, 14))).toBe('020000000002020000000001' + '0800');
    expect(plain.subarray(14)).toEqual(payload);
    const qinq = ethernet({ dst: 'ff:ff:ff:ff:ff:ff', vlans: [{ tpid: 0x88a8, vid: 100 }, { tpid: 0x8100, vid: 200, pcp: 5, dei: true }], etherType: ETHERTYPE.IPV6, payload });
    expect(hex(qinq.subarray(12, 22))).toBe('88a8' + '0064' + '8100' + 'b0c8' + '86dd');
    expect(qinq.subarray(22)).toEqual(payload);
    const triple = ethernet({ vlans: [{ tpid: 0x9100, vid: 1 }, { tpid: 0x88a8, vid: 2 }, { tpid: 0x8100, vid: 4095 }], etherType: 0x0800, payload });
    expect(hex(triple.subarray(12, 26))).toBe('9100000188a8000281000fff0800');
    const short = ethernet({ etherType: ETHERTYPE.ARP, payload: arp(), pad: true });
    expect(short.length).toBe(60);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const withFcs = ethernet({ etherType: 0x0800, payload, fcs: true });
    expect(withFcs.length).toBe(14 + payload.length + 4);
    const fcs = withFcs.subarray(withFcs.length - 4);
    expect((fcs[0] | (fcs[1] << 8) | (fcs[2] << 16) | (fcs[3] << 24)) >>> 0).toBe(crc32(withFcs.subarray(0, withFcs.length - 4)));
  });

  it('arp frames', () => {
    const f = arpFrame({ senderIp: '192.0.2.9', targetIp: '192.0.2.10', op: 2 });
    expect(f.length).toBe(60);
    expect(hex(f.subarray(0, 6))).toBe('ffffffffffff');
    expect(hex(f.subarray(12, 22))).toBe('0806' + '0001' + '0800' + '06' + '04' + '0002');
    expect([...f.subarray(14 + 14, 14 + 18)]).toEqual([192, 0, 2, 9]);
    expect([...f.subarray(14 + 24, 14 + 28)]).toEqual([192, 0, 2, 10]);
  });

  it('cooked (SLL, SLL2), NULL, LOOP and RAW headers', () => {
    const payload = udp6('2001:db8::1', '2001:db8::2');
    const v1 = sll({ protocol: ETHERTYPE.IPV6, payload, packetType: 4, addr: '00:11:22:33:44:55' });
    expect(hex(v1.subarray(0, 16))).toBe('0004' + '0001' + '0006' + '0011223344550000' + '86dd');
    expect(v1.subarray(16)).toEqual(payload);
    const v1vlan = sll({ protocol: ETHERTYPE.IPV4, payload, vlans: [{ tpid: 0x8100, vid: 10 }] });
    expect(hex(v1vlan.subarray(14, 20))).toBe('8100000a0800');
    const v2 = sll2({ protocol: ETHERTYPE.IPV4, payload, interfaceIndex: 3, packetType: 1 });
    expect(hex(v2.subarray(0, 20))).toBe('0800' + '0000' + '00000003' + '0001' + '01' + '06' + '0200000000010000');
    expect(v2.subarray(20)).toEqual(payload);
    expect(hex(nullLoopback(AF.INET, payload).subarray(0, 4))).toBe('02000000');
    expect(hex(nullLoopback(AF.INET6_DARWIN, payload, false).subarray(0, 4))).toBe('0000001e');
    expect(hex(loop(AF.INET6_BSD, payload).subarray(0, 4))).toBe('00000018');
    const copy = raw(payload);
    expect(copy).toEqual(payload);
    expect(copy).not.toBe(payload);
  });
});

// ---------------------------------------------------------------- pcap

const frame = (dst: string) => ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', dst) });

describe('pcap builder', () => {
  const records = [
    { ts: { sec: 1_600_000_000, frac: 123_456 }, data: frame('10.0.0.1') },
    { ts: { sec: 1_600_000_001, frac: 999_999 }, data: frame('10.0.0.2').subarray(0, 40), origLen: 1514 },
  ];

  it('writes the libpcap header and records in either byte order', () => {
    for (const bigEndian of [false, true]) {
      const bytes = pcap({ linkType: LINKTYPE.EN10MB, records, bigEndian, snaplen: 65535 });
      const f = readPcap(bytes);
      expect(f.magic).toBe(bigEndian ? 'a1b2c3d4' : 'd4c3b2a1');
      expect(f.bigEndian).toBe(bigEndian);
      expect(f.version).toEqual([2, 4]);
      expect(f.snaplen).toBe(65535);
      expect(f.linkField).toBe(1);
      expect(f.records.map((r) => [r.sec, r.frac, r.caplen, r.origLen])).toEqual([
        [1_600_000_000, 123_456, 42, 42], [1_600_000_001, 999_999, 40, 1514],
      ]);
      expect(f.records[0].data).toEqual(records[0].data);
      expect(bytes.length).toBe(24 + 16 + 42 + 16 + 40);
    }
  });

  it('nanosecond, modified, version, FCS bits, swapped lengths and magic overrides', () => {
    expect(readPcap(pcap({ linkType: 1, records, nanosecond: true })).magic).toBe('4d3cb2a1');
    expect(readPcap(pcap({ linkType: 1, records, nanosecond: true, bigEndian: true })).magic).toBe('a1b23c4d');
    const modified = readPcap(pcap({ linkType: 1, records: [{ ...records[0], ifindex: 7, protocol: 0x86dd, pktType: 4 }], modified: true, bigEndian: true }));
    expect(modified.magic).toBe('a1b2cd34');
    expect(modified.records[0].extra).toEqual([7, 0x86dd, 4, 0]);
    expect(modified.records[0].data).toEqual(records[0].data);
    expect(() => pcap({ linkType: 1, records, modified: true, nanosecond: true })).toThrow();
    expect(readPcap(pcap({ linkType: 1, records, version: [2, 2] })).version).toEqual([2, 2]);
    expect(readPcap(pcap({ linkType: 1, records, fcsBits: 2 })).linkField).toBe(0x24000001);
    expect(readPcap(pcap({ linkType: 1, records, linkTypeField: 0x00010001 })).linkField).toBe(0x00010001);
    const swapped = pcap({ linkType: 1, records: [records[1]], swappedLengths: true, version: [2, 2] });
    const r = reader(swapped, false);
    expect([r.u32(24 + 8), r.u32(24 + 12)]).toEqual([1514, 40]);
    expect(hex(pcap({ linkType: 1, records, magic: 0x12345678, bigEndian: true }).subarray(0, 4))).toBe('12345678');
    const lying = pcap({ linkType: 1, records: [{ ts: { sec: 0, frac: 0 }, data: Uint8Array.of(1, 2), caplen: 300_000 }] });
    expect(reader(lying, false).u32(24 + 8)).toBe(300_000);
    expect(lying.length).toBe(24 + 16 + 2);
  });

  it('layout, record-length patches and truncation', () => {
    for (const bigEndian of [false, true]) {
      const bytes = pcap({ linkType: 1, records, bigEndian });
      const layout = pcapLayout(bytes);
      expect(layout.bigEndian).toBe(bigEndian);
      expect(layout.records.map((x) => [x.offset, x.caplen, x.origLen, x.dataOffset])).toEqual([[24, 42, 42, 40], [82, 40, 1514, 98]]);
      const patched = setRecordLength(bytes, 1, { caplen: 300_000 });
      expect(patched).not.toBe(bytes);
      expect(pcapLayout(bytes).records[1].caplen).toBe(40); // input untouched
      expect(pcapLayout(patched).records[1]).toMatchObject({ caplen: 300_000, origLen: 1514, dataEnd: 98 + 300_000 });
      expect(pcapLayout(setRecordLength(bytes, 0, { origLen: 7 })).records[0].origLen).toBe(7);
      const mod = pcapLayout(pcap({ linkType: 1, records, modified: true, bigEndian }));
      expect(mod.recordHeaderLength).toBe(24);
      expect(mod.records[1].offset).toBe(24 + 24 + 42);
    }
    const bytes = pcap({ linkType: 1, records });
    expect(truncate(bytes, 10).length).toBe(10);
    expect(truncate(bytes, -3).length).toBe(bytes.length - 3);
    expect(() => readPcap(truncate(bytes, -3))).toThrow(/cut/);
    expect(pcapLayout(truncate(bytes, 24 + 10)).records).toEqual([]);
    expect(() => readPcap(setMagic(bytes, 0xdeadbeef))).toThrow(/magic/);
    expect(chunks(bytes, 7).map((c) => c.length).reduce((a, b) => a + b)).toBe(bytes.length);
  });
});

// ---------------------------------------------------------------- pcapng

describe('pcapng builder', () => {
  const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => i + 1);

  it('writes SHB, IDBs and EPBs with padding, trailers and options in either byte order', () => {
    for (const bigEndian of [false, true]) {
      const blocks: PcapngBlock[] = [1, 2, 3, 4, 5, 8].map((n, i) => ({ kind: 'epb', interface: i % 2, ts: 0x1_0000_0002n + BigInt(i), data: data(n), origLen: n + 100 }));
      blocks.push({ kind: 'epb', interface: 1, ts: 5n, data: data(3), flags: 1, comment: 'hé' });
      const bytes = pcapng({ sections: [{ bigEndian, options: [{ code: 4, value: 'fibscope tests' }], interfaces: [
        { linkType: LINKTYPE.EN10MB, snaplen: 256 },
        { linkType: LINKTYPE.RAW, tsresol: 9, tsoffset: 1_000_000n, fcslen: 4, name: 'eth9' },
      ], blocks }] });
      expect(bytes.length % 4).toBe(0);
      const [s, ...more] = readPcapng(bytes);
      expect(more).toEqual([]);
      expect(s.bigEndian).toBe(bigEndian);
      expect(s.version).toEqual([1, 0]);
      expect(s.sectionLength).toBe(-1n);
      expect(new TextDecoder().decode(optionValue(s.options, 4))).toBe('fibscope tests');
      expect(s.interfaces.map((i) => [i.linkType, i.snaplen])).toEqual([[1, 256], [101, 0]]);
      expect(s.interfaces[0].options).toEqual([]);
      const opts = s.interfaces[1].options;
      expect(opts.map((o) => o.code)).toEqual([2, 9, 13, 14]);
      expect([...optionValue(opts, 9)!]).toEqual([9]);
      expect([...optionValue(opts, 13)!]).toEqual([4]);
      const off = reader(optionValue(opts, 14)!, bigEndian);
      expect(bigEndian ? off.u32(4) : off.u32(0)).toBe(1_000_000);
      expect(s.packets.map((p) => [p.interface, p.ts, p.caplen, p.origLen])).toEqual([
        [0, 0x1_0000_0002n, 1, 101], [1, 0x1_0000_0003n, 2, 102], [0, 0x1_0000_0004n, 3, 103],
        [1, 0x1_0000_0005n, 4, 104], [0, 0x1_0000_0006n, 5, 105], [1, 0x1_0000_0007n, 8, 108], [1, 5n, 3, 3],
      ]);
      expect(s.packets[4].data).toEqual(data(5));
      const last = s.packets[6];
      expect(new TextDecoder().decode(optionValue(last.options, 1))).toBe('hé');
      expect(reader(optionValue(last.options, 2)!, bigEndian).u32(0)).toBe(1);
    }
  });

  it('several sections with different byte orders restart interface numbering', () => {
    const bytes = pcapng({ sections: [
      { interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', interface: 0, ts: 1n, data: data(4) }] },
      { bigEndian: true, version: [1, 2], sectionLength: 'auto', interfaces: [{ linkType: 113, tsresol: 0x80 | 20 }, { linkType: 276 }],
        blocks: [{ kind: 'epb', interface: 1, ts: 2n, data: data(6) }, { kind: 'idb', linkType: 101 }, { kind: 'epb', interface: 2, ts: 3n, data: data(1) }] },
      { interfaces: [], blocks: [] },
    ] });
    const sections = readPcapng(bytes);
    expect(sections.map((s) => s.bigEndian)).toEqual([false, true, false]);
    expect(sections[1].version).toEqual([1, 2]);
    expect(sections[1].interfaces.map((i) => i.linkType)).toEqual([113, 276, 101]);
    expect([...optionValue(sections[1].interfaces[0].options, 9)!]).toEqual([0x94]);
    expect(sections[1].packets.map((p) => [p.interface, p.ts])).toEqual([[1, 2n], [2, 3n]]);
    const layout = pcapngLayout(bytes);
    expect(layout.map((b) => [b.type, b.section, b.bigEndian])).toEqual([
      [PCAPNG_BLOCK.SHB, 0, false], [1, 0, false], [6, 0, false],
      [PCAPNG_BLOCK.SHB, 1, true], [1, 1, true], [1, 1, true], [6, 1, true], [1, 1, true], [6, 1, true],
      [PCAPNG_BLOCK.SHB, 2, false],
    ]);
    // 'auto' section length = bytes from the end of the SHB to the next SHB
    const shb1 = layout[3];
    expect(sections[1].sectionLength).toBe(BigInt(layout[9].offset - (shb1.offset + shb1.length)));
    expect(layout[9].offset + layout[9].length).toBe(bytes.length);
  });

  it('writes SPB, obsolete PB, ISB, NRB, custom and unknown blocks', () => {
    for (const bigEndian of [false, true]) {
      const bytes = pcapng({ sections: [{ bigEndian, interfaces: [{ linkType: 1, snaplen: 4 }], blocks: [
        { kind: 'spb', data: data(4), origLen: 60 },
        { kind: 'pb', interface: 0, ts: 77n, data: data(3), origLen: 90, drops: 2 },
        { kind: 'isb', interface: 0, ts: 99n, received: 10n, dropped: 1n },
        { kind: 'nrb', records: [{ ipv4: '192.0.2.1', names: ['a.example'] }, { ipv6: '2001:db8::1', names: ['b', 'c'] }] },
        { kind: 'custom', pen: 32473, data: data(5) },
        { kind: 'custom', type: 0x40000bad, pen: 32473, data: data(1) },
        { kind: 'unknown', type: 0x12345678, body: data(6) },
      ] }] });
      const [s] = readPcapng(bytes);
      expect(s.packets.map((p) => [p.kind, p.interface, p.ts, p.caplen, p.origLen])).toEqual([['spb', 0, 0n, 4, 60], ['pb', 0, 77n, 3, 90]]);
      expect(s.packets[0].data).toEqual(data(4));
      expect(s.other.map((o) => o.type)).toEqual([5, 4, 0xbad, 0x40000bad, 0x12345678]);
      const r = reader(s.other[0].body, bigEndian);
      expect([r.u32(0), r.u32(4), r.u32(8)]).toEqual([0, 0, 99]);
      const nrb = s.other[1].body;
      const n = reader(nrb, bigEndian);
      expect([n.u16(0), n.u16(2)]).toEqual([1, 4 + 10]);
      expect(new TextDecoder().decode(nrb.subarray(8, 17))).toBe('a.example');
      expect(n.u16(20)).toBe(2);
      expect(hex(nrb.subarray(24, 40))).toBe('20010db8000000000000000000000001');
      expect(reader(s.other[2].body, bigEndian).u32(0)).toBe(32473);
      expect(s.other[4].body).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6, 0, 0));
      const pb = pcapngLayout(bytes)[3];
      expect(reader(bytes, bigEndian).u16(pb.offset + 10)).toBe(2); // drops count
    }
  });

  it('damage helpers patch one field and leave the input alone', () => {
    for (const bigEndian of [false, true]) {
      const bytes = pcapng({ sections: [{ bigEndian, interfaces: [{ linkType: 1 }], blocks: [{ kind: 'epb', interface: 0, ts: 1n, data: data(10) }] }] });
      const r = (b: Uint8Array) => reader(b, bigEndian);
      const epb = pcapngLayout(bytes)[2];
      expect(epb.length).toBe(32 + 12);
      const odd = corruptBlockLength(bytes, 2, 42);
      expect([r(odd).u32(epb.offset + 4), r(odd).u32(epb.offset + 40)]).toEqual([42, 42]);
      const leading = corruptBlockLength(bytes, 2, 48, 'leading');
      expect([r(leading).u32(epb.offset + 4), r(leading).u32(epb.offset + 40)]).toEqual([48, 44]);
      const trailer = setBlockTrailer(bytes, 2, 0);
      expect([r(trailer).u32(epb.offset + 4), r(trailer).u32(epb.offset + 40)]).toEqual([44, 0]);
      expect(() => readPcapng(trailer)).toThrow();
      expect(r(patchBlockU32(bytes, 2, EPB_FIELD.interfaceId, 3)).u32(epb.offset + 8)).toBe(3);
      expect(r(patchBlockU32(bytes, 2, EPB_FIELD.caplen, 400)).u32(epb.offset + 20)).toBe(400);
      expect(r(setBlockType(bytes, 2, 0x99)).u32(epb.offset)).toBe(0x99);
      expect(readPcapng(bytes)[0].packets).toHaveLength(1);
      expect(pcapngLayout(join([bytes, bytes])).filter((b) => b.type === PCAPNG_BLOCK.SHB)).toHaveLength(2);
    }
  });
});

// ---------------------------------------------------------------- the same files through Wireshark and tcpdump

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tshark = has('tshark');
const tcpdump = has('tcpdump');
const capinfos = has('capinfos');
for (const [tool, found] of [['tshark', tshark], ['tcpdump', tcpdump], ['capinfos', capinfos]] as const) {
  if (!found) console.warn(`captures-builder: ${tool} is not on PATH; its cross-check is skipped (Debian: tshark, tcpdump)`);
}
const dir = tempDir('fibscope-captures-');
let fileNumber = 0;
function file(bytes: Uint8Array, ext: string): string {
  const path = joinPath(dir, `${fileNumber++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}
function run(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}
const fields = (path: string, ...names: string[]) =>
  run('tshark', ['-r', path, '-T', 'fields', '-E', 'separator=|', ...names.flatMap((n) => ['-e', n])]).trim().split('\n');

describe('cross-check with Wireshark and tcpdump (each skipped when its command, tshark, tcpdump or capinfos, is not on PATH)', () => {
  const v4 = udp4('192.0.2.1', '203.0.113.9');
  const v6 = udp6('2001:db8::1', '2001:db8:ffff::9');
  const linkFrames: [number, Uint8Array, string][] = [
    [LINKTYPE.EN10MB, ethernet({ etherType: ETHERTYPE.IPV4, payload: v4, vlans: [{ tpid: 0x88a8, vid: 10 }, { tpid: 0x8100, vid: 20 }] }), '203.0.113.9'],
    [LINKTYPE.NULL, nullLoopback(AF.INET6_DARWIN, v6, true), '2001:db8:ffff::9'],
    [LINKTYPE.NULL, nullLoopback(AF.INET, v4, false), '203.0.113.9'],
    [LINKTYPE.LOOP, loop(AF.INET6_BSD, v6), '2001:db8:ffff::9'],
    [LINKTYPE.RAW, raw(v6), '2001:db8:ffff::9'],
    [LINKTYPE.IPV4, raw(v4), '203.0.113.9'],
    [LINKTYPE.IPV6, raw(v6), '2001:db8:ffff::9'],
    [LINKTYPE.LINUX_SLL, sll({ protocol: ETHERTYPE.IPV4, payload: v4, vlans: [{ tpid: 0x8100, vid: 5 }] }), '203.0.113.9'],
    [LINKTYPE.LINUX_SLL2, sll2({ protocol: ETHERTYPE.IPV6, payload: v6 }), '2001:db8:ffff::9'],
  ];

  it.skipIf(!tshark)('tshark finds the destination of every link type, in pcap and in pcapng', () => {
    const perLink = linkFrames.map(([linkType, data]) => pcap({ linkType, records: [{ ts: { sec: 1, frac: 0 }, data }] }));
    for (const [i, bytes] of perLink.entries()) {
      expect(fields(file(bytes, 'pcap'), 'ip.dst', 'ipv6.dst')[0].replace('|', '')).toBe(linkFrames[i][2]);
    }
    // one pcapng: each link type on its own interface, sections alternating byte order
    const ng = pcapng({ sections: [0, 1].map((half) => ({
      bigEndian: half === 1,
      interfaces: linkFrames.map(([linkType]) => ({ linkType })),
      blocks: linkFrames.map(([, data], i): PcapngBlock => ({ kind: 'epb', interface: i, ts: BigInt(i), data })),
    })) });
    const dsts = fields(file(ng, 'pcapng'), 'ip.dst', 'ipv6.dst').map((l) => l.replace('|', ''));
    expect(dsts).toEqual([...linkFrames, ...linkFrames].map(([, , d]) => d));
  });

  it.skipIf(!tshark)('tshark reads timestamps, lengths and every variant the same way', () => {
    const data = frame('10.9.8.7');
    const epoch = (bytes: Uint8Array, ext: string) => fields(file(bytes, ext), 'frame.time_epoch', 'frame.len', 'frame.cap_len', 'ip.dst');
    const rec = [{ ts: { sec: 1_600_000_000, frac: 123_456 }, data: data.subarray(0, 30), origLen: 1000 }];
    expect(epoch(pcap({ linkType: 1, records: rec, bigEndian: true }), 'pcap')).toEqual(['1600000000.123456000|1000|30|']);
    expect(epoch(pcap({ linkType: 1, records: [{ ts: { sec: 1_600_000_000, frac: 123_456_789 }, data }], nanosecond: true }), 'pcap'))
      .toEqual([`1600000000.123456789|${data.length}|${data.length}|10.9.8.7`]);
    expect(epoch(pcap({ linkType: 1, records: rec, swappedLengths: true, version: [2, 2] }), 'pcap')).toEqual(['1600000000.123456000|1000|30|']);
    const ng = pcapng({ sections: [{ bigEndian: true, interfaces: [{ linkType: 1 }, { linkType: 1, tsresol: 9 }, { linkType: 1, tsresol: 0x80 | 10 }, { linkType: 1, tsresol: 3, tsoffset: 100n }], blocks: [
      { kind: 'epb', interface: 0, ts: 1_600_000_000_123_456n, data },
      { kind: 'epb', interface: 1, ts: 1_600_000_000_123_456_789n, data, origLen: 2000 },
      { kind: 'epb', interface: 2, ts: 1024n * 5n + 512n, data },
      { kind: 'epb', interface: 3, ts: 1_500n, data },
      { kind: 'pb', interface: 0, ts: 2_000_000n, data },
      { kind: 'isb', interface: 0, ts: 3n, received: 5n },
      { kind: 'nrb', records: [{ ipv4: '10.9.8.7', names: ['dst.example'] }] },
      { kind: 'custom', pen: 32473, data: Uint8Array.of(1, 2, 3) },
    ] }, { interfaces: [{ linkType: 1, snaplen: data.length }], blocks: [{ kind: 'spb', data, origLen: 500 }] }] });
    // Wireshark lists the custom block as a record of its own (no IP in it): keep the packets
    expect(epoch(ng, 'pcapng').filter((line) => line.endsWith('10.9.8.7'))).toEqual([
      `1600000000.123456000|${data.length}|${data.length}|10.9.8.7`,
      `1600000000.123456789|2000|${data.length}|10.9.8.7`,
      `5.500000000|${data.length}|${data.length}|10.9.8.7`,
      `101.500000000|${data.length}|${data.length}|10.9.8.7`,
      `2.000000000|${data.length}|${data.length}|10.9.8.7`,
      `|500|${data.length}|10.9.8.7`, // an SPB has no timestamp
    ]);
  });

  it.skipIf(!tcpdump)('tcpdump (libpcap) reads modified, nanosecond, FCS and byte-swapped pcap', () => {
    const data = frame('10.1.2.3');
    const records = [{ ts: { sec: 1_600_000_000, frac: 5 }, data }, { ts: { sec: 1_600_000_001, frac: 6 }, data: frame('10.1.2.4') }];
    const read = (bytes: Uint8Array, ...args: string[]) => run('tcpdump', ['-r', file(bytes, 'pcap'), '-nn', '-tt', ...args]).trim().split('\n');
    for (const bigEndian of [false, true]) {
      const lines = read(pcap({ linkType: 1, records, modified: true, bigEndian }));
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^1600000000\.000005 IP 192\.0\.2\.1\.40000 > 10\.1\.2\.3\.53:/);
      expect(lines[1]).toMatch(/> 10\.1\.2\.4\.53:/);
    }
    expect(read(pcap({ linkType: 1, records, nanosecond: true, bigEndian: true }), '--time-stamp-precision=nano')[0]).toMatch(/^1600000000\.000000005 IP/);
    const fcsFrame = ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.1.2.3'), fcs: true });
    expect(read(pcap({ linkType: 1, fcsBits: 2, records: [{ ts: { sec: 1, frac: 0 }, data: fcsFrame }] }))[0]).toMatch(/> 10\.1\.2\.3\.53:/);
    const qinqArp = read(pcap({ linkType: 1, records: [{ ts: { sec: 1, frac: 0 }, data: arpFrame({ vlans: [{ tpid: 0x88a8, vid: 3 }, { tpid: 0x8100, vid: 4 }] }) }] }), '-e');
    expect(qinqArp[0]).toMatch(/vlan 3.*vlan 4.*ARP.*Request who-has 192\.0\.2\.2 tell 192\.0\.2\.1/);
  });

  it.skipIf(!capinfos)('capinfos agrees on packet counts, encapsulation and precision', () => {
    const ng = pcapng({ sections: [{ interfaces: [{ linkType: LINKTYPE.LINUX_SLL2, tsresol: 9 }], blocks: Array.from({ length: 5 }, (_, i): PcapngBlock => ({ kind: 'epb', interface: 0, ts: BigInt(i), data: sll2({ protocol: 0x0800, payload: v4 }) })) }] });
    const info = run('capinfos', ['-M', '-c', '-E', '-t', file(ng, 'pcapng')]);
    expect(info).toMatch(/Number of packets:\s+5\n/);
    expect(info).toMatch(/File type:\s+pcapng\n/);
    expect(info).toMatch(/File encapsulation:\s+linux-sll2\n/);
    const usec = run('capinfos', ['-M', '-c', '-E', file(pcap({ linkType: LINKTYPE.NULL, records: [{ ts: { sec: 0, frac: 0 }, data: nullLoopback(2, v4) }], bigEndian: true }), 'pcap')]);
    expect(usec).toMatch(/Number of packets:\s+1\n/);
    expect(usec).toMatch(/File encapsulation:\s+null/i);
  });
});
