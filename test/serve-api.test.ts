import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../src/analyze/analyzer.js';
import { Fib } from '../src/fib/fib.js';
import { FibscopeServer } from '../src/serve/server.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4, udp6 } from './helpers/packets.js';

// The HTTP API of `fibscope serve`, in process on a free port: every endpoint, every 4xx, and
// route changes seen in /routes and /metrics while the counters of other routes carry on.

const TABLE = '10.0.0.0/8 192.0.2.1 eth0\n2001:db8::/32 fe80::1 eth1\n';
const PCAP_HEADER = 24;

/** A raw-IP pcap of one UDP packet per destination (28 + 20 or 48 bytes each). */
function capture(destinations: string[]): Uint8Array {
  return pcap({
    linkType: LINKTYPE.RAW,
    records: destinations.map((dst, i) => ({
      ts: { sec: 1_700_000_000 + i, frac: 0 },
      data: raw(dst.includes(':') ? udp6('2001:db8:ffff::1', dst) : udp4('192.0.2.200', dst)),
    })),
  });
}
/** The same records without the file header: the stream goes on. */
const more = (destinations: string[]) => capture(destinations).subarray(PCAP_HEADER);

let fib: Fib;
let analyzer: Analyzer;
let server: FibscopeServer;
let base: string;
let port: number;

beforeAll(async () => {
  fib = await Fib.create();
  fib.load(TABLE);
  analyzer = new Analyzer({ fib, name: 'test' });
  server = new FibscopeServer({ fib, analyzer, maxBodyBytes: 4096, onError: (e) => { throw e; } });
  ({ port } = await server.listen(0, '127.0.0.1'));
  base = `http://127.0.0.1:${port}`;
  analyzer.push(capture(['10.0.0.1', '10.0.0.2', '10.1.0.1', '2001:db8::1', '192.0.2.99']));
});

afterAll(async () => {
  await server.close();
  analyzer.dispose();
});

async function call(method: string, path: string, body?: string) {
  const response = await fetch(`${base}${path}`, { method, body });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, headers: response.headers, text, json: type.startsWith('application/json') && text ? JSON.parse(text) : undefined };
}

/** Sample value of a series in /metrics text, by exact name and label text. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
const routeSeries = (prefix: string, nextHop: string, dev: string, family = 'ipv4') =>
  `fibscope_route_packets_total{prefix="${prefix}",next_hop="${nextHop}",dev="${dev}",family="${family}"}`;
const metrics = async () => (await call('GET', '/metrics')).text;

describe('reading', () => {
  it('GET /metrics: Prometheus text with route, total, table and change families', async () => {
    const response = await call('GET', '/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = response.text;
    expect(sample(text, routeSeries('10.0.0.0/8', '192.0.2.1', 'eth0'))).toBe(3);
    expect(sample(text, routeSeries('2001:db8::/32', 'fe80::1', 'eth1', 'ipv6'))).toBe(1);
    expect(sample(text, 'fibscope_records_total')).toBe(5);
    expect(sample(text, 'fibscope_unrouted_packets_total')).toBe(1);
    expect(sample(text, 'fibscope_routes{family="ipv4"}')).toBe(1);
    expect(sample(text, 'fibscope_routes{family="ipv6"}')).toBe(1);
    for (const op of ['add', 'replace', 'remove']) expect(sample(text, `fibscope_route_changes_total{op="${op}"}`)).toBe(0);
    // no capture stream here, and per-destination series are opt-in
    expect(text).not.toContain('fibscope_capture_reading');
    expect(text).not.toContain('fibscope_destination_');
  });

  it('GET /report: the SPEC JSON report', async () => {
    const response = await call('GET', '/report');
    expect(response.status).toBe(200);
    expect(response.json.fibscope).toEqual({ version: '0.1.0' });
    expect(response.json.totals).toMatchObject({ records: 5, counted: 5, noRoute: { packets: 1 } });
    expect(response.json.routes.find((r: { prefix: string }) => r.prefix === '10.0.0.0/8')).toMatchObject({ packets: 3, destinations: 3 });
    expect(response.json.destinations).toHaveLength(5);
  });

  it('GET /routes: the table; GET /routes/PREFIX: one prefix; HEAD works as GET without a body', async () => {
    const table = await call('GET', '/routes');
    expect(table.json).toEqual({
      ipv4Routes: 1,
      ipv6Routes: 1,
      routes: [
        { prefix: '10.0.0.0/8', type: 'unicast', nextHop: '192.0.2.1', dev: 'eth0', metric: 0, nextHops: [{ via: '192.0.2.1', dev: 'eth0', weight: 1 }], source: 'file' },
        { prefix: '2001:db8::/32', type: 'unicast', nextHop: 'fe80::1', dev: 'eth1', metric: 0, nextHops: [{ via: 'fe80::1', dev: 'eth1', weight: 1 }], source: 'file' },
      ],
    });
    expect((await call('GET', '/routes/2001:db8::%2F32')).json.routes[0].nextHop).toBe('fe80::1');
    expect((await call('GET', '/routes/10.0.0.0/8')).json.routes).toHaveLength(1);
    const head = await call('HEAD', '/metrics');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const index = await call('GET', '/');
    expect(index.text).toContain('POST   /routes');
  });
});

describe('route changes', () => {
  it('POST a more specific route: new traffic moves to it, the covering route keeps its counts', async () => {
    const before = await metrics();
    const added = await call('POST', '/routes', '10.1.0.0/16 192.0.2.9 eth2\n');
    expect(added.status).toBe(200);
    // the answer counts the routes; the table shows them
    expect(added.json).toEqual({ routes: 1, added: 1, replaced: 0, unchanged: 0, prefixes: 1, ipv4Routes: 2, ipv6Routes: 1 });
    expect((await call('GET', '/routes/10.1.0.0/16')).json.routes).toEqual(
      [{ prefix: '10.1.0.0/16', type: 'unicast', nextHop: '192.0.2.9', dev: 'eth2', metric: 0, nextHops: [{ via: '192.0.2.9', dev: 'eth2', weight: 1 }], source: 'rest' }]);
    analyzer.push(more(['10.1.0.1', '10.1.0.2', '10.2.0.1']));
    const after = await metrics();
    expect(sample(after, routeSeries('10.1.0.0/16', '192.0.2.9', 'eth2'))).toBe(2);
    // 3 before the change, +1 for 10.2.0.1 after it
    expect(sample(before, routeSeries('10.0.0.0/8', '192.0.2.1', 'eth0'))).toBe(3);
    expect(sample(after, routeSeries('10.0.0.0/8', '192.0.2.1', 'eth0'))).toBe(4);
    expect(sample(after, routeSeries('2001:db8::/32', 'fe80::1', 'eth1', 'ipv6'))).toBe(1);
    expect(sample(after, 'fibscope_route_changes_total{op="add"}')).toBe(1);
    expect(sample(after, 'fibscope_routes{family="ipv4"}')).toBe(2);
    expect((await call('GET', '/routes')).json.routes.map((r: { prefix: string }) => r.prefix)).toContain('10.1.0.0/16');
  });

  it('POST a route of a prefix and metric present: replaces it, as ip route replace', async () => {
    const replaced = await call('POST', '/routes', '10.1.0.0/16 via 192.0.2.10 dev eth3\n');
    expect(replaced.status).toBe(200);
    expect(replaced.json).toMatchObject({ added: 0, replaced: 1, unchanged: 0 });
    expect((await call('GET', '/routes/10.1.0.0/16')).json.routes).toMatchObject([{ prefix: '10.1.0.0/16', nextHop: '192.0.2.10', dev: 'eth3' }]);
    // the same route again changes nothing: it is counted as unchanged, not as a replacement
    expect((await call('POST', '/routes', '10.1.0.0/16 via 192.0.2.10 dev eth3\n')).json).toMatchObject({ added: 0, replaced: 0, unchanged: 1 });
    // another metric is another route of the prefix
    const second = await call('POST', '/routes', '10.1.0.0/16 192.0.2.11 eth4 50\n');
    expect(second.json).toMatchObject({ added: 1, replaced: 0 });
    expect((await call('GET', '/routes/10.1.0.0/16')).json.routes.map((r: { metric: number }) => r.metric)).toEqual([0, 50]);
    analyzer.push(more(['10.1.0.3']));
    const text = await metrics();
    expect(sample(text, routeSeries('10.1.0.0/16', '192.0.2.10', 'eth3'))).toBe(1);
    expect(sample(text, 'fibscope_route_changes_total{op="replace"}')).toBe(1);
    expect(sample(text, 'fibscope_route_changes_total{op="add"}')).toBe(2);
  });

  it('takes any route format, and ?format= to force one', async () => {
    const json = await call('POST', '/routes', JSON.stringify([{ dst: '172.16.0.0/12', gateway: '192.0.2.20', dev: 'eth5', metric: 5 }]));
    expect(json.status).toBe(200);
    expect((await call('GET', '/routes/172.16.0.0/12')).json.routes[0]).toMatchObject({ prefix: '172.16.0.0/12', nextHop: '192.0.2.20', metric: 5 });
    const multipath = await call('POST', '/routes?format=ip',
      '198.51.100.0/24 proto static metric 7\n\tnexthop via 192.0.2.1 dev eth0 weight 1\n\tnexthop via 192.0.2.2 dev eth1 weight 3\n');
    expect(multipath.status).toBe(200);
    expect((await call('GET', '/routes/198.51.100.0/24')).json.routes[0].nextHops).toEqual([{ via: '192.0.2.1', dev: 'eth0', weight: 1 }, { via: '192.0.2.2', dev: 'eth1', weight: 3 }]);
  });

  it('DELETE /routes/PREFIX: traffic falls back to the covering route; a filter removes only what matches', async () => {
    const filtered = await call('DELETE', '/routes/10.1.0.0%2F16?metric=50');
    expect(filtered.json).toMatchObject({ removed: 1, routes: [{ metric: 0 }] });
    const removed = await call('DELETE', '/routes/10.1.0.0/16');
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({ removed: 1, routes: [] });
    const before = await metrics();
    analyzer.push(more(['10.1.0.4']));
    const after = await metrics();
    expect(sample(after, routeSeries('10.0.0.0/8', '192.0.2.1', 'eth0'))).toBe(sample(before, routeSeries('10.0.0.0/8', '192.0.2.1', 'eth0'))! + 1);
    expect(sample(after, 'fibscope_route_changes_total{op="remove"}')).toBe(2);
    expect((await call('GET', '/routes/10.1.0.0/16')).status).toBe(404);
  });
});

/** A request whose body may be refused before it is read: the answer, whatever the write side saw. */
function rawRequest(method: string, path: string, body: Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // the server may close while the rest of the body is still being sent
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.end(body);
  });
}

describe('bad requests: 4xx with a message, and nothing changes', () => {
  let table: unknown;
  let counters: string;
  beforeAll(async () => {
    table = (await call('GET', '/routes')).json;
    counters = await metrics();
  });

  afterAll(async () => {
    expect((await call('GET', '/routes')).json).toEqual(table);
    expect(await metrics()).toBe(counters);
  });

  it('400 for a bad line anywhere in the body, naming the request and the line; the good lines before it are not applied', async () => {
    const response = await call('POST', '/routes', '10.50.0.0/16 192.0.2.1\n10.51.0.0/16 192.0.2.1\n10.52.0.0/33 192.0.2.1\n');
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/^POST \/routes:3: /);
    expect(response.json.error).toContain('10.52.0.0/33');
    expect((await call('GET', '/routes/10.50.0.0/16')).status).toBe(404);
  });

  it('400 for an empty body, a body that is not UTF-8, an unknown format or parameter, a bad prefix or filter', async () => {
    expect((await call('POST', '/routes', '# nothing\n')).json.error).toMatch(/no routes/);
    const binary = await rawRequest('POST', '/routes', Buffer.from([0x31, 0x30, 0xff, 0xfe, 0x0a]));
    expect(binary.status).toBe(400);
    expect(JSON.parse(binary.text).error).toMatch(/not UTF-8/);
    const format = await call('POST', '/routes?format=cisco', '10.60.0.0/16\n');
    expect(format.status).toBe(400);
    expect(format.json.error).toMatch(/unknown routes format "cisco": expected auto, plain, ip/);
    expect((await call('POST', '/routes?mode=add', '10.60.0.0/16\n')).json.error).toMatch(/unknown parameter "mode"/);
    const prefix = await call('DELETE', '/routes/10.0.0.0%2F99');
    expect(prefix.status).toBe(400);
    expect(prefix.json.error).toContain('10.0.0.0/99');
    expect((await call('DELETE', '/routes/10.0.0.0/8?metric=-1')).status).toBe(400);
    expect((await call('DELETE', '/routes/10.0.0.0/8?color=red')).status).toBe(400);
    expect((await call('DELETE', '/routes/%E0%A4%A')).status).toBe(400);
    const target = await rawRequest('GET', 'http://[', Buffer.alloc(0));
    expect(target.status).toBe(400);
    expect(JSON.parse(target.text).error).toMatch(/not a request path/);
  });

  it('404 for a prefix without routes, a filter that matches none, an unknown endpoint', async () => {
    const unknown = await call('DELETE', '/routes/10.99.0.0/16');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toBe('no route of 10.99.0.0/16 to remove: the table is unchanged');
    const filtered = await call('DELETE', '/routes/10.0.0.0/8?via=192.0.2.77');
    expect(filtered.status).toBe(404);
    expect(filtered.json.error).toContain('with via 192.0.2.77');
    const endpoint = await call('GET', '/stats');
    expect(endpoint.status).toBe(404);
    expect(endpoint.json.error).toMatch(/no such endpoint: \/stats/);
  });

  it('405 with Allow for a method an endpoint does not take', async () => {
    const cases: [string, string, string][] = [
      ['POST', '/metrics', 'GET, HEAD'],
      ['DELETE', '/report', 'GET, HEAD'],
      ['PUT', '/routes', 'GET, HEAD, POST'],
      ['DELETE', '/routes', 'GET, HEAD, POST'],
      ['POST', '/routes/10.0.0.0/8', 'GET, HEAD, DELETE'],
      ['PATCH', '/routes/10.0.0.0/8', 'GET, HEAD, DELETE'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await call(method, path, method === 'DELETE' || method === 'PATCH' ? undefined : 'x');
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(response.json.error).toContain(`${method} is not allowed`);
    }
  });

  it('413 for a body over the limit, whether its length is declared or not', async () => {
    const big = Buffer.from('10.70.0.0/16 192.0.2.1\n'.repeat(400)); // 9,200 bytes, limit 4,096
    const declared = await rawRequest('POST', '/routes', big, { 'Content-Length': big.length });
    expect(declared.status).toBe(413);
    expect(declared.headers.connection).toBe('close');
    expect(JSON.parse(declared.text).error).toBe('the request body (9200 bytes) is over the 4096-byte limit (--max-body)');
    const chunked = await rawRequest('POST', '/routes', big, { 'Transfer-Encoding': 'chunked' });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.text).error).toMatch(/more than 4096 bytes/);
    expect((await call('GET', '/routes/10.70.0.0/16')).status).toBe(404);
  });
});

describe('top-K destinations', () => {
  it('are in /metrics only with topDestinations, the K busiest and other', async () => {
    const localFib = await Fib.create();
    localFib.load(TABLE);
    const localAnalyzer = new Analyzer({ fib: localFib });
    const local = new FibscopeServer({ fib: localFib, analyzer: localAnalyzer, topDestinations: 2, capture: { reading: true } });
    const address = await local.listen(0, '127.0.0.1');
    try {
      localAnalyzer.push(capture(['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.3', '192.0.2.1']));
      const text = await (await fetch(`http://127.0.0.1:${address.port}/metrics`)).text();
      const series = text.split('\n').filter((l) => l.startsWith('fibscope_destination_packets_total'));
      expect(series).toEqual([
        'fibscope_destination_packets_total{address="10.0.0.1",prefix="10.0.0.0/8"} 3',
        'fibscope_destination_packets_total{address="10.0.0.2",prefix="10.0.0.0/8"} 2',
        // the first scrape: the two busiest whole, the two others in other
        'fibscope_destination_packets_total{address="other",prefix=""} 2',
      ]);
      expect(sample(text, 'fibscope_capture_reading')).toBe(1);
    } finally {
      await local.close();
      localAnalyzer.dispose();
    }
  });
});
