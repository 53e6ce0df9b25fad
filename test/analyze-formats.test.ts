import { gzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile, type Fib } from '../src/node.js';
import { analyzeBytes, byDestination, counts, testFib } from './helpers/analyze.js';
import { pcap, pcapng, type PcapRecord } from './helpers/captures.js';
import { ETHERTYPE, ethernet, LINKTYPE, nullLoopback, AF, raw, udp4, udp6 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

const v4 = udp4('198.51.100.1', '10.1.2.3');
const v6 = udp6('2001:db8::1', '2001:db8::99');
const eth4 = ethernet({ etherType: ETHERTYPE.IPV4, payload: v4 });
const eth6 = ethernet({ etherType: ETHERTYPE.IPV6, payload: v6 });
const records: PcapRecord[] = [
  { ts: { sec: 1_700_000_000, frac: 250 }, data: eth4, origLen: 1000 },
  { ts: { sec: 1_700_000_001, frac: 500 }, data: eth6 },
  { ts: { sec: 1_700_000_002, frac: 750 }, data: eth4 },
];

describe('pcap variants', () => {
  const variants: [string, Parameters<typeof pcap>[0]][] = [
    ['little-endian µs', { linkType: LINKTYPE.EN10MB, records }],
    ['big-endian µs', { linkType: LINKTYPE.EN10MB, records, bigEndian: true }],
    ['little-endian ns', { linkType: LINKTYPE.EN10MB, records, nanosecond: true }],
    ['big-endian ns', { linkType: LINKTYPE.EN10MB, records, nanosecond: true, bigEndian: true }],
    ['modified (Kuznetzov)', { linkType: LINKTYPE.EN10MB, records, modified: true }],
    ['modified, big-endian', { linkType: LINKTYPE.EN10MB, records, modified: true, bigEndian: true }],
    ['2.2 with swapped lengths', { linkType: LINKTYPE.EN10MB, records, version: [2, 2], swappedLengths: true }],
    ['2.3 with swapped lengths', { linkType: LINKTYPE.EN10MB, records, version: [2, 3], swappedLengths: true }],
    ['FCS bits in the link type field', { linkType: LINKTYPE.EN10MB, records, fcsBits: 2 }],
  ];
  for (const [name, options] of variants) {
    it(`reads ${name}`, () => {
      const report = analyzeBytes(fib, pcap(options));
      expect(counts(report)).toMatchObject({ records: 3, counted: 3, ipv4: 2, ipv6: 1 });
      expect(report.totals.bytes).toBe(1000 + eth6.length + eth4.length);
      expect(report.inputs[0]).toMatchObject({ format: 'pcap', linkTypes: [1], records: 3, error: null });
      const first = report.destinations.find((d) => d.address === '10.1.2.3')!;
      expect(first.firstSeen).toBe(options.nanosecond ? '2023-11-14T22:13:20.000000250Z' : '2023-11-14T22:13:20.000250Z');
    });
  }
});

describe('pcapng', () => {
  it('reads several sections of either byte order, several interfaces, EPB, SPB and PB, and skips other blocks', () => {
    const bytes = pcapng({
      sections: [
        {
          interfaces: [{ linkType: LINKTYPE.EN10MB }, { linkType: LINKTYPE.NULL, tsresol: 9 }],
          blocks: [
            { kind: 'epb', interface: 0, ts: 1_700_000_000_000_001n, data: eth4 },
            { kind: 'custom', pen: 32473, data: new Uint8Array([1, 2, 3]) },
            { kind: 'epb', interface: 1, ts: 1_700_000_000_123_456_789n, data: nullLoopback(AF.INET6_DARWIN, v6) },
            { kind: 'nrb', records: [{ ipv4: '10.1.2.3', names: ['host'] }] },
            { kind: 'isb', interface: 0, ts: 0n, received: 3n },
            { kind: 'unknown', type: 0x12345, body: new Uint8Array(10) },
          ],
        },
        {
          bigEndian: true,
          interfaces: [{ linkType: LINKTYPE.RAW, tsresol: 0x80 | 20, snaplen: 65535 }],
          blocks: [
            { kind: 'spb', data: raw(v4) },
            { kind: 'pb', interface: 0, ts: 1n << 20n, data: raw(v6) },
            { kind: 'epb', interface: 0, ts: 3n << 19n, data: raw(v4), origLen: 9000 },
          ],
        },
      ],
    });
    for (const chunk of [bytes.length, 7, 1]) {
      const report = analyzeBytes(fib, bytes, chunk);
      expect(counts(report)).toEqual({ records: 5, counted: 5, ipv4: 3, ipv6: 2, nonIp: 0, malformed: 0, unsupportedLink: 0 });
      expect(report.inputs[0]).toMatchObject({ format: 'pcapng', linkTypes: [1, 0, 101], records: 5, error: null });
      expect(byDestination(report)).toEqual({ '10.1.2.3': 3, '2001:db8::99': 2 });
      const v6dest = report.destinations.find((d) => d.address === '2001:db8::99')!;
      // ns interface: 9 decimals; the 2^-20 interface gives 1.0 s and 1.5 s
      expect(v6dest.lastSeen).toBe('2023-11-14T22:13:20.123456789Z');
      expect(v6dest.firstSeen).toBe('1970-01-01T00:00:01.000000000Z');
      expect(report.destinations.find((d) => d.address === '10.1.2.3')!.bytes).toBe(eth4.length + v4.length + 9000);
    }
  });

  it('counts records of an interface with an unknown link type as unsupportedLink', () => {
    const bytes = pcapng({ sections: [{ interfaces: [{ linkType: 147 }, { linkType: LINKTYPE.RAW }],
      blocks: [{ kind: 'epb', interface: 0, ts: 0n, data: v4 }, { kind: 'epb', interface: 1, ts: 0n, data: v4 }] }] });
    expect(counts(analyzeBytes(fib, bytes))).toMatchObject({ records: 2, unsupportedLink: 1, counted: 1 });
  });
});

describe('reading in pieces', () => {
  it('gives the same report whatever the chunk sizes', () => {
    const bytes = pcap({ linkType: LINKTYPE.EN10MB, records: [...records, ...records, ...records] });
    const whole = analyzeBytes(fib, bytes);
    for (let chunk = 1; chunk <= 64; chunk++) {
      expect(analyzeBytes(fib, bytes, chunk), `chunks of ${chunk}`).toEqual(whole);
    }
  });

  it('reads gzip-compressed captures whatever their name, and several files into one report', async () => {
    const dir = tempDir('fibscope-formats-');
    const plain = join(dir, 'a.pcapng.gz');
    const zipped = join(dir, 'b.txt');
    writeFileSync(plain, pcap({ linkType: LINKTYPE.EN10MB, records }));
    writeFileSync(zipped, gzipSync(pcap({ linkType: LINKTYPE.EN10MB, records })));
    const one = await analyzeFile(zipped, { fib });
    expect(one.totals.records).toBe(3);
    expect(one.inputs[0]).toMatchObject({ path: zipped, format: 'pcap', error: null });
    const { analyzeFiles } = await import('../src/node.js');
    const both = await analyzeFiles([plain, zipped], { fib });
    expect(both.totals.records).toBe(6);
    expect(both.inputs.map((i) => i.path)).toEqual([plain, zipped]);
  });

  it('rejects only a file that cannot be opened', async () => {
    await expect(analyzeFile('/nonexistent/capture.pcap', { fib })).rejects.toThrow(/cannot open capture \/nonexistent\/capture\.pcap/);
  });
});
