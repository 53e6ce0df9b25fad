// Record times, checked where they are read (README "Timestamps"). The oracle is a BigInt
// model of the formats: a pcap time is seconds plus a fraction in µs or ns (a fraction of a
// second or more carries its whole seconds); a pcapng time is ticks / units + if_tsoffset with
// the rest floored to nanoseconds, where units are 10^n or 2^n per second. The report holds
// 1970-01-01T00:00:00Z .. 2106-02-07T06:28:15.999999999Z: a record whose fields are out of
// range is still counted (as libpcap and wiretap read it), at the time they spell or, outside
// the range, at its nearest end, and the input's badTimes says how many and where the first
// is. An if_tsresol finer than 64 bits is damage of its interface description block, as in
// libpcap and wiretap. Some files are also read by tshark, whose times must equal the model,
// and by tcpdump.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, type Fib, type Report } from '../src/node.js';
import { formatJson } from '../src/report/index.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap, pcapng, pcapngLayout, type PcapngBlock, type PcapngInterface, type PcapRecord } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { tempDir } from './helpers/temp-dir.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

// ---------------------------------------------------------------- the model

const NS = 1_000_000_000n;
const MAX_SECONDS = 0xffff_ffffn;
const U64 = 1n << 64n;

type ModelTime = { seconds: bigint; nanoseconds: bigint } | 'before 1970' | 'after 2106';

function unitsPerSecond(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

/** A pcapng time: whole seconds of ticks plus the offset, the rest floored to nanoseconds. */
function pcapngTime(ticks: bigint, tsresol: number, offset: bigint): ModelTime {
  const units = unitsPerSecond(tsresol);
  const seconds = ticks / units + offset;
  if (seconds < 0n) return 'before 1970';
  if (seconds > MAX_SECONDS) return 'after 2106';
  return { seconds, nanoseconds: ((ticks % units) * NS) / units };
}

/** A classic pcap time: the fraction's whole seconds carried, in µs or ns. */
function pcapTime(sec: number, frac: number, nanosecond: boolean): ModelTime {
  const perSecond = nanosecond ? NS : 1_000_000n;
  const seconds = BigInt(sec) + BigInt(frac) / perSecond;
  if (seconds > MAX_SECONDS) return 'after 2106';
  return { seconds, nanoseconds: (BigInt(frac) % perSecond) * (NS / perSecond) };
}

/** Where a report puts a time: itself, or the nearest end of the range it holds. */
function clamp(time: ModelTime): { seconds: bigint; nanoseconds: bigint } {
  if (time === 'before 1970') return { seconds: 0n, nanoseconds: 0n };
  if (time === 'after 2106') return { seconds: MAX_SECONDS, nanoseconds: NS - 1n };
  return time;
}

/** The input's badTimes for `records` records out of range, the first record `record` at `offset`. */
function badTimes(records: number, record: number, offset: number) {
  const many = records === 1 ? '1 record has a timestamp' : `${records} records have timestamps`;
  return {
    records,
    message: `${many} out of range, the first record ${record} at byte offset ${offset}: a fraction of a second or more is `
      + 'read with its whole seconds carried, a time before 1970-01-01T00:00:00Z or after 2106-02-07T06:28:15.999999999Z as that end of the range',
  };
}

/** The report's digits for one interface: its decimal digits, 9 for binary ticks, at least 6. */
function digitsOf(tsresol: number): number {
  return Math.max(6, tsresol & 0x80 ? 9 : Math.min(tsresol, 9));
}

/** ISO 8601 UTC, fraction cut (not rounded) to `digits`. */
function iso(time: ModelTime, digits: number): string {
  if (typeof time === 'string') throw new Error(`no ISO text for a time ${time}: clamp it first`);
  const civil = new Date(Number(time.seconds) * 1000).toISOString().slice(0, 19);
  return `${civil}.${time.nanoseconds.toString().padStart(9, '0').slice(0, digits)}Z`;
}

/** tshark's frame.time_epoch text of a time. */
function epoch(time: ModelTime): string {
  if (typeof time === 'string') throw new Error(`no epoch text for a time ${time}`);
  return `${time.seconds}.${time.nanoseconds.toString().padStart(9, '0')}`;
}

// ---------------------------------------------------------------- captures and reports

/** One packet to a destination of its own, so each packet's time is that destination's firstSeen. */
const destination = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
const packet = (i: number) => raw(udp4('192.0.2.9', destination(i)));

/** The report's firstSeen per destination index, read both as objects and from `-f json` (written in WebAssembly). */
function seenTimes(bytes: Uint8Array): { objects: string[]; json: string[]; report: Report } {
  const analyzer = new Analyzer({ fib, name: 'times.pcapng' });
  try {
    analyzer.push(bytes);
    analyzer.end();
    const json = JSON.parse(formatJson(analyzer.report())) as Report; // destinations never read as objects
    const report = analyzer.report();
    const byIndex = (r: Report) => {
      const out: string[] = [];
      for (const d of r.destinations) {
        expect(d.lastSeen).toBe(d.firstSeen);
        const [, a, b, c] = d.address.split('.').map(Number);
        out[(a << 16) | (b << 8) | c] = d.firstSeen;
      }
      return out;
    };
    return { objects: byIndex(report), json: byIndex(json), report };
  } finally {
    analyzer.dispose();
  }
}

interface Stamp {
  tsresol: number;
  offset: bigint;
  ticks: bigint;
}

/** A pcapng file with one interface per stamp (its if_tsresol and if_tsoffset) and one EPB on it. */
function stampsFile(stamps: readonly Stamp[], bigEndian = false): Uint8Array {
  const interfaces: PcapngInterface[] = stamps.map((s) => ({ linkType: LINKTYPE.RAW, tsresol: s.tsresol, tsoffset: s.offset }));
  const blocks: PcapngBlock[] = stamps.map((s, i) => ({ kind: 'epb', interface: i, ts: s.ticks, data: packet(i) }));
  return pcapng({ sections: [{ bigEndian, interfaces, blocks }] });
}

/** The byte offset of the `index`-th packet block (EPB) of a one-section file. */
function packetBlockOffset(bytes: Uint8Array, index: number): number {
  return pcapngLayout(bytes).filter((b) => b.type === 6)[index].offset;
}

// ---------------------------------------------------------------- tshark

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tshark = has('tshark');
const tcpdump = has('tcpdump');
for (const [tool, found] of [['tshark', tshark], ['tcpdump', tcpdump]] as const) {
  if (!found) console.warn(`analyze-timestamps: ${tool} is not installed; its cross-checks are skipped`);
}
const dir = tempDir('fibscope-times-');
let files = 0;

/** tshark's frame.time_epoch of each packet, or its error text when it refuses the file. */
function tsharkEpochs(bytes: Uint8Array): string[] | { error: string } {
  const path = join(dir, `${files++}.pcapng`);
  writeFileSync(path, bytes);
  const result = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8' });
  if (result.status !== 0) return { error: result.stderr };
  return result.stdout.trim().split('\n');
}

// ---------------------------------------------------------------- pcap

describe('pcap: a fraction of a second or more', () => {
  for (const [name, nanosecond, modified, limit] of [
    ['µs', false, false, 1_000_000],
    ['µs, modified pcap', false, true, 1_000_000],
    ['ns', true, false, 1_000_000_000],
  ] as const) {
    const unit = nanosecond ? 'ns' : 'µs';
    for (const bad of [limit, limit + 1, 4_294_968, 0xffff_ffff].filter((f) => f >= limit)) {
      it(`${name}: ${bad} ${unit} carries its whole seconds (past 2106: the last instant), and is counted as out of range`, () => {
        const stamps: [number, number][] = [[40, limit - 1], [0xffff_ffff, limit - 1], [41, bad], [42, 0], [0xffff_ffff, bad]];
        const records: PcapRecord[] = stamps.map(([sec, frac], i) => ({ ts: { sec, frac }, data: packet(i) }));
        const recordBytes = (modified ? 24 : 16) + packet(0).length;
        const digits = nanosecond ? 9 : 6;
        const expected = stamps.map(([sec, frac]) => iso(clamp(pcapTime(sec, frac, nanosecond)), digits));
        expect(expected[4]).toBe(`2106-02-07T06:28:15.${'9'.repeat(digits)}Z`);
        for (const bigEndian of [false, true]) {
          const bytes = pcap({ linkType: LINKTYPE.RAW, records, nanosecond, modified, bigEndian });
          for (const chunk of [bytes.length, 1, 37]) {
            const report = analyzeBytes(fib, bytes, chunk);
            expect(report.totals.records).toBe(5);
            expect(report.inputs[0].error).toBeNull();
            expect(report.inputs[0].badTimes).toEqual(badTimes(2, 3, 24 + 2 * recordBytes));
          }
          const { objects, json } = seenTimes(bytes);
          expect(objects).toEqual(expected);
          expect(json).toEqual(expected);
        }
      });
    }
  }

  it('the largest fractions in range print as the last digits of their second, with no badTimes', () => {
    const { objects, report } = seenTimes(pcap({ linkType: LINKTYPE.RAW, nanosecond: true, records: [{ ts: { sec: 40, frac: 999_999_999 }, data: packet(0) }] }));
    expect(objects).toEqual(['1970-01-01T00:00:40.999999999Z']);
    expect(report.inputs[0]).not.toHaveProperty('badTimes');
  });
});

// ---------------------------------------------------------------- pcapng

describe('pcapng: if_tsresol and if_tsoffset', () => {
  const cases: [string, Stamp][] = [
    ['if_tsresol 0 (1 s ticks) past 2^32 s, brought back by the offset', { tsresol: 0, ticks: 1n << 40n, offset: -(1n << 40n) + 1_700_000_000n }],
    ['if_tsresol 0, 2^63 s past the time, brought back by the most negative offset', { tsresol: 0, ticks: (1n << 63n) + 4_000_000_000n, offset: -(1n << 63n) }],
    ['if_tsresol 0 at the last second a report holds', { tsresol: 0, ticks: MAX_SECONDS, offset: 0n }],
    ['µs at the last µs a report holds', { tsresol: 6, ticks: MAX_SECONDS * 1_000_000n + 999_999n, offset: 0n }],
    ['a negative offset that lands on 1970-01-01T00:00:00Z', { tsresol: 6, ticks: 2_000_000_000_000_000n, offset: -2_000_000_000n }],
    ['a negative offset of -2e9 s from 3e9 s', { tsresol: 6, ticks: 3_000_000_000_654_321n, offset: -2_000_000_000n }],
    ['if_tsresol 10 (finer than ns, floored)', { tsresol: 10, ticks: 17_000_000_001_234_567_891n, offset: 0n }],
    ['if_tsresol 19, the finest decimal, with an offset', { tsresol: 19, ticks: 18_446_744_073_709_551_615n, offset: 1_700_000_000n }],
    ['if_tsresol 2^-0 (1 s ticks)', { tsresol: 0x80, ticks: 1_700_000_000n, offset: 0n }],
    ['if_tsresol 2^-20', { tsresol: 0x80 | 20, ticks: (1_700_000_000n << 20n) + 777_777n, offset: 0n }],
    ['if_tsresol 2^-32', { tsresol: 0x80 | 32, ticks: (1_700_000_000n << 32n) + 0xffff_ffffn, offset: 0n }],
    ['if_tsresol 2^-40 (a 2^72 product without 128 bits)', { tsresol: 0x80 | 40, ticks: (1_234_567n << 40n) + (1n << 40n) - 1n, offset: 1_700_000_000n }],
    ['if_tsresol 2^-63, the finest binary', { tsresol: 0x80 | 63, ticks: U64 - 1n, offset: 1_700_000_000n }],
  ];

  for (const [name, stamp] of cases) {
    it(`${name}: ${iso(pcapngTime(stamp.ticks, stamp.tsresol, stamp.offset), 9)}`, () => {
      for (const bigEndian of [false, true]) {
        const bytes = stampsFile([stamp], bigEndian);
        const expected = [iso(pcapngTime(stamp.ticks, stamp.tsresol, stamp.offset), digitsOf(stamp.tsresol))];
        const { objects, json, report } = seenTimes(bytes);
        expect(report.inputs[0].error).toBeNull();
        expect(objects).toEqual(expected);
        expect(json).toEqual(expected);
      }
    });
  }

  it('random ticks at every supported if_tsresol, with random offsets, equal the model', () => {
    const random = new Random(20260509);
    const resolutions = [...Array.from({ length: 20 }, (_, n) => n), ...Array.from({ length: 64 }, (_, n) => 0x80 | n)];
    const stamps: Stamp[] = [];
    while (stamps.length < 600) {
      const tsresol = resolutions[random.below(resolutions.length)];
      const units = unitsPerSecond(tsresol);
      // a time the report holds, then ticks and an offset that reach it
      const seconds = BigInt(random.u32());
      const fraction = ((BigInt(random.u32()) << 32n) | BigInt(random.u32())) % units;
      const offset = random.below(3) === 0 ? 0n : BigInt(random.u32()) * (random.below(2) ? 1n : -1n) * BigInt(1 + random.below(1000));
      const ticks = (seconds - offset) * units + fraction;
      if (ticks < 0n || ticks >= U64) continue;
      stamps.push({ tsresol, offset, ticks });
    }
    for (const bigEndian of [false, true]) {
      const bytes = stampsFile(stamps, bigEndian);
      const { objects, json, report } = seenTimes(bytes);
      expect(report.inputs[0].error).toBeNull();
      const digits = Math.max(...stamps.map((s) => digitsOf(s.tsresol)));
      const expected = stamps.map((s) => iso(pcapngTime(s.ticks, s.tsresol, s.offset), digits));
      expect(objects).toEqual(expected);
      expect(json).toEqual(expected);
    }
  });
});

describe('pcapng: a time a report cannot hold reads as the nearest end of the range, counted', () => {
  const cases: [string, Stamp][] = [
    ['if_tsresol 0 past 2^32 s', { tsresol: 0, ticks: 5_000_000_000n, offset: 0n }],
    ['if_tsresol 0, one second past the last', { tsresol: 0, ticks: MAX_SECONDS + 1n, offset: 0n }],
    ['µs, one µs past the last', { tsresol: 6, ticks: (MAX_SECONDS + 1n) * 1_000_000n, offset: 0n }],
    ['a negative offset of -2e9 s from 1e9 s', { tsresol: 6, ticks: 1_000_000_000_000_000n, offset: -2_000_000_000n }],
    ['a negative offset one µs short of 1970', { tsresol: 6, ticks: 1_999_999_999_999_999n, offset: -2_000_000_000n }],
    ['the most negative offset', { tsresol: 0, ticks: U64 - 1n, offset: -(1n << 63n) }],
    ['the most negative offset from 0', { tsresol: 9, ticks: 0n, offset: -(1n << 63n) }],
    ['the largest offset', { tsresol: 9, ticks: 0n, offset: (1n << 63n) - 1n }],
    ['an offset just past the last second', { tsresol: 9, ticks: 999_999_999n, offset: MAX_SECONDS + 1n }],
    ['if_tsresol 2^-1, all 64 bits of ticks', { tsresol: 0x81, ticks: U64 - 1n, offset: 0n }],
  ];
  for (const [name, stamp] of cases) {
    const time = pcapngTime(stamp.ticks, stamp.tsresol, stamp.offset);
    it(`${name}: ${String(time)}`, () => {
      expect(typeof time).toBe('string');
      // a good record on interface 0 first, the bad one on interface 1, a good one after
      const good: Stamp = { tsresol: 6, ticks: 1_700_000_000_000_000n, offset: 0n };
      const stamps = [good, stamp, good];
      for (const bigEndian of [false, true]) {
        const bytes = stampsFile(stamps, bigEndian);
        const { objects, json, report } = seenTimes(bytes);
        expect(report.totals.records).toBe(3);
        expect(report.inputs[0].error).toBeNull();
        expect(report.inputs[0].badTimes).toEqual(badTimes(1, 2, packetBlockOffset(bytes, 1)));
        const digits = Math.max(...stamps.map((s) => digitsOf(s.tsresol)));
        const expected = stamps.map((s) => iso(clamp(pcapngTime(s.ticks, s.tsresol, s.offset)), digits));
        expect(expected[1]).toMatch(time === 'before 1970' ? /^1970-01-01T00:00:00\.0+Z$/ : /^2106-02-07T06:28:15\.9+Z$/);
        expect(objects).toEqual(expected);
        expect(json).toEqual(expected);
      }
    });
  }
});

describe('pcapng: an if_tsresol finer than 64-bit ticks is damage of its interface description block', () => {
  for (const [tsresol, text] of [[20, '10^-20'], [25, '10^-25'], [127, '10^-127'], [0x80 | 64, '2^-64'], [0xff, '2^-127']] as const) {
    it(`if_tsresol ${tsresol} (${text} s)`, () => {
      const good: PcapngInterface = { linkType: LINKTYPE.RAW };
      const bytes = pcapng({ sections: [{ interfaces: [good], blocks: [
        { kind: 'epb', interface: 0, ts: 1_700_000_000_000_000n, data: packet(0) },
        { kind: 'idb', linkType: LINKTYPE.RAW, tsresol },
        { kind: 'epb', interface: 1, ts: 0n, data: packet(1) },
      ] }] });
      const report = analyzeBytes(fib, bytes);
      expect(report.totals.records).toBe(1);
      const idb = pcapngLayout(bytes)[3];
      expect(idb.type).toBe(1);
      expect(report.inputs[0].error).toBe(`interface description block at byte offset ${idb.offset} has if_tsresol ${tsresol} (${text} s): ticks that fine do not fit in 64 bits`);
    });
  }
});

describe('fibscope analyze on times out of range', () => {
  it('counts every record, warns on stderr naming the first, and exits 0', () => {
    const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
    const path = join(dir, 'fraction.pcap');
    writeFileSync(path, pcap({ linkType: LINKTYPE.RAW, nanosecond: true, records: [
      { ts: { sec: 40, frac: 5 }, data: packet(0) },
      { ts: { sec: 40, frac: 1_000_000_000 }, data: packet(1) },
    ] }));
    const result = spawnSync(process.execPath, [CLI, 'analyze', '-f', 'json', path], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.totals.records).toBe(2);
    const offset = 24 + 16 + packet(0).length;
    expect(report.inputs[0].badTimes).toEqual(badTimes(1, 2, offset));
    expect(report.destinations.map((d) => d.firstSeen).sort()).toEqual(['1970-01-01T00:00:40.000000005Z', '1970-01-01T00:00:41.000000000Z']);
    expect(result.stderr).toBe(`fibscope: ${path}: warning: ${badTimes(1, 2, offset).message}\n`);
  });
});

describe('cross-check with tshark and tcpdump (each skipped when its command is not on PATH)', () => {
  it.skipIf(!tshark)('tshark reads every time the report holds as the model does', () => {
    const stamps: Stamp[] = [
      { tsresol: 0, ticks: 1n << 40n, offset: -(1n << 40n) + 1_700_000_000n },
      { tsresol: 6, ticks: 3_000_000_000_654_321n, offset: -2_000_000_000n },
      { tsresol: 6, ticks: MAX_SECONDS * 1_000_000n + 999_999n, offset: 0n },
      { tsresol: 9, ticks: 1_700_000_000_123_456_789n, offset: 0n },
      { tsresol: 10, ticks: 17_000_000_001_234_567_891n, offset: 0n },
      { tsresol: 0x80 | 20, ticks: (1_700_000_000n << 20n) + 777_777n, offset: 0n },
      { tsresol: 0x80 | 32, ticks: (1_700_000_000n << 32n) + 0xffff_ffffn, offset: 0n },
      // not 10^-19 or 2^-40: Wireshark before 4.4 multiplies the fraction by 10^9 in 64 bits,
      // which overflows for ticks finer than about 10^-10 s (today's wiretap splits the product)
    ];
    const epochs = tsharkEpochs(stampsFile(stamps));
    expect(epochs).toEqual(stamps.map((s) => epoch(pcapngTime(s.ticks, s.tsresol, s.offset))));
  });

  it.skipIf(!tshark)('tshark agrees on the times outside 1970 .. 2106 that fibscope clamps', () => {
    // tshark holds 64-bit signed seconds: its time is the model's, outside what a report holds
    for (const stamp of [
      { tsresol: 0, ticks: 5_000_000_000n, offset: 0n },
      { tsresol: 6, ticks: (MAX_SECONDS + 1n) * 1_000_000n, offset: 0n },
      { tsresol: 6, ticks: 1_000_000_000_000_000n, offset: -2_000_000_000n },
    ]) {
      const seconds = stamp.ticks / unitsPerSecond(stamp.tsresol) + stamp.offset;
      expect(typeof pcapngTime(stamp.ticks, stamp.tsresol, stamp.offset)).toBe('string');
      expect(tsharkEpochs(stampsFile([stamp]))).toEqual([`${seconds}.000000000`]);
    }
  });

  it.skipIf(!tcpdump)('tcpdump (libpcap) refuses an if_tsresol finer than 64-bit ticks, as fibscope does', () => {
    for (const [tsresol, text] of [[20, '10^-20'], [0x80 | 64, '2^-64']] as const) {
      const path = join(dir, `${files++}.pcapng`);
      writeFileSync(path, stampsFile([{ tsresol, ticks: 1n, offset: 0n }]));
      const result = spawnSync('tcpdump', ['-r', path, '-nn'], { encoding: 'utf8' });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`resolution ${text} is too high`);
    }
  });
});
