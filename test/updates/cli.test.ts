/**
 * `fibscope analyze --updates FILE` (src/cli/updates-options.ts), run as a user runs it: the JSON
 * report equals the library's, unordered times stop with exit 2 before any output, and
 * --allow-unordered, --peer, --threads behave as docs/cli.md says.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFiles, Fib } from '../../src/node.js';
import { formatJson } from '../../src/report/json.js';
import { readUpdatesFile } from '../../src/updates/read.js';
import { pcap } from '../helpers/captures.js';
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { bgp4mpRecord, bgpdumpLines, hasBgpdump, updateMessage, type TestUpdate } from '../mrt/build.js';
import { ipv4, udp } from '../helpers/packets.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const SAMPLE = '/work/shared/data/routes/sample.routes';
const dir = tempDir('fibscope-updates-cli-');

function fibscope(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const packet = (seconds: number, dst: string) => ({
  ts: { sec: seconds, frac: 0 },
  data: ipv4({ src: '198.51.100.7', dst, proto: 17, payload: udp({ srcPort: 9, dstPort: 53 }) }),
});
const capture = file('c.pcap', pcap({ linkType: 101, nanosecond: true, records: [packet(10, '10.1.0.1'), packet(20, '10.1.0.2'), packet(30, '10.1.0.3'), packet(40, '8.8.4.4')] }));

describe('fibscope analyze --updates', () => {
  it('gives the report the library gives, with the updates section, and warns of withdrawals of nothing', async () => {
    const updates = file('u.txt', '15 add 10.1.0.0/16 via 192.0.2.1\n25 replace 10.1.0.0/16 via 192.0.2.2\n26 del 10.99.0.0/16\n50 del 10.1.0.0/16\n');
    const run = fibscope('analyze', '-r', SAMPLE, '--updates', updates, '-f', 'json', '--no-checks', capture);
    expect(run.stderr).toBe(`fibscope: ${updates}: warning: 1 withdrawals found no route to remove (the first at ${updates}:3)\n`
      + `fibscope: ${updates}: 1 updates are later than the capture's last record: not applied\n`);
    expect(run.status).toBe(0);
    const fib = await Fib.create();
    fib.load(readFileSync(SAMPLE), { source: SAMPLE });
    const expected = await analyzeFiles([capture], { fib, updates: { stream: await readUpdatesFile(updates) } });
    expect(run.stdout).toBe(formatJson(expected));
    const report = JSON.parse(run.stdout);
    expect(report.updates).toEqual({ source: updates, applied: 3, withdrawnNothing: 1, firstWithdrawnNothing: `${updates}:3`, skipped: {}, pending: 1 });
    expect(report.routes.map((r: { prefix: string; nextHop: string; packets: number }) => [r.prefix, r.nextHop, r.packets]))
      .toEqual([['0.0.0.0/0', 'default-v4', 1], ['10.0.0.0/8', 'rfc1918-10', 1], ['10.1.0.0/16', '192.0.2.2', 1]]);
  });

  it('stops with exit 2 on unordered times, naming both updates, and applies them in file order with --allow-unordered', () => {
    const updates = file('unordered.txt', '25 add 10.1.0.0/16 via 192.0.2.1\n15 add 10.1.0.0/16 via 192.0.2.2\n');
    const out = join(dir, 'out.json');
    const refused = fibscope('analyze', '-r', SAMPLE, '--updates', updates, '-o', out, capture);
    expect(refused.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(refused.stderr).toBe(`fibscope: ${updates}:2: time 15 (1970-01-01T00:00:15Z) is earlier than 25 (1970-01-01T00:00:25Z) of the update before it `
      + `(${updates}:1): the updates are not in time order; --allow-unordered applies them in file order\n`);
    const allowed = fibscope('analyze', '-r', SAMPLE, '--updates', updates, '--allow-unordered', '-f', 'json', '--no-checks', capture);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toMatch(/warning: 1 updates were out of time order and applied in file order; the first: .*unordered\.txt:2/);
    expect(JSON.parse(allowed.stdout).updates.unordered.updates).toBe(1);
  });

  it('names the line of a bad update, says --peer and --allow-unordered need --updates, and reads on one thread', () => {
    const bad = file('bad.txt', '10 add 10.1.0.0/16 via 192.0.2.1\n20 add 10.1.0.0/99\n');
    expect(fibscope('analyze', '-r', SAMPLE, '--updates', bad, capture)).toMatchObject({ status: 2, stderr: expect.stringMatching(new RegExp(`^fibscope: ${bad}:2: .*prefix length 99`)) });
    expect(fibscope('analyze', '-r', SAMPLE, '--allow-unordered', capture)).toMatchObject({ status: 2, stderr: 'fibscope: --allow-unordered is for --updates FILE, which was not given\n' });
    const bgp = file('bgp.txt', 'BGP4MP|15|A|192.0.2.7|64500|10.1.0.0/16|64500|IGP|192.0.2.7|0|0||NAG||\nBGP4MP|16|A|192.0.2.8|64501|10.2.0.0/16|64501|IGP|192.0.2.8|0|0||NAG||\n');
    expect(fibscope('analyze', '-r', SAMPLE, '--updates', bgp, capture).stderr).toMatch(/updates from 2 BGP peers: .*choose one with --peer/);
    const threaded = fibscope('analyze', '-r', SAMPLE, '--updates', bgp, '--peer', '192.0.2.8', '--threads', '2', '-f', 'json', '--no-checks', capture);
    expect(threaded.status).toBe(0);
    expect(threaded.stderr).toBe('fibscope: note: --updates reads on one thread: route updates apply in the captures\' order\n');
    expect(JSON.parse(threaded.stdout).updates).toMatchObject({ applied: 1, skipped: { 'BGP4MP of other peers': 1 } });
  });

  it.skipIf(!hasBgpdump)('reads an MRT update file as bgpdump -m reads it: the same report, the same refusal of several peers', () => {
    const peers = [{ address: '192.0.2.7', as: 64500 }, { address: '192.0.2.8', as: 64501 }];
    // MRT times are of real collectors (after 1995): the capture is at T + 10, 20, 30, 40
    const T = 1_418_774_400;
    const capture = file('mrt.pcap', pcap({ linkType: 101, nanosecond: true, records: [packet(T + 10, '10.1.0.1'), packet(T + 20, '10.1.0.2'), packet(T + 30, '10.1.0.3'), packet(T + 40, '8.8.4.4')] }));
    const records: [number, number, TestUpdate][] = [
      [15, 0, { announced: ['10.1.0.0/16'], attributes: { asPath: '64500 3356', nextHop: '192.0.2.7', med: 5, communities: ['64500:1'] } }],
      [16, 1, { announced: ['10.1.0.0/16'], attributes: { asPath: '64501', nextHop: '192.0.2.8' } }],
      [25, 0, { announced: ['10.1.0.0/16', '8.8.4.0/24'], attributes: { asPath: '64500 15169', nextHop: '192.0.2.9' } }],
      [26, 1, { withdrawn: ['10.1.0.0/16'] }],
      [35, 0, { withdrawn: ['10.1.0.0/16', '10.99.0.0/16'] }],
    ];
    const mrt = file('updates.mrt', concatBytes(records.map(([timestamp, peer, update]) =>
      bgp4mpRecord({ timestamp: T + timestamp, subtype: 4, peer: peers[peer], message: updateMessage(update, 4) }))));
    const text = file('updates.bgpdump', `${bgpdumpLines(mrt).join('\n')}\n`);
    for (const stream of [mrt, text]) {
      expect(fibscope('analyze', '-r', SAMPLE, '--updates', stream, capture).stderr).toMatch(/updates from 2 BGP peers: 192\.0\.2\.7 .*192\.0\.2\.8.*choose one with --peer/);
    }
    const report = (stream: string, peer: string) => {
      const run = fibscope('analyze', '-r', SAMPLE, '--updates', stream, '--peer', peer, '-f', 'json', '--no-checks', capture);
      expect(run.status).toBe(0);
      const { updates, ...rest } = JSON.parse(run.stdout);
      return { updates: { ...updates, source: undefined }, rest };
    };
    for (const peer of ['192.0.2.7', 'AS64501']) {
      const [fromMrt, fromText] = [report(mrt, peer), report(text, peer)];
      expect(fromMrt.rest).toEqual(fromText.rest);
      // MRT names a message by its byte offset, bgpdump -m lines by their line
      expect({ ...fromMrt.updates, firstWithdrawnNothing: undefined }).toEqual({ ...fromText.updates, firstWithdrawnNothing: undefined, skipped: {} });
    }
    // 10.1.0.2 went via .7, 10.1.0.3 via .9, then 10.1.0.0/16 was withdrawn (its counts with it); 8.8.4.4 via .9
    const chosen = report(mrt, '192.0.2.7');
    expect(chosen.rest.routes.map((r: { prefix: string; nextHop: string; packets: number }) => [r.prefix, r.nextHop, r.packets]))
      .toEqual([['10.0.0.0/8', 'rfc1918-10', 1], ['8.8.4.0/24', '192.0.2.9', 1]]);
    expect(chosen.updates).toMatchObject({ applied: 5, withdrawnNothing: 1, pending: 0 });
  });
});
