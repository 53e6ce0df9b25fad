/**
 * `fibscope analyze --interval` (the built CLI): every format's bins add up to the whole
 * report's rows; ndjson writes each bin as it closes (seen before standard input ends); bad
 * durations name the flag.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcap } from '../helpers/captures.js';
import { ipv4, udp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const SAMPLE = new URL('../../samples/routes.txt', import.meta.url).pathname;
const dir = tempDir('fibscope-intervals-');

function fibscope(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const DESTINATIONS = ['10.1.2.3', '10.20.30.40', '8.8.8.8', '203.0.113.5', '192.168.1.1', '172.16.0.9'];
const START = 1_700_000_000;

/** 600 packets over 200 s, with a 40 s gap. */
function capture(): Uint8Array {
  const random = new Random(4);
  const records = [];
  let micros = 0;
  for (let i = 0; i < 600; i++) {
    micros += random.below(600_000) + (i === 300 ? 40_000_000 : 0);
    const dst = DESTINATIONS[random.below(DESTINATIONS.length)];
    records.push({
      ts: { sec: START + Math.floor(micros / 1e6), frac: micros % 1e6 },
      data: ipv4({ src: '198.51.100.1', dst, proto: 17, payload: udp({ srcPort: 1, dstPort: 2, payload: new Uint8Array(random.below(100)) }) }),
    });
  }
  return pcap({ linkType: 101, records });
}
const bytes = capture();
const PCAP = join(dir, 'timed.pcap');
writeFileSync(PCAP, bytes);

type Sums = Record<string, number>;
const add = (sums: Sums, key: string, value: number) => { sums[key] = (sums[key] ?? 0) + value; };

describe('analyze --interval', () => {
  it('json: bins of the width, every bin from the first to the last, summing to the whole report', () => {
    const run = fibscope('analyze', '-r', SAMPLE, '-f', 'json', '--interval', '5s', '-n', '0', PCAP);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    const intervals = report.intervals as { start: string; end: string; bins: number; totals: { records: number; counted: number }; routes: { prefix: string; packets: number }[] }[];
    expect(Date.parse(intervals[0].start) % 5000).toBe(0);
    for (const [i, bin] of intervals.entries()) {
      expect(Date.parse(bin.end) - Date.parse(bin.start)).toBe(5000 * bin.bins);
      if (i > 0) expect(bin.start).toBe(intervals[i - 1].end);
    }
    expect(intervals.some((bin) => bin.bins > 1)).toBe(true); // the 40 s gap
    expect(intervals.reduce((n, bin) => n + bin.totals.records, 0)).toBe(report.totals.records);
    const sums: Sums = {};
    for (const bin of intervals) for (const route of bin.routes) add(sums, route.prefix, route.packets);
    expect(sums).toEqual(Object.fromEntries(report.routes.map((route: { prefix: string; packets: number }) => [route.prefix, route.packets])));
  });

  it('json: the whole report is the same with and without --interval', () => {
    const plain = JSON.parse(fibscope('analyze', '-r', SAMPLE, '-f', 'json', PCAP).stdout);
    const { intervals, ...rest } = JSON.parse(fibscope('analyze', '-r', SAMPLE, '-f', 'json', '--interval', '3s', PCAP).stdout);
    expect(intervals.length).toBeGreaterThan(10);
    expect(rest).toEqual(plain);
  });

  it('json: --top bounds the rows of each bin, the rest summed', () => {
    const report = JSON.parse(fibscope('analyze', '-r', SAMPLE, '-f', 'json', '--interval', '20s', '-n', '1', PCAP).stdout);
    for (const bin of report.intervals.filter((b: { totals: { counted: number } }) => b.totals.counted > 0)) {
      expect(bin.routes.length).toBe(1);
      expect(bin.routes[0].packets + bin.otherRoutes.packets + bin.totals.noRoute.packets).toBe(bin.totals.counted);
      expect(bin.destinations.length).toBe(1);
      expect(bin.destinations[0].packets + bin.otherDestinations.packets).toBe(bin.totals.counted);
    }
  });

  it('ndjson: an interval line per bin and its route lines, before the whole report, summing to it', () => {
    const run = fibscope('analyze', '-r', SAMPLE, '-f', 'ndjson', '--interval', '5s', '-n', '0', PCAP);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    const summary = lines.findIndex((line) => line.type === 'summary');
    const bins = lines.slice(0, summary);
    const whole = lines.slice(summary);
    expect(bins.filter((line) => line.type === 'interval').reduce((n, line) => n + line.records, 0)).toBe(whole[0].records);
    const sums: Sums = {};
    for (const line of bins.filter((l) => l.type === 'route')) {
      expect(line.start).toMatch(/^\d{4}-\d\d-\d\dT/);
      add(sums, line.prefix, line.packets);
    }
    expect(sums).toEqual(Object.fromEntries(whole.filter((l) => l.type === 'route').map((l) => [l.prefix, l.packets])));
    expect(Object.keys(bins.find((l) => l.type === 'route'))).toEqual(['type', 'start', 'end', 'prefix', 'nextHop', 'dev', 'metric', 'routeType', 'packets', 'bytes']);
  });

  it('ndjson: writes each bin as it closes, before the capture ends', async () => {
    const child = spawn(process.execPath, [CLI, 'analyze', '-r', SAMPLE, '-f', 'ndjson', '--interval', '1s', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const firstBin = new Promise<void>((resolve) => child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"type":"interval"')) resolve();
    }));
    child.stdin.write(bytes.subarray(0, bytes.length >> 1));
    await firstBin; // standard input is still open
    expect(out).not.toContain('"type":"summary"');
    child.stdin.end(bytes.subarray(bytes.length >> 1));
    const status = await new Promise((resolve) => child.on('close', resolve));
    expect(status).toBe(0);
    expect(out).toContain('"type":"summary"');
  });

  it('csv: start and end columns, the bins\' rows then the whole report\'s with them empty', () => {
    const run = fibscope('analyze', '-r', SAMPLE, '-f', 'csv', '--interval', '10s', '-n', '0', PCAP);
    expect(run.status).toBe(0);
    const [header, ...rows] = run.stdout.trim().split('\n').map((line) => line.split(','));
    expect(header).toEqual(['start', 'end', 'prefix', 'nextHop', 'dev', 'metric', 'routeType', 'packets', 'bytes', 'destinations']);
    const binned: Sums = {};
    const whole: Sums = {};
    for (const row of rows) add(row[0] === '' ? whole : binned, row[2], Number(row[7]));
    expect(Object.keys(whole).length).toBeGreaterThan(2);
    expect(binned).toEqual(whole);
    const destinations = fibscope('analyze', '-r', SAMPLE, '-f', 'csv', '--by', 'destination', '--interval', '10s', PCAP).stdout.split('\n');
    expect(destinations[0]).toBe('start,end,address,prefix,packets,bytes,firstSeen,lastSeen');
  });

  it('table: a sparkline per route row, bins grouped into at most 60 columns', () => {
    const run = fibscope('analyze', '-r', SAMPLE, '--interval', '1s', PCAP);
    expect(run.status).toBe(0);
    const section = run.stdout.slice(run.stdout.indexOf('traffic over time'));
    expect(section).toMatch(/^traffic over time \(packets\): 2\d\d bins of 1s from \S+, (\d+) columns of 4 bins of 1s \(4s\) each/);
    const lines = section.split('\n').filter((line) => /[▁▂▃▄▅▆▇█]/.test(line));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines[0]).toContain('all counted');
    for (const line of lines) expect(line).toContain('█');
  });

  it('names the flag for a bad duration, and says what it does with threads and prom', () => {
    for (const bad of ['5x', '0', '-1s', '1.5ns']) {
      const run = fibscope('analyze', '-r', SAMPLE, '--interval', bad, PCAP);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('--interval takes a duration');
    }
    const threads = fibscope('analyze', '-r', SAMPLE, '-f', 'json', '--interval', '500ms', '--threads', '2', PCAP);
    expect(threads.stderr).toContain('--interval reads on one thread');
    expect(JSON.parse(threads.stdout).intervals.length).toBeGreaterThan(100);
    const prom = fibscope('analyze', '-r', SAMPLE, '-f', 'prom', '--interval', '1s', PCAP);
    expect(prom.status).toBe(0);
    expect(prom.stderr).toContain('--interval is ignored with -f prom');
  });
});
