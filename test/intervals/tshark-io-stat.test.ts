/**
 * Time bins against Wireshark's `tshark -q -z io,stat,INTERVAL` on real captures: frames and
 * bytes per bin. tshark's bins start at the first frame (`start: 'first'`) and take each frame
 * by its own time; fibscope's take a record by the bin open when it is read (the capture clock),
 * which is the same while times do not go back: the captures here have rising times (checked).
 * Skipped with the reason when tshark or the shared captures are absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../src/node.js';
import type { Interval } from '../../src/intervals/interval.js';

const CAPTURES = '/work/shared/data/captures';
const tshark = spawnSync('sh', ['-c', 'command -v tshark']).status === 0;
const shared = existsSync(CAPTURES);
if (!tshark) console.log('intervals tshark: skipped: `tshark` (Wireshark) is not on PATH');
if (!shared) console.log(`intervals tshark: skipped: no shared captures at ${CAPTURES}`);

/** Files and intervals (tshark's syntax: seconds), a span of 4.5 years among them. */
const CASES: [string, string][] = [
  ['pcapplusplus/Pcap++Test/PcapExamples/example.pcap', '1'],
  ['pcapplusplus/Pcap++Test/PcapExamples/example.pcap', '0.1'],
  ['pcapplusplus/Pcap++Test/PcapExamples/650HttpResponses.pcap', '10'],
  ['tcpdump/afs.pcap', '2'],
  ['pcapplusplus/ExamplesTest/pcap_examples/many-protocols.pcap', '86400'],
];

/** tshark's rows: frames and bytes per bin, from the first. */
function ioStat(path: string, interval: string): { frames: number; bytes: number }[] {
  const result = spawnSync('tshark', ['-q', '-n', '-r', path, '-z', `io,stat,${interval}`], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`tshark: ${result.stderr}`);
  const rows: { frames: number; bytes: number }[] = [];
  for (const line of result.stdout.split('\n')) {
    const match = /^\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/.exec(line);
    if (match) rows.push({ frames: Number(match[1]), bytes: Number(match[2]) });
  }
  return rows;
}

function risingTimes(path: string): boolean {
  const result = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const times = result.stdout.trim().split('\n').map(Number);
  return times.every((time, i) => i === 0 || time >= times[i - 1]);
}

/** Bins one by one (a run of empty bins expanded). */
function expand(bins: Interval[]): { frames: number; bytes: number }[] {
  return bins.flatMap((bin) => Array.from({ length: bin.bins }, () => ({ frames: Number(bin.totals.records), bytes: Number(bin.totals.bytes) })));
}

describe.skipIf(!tshark || !shared)('time bins and tshark io,stat', () => {
  for (const [file, interval] of CASES) {
    it(`agree on frames and bytes per ${interval} s bin of ${file}`, async () => {
      const path = `${CAPTURES}/${file}`;
      expect(risingTimes(path)).toBe(true);
      const bins: Interval[] = [];
      const width = BigInt(Math.round(Number(interval) * 1e9));
      const report = await analyzeFile(path, { interval: { binNanoseconds: width, top: 5, start: 'first', onBin: (bin) => bins.push(bin) } });
      expect(report.inputs[0].error).toBeNull();
      const ours = expand(bins);
      const theirs = ioStat(path, interval);
      expect(ours.length).toBeGreaterThan(1);
      // tshark prints bins up to the capture's duration; the last of ours holds the last record
      expect(theirs.slice(ours.length).every((row) => row.frames === 0)).toBe(true);
      expect(ours).toEqual(theirs.slice(0, ours.length));
      expect(ours.reduce((n, row) => n + row.frames, 0)).toBe(report.totals.records);
    });
  }
});
