import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, formatIPv6, type Fib, type Report } from '../src/node.js';
import { formatJson, writeJson } from '../src/report/index.js';
import { testFib } from './helpers/analyze.js';
import { pcap, pcapng, type PcapRecord } from './helpers/captures.js';
import { ETHERTYPE, ethernet, LINKTYPE, udp4, udp6 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

// The destinations of `-f json` are written in WebAssembly straight from the counters. The
// reference is the object path: the same report with its destinations read as objects first,
// which JSON.stringify then writes. The two must agree byte for byte.

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

/** The report of `bytes` and the same report built again with its destinations read as objects. */
function bothReports(bytes: Uint8Array, before?: (analyzer: Analyzer) => void): { fast: Report; objects: Report } {
  const analyzer = new Analyzer({ fib, name: 'fast.pcap' });
  try {
    analyzer.push(bytes);
    analyzer.end();
    before?.(analyzer);
    const fast = analyzer.report();
    const objects = analyzer.report();
    void objects.destinations;
    return { fast, objects };
  } finally {
    analyzer.dispose();
  }
}

function expectSameJson(bytes: Uint8Array): string {
  const { fast, objects } = bothReports(bytes);
  const text = formatJson(fast);
  expect(text).toBe(formatJson(objects));
  return text;
}

/** An IPv6 address with runs of zero groups in random places, as 16 bytes of text. */
function zeroRunAddress(random: Random): string {
  const groups = Array.from({ length: 8 }, () => (random.below(3) === 0 ? random.u32() & 0xffff : 0));
  if (random.below(4) === 0) groups[random.below(8)] = 0xffff;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => { bytes[i * 2] = g >> 8; bytes[i * 2 + 1] = g & 0xff; });
  return formatIPv6(bytes);
}

describe('JSON destinations written in WebAssembly', () => {
  it('match the object path on random IPv4 and IPv6 destinations, over several blocks', () => {
    const random = new Random(5952);
    const records: PcapRecord[] = [];
    for (let i = 0; i < 5000; i++) {
      const v6 = random.below(2) === 0;
      const dst = v6 ? zeroRunAddress(random) : [0, 0, 0, 0].map(() => random.below(256)).join('.');
      const data = v6 ? udp6('2001:db8::1', dst) : udp4('192.0.2.1', dst);
      const etherType = v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4;
      // seconds anywhere in the u32 range: leap years, year ends, 2106
      const sec = random.below(4) === 0 ? 0xffffffff - random.below(1000) : random.u32();
      records.push({ ts: { sec, frac: random.below(1_000_000) }, data: ethernet({ etherType, payload: data }), origLen: random.u32() });
    }
    const text = expectSameJson(pcap({ linkType: LINKTYPE.EN10MB, records }));
    const report = JSON.parse(text) as Report;
    expect(report.destinations.length).toBeGreaterThan(4000);
    expect(report.destinations.some((d) => d.prefix === null)).toBe(false); // default routes cover all
    expect(report.destinations.some((d) => d.address.startsWith('::ffff:'))).toBe(true);
  });

  it('match with nanosecond and binary-fraction times, no route and an empty capture', async () => {
    const records: PcapRecord[] = [
      { ts: { sec: 951_782_400, frac: 999_999_999 }, data: ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.0.0.1') }) },
      { ts: { sec: 0, frac: 1 }, data: ethernet({ etherType: ETHERTYPE.IPV6, payload: udp6('2001:db8::1', '::1') }) },
    ];
    expectSameJson(pcap({ linkType: LINKTYPE.EN10MB, records, nanosecond: true }));
    expectSameJson(pcapng({
      sections: [{
        interfaces: [{ linkType: LINKTYPE.EN10MB, tsresol: 0x80 | 20 }, { linkType: LINKTYPE.RAW, tsresol: 7 }],
        blocks: [
          { kind: 'epb', interface: 0, ts: 1_700_000_000n << 20n | 12345n, data: ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.9.9.9') }) },
          { kind: 'epb', interface: 1, ts: 17_000_000_000_000_001n, data: udp6('2001:db8::1', '2001:db8:0:0:1::') },
        ],
      }],
    }));
    const lonely = await testFib('10.0.0.0/8 ten');
    const analyzer = new Analyzer({ fib: lonely });
    analyzer.push(pcap({ linkType: LINKTYPE.EN10MB, records }));
    analyzer.end();
    const fast = formatJson(analyzer.report());
    const objects = analyzer.report();
    void objects.destinations;
    expect(fast).toBe(formatJson(objects));
    const prefixes = JSON.parse(fast).destinations.map((d: { address: string; prefix: string | null }) => [d.address, d.prefix]);
    expect(prefixes.sort()).toEqual([['10.0.0.1', '10.0.0.0/8'], ['::1', null]]);
    analyzer.dispose();
    expect(expectSameJson(pcap({ linkType: LINKTYPE.EN10MB, records: [] }))).toContain('"destinations": []');
  });

  it('shows a destination whose route was removed since as unrouted, as the object path does', () => {
    const local = fib;
    const id = local.add('10.77.0.0/16', { nextHop: 'gone' });
    const { fast, objects } = bothReports(pcap({
      linkType: LINKTYPE.EN10MB,
      records: [{ ts: { sec: 1, frac: 2 }, data: ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.77.0.1') }) }],
    }), () => local.removeRoute(id));
    expect(formatJson(fast)).toBe(formatJson(objects));
    const report = JSON.parse(formatJson(fast)) as Report;
    expect(report.destinations.find((d) => d.address === '10.77.0.1')?.prefix).toBeNull();
    expect(report.routes.map((r) => r.prefix)).not.toContain('10.77.0.0/16');
  });

  it('hands over chunks that are only valid during the call, and falls back once objects are read', () => {
    const { fast } = bothReports(pcap({
      linkType: LINKTYPE.EN10MB,
      records: [{ ts: { sec: 1, frac: 2 }, data: ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.0.0.7') }) }],
    }));
    const copies: Uint8Array[] = [];
    writeJson(fast, (chunk) => copies.push(chunk.slice()));
    const whole = new TextDecoder().decode(Buffer.concat(copies));
    fast.destinations[0].packets = 99; // a caller's change shows from then on
    const destinationsAt = whole.indexOf('"destinations": [');
    const changed = whole.slice(0, destinationsAt) + whole.slice(destinationsAt).replace('"packets": 1,', '"packets": 99,');
    expect(changed).not.toBe(whole);
    expect(formatJson(fast)).toBe(changed);
  });
});
