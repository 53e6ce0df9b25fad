import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { LINKTYPE, udp4 } from './helpers/packets.js';
import { metricValue, serveUnavailable, startServe, waitFor, type ServeProcess } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `fibscope serve` as a child process with a large destination set, against clients that ask
// for /report and never read it: another client's scrapes are answered throughout (and match a
// reference Analyzer run alongside on the same capture), and the server's RSS comes back down
// once those clients have gone.

const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n10.1.0.0/16 192.0.2.2 eth1\n';
const DESTINATIONS = 120_000;
/** A few heavy destinations on top of the many single-packet ones: [address, packets]. */
const HEAVY: [string, number][] = [['10.0.0.1', 50], ['10.1.0.1', 40], ['10.0.0.2', 30], ['10.0.0.3', 30], ['10.9.9.9', 7]];
const CLIENTS = 45;
const K = 3;
/** --max-report-memory: the /report text held for unread answers, all clients together. */
const REPORT_MEMORY = 64 << 20;

/** Gauges of the server's own memory, which vary from scrape to scrape. */
const VARYING = /^fibscope_(wasm_memory_bytes|report_bytes_in_flight) .*$/gm;

const unavailable = serveUnavailable() ?? (existsSync('/proc/self/status') ? undefined : 'no /proc/self/status to read RSS from');
if (unavailable) console.warn(`skipping serve with clients that never read: ${unavailable}`);

/** A raw-IP pcap: one UDP packet to each of DESTINATIONS addresses, then the heavy ones. */
function bigCapture(): Uint8Array {
  const template = udp4('192.0.2.200', '10.0.0.0');
  const addresses: number[] = [];
  for (let i = 0; i < DESTINATIONS; i++) addresses.push((10 << 24 | (2 + (i >> 16)) << 16 | (i & 0xffff)) >>> 0);
  for (const [address, packets] of HEAVY) {
    const value = address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
    for (let i = 0; i < packets; i++) addresses.push(value);
  }
  const record = 16 + template.length;
  const out = Buffer.alloc(24 + addresses.length * record);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(65535, 16);
  out.writeUInt32LE(LINKTYPE.RAW, 20);
  addresses.forEach((address, i) => {
    const at = 24 + i * record;
    out.writeUInt32LE(1_700_000_000 + (i >> 10), at);
    out.writeUInt32LE(template.length, at + 8);
    out.writeUInt32LE(template.length, at + 12);
    out.set(template, at + 16);
    out.writeUInt32BE(address, at + 16 + 16); // the IPv4 destination
  });
  return out;
}

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

/** GET that must answer within `ms`. */
async function timedGet(url: string, ms: number): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(ms) });
  return { status: response.status, text: await response.text() };
}

const dir = tempDir('fibscope-hostile-');
let serve: ServeProcess | undefined;
let reference: Analyzer;

beforeAll(async () => {
  if (unavailable) return;
  const capture = bigCapture();
  writeFileSync(join(dir, 'big.pcap'), capture);
  writeFileSync(join(dir, 'routes.txt'), TABLE);
  const fib = await Fib.create();
  fib.load(TABLE);
  reference = new Analyzer({ fib, name: 'reference' });
  reference.push(capture);
  reference.end();
});

afterAll(async () => {
  if (serve) {
    serve.child.kill('SIGTERM');
    await serve.exited;
  }
});

describe.skipIf(unavailable)('serve, with clients that never read', () => {
  it(`answers scrapes throughout ${CLIENTS} unread /report answers, and its RSS comes back after they go`, async () => {
    serve = await startServe(['-r', join(dir, 'routes.txt'), '--top-destinations', String(K), '--stall-timeout', '20', '--max-report-memory', String(REPORT_MEMORY),
      join(dir, 'big.pcap')], 'ignore');
    const base = serve.base;
    const pid = serve.child.pid!;
    // not by scraping: the first scrape below is the first, so the top K join with their whole counts
    await waitFor(async () => /the capture ended after/.test(serve!.stderr()), 20_000);

    // the scrape, checked against the reference: totals, and the top K with `other`
    const expected = reference.report();
    const first = await timedGet(`${base}/metrics`, 5000);
    expect(metricValue(first.text, 'fibscope_capture_reading')).toBe(0);
    expect(metricValue(first.text, 'fibscope_counted_packets_total')).toBe(expected.totals.counted);
    const top = expected.destinations.slice(0, K);
    for (const d of top) {
      expect(metricValue(first.text, `fibscope_destination_packets_total{address="${d.address}",prefix="${d.prefix}"}`)).toBe(d.packets);
    }
    // the first scrape: the top K have their whole counts, `other` the rest
    const inTop = top.reduce((sum, d) => sum + Number(d.packets), 0);
    expect(metricValue(first.text, 'fibscope_destination_packets_total{address="other",prefix=""}')).toBe(Number(expected.totals.counted) - inTop);

    // one /report read whole: the same report as the reference's, destinations and all
    const whole = JSON.parse((await timedGet(`${base}/report`, 20_000)).text);
    expect(whole.totals).toEqual(expected.totals);
    expect(whole.destinations).toHaveLength(expected.destinations.length);
    expect(whole.destinations.slice(0, 10)).toEqual(expected.destinations.slice(0, 10).map((d) => ({ ...d })));
    await new Promise((r) => setTimeout(r, 1500)); // that report's text is let go (release-memory.ts)
    const baseline = rssBytes(pid);
    const wasmBaseline = metricValue((await timedGet(`${base}/metrics`, 3000)).text, 'fibscope_wasm_memory_bytes')!;

    const clients: Socket[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const socket = connect(Number(new URL(base).port), '127.0.0.1');
      socket.pause(); // never reads: what the server sends piles up
      socket.on('error', () => {});
      socket.write('GET /report HTTP/1.1\r\nHost: fibscope\r\n\r\n');
      clients.push(socket);
      await new Promise((r) => setTimeout(r, 20));
    }
    // meanwhile, another client's scrapes are answered, each with the same text as before
    let peak = baseline;
    for (let i = 0; i < 20; i++) {
      const scrape = await timedGet(`${base}/metrics`, 3000);
      expect(scrape.status).toBe(200);
      expect(scrape.text.replace(VARYING, '')).toBe(first.text.replace(VARYING, ''));
      peak = Math.max(peak, rssBytes(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const socket of clients) socket.destroy();
    // after they go, the memory they held comes back (within 64 MiB of where it was); WebAssembly
    // memory, which never shrinks, does not grow at all: each report's scratch is reused
    const wasmMemory = async () => metricValue((await timedGet(`${base}/metrics`, 3000)).text, 'fibscope_wasm_memory_bytes')!;
    let after = rssBytes(pid);
    let wasmGrowth = 0;
    await waitFor(async () => {
      wasmGrowth = await wasmMemory() - wasmBaseline;
      after = rssBytes(pid);
      return after - wasmGrowth < baseline + (64 << 20);
    }, 15_000);
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
    const inFlight = metricValue((await timedGet(`${base}/metrics`, 3000)).text, 'fibscope_report_bytes_in_flight');
    console.log(`RSS: baseline ${mib(baseline)}, peak ${mib(peak)}, after ${mib(after)}; WebAssembly memory grew ${mib(wasmGrowth)}; in flight ${inFlight}`);
    expect(inFlight).toBe(0);
    expect(wasmGrowth).toBe(0);
    // while they held it, the memory stayed within the report bound (and what one report costs to make)
    expect(peak - wasmGrowth).toBeLessThan(baseline + REPORT_MEMORY + (96 << 20));
    expect(after - wasmGrowth).toBeLessThan(baseline + (64 << 20));
    const last = (await timedGet(`${base}/metrics`, 3000)).text;
    expect(metricValue(last, 'fibscope_report_bytes_in_flight')).toBe(0);
    expect(last.replace(VARYING, '')).toBe(first.text.replace(VARYING, ''));
    expect(serve.stderr()).not.toMatch(/internal error/);
  }, 55_000);
});
