import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Fib } from '../src/node.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap, pcapng, type PcapRecord } from './helpers/captures.js';
import { LINKTYPE, raw, udp4, udp6 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

// Captures as a new user hands them over: gzip piped into `analyze -`, and files so short that
// only their first bytes say what they were meant to be.

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = tempDir('fibscope-edges-');

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

const records: PcapRecord[] = Array.from({ length: 300 }, (_, i) => ({
  ts: { sec: 1_700_000_000 + i, frac: i },
  data: raw(i % 3 ? udp4(`192.0.2.${i % 250}`, `10.${i % 7}.2.3`) : udp6('2001:db8::9', `2001:db8::${i}`)),
}));
const capture = pcap({ linkType: LINKTYPE.RAW, records });

/** The JSON report of `analyze -f json`, with the input's name left out. */
function reportOf(stdout: string): unknown {
  const report = JSON.parse(stdout);
  for (const input of report.inputs) delete input.path;
  return report;
}

describe('gzip on standard input', () => {
  it('is read as the gzip file and the plain capture are', () => {
    const path = join(dir, 'capture.pcap');
    writeFileSync(path, capture);
    const fromFile = spawnSync(process.execPath, [CLI, 'analyze', '-f', 'json', path], { encoding: 'utf8' });
    expect(fromFile.status).toBe(0);
    const gzipped = spawnSync(process.execPath, [CLI, 'analyze', '-f', 'json', '-'], { input: gzipSync(capture), encoding: 'utf8' });
    expect(gzipped.stderr).toBe('');
    expect(gzipped.status).toBe(0);
    expect(reportOf(gzipped.stdout)).toEqual(reportOf(fromFile.stdout));
    const plain = spawnSync(process.execPath, [CLI, 'analyze', '-f', 'json', '-'], { input: capture, encoding: 'utf8' });
    expect(reportOf(plain.stdout)).toEqual(reportOf(fromFile.stdout));
  });

  it('is recognised when its magic comes in two writes, and damage in it is reported', async () => {
    const compressed = gzipSync(capture);
    const run = (chunks: Uint8Array[]) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'analyze', '-f', 'json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => { stdout += chunk; });
      child.stderr.on('data', (chunk) => { stderr += chunk; });
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      // one byte, a pause long enough for the reader to take it alone, then the rest
      child.stdin.write(chunks[0]);
      setTimeout(() => child.stdin.end(chunks[1]), 200);
    });
    const split = await run([compressed.subarray(0, 1), compressed.subarray(1)]);
    expect(split.stderr).toBe('');
    expect(JSON.parse(split.stdout).totals.records).toBe(records.length);
    // cut inside the compressed stream: what was read is counted, the input says why it stopped
    const cut = await run([compressed.subarray(0, 1), compressed.subarray(1, compressed.length >> 1)]);
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(/^fibscope: -: the compressed stream is damaged/);
    expect(JSON.parse(cut.stdout).totals.records).toBeLessThan(records.length);
  });
});

describe('a file of fewer bytes than a magic number', () => {
  const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const starts: [string, Uint8Array][] = [
    ['pcap µs little-endian', capture],
    ['pcap µs big-endian', pcap({ linkType: LINKTYPE.RAW, records, bigEndian: true })],
    ['pcap ns', pcap({ linkType: LINKTYPE.RAW, records, nanosecond: true })],
    ['pcap ns big-endian', pcap({ linkType: LINKTYPE.RAW, records, nanosecond: true, bigEndian: true })],
    ['pcap modified', pcap({ linkType: LINKTYPE.RAW, records, modified: true })],
    ['pcap modified big-endian', pcap({ linkType: LINKTYPE.RAW, records, modified: true, bigEndian: true })],
  ];

  it('is a pcap file header cut short when it holds 2 or 3 bytes of a pcap magic, as 10 bytes are', () => {
    for (const [name, bytes] of starts) {
      const ten = analyzeBytes(fib, bytes.subarray(0, 10)).inputs[0].error;
      expect(ten, name).toBe('the file header is cut short: 10 of 24 bytes');
      for (const length of [2, 3]) {
        for (const chunk of [1, length]) {
          expect(analyzeBytes(fib, bytes.subarray(0, length), chunk).inputs[0].error, `${name}, ${length} bytes`)
            .toBe(ten!.replace('10 of', `${length} of`));
        }
      }
    }
  });

  it('is a pcapng section header cut short when it holds 2 or 3 bytes of its magic, as 10 bytes are', () => {
    for (const bigEndian of [false, true]) {
      const bytes = pcapng({ sections: [{ bigEndian, interfaces: [{ linkType: LINKTYPE.RAW }], blocks: [] }] });
      const ten = analyzeBytes(fib, bytes.subarray(0, 10)).inputs[0];
      for (const length of [2, 3]) {
        const short = analyzeBytes(fib, bytes.subarray(0, length)).inputs[0];
        expect(short.format).toBe(ten.format);
        expect(short.error).toBe(ten.error!.replace('10 bytes', `${length} bytes`));
      }
    }
  });

  it('is not a capture, showing exactly the bytes it holds, otherwise', () => {
    // every 1-byte file, and 2- and 3-byte files that start no magic
    const files: Uint8Array[] = [];
    for (let b = 0; b < 256; b++) files.push(Uint8Array.of(b));
    files.push(Uint8Array.of(0x41, 0x42), Uint8Array.of(0xd4, 0x00), Uint8Array.of(0x0a, 0x0a), Uint8Array.of(0xa1, 0xb2, 0x00),
      Uint8Array.of(0x0a, 0x0d, 0x0a), new TextEncoder().encode('hi\n'));
    for (const bytes of files) {
      const input = analyzeBytes(fib, bytes, 1).inputs[0];
      expect(input.format).toBeNull();
      expect(input.error, hex(bytes)).toBe(`not a pcap or pcapng capture: byte offset 0 holds ${hex(bytes)}, the whole file (${bytes.length} byte${bytes.length > 1 ? 's' : ''})`);
    }
  });
});
