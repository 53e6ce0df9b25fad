import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { sumCounts, type Report } from '../src/node.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap, pcapng } from './helpers/captures.js';
import { Random } from './helpers/random.js';
import { ETHERTYPE, ethernet, LINKTYPE, raw, sll, udp4, udp6 } from './helpers/packets.js';

// Mutated captures (bit flips, cuts, splices, overwritten length fields) must give a report,
// never an exception or a hang, and the same report however the bytes are chunked.

function builtSeeds(): Uint8Array[] {
  const frames = [
    ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('192.0.2.1', '10.1.2.3') }),
    ethernet({ vlans: [{ tpid: 0x88a8, vid: 2 }, { tpid: 0x8100, vid: 3 }], etherType: ETHERTYPE.IPV6, payload: udp6('2001:db8::1', '2001:db8::2') }),
  ];
  const records = frames.map((data, i) => ({ ts: { sec: i, frac: i }, data }));
  return [
    pcap({ linkType: LINKTYPE.EN10MB, records }),
    pcap({ linkType: LINKTYPE.EN10MB, records, bigEndian: true, nanosecond: true }),
    pcap({ linkType: LINKTYPE.EN10MB, records, modified: true }),
    pcapng({ sections: [
      { interfaces: [{ linkType: LINKTYPE.EN10MB }, { linkType: LINKTYPE.LINUX_SLL, tsresol: 9 }],
        blocks: [{ kind: 'epb', interface: 0, ts: 1n, data: frames[0] }, { kind: 'epb', interface: 1, ts: 2n, data: sll({ protocol: ETHERTYPE.IPV4, payload: udp4('1.1.1.1', '10.0.0.1') }) },
          { kind: 'custom', pen: 1, data: new Uint8Array(5) }, { kind: 'spb', data: frames[1] }] },
      { bigEndian: true, interfaces: [{ linkType: LINKTYPE.RAW, tsresol: 0x80 | 10 }],
        blocks: [{ kind: 'pb', interface: 0, ts: 5n, data: raw(udp4('1.1.1.1', '192.0.2.5')) }] },
    ] }),
  ];
}

/** A few real captures too, when the shared data is beside the project. */
function sharedSeeds(random: Random, count: number): Uint8Array[] {
  const root = fileURLToPath(new URL('../../shared/data/captures/', import.meta.url));
  if (!existsSync(root)) return [];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(pcap|pcapng|cap|dmp)$/.test(name) && statSync(path).size < 200_000) files.push(path);
    }
  };
  walk(root);
  return Array.from({ length: Math.min(count, files.length) }, () => new Uint8Array(readFileSync(files[random.below(files.length)])));
}

function mutate(random: Random, seeds: Uint8Array[]): Uint8Array {
  const bytes = seeds[random.below(seeds.length)].slice();
  switch (random.below(5)) {
    case 0: // bit flips
      for (let n = 1 + random.below(16); n > 0; n--) bytes[random.below(bytes.length)] ^= 1 << random.below(8);
      return bytes;
    case 1: // a cut
      return bytes.subarray(0, random.below(bytes.length + 1));
    case 2: { // a splice of two captures
      const other = seeds[random.below(seeds.length)];
      const out = new Uint8Array(random.below(bytes.length + 1) + other.length);
      out.set(bytes.subarray(0, out.length - other.length));
      out.set(other.subarray(random.below(other.length + 1)), out.length - other.length);
      return out;
    }
    case 3: { // a 32-bit word (a length, a type, a magic) set to something odd
      const at = random.below(Math.max(1, bytes.length - 3)) & ~3;
      const values = [0, 0xffffffff, 0x7fffffff, 262145, 12, 13, random.u32()];
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, values[random.below(values.length)], random.below(2) === 0);
      return bytes;
    }
    default: { // bytes inserted
      const at = random.below(bytes.length + 1);
      const extra = random.bytes(1 + random.below(40));
      const out = new Uint8Array(bytes.length + extra.length);
      out.set(bytes.subarray(0, at));
      out.set(extra, at);
      out.set(bytes.subarray(at), at + extra.length);
      return out;
    }
  }
}

function checkInvariants(report: Report): void {
  const t = report.totals;
  expect(t.records).toBe(report.inputs.reduce((sum, input) => sum + input.records, 0));
  expect(t.counted).toBe(sumCounts([t.ipv4, t.ipv6]));
  expect(sumCounts([t.counted, t.nonIp, t.malformed, t.unsupportedLink])).toBe(t.records);
  expect(sumCounts(Object.values(t.malformedReasons))).toBe(t.malformed);
  expect(sumCounts(report.routes.map((r) => r.packets), t.noRoute.packets)).toBe(t.counted);
  expect(sumCounts(report.destinations.map((d) => d.packets))).toBe(t.counted);
  const error = report.inputs[0].error;
  if (error !== null) expect(error).toMatch(/byte offset|empty file|cut short/);
}

it('survives mutated captures with a report that does not depend on chunking', async () => {
  const fib = await testFib();
  const random = new Random(2026);
  const seeds = [...builtSeeds(), ...sharedSeeds(random, 40)];
  const started = Date.now();
  let cases = 0;
  for (; cases < 3000 && Date.now() - started < 8000; cases++) {
    const bytes = mutate(random, seeds);
    let whole: Report;
    try {
      whole = analyzeBytes(fib, bytes);
      checkInvariants(whole);
      const chunked = analyzeBytes(fib, bytes, 1 + random.below(300));
      expect(chunked).toEqual(whole);
    } catch (error) {
      throw new Error(`case ${cases} (${bytes.length} bytes, starts ${Buffer.from(bytes.subarray(0, 16)).toString('hex')}): ${(error as Error).message}`);
    }
  }
  console.log(`fuzz: ${cases} mutated captures, ${seeds.length} seeds`);
  expect(cases).toBeGreaterThan(200);
}, 30_000);
