import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';

// `fibscope serve` in process against clients that try to hold it up: bodies sent slowly or
// abandoned, connections opened and left, stampedes of scrapes, readers that stop reading, a
// large route upload. Throughout, other clients are answered, and answers match the counters.

const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n10.1.0.0/16 192.0.2.2 eth1\n';

function capture(destinations: string[]): Uint8Array {
  return pcap({
    linkType: LINKTYPE.RAW,
    records: destinations.map((dst, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(udp4('192.0.2.200', dst)) })),
  });
}

/** `count` destinations in 10.2/16.., the first few repeated so that the top is clear. */
function destinations(count: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`10.${2 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
  for (let i = 0; i < 5; i++) for (let j = 0; j <= 10 - i; j++) out.push(`10.1.0.${i + 1}`);
  return out;
}

let fib: Fib;
let analyzer: Analyzer;
let server: FibscopeServer;
let port: number;
const notices: string[] = [];
const errors: unknown[] = [];

beforeAll(async () => {
  fib = await Fib.create();
  fib.load(TABLE);
  analyzer = new Analyzer({ fib, name: 'test' });
  analyzer.push(capture(destinations(2000)));
  server = new FibscopeServer({
    fib, analyzer, topDestinations: 3, maxBodyBytes: 4 << 20,
    headersTimeoutMs: 400, requestTimeoutMs: 3000, bodyTimeoutMs: 300, stallTimeoutMs: 400,
    onNotice: (line) => notices.push(line),
    onError: (error) => errors.push(error),
  });
  ({ port } = await server.listen(0, '127.0.0.1'));
});

afterAll(async () => {
  await server.close(100);
  analyzer.dispose();
  expect(errors).toEqual([]);
});

const base = () => `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection; `received` collects what the server sent, `closed` resolves when it closes. */
function rawClient(): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => (text += d));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, closed };
}

async function metricsOk(ms = 2000): Promise<string> {
  const response = await fetch(`${base()}/metrics`, { signal: AbortSignal.timeout(ms) });
  expect(response.status).toBe(200);
  return response.text();
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('slow and abandoned request bodies', () => {
  it('a body that does not arrive in time gets 408 and the connection closed; others are answered meanwhile', async () => {
    const routesBefore = fib.stats().ipv4Routes;
    const slow = Array.from({ length: 30 }, () => {
      const client = rawClient();
      client.socket.write('POST /routes HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n10.50.0.0/16 192.0.2.9 eth0\n');
      return client;
    });
    await metricsOk();
    const started = Date.now();
    await Promise.all(slow.map((c) => c.closed));
    // cut by the body timeout (300 ms), not Node's request timeout (3 s)
    expect(Date.now() - started).toBeLessThan(2000);
    for (const client of slow) {
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(client.received()).toMatch(/the request body did not arrive within 0\.3 s/);
    }
    expect(fib.stats().ipv4Routes).toBe(routesBefore);
    expect(fib.routesFor('10.50.0.0/16')).toEqual([]);
  });

  it('an upload the client abandons is logged in one line as such, not as an internal error', async () => {
    notices.length = 0;
    const client = rawClient();
    client.socket.write('POST /routes HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n10.51.0.0/16 192.0.2.9 eth0\n');
    await sleep(50);
    client.socket.destroy();
    await sleep(100);
    expect(notices).toEqual([expect.stringMatching(/^client closed the connection during POST \/routes\b/)]);
    expect(errors).toEqual([]);
    expect(fib.routesFor('10.51.0.0/16')).toEqual([]);
    await metricsOk();
  });
});

describe('connections opened and abandoned', () => {
  it('hundreds of them are closed by the headers timeout while others are answered', async () => {
    const abandoned = Array.from({ length: 300 }, (_, i) => {
      const client = rawClient();
      // nothing, half a request line, or headers that never end
      if (i % 3 === 1) client.socket.write('GET /metr');
      if (i % 3 === 2) client.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      return client;
    });
    await sleep(50);
    for (let i = 0; i < 5; i++) await metricsOk();
    const started = Date.now();
    // the server closed every one of them (a client sees the close), in far less than Node's default 60 s
    await Promise.all(abandoned.map((c) => c.closed));
    expect(Date.now() - started).toBeLessThan(5000);
    for (const client of abandoned) expect(client.received()).toMatch(/^(HTTP\/1\.1 408 |$)/);
    await metricsOk();
  });
});

describe('concurrent scrapes', () => {
  it('share one text, which matches the counters', async () => {
    const builds = server.metrics.builds;
    const texts = await Promise.all(Array.from({ length: 60 }, () => metricsOk(5000)));
    expect(new Set(texts).size).toBe(1);
    // fewer texts built than scrapes: they were coalesced
    expect(server.metrics.builds - builds).toBeLessThan(60);
    const report = analyzer.report();
    const text = texts[0];
    expect(sample(text, 'fibscope_counted_packets_total')).toBe(report.totals.counted);
    for (const route of report.routes) {
      expect(sample(text, `fibscope_route_packets_total{prefix="${route.prefix}",next_hop="${route.nextHop}",dev="${route.dev}",family="ipv4"}`)).toBe(route.packets);
    }
    const series = text.split('\n').filter((l) => l.startsWith('fibscope_destination_packets_total{') && !l.includes('"other"'));
    expect(series).toEqual(report.destinations.slice(0, 3).map((d) =>
      `fibscope_destination_packets_total{address="${d.address}",prefix="${d.prefix}"} ${d.packets}`));
  });
});

describe('a reader that stops reading', () => {
  it('is cut after the stall timeout, and the report in flight is let go', async () => {
    // a report of some 20 MB: more than the socket buffers take
    const big = new Analyzer({ fib, name: 'big' });
    big.push(capture(destinations(100_000)));
    const local = new FibscopeServer({ fib, analyzer: big, stallTimeoutMs: 300, onNotice: (line) => notices.push(line), onError: (e) => errors.push(e) });
    const { port: localPort } = await local.listen(0, '127.0.0.1');
    notices.length = 0;
    try {
      const socket = connect(localPort, '127.0.0.1');
      socket.pause();
      socket.on('error', () => {});
      socket.write('GET /report HTTP/1.1\r\nHost: x\r\n\r\n');
      // the answer starts: the text is held for this client while it does not read
      await sleep(200);
      expect(local.reports.bytesInFlight).toBeGreaterThan(0);
      // (a paused client does not see the close: watch the server's side)
      const started = Date.now();
      while (notices.length === 0 && Date.now() - started < 5000) await sleep(20);
      expect(notices).toEqual([expect.stringMatching(/^cut GET \/report to 127\.0\.0\.1: it read none of the answer for 0\.3 s$/)]);
      await sleep(50);
      expect(local.reports.bytesInFlight).toBe(0);
      socket.destroy();
      // a reader that reads gets the whole report, equal to the analyzer's
      const whole = await (await fetch(`http://127.0.0.1:${localPort}/report`)).json();
      const report = big.report();
      expect(whole.totals).toEqual(report.totals);
      expect(whole.destinations.length).toBe(report.destinations.length);
      expect(whole.destinations.at(-1)).toEqual({ ...report.destinations.at(-1) });
    } finally {
      await local.close(100);
      big.dispose();
    }
  });
});

describe('a client that lets its answer pile up', () => {
  it('is cut once more than maxUnreadBytes of it waits in the process', async () => {
    // GET /routes of 30,000 routes: some 5 MB of JSON, written at once
    const localFib = await Fib.create();
    localFib.load(Array.from({ length: 30_000 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24 192.0.2.1 eth0`).join('\n'));
    const localAnalyzer = new Analyzer({ fib: localFib });
    const local = new FibscopeServer({ fib: localFib, analyzer: localAnalyzer, maxUnreadBytes: 256 << 10, onNotice: (line) => notices.push(line), onError: (e) => errors.push(e) });
    const { port: localPort } = await local.listen(0, '127.0.0.1');
    notices.length = 0;
    try {
      const socket = connect(localPort, '127.0.0.1');
      socket.pause();
      socket.on('error', () => {});
      socket.write('GET /routes HTTP/1.1\r\nHost: x\r\n\r\n');
      const started = Date.now();
      while (notices.length === 0 && Date.now() - started < 5000) await sleep(20);
      expect(notices).toEqual([expect.stringMatching(/^cut GET \/routes to 127\.0\.0\.1: \d+ bytes of the answer unread, over the 262144-byte limit$/)]);
      socket.destroy();
      // a client that reads gets the whole table
      const table = await (await fetch(`http://127.0.0.1:${localPort}/routes`)).json();
      expect(table.routes).toHaveLength(30_000);
    } finally {
      await local.close(100);
      localAnalyzer.dispose();
    }
  });
});

describe('a large POST /routes', () => {
  it('is applied in pieces, answered with counts, while scrapes are answered', async () => {
    // 40,000 routes: 1,000 already there as they are, 1,000 there with another next hop, the rest new
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++) fib.add(`172.${16 + (i >> 8)}.${i & 255}.0/24`, { nextHop: '192.0.2.1', dev: 'eth0' });
    for (let i = 0; i < 40_000; i++) {
      const hop = i < 1000 ? '192.0.2.1' : '192.0.2.7';
      lines.push(`172.${16 + (i >> 8)}.${i & 255}.0/24 ${hop} eth0`);
    }
    const body = `${lines.join('\n')}\n`;
    const changes = { ...server.routes.changes };
    const scrapesDuring: number[] = [];
    let answered = false;
    const post = fetch(`${base()}/routes`, { method: 'POST', body }).then(async (r) => {
      answered = true;
      return { status: r.status, text: await r.text() };
    });
    while (!answered) {
      await metricsOk(5000);
      if (!answered) scrapesDuring.push(Date.now());
      await sleep(5);
    }
    const { status, text } = await post;
    expect(status).toBe(200);
    expect(JSON.parse(text)).toEqual({
      routes: 40_000, added: 38_000, replaced: 1000, unchanged: 1000, prefixes: 40_000,
      ipv4Routes: fib.stats().ipv4Routes, ipv6Routes: 0,
    });
    // counts, not an echo of 40,000 routes
    expect(text.length).toBeLessThan(500);
    expect(scrapesDuring.length).toBeGreaterThan(0);
    expect(server.routes.changes).toEqual({ ...changes, add: changes.add + 38_000, replace: changes.replace + 1000 });
    expect(fib.routesFor('172.16.0.0/24')[0].nextHop).toBe('192.0.2.1');
    expect(fib.routesFor('172.19.232.0/24')[0].nextHop).toBe('192.0.2.7'); // route 1000: replaced
    expect(fib.routesFor('172.171.63.0/24')[0].nextHop).toBe('192.0.2.7'); // route 39,999: added
  });
});
