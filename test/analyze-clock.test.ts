/**
 * The capture clock (src/analyze/capture-clock.ts): listeners act exactly between two records,
 * before the first record at or after the moment they wait for, however the capture is chunked,
 * in pcap and pcapng; a record the feed stopped before is counted once.
 */
import { describe, expect, it } from 'vitest';
import { Analyzer, Fib } from '../src/node.js';
import { compareMoments, type ClockListener, type Moment } from '../src/analyze/capture-clock.js';
import { pcap, pcapng } from './helpers/captures.js';
import { ipv4, udp } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { TEST_ROUTES } from './helpers/analyze.js';

const fib = await Fib.create();
fib.load(TEST_ROUTES);

/** Waits for `moments` in turn; at each, notes how many records had been counted. */
class CountingListener implements ClockListener {
  readonly seen: { moment: Moment; now: Moment; records: number }[] = [];
  private index = 0;
  analyzer!: Analyzer;
  constructor(private readonly moments: Moment[]) {}
  nextMoment(): Moment | undefined {
    return this.moments[this.index];
  }
  reach(now: Moment): void {
    const records = Number(this.analyzer.report({ destinations: false, routes: false }).totals.records);
    while (this.index < this.moments.length && compareMoments(this.moments[this.index], now) <= 0) {
      this.seen.push({ moment: this.moments[this.index++], now, records });
    }
  }
}

/** Records at random, mostly rising times (some equal, a few earlier), and moments among them. */
function scenario(seed: number) {
  const random = new Random(seed);
  const times: Moment[] = [];
  let seconds = 1_700_000_000;
  let nanoseconds = 0;
  for (let i = 0; i < 300; i++) {
    const step = random.below(10);
    if (step < 7) nanoseconds += random.below(400_000_000);
    else if (step === 9) nanoseconds = Math.max(0, nanoseconds - random.below(100_000_000));
    if (nanoseconds >= 1e9) {
      seconds += Math.floor(nanoseconds / 1e9);
      nanoseconds %= 1e9;
    }
    times.push({ seconds, nanoseconds: nanoseconds - (nanoseconds % 1000) });
  }
  const moments: Moment[] = [];
  for (let m = 0; m < 25; m++) {
    const base = times[random.below(times.length)];
    moments.push({ seconds: base.seconds, nanoseconds: random.below(2) ? base.nanoseconds : (base.nanoseconds + random.below(1000) * 1000) % 1e9 });
  }
  moments.sort(compareMoments);
  return { random, times, moments: moments.filter((m, i) => i === 0 || compareMoments(m, moments[i - 1]) > 0) };
}

/** The model: the listener acts before the first record (in capture order) at or after its moment. */
function expected(times: Moment[], moments: Moment[]) {
  const out: { moment: Moment; now: Moment; records: number }[] = [];
  let m = 0;
  for (let i = 0; i < times.length && m < moments.length; i++) {
    while (m < moments.length && compareMoments(moments[m], times[i]) <= 0) out.push({ moment: moments[m++], now: times[i], records: i });
  }
  return out;
}

function frame(i: number): Uint8Array {
  return ipv4({ src: '198.51.100.1', dst: `10.1.${i >> 8}.${i & 0xff}`, proto: 17, payload: udp({ srcPort: 1, dstPort: 2 }) });
}

function run(bytes: Uint8Array, moments: Moment[], random: Random) {
  const analyzer = new Analyzer({ fib });
  const listener = new CountingListener(moments);
  listener.analyzer = analyzer;
  analyzer.addClockListener(listener);
  for (let offset = 0; offset < bytes.length;) {
    const size = 1 + random.below(300);
    analyzer.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  analyzer.end();
  const report = analyzer.report();
  analyzer.dispose();
  return { seen: listener.seen, report };
}

describe('the capture clock', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`acts between the right records of a pcap, chunked at random (seed ${seed})`, () => {
      const { random, times, moments } = scenario(seed);
      const bytes = pcap({ linkType: 101, nanosecond: true, records: times.map((t, i) => ({ ts: { sec: t.seconds, frac: t.nanoseconds }, data: frame(i) })) });
      const { seen, report } = run(bytes, moments, random);
      expect(seen).toEqual(expected(times, moments));
      expect(report.totals.records).toBe(times.length);
      expect(report.totals.counted).toBe(times.length);
    });

    it(`acts between the right blocks of a pcapng (seed ${seed})`, () => {
      const { random, times, moments } = scenario(seed + 100);
      const bytes = pcapng({
        sections: [{
          interfaces: [{ linkType: 101, tsresol: 9 }],
          blocks: times.map((t, i) => ({ kind: 'epb' as const, interface: 0, ts: BigInt(t.seconds) * 1_000_000_000n + BigInt(t.nanoseconds), data: frame(i) })),
        }],
      });
      const { seen, report } = run(bytes, moments, random);
      expect(seen).toEqual(expected(times, moments));
      expect(report.totals.counted).toBe(times.length);
    });
  }

  it('counts a record whose time is out of range once, though the feed stopped before it', () => {
    const records = [0, 1, 2].map((i) => ({ ts: { sec: 1_700_000_000 + i, frac: i === 1 ? 1_000_000 : 0 }, data: frame(i) }));
    const analyzer = new Analyzer({ fib });
    const listener = new CountingListener([{ seconds: 1_700_000_001, nanoseconds: 0 }]);
    listener.analyzer = analyzer;
    analyzer.addClockListener(listener);
    analyzer.push(pcap({ linkType: 101, records }));
    analyzer.end();
    const report = analyzer.report();
    analyzer.dispose();
    expect(listener.seen.map((s) => s.records)).toEqual([1]);
    expect(report.totals.counted).toBe(3);
    expect(report.inputs[0].badTimes?.records).toBe(1);
  });

  it('stops no feed once the listener is removed', () => {
    const { times, moments } = scenario(9);
    const bytes = pcap({ linkType: 101, nanosecond: true, records: times.map((t, i) => ({ ts: { sec: t.seconds, frac: t.nanoseconds }, data: frame(i) })) });
    const analyzer = new Analyzer({ fib });
    const listener = new CountingListener(moments);
    listener.analyzer = analyzer;
    analyzer.addClockListener(listener);
    analyzer.push(bytes.subarray(0, 100));
    analyzer.removeClockListener(listener);
    analyzer.push(bytes.subarray(100));
    analyzer.end();
    expect(listener.seen.length).toBeLessThan(2);
    expect(analyzer.report().totals.counted).toBe(times.length);
    analyzer.dispose();
  });
});
