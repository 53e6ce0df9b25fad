/**
 * Time bins in bounded memory: a long capture of many busy bins (one record each) keeps the
 * WebAssembly memory in use flat once its destinations are known (each bin's block is given
 * back, the baseline grows only with routes and destinations), and finish() gives the baseline
 * back. The bins are handed on, not kept.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../../src/node.js';
import { pcap } from '../helpers/captures.js';
import { ipv4, udp } from '../helpers/packets.js';
import { TEST_ROUTES } from '../helpers/analyze.js';

const fib = await Fib.create();
fib.load(TEST_ROUTES);
const { wasm } = fib.engine();
const OTHER_POOL = 3;

/** `count` records 1 ms apart to 64 destinations, from `first` on. */
function records(first: number, count: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return {
      ts: { sec: 1_700_000_000 + Math.floor(n / 1000), frac: (n % 1000) * 1000 },
      data: ipv4({ src: '198.51.100.1', dst: `10.1.0.${n % 64}`, proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) }),
    };
  });
}

describe('time bins in bounded memory', () => {
  it('keeps WebAssembly memory flat over 40,000 busy bins', () => {
    const analyzer = new Analyzer({ fib });
    let bins = 0;
    let packets = 0;
    const tracking = analyzer.trackIntervals({
      binNanoseconds: 1_000_000, top: 3,
      onBin: (bin) => { bins++; packets += Number(bin.totals.counted); },
    });
    const capture = pcap({ linkType: 101, records: records(0, 40_000) });
    const header = 24;
    const recordBytes = (capture.length - header) / 40_000;
    // the first 1,000 records: every destination seen, every structure at its size
    analyzer.push(capture.subarray(0, header + 1000 * recordBytes));
    const inUse = wasm.poolBytes(OTHER_POOL);
    const memory = wasm.memory.buffer.byteLength;
    for (let at = header + 1000 * recordBytes; at < capture.length; at += 997 * recordBytes) {
      analyzer.push(capture.subarray(at, Math.min(capture.length, at + 997 * recordBytes)));
      expect(wasm.poolBytes(OTHER_POOL)).toBe(inUse);
    }
    analyzer.end();
    expect(wasm.memory.buffer.byteLength).toBe(memory);
    tracking.finish();
    expect(bins).toBe(40_000);
    expect(packets).toBe(40_000);
    const afterFinish = wasm.poolBytes(OTHER_POOL);
    expect(afterFinish).toBeLessThan(inUse);
    analyzer.dispose();
  });
});
