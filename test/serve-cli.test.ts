import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcap, truncate } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { CLI, metricValue, serveUnavailable, startServe, waitFor } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `fibscope serve` as a process: reading standard input while it grows, route changes over
// HTTP, the final report on SIGTERM, the end of the stream, and usage errors.

const unavailable = serveUnavailable();
if (unavailable) console.warn(`skipping the fibscope serve process tests: ${unavailable}`);

const dir = tempDir('fibscope-serve-');
const routes = join(dir, 'routes.txt');
writeFileSync(routes, '10.0.0.0/8 192.0.2.1 eth0\n');

function capture(destinations: string[]): Uint8Array {
  return pcap({
    linkType: LINKTYPE.RAW,
    records: destinations.map((dst, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(udp4('192.0.2.200', dst)) })),
  });
}
const tenOne = 'fibscope_route_packets_total{prefix="10.1.0.0/16",next_hop="192.0.2.9",dev="eth9",family="ipv4"}';
const tenEight = 'fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="192.0.2.1",dev="eth0",family="ipv4"}';

/** A serve that should stop before it serves; on a free port should it get that far. */
const serveCli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args], { encoding: 'utf8', input: '', timeout: 10_000 });

describe.skipIf(unavailable !== undefined)('fibscope serve', () => {
  it('reads standard input as it grows, takes route changes, and writes the final report on SIGTERM', async () => {
    const serve = await startServe(['-r', routes, '-']);
    const metrics = async () => (await fetch(`${serve.base}/metrics`)).text();
    const bytes = capture(['10.0.0.1', '10.1.0.1', '10.2.0.1', '10.1.0.2', '10.1.0.3', '10.3.0.1']);
    // the header and two records, in pieces that cut records
    const firstPart = 24 + 2 * (16 + 28);
    serve.child.stdin!.write(bytes.subarray(0, 30));
    serve.child.stdin!.write(bytes.subarray(30, firstPart));
    await waitFor(async () => metricValue(await metrics(), 'fibscope_records_total') === 2);
    expect(metricValue(await metrics(), 'fibscope_capture_reading')).toBe(1);
    expect(metricValue(await metrics(), tenEight)).toBe(2);

    const posted = await fetch(`${serve.base}/routes`, { method: 'POST', body: '10.1.0.0/16 192.0.2.9 eth9' });
    expect(posted.status).toBe(200);
    serve.child.stdin!.write(bytes.subarray(firstPart));
    await waitFor(async () => metricValue(await metrics(), 'fibscope_records_total') === 6);
    const text = await metrics();
    expect(metricValue(text, tenOne)).toBe(2);
    expect(metricValue(text, tenEight)).toBe(4);
    expect(metricValue(text, 'fibscope_route_changes_total{op="add"}')).toBe(1);

    serve.child.kill('SIGTERM');
    const result = await serve.exited;
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('stopped by SIGTERM: final report written to standard output');
    const report = JSON.parse(result.stdout);
    expect(report.inputs[0]).toMatchObject({ path: '-', format: 'pcap', records: 6, error: null });
    expect(report.routes.map((r: { prefix: string; packets: number }) => [r.prefix, r.packets]))
      .toEqual([['10.0.0.0/8', 4], ['10.1.0.0/16', 2]]);
  });

  it('keeps serving after the stream ends, until SIGINT; --output takes the report', async () => {
    const output = join(dir, 'final.json');
    const serve = await startServe(['-r', routes, '-o', output, '-']);
    serve.child.stdin!.end(capture(['10.0.0.1', '10.0.0.2']));
    await waitFor(async () => serve.stderr().includes('still serving'));
    expect(serve.stderr()).toContain('standard input: the capture ended after 2 records');
    const text = await (await fetch(`${serve.base}/metrics`)).text();
    expect(metricValue(text, 'fibscope_capture_reading')).toBe(0);
    expect(metricValue(text, tenEight)).toBe(2);
    serve.child.kill('SIGINT');
    const result = await serve.exited;
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(output, 'utf8')).totals.records).toBe(2);
  });

  it('--exit-on-eof: stops at the end of a file; 1 when the capture is damaged', async () => {
    const file = join(dir, 'a.pcap');
    writeFileSync(file, capture(['10.0.0.1', '10.0.0.2', '10.0.0.3']));
    const clean = await startServe(['-r', routes, '--exit-on-eof', file], 'ignore');
    const done = await clean.exited;
    expect(done.status).toBe(0);
    expect(JSON.parse(done.stdout).totals.records).toBe(3);

    const cut = join(dir, 'cut.pcap');
    const whole = capture(['10.0.0.1', '10.0.0.2']);
    writeFileSync(cut, truncate(whole, whole.length - 5));
    const damaged = await startServe(['-r', routes, '--exit-on-eof', cut], 'ignore');
    const result = await damaged.exited;
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/cut\.pcap: .*record 2/);
    const report = JSON.parse(result.stdout);
    expect(report.totals.records).toBe(1);
    expect(report.inputs[0].error).not.toBeNull();
  });

  it('exits 2 with a message for bad flags, an unreadable capture, a bad routes file, an address in use', async () => {
    const cases: [string[], RegExp][] = [
      [['--listen', 'nowhere', '-'], /--listen takes HOST:PORT/],
      [['--listen', '127.0.0.1:70000', '-'], /--listen takes HOST:PORT/],
      [['--listen', '::1:9464', '-'], /--listen takes HOST:PORT/],
      [['--top-destinations', 'many', '-'], /--top-destinations takes a whole number/],
      [['--max-body', '1 parsec', '-'], /--max-body takes a size/],
      [[join(dir, 'missing.pcap')], /cannot open capture .*missing\.pcap/],
      // a directory: what to name instead, not the raw EISDIR
      [[dir], /cannot read capture .*: it is a directory; name a pcap or pcapng file/],
      [['--body-timeout', 'soon', '-'], /--body-timeout takes a number of seconds/],
      [['--stall-timeout', '0', '-'], /--stall-timeout takes a number of seconds/],
      [['-r', join(dir, 'missing.txt'), '-'], /missing\.txt/],
      [['-o', join(dir, 'no-such-dir', 'report.json'), '-'], /cannot write the report to .*report\.json/],
    ];
    for (const [args, message] of cases) {
      const result = serveCli(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at |EISDIR/);
      expect(result.stdout).toBe('');
    }
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '10.0.0.0/8 192.0.2.1\n10.0.0.0/40 192.0.2.1\n');
    expect(serveCli('-r', bad, '-').stderr).toMatch(/bad\.txt:2: /);

    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const result = spawnSync(process.execPath, [CLI, 'serve', '--listen', `127.0.0.1:${port}`, '-'], { encoding: 'utf8', input: '' });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is in use`);
    } finally {
      taken.close();
    }
  });
});
