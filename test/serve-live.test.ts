import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { metricValue, serveUnavailable, startServe, waitFor, type ServeProcess } from './helpers/serve-process.js';
import { untilListening } from './helpers/tcpdump.js';
import { tempDir } from './helpers/temp-dir.js';

// Real traffic: two network namespaces joined by a veth pair, `tcpdump -U -w -` in one piped into
// `fibscope serve -`, ping, a UDP sender and an HTTP request from the other. The counters must
// equal what was sent — by count for ping and UDP, by the sending namespace's own TCP counters
// for HTTP — and a route POSTed while running must take the new traffic while the old counters
// stay. All traffic stays between the two namespaces; the scrapes go to 127.0.0.1 outside them.

const root = process.getuid?.() === 0;
const missingTools = ['ip', 'tcpdump', 'ping'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const tools = missingTools.length === 0;
const curl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;
const unavailable = serveUnavailable();
if (!root || !tools) {
  const lacking = [...(root ? [] : ['root (it runs as uid ' + process.getuid?.() + ')']), ...missingTools.map((tool) => `the command ${tool}`)];
  console.warn(`skipping the tcpdump | fibscope serve test: it lacks ${lacking.join(', ')} (Debian: iproute2, tcpdump, iputils-ping)`);
}
else if (unavailable) console.warn(`skipping the tcpdump | fibscope serve test: ${unavailable}`);

const [a, b] = [`fibscope-sa-${process.pid}`, `fibscope-sb-${process.pid}`];
const dir = tempDir('fibscope-serve-live-');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const ns of [a, b]) spawnSync('ip', ['netns', 'del', ns]);
});

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const inA = (command: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', a, command, ...args], { stdio: 'pipe', timeout: 10_000 });

/** A's TCP segment counters (/proc/net/snmp is per namespace): A talks TCP only to the test's server. */
function tcpSegments(): { out: number; in: number } {
  const lines = inA('cat', '/proc/net/snmp').toString().split('\n').filter((l) => l.startsWith('Tcp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const field = (name: string) => Number(values[names.indexOf(name)]);
  return { out: field('OutSegs'), in: field('InSegs') };
}

// Ethernet frames: ping's default 56 data bytes, and the UDP sender's 100
const PING4_BYTES = 14 + 20 + 8 + 56;
const PING6_BYTES = 14 + 40 + 8 + 56;
const UDP_BYTES = 14 + 20 + 8 + 100;
const UDP_DATAGRAMS = 20;

const routeSeries = (prefix: string, nextHop: string, dev: string, family = 'ipv4') =>
  `{prefix="${prefix}",next_hop="${nextHop}",dev="${dev}",family="${family}"}`;
const ROUTES = {
  net: routeSeries('10.232.0.0/24', 'net', 'veth-b'),
  hostA: routeSeries('10.232.0.1/32', 'host-a', 'veth-a'),
  ping: routeSeries('10.232.0.2/32', 'ping', 'veth-b'),
  udp: routeSeries('10.232.0.3/32', 'udp', 'veth-b'),
  http: routeSeries('10.232.0.4/32', 'http', 'veth-b'),
  net6: routeSeries('fd00:232::/64', 'net6', 'veth-b', 'ipv6'),
  upper: routeSeries('10.232.0.128/25', 'upper', 'veth-b'),
};

describe.skipIf(!root || !tools || unavailable !== undefined)('tcpdump -U -w - | fibscope serve - (needs root, ip, tcpdump, ping)', () => {
  it('counts ping, UDP and HTTP by route as sent, and moves new traffic to a route POSTed while running', async () => {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('-n', a, 'link', 'add', 'veth-a', 'type', 'veth', 'peer', 'name', 'veth-b', 'netns', b);
    ip('-n', a, 'addr', 'add', '10.232.0.1/24', 'dev', 'veth-a');
    for (const host of ['2', '3', '4', '130']) ip('-n', b, 'addr', 'add', `10.232.0.${host}/24`, 'dev', 'veth-b');
    ip('-n', a, 'addr', 'add', 'fd00:232::1/64', 'dev', 'veth-a', 'nodad');
    ip('-n', b, 'addr', 'add', 'fd00:232::2/64', 'dev', 'veth-b', 'nodad');
    for (const [ns, dev] of [[a, 'veth-a'], [b, 'veth-b']]) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', dev, 'up');
    }

    // in B: a UDP sink (so no port-unreachable comes back) and an HTTP server
    const servers = spawn('ip', ['netns', 'exec', b, process.execPath, '-e', `
      const sink = require('node:dgram').createSocket('udp4');
      sink.bind(5555, '10.232.0.3', () => require('node:http')
        .createServer((req, res) => res.end('fibscope\\n'))
        .listen(8080, '10.232.0.4', () => console.log('ready')));
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(servers);
    await new Promise<void>((resolve) => servers.stdout!.once('data', () => resolve()));

    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, [
      '10.232.0.0/24 net veth-b', '10.232.0.1/32 host-a veth-a', '10.232.0.2/32 ping veth-b',
      '10.232.0.3/32 udp veth-b', '10.232.0.4/32 http veth-b', 'fd00:232::/64 net6 veth-b', '',
    ].join('\n'));
    const serve: ServeProcess = await startServe(['-r', routes, '-']);
    children.push(serve.child);
    // IPv4 (ARP is not IP), and of IPv6 only echo request and reply: neighbour discovery and MLD
    // depend on timing, not on what the test sends
    const filter = 'ip or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))';
    const tcpdump = spawn('ip', ['netns', 'exec', b, 'tcpdump', '-U', '-n', '-i', 'veth-b', '-w', '-', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(tcpdump);
    tcpdump.stdout!.pipe(serve.child.stdin!);
    await untilListening(tcpdump);

    // the traffic
    const tcpBefore = tcpSegments();
    inA('ping', '-c', '3', '-i', '0.2', '-W', '2', '10.232.0.2');
    inA('ping', '-c', '2', '-i', '0.2', '-W', '2', '10.232.0.130');
    inA('ping', '-6', '-c', '2', '-i', '0.2', '-W', '2', 'fd00:232::2');
    inA(process.execPath, '-e', `
      const socket = require('node:dgram').createSocket('udp4');
      const payload = Buffer.alloc(100, 0x61);
      let left = ${UDP_DATAGRAMS};
      const next = () => left-- === 0 ? socket.close() : socket.send(payload, 5555, '10.232.0.3', next);
      next();
    `);
    const body = curl
      ? inA('curl', '-s', '--max-time', '5', 'http://10.232.0.4:8080/')
      : inA(process.execPath, '-e', `require('node:http').get('http://10.232.0.4:8080/', { agent: false },
          (res) => res.pipe(process.stdout))`);
    expect(body.toString()).toBe('fibscope\n');
    // the connection's last segments are exchanged after the client has its answer
    await new Promise((r) => setTimeout(r, 300));
    const tcpAfter = tcpSegments();
    const tcp = { out: tcpAfter.out - tcpBefore.out, in: tcpAfter.in - tcpBefore.in };
    expect(tcp.out).toBeGreaterThanOrEqual(4);

    const metrics = async () => (await fetch(`${serve.base}/metrics`)).text();
    const expected = {
      [`fibscope_route_packets_total${ROUTES.ping}`]: 3,
      [`fibscope_route_bytes_total${ROUTES.ping}`]: 3 * PING4_BYTES,
      [`fibscope_route_packets_total${ROUTES.net}`]: 2,
      [`fibscope_route_bytes_total${ROUTES.net}`]: 2 * PING4_BYTES,
      [`fibscope_route_packets_total${ROUTES.udp}`]: UDP_DATAGRAMS,
      [`fibscope_route_bytes_total${ROUTES.udp}`]: UDP_DATAGRAMS * UDP_BYTES,
      [`fibscope_route_packets_total${ROUTES.http}`]: tcp.out,
      // echo replies to the 5 IPv4 pings, and the server's segments
      [`fibscope_route_packets_total${ROUTES.hostA}`]: 5 + tcp.in,
      [`fibscope_route_packets_total${ROUTES.net6}`]: 4,
      [`fibscope_route_bytes_total${ROUTES.net6}`]: 4 * PING6_BYTES,
      fibscope_unrouted_packets_total: 0,
    };
    const seen = (text: string) => Object.fromEntries(Object.keys(expected).map((series) => [series, metricValue(text, series) ?? 0]));
    await waitFor(async () => JSON.stringify(seen(await metrics())) === JSON.stringify(expected));
    const first = await metrics();
    expect(seen(first)).toEqual(expected);

    // a more specific route for 10.232.0.130, POSTed while the capture runs
    const posted = await fetch(`${serve.base}/routes`, { method: 'POST', body: '10.232.0.128/25 upper veth-b\n' });
    expect(posted.status).toBe(200);
    inA('ping', '-c', '3', '-i', '0.2', '-W', '2', '10.232.0.130');
    const moved = {
      ...expected,
      [`fibscope_route_packets_total${ROUTES.upper}`]: 3,
      [`fibscope_route_bytes_total${ROUTES.upper}`]: 3 * PING4_BYTES,
      [`fibscope_route_packets_total${ROUTES.hostA}`]: 5 + tcp.in + 3,
    };
    const seenMoved = (text: string) => Object.fromEntries(Object.keys(moved).map((series) => [series, metricValue(text, series) ?? 0]));
    await waitFor(async () => JSON.stringify(seenMoved(await metrics())) === JSON.stringify(moved));
    const second = await metrics();
    // the /24 keeps the 2 packets it had; the new traffic to .130 is the /25's
    expect(seenMoved(second)).toEqual(moved);
    expect(metricValue(second, 'fibscope_route_changes_total{op="add"}')).toBe(1);
    expect(metricValue(second, 'fibscope_routes{family="ipv4"}')).toBe(6);

    serve.child.kill('SIGTERM');
    const result = await serve.exited;
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    const route = (prefix: string) => report.routes.find((r: { prefix: string }) => r.prefix === prefix);
    expect(route('10.232.0.128/25')).toMatchObject({ packets: 3, destinations: 1 });
    expect(route('10.232.0.0/24')).toMatchObject({ packets: 2 });
    expect(report.inputs[0]).toMatchObject({ path: '-', format: 'pcap', linkTypes: [1], error: null });
  }, 30_000);
});
