// Reading a capture file ahead of the counting (src/analyze/read-ahead.ts) against the oracle of
// the same bytes pushed in turn (Analyzer.push, random chunks): captures of several 4 MiB areas,
// records and blocks cut at every area's end, memory growing while a read is in flight (new
// destinations all along), damage past the first areas, and memory too short for the areas.
import { closeSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Analyzer, Fib, type FibOptions } from '../src/index.js';
import { analyzeFiles } from '../src/node.js';
import { readFileAhead } from '../src/analyze/read-ahead.js';
import { pcap, pcapng, truncate, LINKTYPE } from './helpers/captures.js';
import { ipv4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { tempDir } from './helpers/temp-dir.js';

const dir = tempDir('fibscope-read-ahead-');

const ROUTES = ['10.0.0.0/8 via 192.0.2.1', '10.1.0.0/16 via 192.0.2.2', '0.0.0.0/1 via 192.0.2.9', '128.0.0.0/1 dev eth1'].join('\n');

async function table(options: FibOptions = {}): Promise<Fib> {
  const fib = await Fib.create(options);
  fib.load(ROUTES, { format: 'plain' });
  return fib;
}

/** A raw-IPv4 packet to the address `destination` (a u32), `size` bytes (at least 20). */
function packet(destination: number, size: number): Uint8Array {
  const dst = [24, 16, 8, 0].map((shift) => (destination >>> shift) & 0xff).join('.');
  return ipv4({ src: '192.0.2.1', dst, proto: 17, payload: new Uint8Array(size - 20) });
}

/** Sizes mostly small, some up to 64 KiB: records end at every offset of an area. */
function size(random: Random): number {
  return random.u32() / 2 ** 32 < 0.005 ? 20 + random.below(65_000) : 20 + random.below(400);
}

/** About `bytes` of records to random destinations: the destination table keeps growing. */
function randomPcap(seed: number, bytes: number): Uint8Array {
  const random = new Random(seed);
  const records = [];
  for (let total = 0, i = 0; total < bytes; i++) {
    const data = packet(random.below(2 ** 32), size(random));
    total += data.length + 16;
    records.push({ ts: { sec: 1_600_000_000 + (i >> 10), frac: i & 1023 }, data });
  }
  return pcap({ linkType: LINKTYPE.RAW, records });
}

function randomPcapng(seed: number, bytes: number): Uint8Array {
  const random = new Random(seed);
  const blocks = [];
  for (let total = 0, i = 0; total < bytes; i++) {
    // now and then a block of 60 KB: blocks cut at an area's end are large too
    const data = packet(random.below(2 ** 32), random.u32() / 2 ** 32 < 0.003 ? 60_000 : size(random));
    total += data.length + 32;
    blocks.push({ kind: 'epb' as const, interface: 0, ts: BigInt(1_600_000_000_000_000 + i), data });
  }
  return pcapng({ sections: [{ interfaces: [{ linkType: LINKTYPE.RAW }], blocks }] });
}

const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** The oracle: the file's bytes pushed in turn, in random chunks. */
async function pushedInTurn(path: string, bytes: Uint8Array, seed: number, fibOptions: FibOptions = {}): Promise<string> {
  const analyzer = new Analyzer({ fib: await table(fibOptions), name: path });
  const random = new Random(seed);
  for (let offset = 0; offset < bytes.length;) {
    const take = 1 + random.below(3 << 20);
    analyzer.push(bytes.subarray(offset, offset + take));
    offset += take;
  }
  analyzer.end();
  const report = json(analyzer.report());
  analyzer.dispose();
  return report;
}

function save(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('reading a capture file ahead', () => {
  afterEach(() => { vi.restoreAllMocks(); });

  it('gives the report of the bytes pushed in turn, over pcap and pcapng files of many areas', async () => {
    for (const [seed, bytes] of [[1, randomPcap(1, 21 << 20)], [2, randomPcapng(2, 19 << 20)], [3, randomPcap(3, (4 << 20) - 7)]] as const) {
      const path = save(`c${seed}`, bytes);
      const read: number[] = [];
      const areas = vi.spyOn(Analyzer.prototype, 'aheadView');
      const report = await analyzeFiles([path], { fib: await table(), onProgress: (at) => read.push(at) });
      // read ahead, through both areas
      expect(areas.mock.results.filter((result) => result.value !== undefined).length).toBeGreaterThan(2);
      areas.mockRestore();
      expect(report.inputs[0].error).toBeNull();
      expect(json(report)).toBe(await pushedInTurn(path, bytes, seed));
      expect(Number(report.totals.records)).toBeGreaterThan(5_000);
      // progress climbs to the file's size
      expect(read.at(-1)).toBe(statSync(path).size);
      expect(read.every((at, i) => i === 0 || at > read[i - 1])).toBe(true);
    }
  }, 120_000);

  it('moves a record cut at an area\'s end out of it before that area fills again', async () => {
    // a reader as fast as can be: each area is full as soon as its read is asked for, before the
    // other area is counted, so the tail of a record left in it would be overwritten at once
    const bytes = randomPcap(6, 13 << 20);
    const path = save('eager.pcap', bytes);
    const analyzer = new Analyzer({ fib: await table(), name: path });
    const fd = openSync(path, 'r');
    try {
      const eager = (file: number, view: Uint8Array, position: number) => Promise.resolve(readSync(file, view, 0, view.length, position));
      expect(await readFileAhead(analyzer, fd, undefined, eager)).toBe(true);
    } finally {
      closeSync(fd);
    }
    analyzer.end();
    expect(json(analyzer.report())).toBe(await pushedInTurn(path, bytes, 6));
    analyzer.dispose();
  }, 60_000);

  it('stops where the damage is, as the bytes pushed in turn do, past the first areas', async () => {
    const whole = randomPcap(4, 14 << 20);
    // the file ends inside a record 13 MiB in: the third area's feed and the end see it
    const bytes = truncate(whole, (13 << 20) + 5);
    const path = save('cut.pcap', bytes);
    const report = await analyzeFiles([path], { fib: await table() });
    expect(report.inputs[0].error).not.toBeNull();
    expect(json(report)).toBe(await pushedInTurn(path, bytes, 4));
  }, 60_000);

  it('reads in turn, with the same report, when memory is too short for the areas', async () => {
    const bytes = randomPcap(5, 6 << 20);
    const path = save('small-memory.pcap', bytes);
    const options = { memoryLimit: 16 << 20, memoryReserve: 0 };
    const areas = vi.spyOn(Analyzer.prototype, 'aheadView');
    const report = await analyzeFiles([path], { fib: await table(options) });
    expect(areas.mock.results.map((result) => result.value)).toEqual([undefined]);
    expect(report.inputs[0].error).toBeNull();
    expect(json(report)).toBe(await pushedInTurn(path, bytes, 5, options));
  }, 60_000);
});
