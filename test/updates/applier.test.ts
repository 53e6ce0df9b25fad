/**
 * Applying updates (src/updates/applier.ts) through analyzeFiles: the LINX trace over a capture
 * spanning it, against a slow model that looks each packet up in the table of its time;
 * unordered times (refused naming both updates, or applied in file order); withdrawals of
 * nothing; updates before the first packet, at a packet's very time and after the last; the
 * report's `updates` in JSON and the table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles, Fib } from '../../src/node.js';
import type { Moment } from '../../src/analyze/capture-clock.js';
import type { Interval } from '../../src/intervals/interval.js';
import { UpdateOrderError } from '../../src/errors.js';
import { formatJson } from '../../src/report/json.js';
import { formatReport } from '../../src/report/index.js';
import { UpdateApplier } from '../../src/updates/applier.js';
import { parseUpdates } from '../../src/updates/detect.js';
import { readUpdatesFile } from '../../src/updates/read.js';
import { pcap, type PcapRecord } from '../helpers/captures.js';
import { ipv4, udp } from '../helpers/packets.js';
import { Random } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fibscope-applier-');
const LINX = '/work/shared/data/routes/linx-2014-v4-updates.txt.gz';
const SAMPLE = '/work/shared/data/routes/sample.routes';

function v4(text: string): number {
  return text.split('.').reduce((value, part) => value * 256 + Number(part), 0);
}
const dotted = (value: number) => [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
const masked = (value: number, length: number) => (length === 0 ? 0 : (value & (0xffffffff << (32 - length))) >>> 0);
const canonical = (prefix: string) => {
  const [address, length] = prefix.split('/');
  return `${dotted(masked(v4(address), Number(length)))}/${length}`;
};

function capture(name: string, records: PcapRecord[]): string {
  const path = join(dir, name);
  writeFileSync(path, pcap({ linkType: 101, nanosecond: true, records }));
  return path;
}

function packet(time: Moment, dst: string, size = 0): PcapRecord {
  const data = ipv4({ src: '198.51.100.7', dst, proto: 17, payload: udp({ srcPort: 9, dstPort: 53, payload: new Uint8Array(size) }) });
  return { ts: { sec: time.seconds, frac: time.nanoseconds }, data };
}

describe('the LINX trace over a capture spanning it', () => {
  it('classifies each packet by the table of its time, as a slow model does', async () => {
    const stream = await readUpdatesFile(LINX);
    const random = new Random(42);
    const prefixes = [...new Set(stream.updates.map((u) => canonical(u.prefix)))];
    // the model: prefix → next hop and life (a new life when the route changes), sample.routes beneath
    const table = new Map<string, { nextHop: string; life: number }>();
    let lives = 0;
    for (const line of (await import('node:fs')).readFileSync(SAMPLE, 'utf8').split('\n')) {
      const [prefix, label] = line.split(/\s+/);
      if (!prefix || prefix.startsWith('#') || prefix.includes(':')) continue;
      table.set(canonical(prefix), { nextHop: label, life: lives++ });
    }
    let withdrawnNothing = 0;
    const first = stream.updates[0].seconds;
    const last = stream.updates[stream.updates.length - 1].seconds;
    const times: Moment[] = [];
    for (let i = 0; i < 20_000; i++) times.push({ seconds: first - 5 + random.below(last - first + 5), nanoseconds: random.below(1e9) });
    times.sort((a, b) => a.seconds - b.seconds || a.nanoseconds - b.nanoseconds);
    const records: PcapRecord[] = [];
    const counted = new Map<number, { packets: number; bytes: number; prefix: string }>();
    const destinations = new Map<string, { packets: number; life: number }>();
    let next = 0;
    for (const time of times) {
      // the trace's times are whole seconds: an update at or before the packet's second is at or before the packet
      for (; next < stream.updates.length && stream.updates[next].seconds <= time.seconds; next++) {
        const update = stream.updates[next];
        const prefix = canonical(update.prefix);
        if (update.kind === 'del') {
          if (!table.delete(prefix)) withdrawnNothing++;
        } else if (table.get(prefix)?.nextHop !== update.attributes!.nextHop) {
          table.set(prefix, { nextHop: update.attributes!.nextHop!, life: lives++ });
        }
      }
      const inside = prefixes[random.below(prefixes.length)].split('/');
      const base = random.below(4) === 0 ? random.u32() : (v4(inside[0]) | (random.u32() >>> Number(inside[1]))) >>> 0;
      const dst = dotted(Number(inside[1]) === 0 ? random.u32() : base);
      let life = -1;
      let matched = '';
      for (let length = 32; length >= 0 && life < 0; length--) {
        const route = table.get(`${dotted(masked(v4(dst), length))}/${length}`);
        if (route) [life, matched] = [route.life, `${dotted(masked(v4(dst), length))}/${length}`];
      }
      const size = random.below(100);
      records.push(packet(time, dst, size));
      const row = counted.get(life) ?? { packets: 0, bytes: 0, prefix: matched };
      counted.set(life, { ...row, packets: row.packets + 1, bytes: row.bytes + 20 + 8 + size });
      destinations.set(dst, { packets: (destinations.get(dst)?.packets ?? 0) + 1, life });
    }
    const alive = new Map([...table.entries()].map(([prefix, route]) => [route.life, { prefix, nextHop: route.nextHop }]));

    const fib = await Fib.create();
    fib.load((await import('node:fs')).readFileSync(SAMPLE), { source: SAMPLE });
    const report = await analyzeFiles([capture('linx.pcap', records)], { fib, updates: { stream } });

    const expectedRoutes = [...counted.entries()].filter(([life]) => alive.has(life))
      .map(([life, row]) => ({ prefix: row.prefix, nextHop: alive.get(life)!.nextHop, packets: row.packets, bytes: row.bytes }))
      .sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
    expect(report.routes.map(({ prefix, nextHop, packets, bytes }) => ({ prefix, nextHop, packets, bytes })).sort((a, b) => (a.prefix < b.prefix ? -1 : 1)))
      .toEqual(expectedRoutes);
    expect(Object.fromEntries(report.destinations.map((d) => [d.address, [d.packets, d.prefix]])))
      .toEqual(Object.fromEntries([...destinations.entries()].map(([address, d]) => [address, [d.packets, alive.get(d.life)?.prefix ?? null]])));
    expect(report.totals.counted).toBe(records.length);
    expect(report.updates).toEqual({ source: LINX, applied: next, withdrawnNothing, firstWithdrawnNothing: `${LINX}:1`, skipped: {}, pending: stream.updates.length - next });
    // the capture ends before the trace does, and many routes changed under it
    expect(report.updates!.pending).toBeGreaterThan(0);
    expect(lives).toBeGreaterThan(5000);
  }, 60_000);
});

describe('update times and the capture clock', () => {
  const at = (seconds: number, nanoseconds = 0) => ({ seconds, nanoseconds });

  it('refuses updates whose times go backwards, naming the file, both lines and both times', () => {
    const stream = parseUpdates('100 add 10.0.0.0/8 via 192.0.2.1\n# gap\n99.5 add 10.1.0.0/16 via 192.0.2.2\n', { source: 'u.txt' });
    let error: unknown;
    try {
      new UpdateApplier(undefined as unknown as Fib, stream);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UpdateOrderError);
    expect((error as Error).message).toBe('u.txt:3: time 99.5 (1970-01-01T00:01:39.5Z) is earlier than 100 (1970-01-01T00:01:40Z) '
      + 'of the update before it (u.txt:1): the updates are not in time order; --allow-unordered applies them in file order');
  });

  it('with --allow-unordered applies them in file order: an earlier update waits for the one before it', async () => {
    const stream = parseUpdates('10 replace 10.0.0.0/8 via 192.0.2.1\n5 replace 10.0.0.0/8 via 192.0.2.2\n20 replace 10.0.0.0/8 via 192.0.2.3\n', { source: 'u.txt' });
    const fib = await Fib.create();
    fib.add('0.0.0.0/0', { nextHop: '192.0.2.254' });
    // 10.0.0.1 at 7 (nothing reached: the first update is at 10), 10.0.0.2 at 12 (both applied, the second last), 10.0.0.3 at 20
    const path = capture('unordered.pcap', [packet(at(7), '10.0.0.1'), packet(at(12), '10.0.0.2'), packet(at(20), '10.0.0.3')]);
    const report = await analyzeFiles([path], { fib, updates: { stream, allowUnordered: true } });
    expect(Object.fromEntries(report.destinations.map((d) => [d.address, d.prefix]))).toEqual({ '10.0.0.1': '0.0.0.0/0', '10.0.0.2': null, '10.0.0.3': '10.0.0.0/8' });
    expect(report.routes.map((r) => [r.prefix, r.nextHop, r.packets])).toEqual([['0.0.0.0/0', '192.0.2.254', 1], ['10.0.0.0/8', '192.0.2.3', 1]]);
    expect(report.updates).toMatchObject({ applied: 3, pending: 0, unordered: { updates: 1, first: expect.stringMatching(/^u\.txt:2: time 5 .* earlier than 10 .*\(u\.txt:1\)$/) } });
  });

  it('applies updates before the first packet, at a packet\'s very time before it, and leaves those after the last', async () => {
    const stream = parseUpdates([
      '1 add 10.0.0.0/8 via 192.0.2.1',
      '50.000000001 del 10.0.0.0/8',
      '50.000000002 del 10.9.0.0/16',
      '60 add 10.0.0.0/8 via 192.0.2.9',
      '60 del 10.0.0.0/8 via 192.0.2.1',
      '70.5 add 10.0.0.0/8 via 192.0.2.5',
      '71 del 10.0.0.0/8',
    ].join('\n'), { source: 'u.txt' });
    const fib = await Fib.create();
    const path = capture('edges.pcap', [
      packet(at(50), '10.0.0.1'), packet(at(50, 1), '10.0.0.2'), packet(at(59, 999_999_999), '10.0.0.3'), packet(at(60), '10.0.0.4'), packet(at(70), '10.0.0.5'),
    ]);
    const report = await analyzeFiles([path], { fib, updates: { stream } });
    expect(Object.fromEntries(report.destinations.map((d) => [d.address, d.prefix]))).toEqual({
      '10.0.0.1': null, '10.0.0.2': null, '10.0.0.3': null, '10.0.0.4': '10.0.0.0/8', '10.0.0.5': '10.0.0.0/8',
    });
    expect(report.totals.noRoute.packets).toBe(2);
    expect(report.routes.map((r) => [r.prefix, r.nextHop, r.packets, r.destinations])).toEqual([['10.0.0.0/8', '192.0.2.9', 2, 2]]);
    expect(report.updates).toEqual({ source: 'u.txt', applied: 5, withdrawnNothing: 2, firstWithdrawnNothing: 'u.txt:3', skipped: {}, pending: 2 });
    // the table is left as it stood at the last packet
    expect([...fib.routes()].map((r) => [r.prefix, r.nextHop])).toEqual([['10.0.0.0/8', '192.0.2.9']]);

    const json = JSON.parse(formatJson(report));
    expect(Object.keys(json).slice(0, 4)).toEqual(['fibscope', 'inputs', 'totals', 'updates']);
    expect(json.updates).toEqual(report.updates);
    const table = formatReport(report, 'table', { by: 'route', top: 5, sort: 'packets', humanUnits: false });
    expect(table).toMatch(/updates +│ 5 applied from u\.txt/);
    expect(table).toMatch(/2 withdrew nothing \(first u\.txt:3\)/);
    expect(table).toMatch(/2 after the capture \(not applied\)/);
  });

  it('with time bins: a bin closes on the table it counted by, before the updates at its boundary', async () => {
    const text = '1 add 10.0.0.0/8 via 192.0.2.1\n2 replace 10.0.0.0/8 via 192.0.2.2\n2.5 del 10.0.0.0/8\n2.7 add 10.0.0.0/8 via 192.0.2.3\n';
    const records = [packet(at(1, 500_000_000), '10.0.0.1'), packet(at(2), '10.0.0.1'), packet(at(2, 600_000_000), '10.0.0.2'), packet(at(2, 800_000_000), '10.0.0.3')];
    const path = capture('bins.pcap', records);
    const run = async (interval: boolean) => analyzeFiles([path], {
      fib: await Fib.create(), updates: { stream: parseUpdates(text, { source: 'u.txt' }) },
      ...(interval ? { interval: { binNanoseconds: 1e9, top: 0 } } : {}),
    });
    const [binned, plain] = [await run(true), await run(false)];
    const rows = (bin: Interval) => bin.routes.map((r) => [r.nextHop, r.packets]);
    expect(binned.intervals!.map((bin) => [bin.start, rows(bin), bin.otherRoutes.packets, bin.totals.noRoute.packets])).toEqual([
      ['1970-01-01T00:00:01.000000Z', [['192.0.2.1', 1]], 0, 0],
      // via .2 went at 2.5 while the bin was open: its packet is in the bin's other routes
      ['1970-01-01T00:00:02.000000Z', [['192.0.2.3', 1]], 1, 1],
    ]);
    const { intervals, ...rest } = binned;
    expect(intervals).toHaveLength(2);
    expect(formatJson(rest as typeof binned)).toBe(formatJson(plain));
  });

  it('runs on one thread with updates, whatever --threads says, with the same report', async () => {
    const text = '1 add 10.0.0.0/8 via 192.0.2.1\n55 replace 10.0.0.0/8 via 192.0.2.2\n';
    const records = [packet(at(50), '10.0.0.1'), packet(at(60), '10.0.0.1')];
    const path = capture('threads.pcap', records);
    const run = async (threads: number) => {
      const fib = await Fib.create();
      return analyzeFiles([path], { fib, threads, routeSources: [], updates: { stream: parseUpdates(text, { source: 'u.txt' }) } });
    };
    const [one, two] = [await run(1), await run(2)];
    expect(formatJson(two)).toBe(formatJson(one));
    expect(one.routes.map((r) => [r.nextHop, r.packets])).toEqual([['192.0.2.2', 1]]);
  });
});
