import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Fib } from '../src/node.js';
import { analyzeBytes, counts, testFib } from './helpers/analyze.js';
import {
  corruptBlockLength, pcap, pcapng, pcapngLayout, patchBlockU32, EPB_FIELD, setBlockTrailer, setMagic,
  setRecordLength, truncate, type PcapRecord,
} from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

const packet = raw(udp4('192.0.2.9', '10.1.2.3'));
const records: PcapRecord[] = Array.from({ length: 4 }, (_, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: packet }));
const good = pcap({ linkType: LINKTYPE.RAW, records });
const goodNg = pcapng({ sections: [{ interfaces: [{ linkType: LINKTYPE.RAW }],
  blocks: records.map((r, i) => ({ kind: 'epb' as const, interface: 0, ts: BigInt(i), data: r.data })) }] });

describe('a capture cut at every length', () => {
  const ngBlocks = pcapngLayout(goodNg);
  for (const [name, bytes, headerBytes, recordBytes, boundaries] of [
    ['pcap', good, 24, 16 + packet.length, [24, 24 + 1 * (16 + packet.length)]],
    ['pcapng', goodNg, ngBlocks[2].offset, ngBlocks[2].length, ngBlocks.map((b) => b.offset + b.length)],
  ] as const) {
    it(`${name}: counts every whole record before the cut and says where it stopped`, () => {
      for (let length = 0; length <= bytes.length; length++) {
        const report = analyzeBytes(fib, truncate(bytes, length));
        const whole = Math.max(0, Math.floor((length - headerBytes) / recordBytes));
        // a cut between blocks (pcapng) or records (pcap) leaves nothing half read
        const clean = (boundaries as readonly number[]).includes(length)
          || (length >= headerBytes && (length - headerBytes) % recordBytes === 0);
        expect(report.totals.records, `${length} bytes`).toBe(Math.min(whole, 4));
        expect(report.totals.counted).toBe(report.totals.records);
        if (clean) {
          expect(report.inputs[0].error, `${length} bytes`).toBeNull();
        } else {
          expect(report.inputs[0].error, `${length} bytes`).toMatch(length === 0 ? /empty file/
            : length < headerBytes ? /header|cut short|not a pcap/ : new RegExp(`record ${whole + 1} at byte offset ${headerBytes + whole * recordBytes} is cut short`));
        }
      }
    });
  }
});

describe('damage', () => {
  it('stops at a record over 262,144 bytes, keeping the records before it', () => {
    const report = analyzeBytes(fib, setRecordLength(good, 2, { caplen: 262_145 }));
    expect(report.totals.records).toBe(2);
    expect(report.inputs[0].error).toBe(`record 3 at byte offset ${24 + 2 * (16 + packet.length)} claims 262145 captured bytes, over the 262144-byte limit`);
  });

  it('stops at bad block lengths and trailers, and at undeclared interfaces', () => {
    const blocks = pcapngLayout(goodNg);
    const third = blocks[4];
    expect(analyzeBytes(fib, corruptBlockLength(goodNg, 4, 13)).inputs[0].error).toBe(`block at byte offset ${third.offset} has length 13: not a multiple of 4 of at least 12`);
    expect(analyzeBytes(fib, corruptBlockLength(goodNg, 4, 8)).totals.records).toBe(2);
    expect(analyzeBytes(fib, setBlockTrailer(goodNg, 4, 999)).inputs[0].error).toMatch(`block at byte offset ${third.offset} ends with length 999`);
    const undeclared = analyzeBytes(fib, patchBlockU32(goodNg, 4, EPB_FIELD.interfaceId, 7));
    expect(undeclared.totals.records).toBe(2);
    expect(undeclared.inputs[0].error).toBe(`record 3 at byte offset ${third.offset} belongs to interface 7, which no interface description block declared`);
    expect(analyzeBytes(fib, patchBlockU32(goodNg, 4, EPB_FIELD.caplen, 5000)).inputs[0].error).toMatch(/record 3 .* claims 5000 captured bytes, more than its block holds/);
  });

  it('says a file that is not a capture is not one, and an empty one is empty', () => {
    expect(analyzeBytes(fib, setMagic(good, 0x12345678)).inputs[0]).toMatchObject({ format: null, records: 0, error: 'not a pcap or pcapng capture: byte offset 0 holds 12 34 56 78' });
    expect(analyzeBytes(fib, new TextEncoder().encode('hello, this is text\n')).inputs[0].error).toMatch(/not a pcap or pcapng capture/);
    expect(analyzeBytes(fib, new Uint8Array(0)).inputs[0].error).toBe('empty file: not a capture');
  });

  it('counts garbage packets inside a sound capture without stopping', () => {
    const garbage = Array.from({ length: 64 }, (_, i) => ({ ts: { sec: 0, frac: 0 }, data: new Uint8Array(i).map((_, j) => (i * 31 + j * 7) & 255) }));
    for (const linkType of [LINKTYPE.EN10MB, LINKTYPE.RAW, LINKTYPE.NULL, LINKTYPE.LINUX_SLL, LINKTYPE.LINUX_SLL2, LINKTYPE.IPV6]) {
      const report = analyzeBytes(fib, pcap({ linkType, records: garbage }));
      const c = counts(report);
      expect(c.records).toBe(64);
      expect(Number(c.counted) + Number(c.nonIp) + Number(c.malformed) + Number(c.unsupportedLink)).toBe(64);
      expect(report.inputs[0].error).toBeNull();
    }
  });
});

describe('fibscope analyze on damaged input', () => {
  const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
  const dir = tempDir('fibscope-damage-');
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  it('writes the report of what it read, names file, record and offset on stderr, and exits 1', () => {
    const path = join(dir, 'cut.pcap');
    writeFileSync(path, truncate(good, good.length - 3));
    const result = run('analyze', '-f', 'json', path);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).totals.records).toBe(3);
    expect(result.stderr).toBe(`fibscope: ${path}: record 4 at byte offset ${24 + 3 * (16 + packet.length)} is cut short: the capture ends ${16 + packet.length - 3} bytes into it\n`);
  });

  it('exits 2 for a capture that cannot be opened and for bad options, without a stack trace', () => {
    for (const args of [['analyze', join(dir, 'missing.pcap')], ['analyze', '-f', 'xml', join(dir, 'x')], ['analyze', '-n', 'many', join(dir, 'x')], ['analyze']]) {
      const result = run(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).toBe('');
    }
  });
});
