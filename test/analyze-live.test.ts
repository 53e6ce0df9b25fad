import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { untilListening } from './helpers/tcpdump.js';
import { tempDir } from './helpers/temp-dir.js';

// `tcpdump -U -w - | fibscope analyze -`: the capture arrives over time, records cut anywhere.
const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const dir = tempDir('fibscope-live-');
const routes = join(dir, 'routes.txt');
writeFileSync(routes, '10.231.0.0/24 veth-net\nfd00:231::/64 veth-net6\n0.0.0.0/0 default\n');

function collect(child: ReturnType<typeof spawn>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a capture stream on standard input', () => {
  it('is read while it grows, with records split across writes', async () => {
    const records = Array.from({ length: 20 }, (_, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: raw(udp4('192.0.2.1', `10.231.0.${i + 1}`)) }));
    const bytes = pcap({ linkType: LINKTYPE.RAW, records });
    const child = spawn(process.execPath, [CLI, 'analyze', '-r', routes, '-f', 'json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = collect(child);
    // odd-sized writes with pauses: the reader sees header and records in pieces
    for (let offset = 0; offset < bytes.length; offset += 37) {
      child.stdin!.write(bytes.subarray(offset, offset + 37));
      if (offset % 185 === 0) await pause(20);
    }
    child.stdin!.end();
    const result = await done;
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.inputs[0]).toMatchObject({ path: '-', format: 'pcap', records: 20, error: null });
    expect(report.routes[0]).toMatchObject({ prefix: '10.231.0.0/24', packets: 20, destinations: 20 });
  });
});

// A real capture of real traffic: two network namespaces joined by a veth pair, tcpdump in one,
// ping from the other. All traffic stays between those namespaces.
const root = process.getuid?.() === 0;
const missingTools = ['ip', 'tcpdump', 'ping'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
const tools = missingTools.length === 0;
if (!root || !tools) {
  const lacking = [...(root ? [] : ['root (it runs as uid ' + process.getuid?.() + ')']), ...missingTools.map((tool) => `the command ${tool}`)];
  console.warn(`skipping the tcpdump | fibscope analyze - test: it lacks ${lacking.join(', ')} (Debian: iproute2, tcpdump, iputils-ping)`);
}
const spaces = [`fibscope-la-${process.pid}`, `fibscope-lb-${process.pid}`];

afterAll(() => {
  for (const ns of spaces) spawnSync('ip', ['netns', 'del', ns]);
});

describe.skipIf(!root || !tools)('tcpdump -U -w - | fibscope analyze - (needs root, ip, tcpdump, ping)', () => {
  it('counts pings between two namespaces by route', async () => {
    const [a, b] = spaces;
    const sh = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
    sh('netns', 'add', a);
    sh('netns', 'add', b);
    sh('-n', a, 'link', 'add', 'veth-a', 'type', 'veth', 'peer', 'name', 'veth-b', 'netns', b);
    sh('-n', a, 'addr', 'add', '10.231.0.1/24', 'dev', 'veth-a');
    sh('-n', b, 'addr', 'add', '10.231.0.2/24', 'dev', 'veth-b');
    sh('-n', a, 'addr', 'add', 'fd00:231::1/64', 'dev', 'veth-a', 'nodad');
    sh('-n', b, 'addr', 'add', 'fd00:231::2/64', 'dev', 'veth-b', 'nodad');
    for (const [ns, dev] of [[a, 'veth-a'], [b, 'veth-b']]) {
      sh('-n', ns, 'link', 'set', 'lo', 'up');
      sh('-n', ns, 'link', 'set', dev, 'up');
    }
    // echo requests and replies only (not neighbour discovery), and tcpdump stops after the 10
    // the pings make, so the stream ends when the last one is written
    const echoes = 'icmp[icmptype] == icmp-echo or icmp[icmptype] == icmp-echoreply or (icmp6 and (ip6[40] == 128 or ip6[40] == 129))';
    const tcpdump = spawn('ip', ['netns', 'exec', b, 'tcpdump', '-U', '-n', '-c', '10', '-i', 'veth-b', '-w', '-', echoes], { stdio: ['ignore', 'pipe', 'pipe'] });
    const fibscope = spawn(process.execPath, [CLI, 'analyze', '-r', routes, '-f', 'json', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    tcpdump.stdout!.pipe(fibscope.stdin!);
    const done = collect(fibscope);
    await untilListening(tcpdump);
    execFileSync('ip', ['netns', 'exec', a, 'ping', '-c', '3', '-i', '0.2', '-W', '2', '10.231.0.2'], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', a, 'ping', '-6', '-c', '2', '-i', '0.2', '-W', '2', 'fd00:231::2'], { stdio: 'pipe' });
    const timer = setTimeout(() => tcpdump.kill('SIGINT'), 10_000); // only if packets went missing
    const result = await done;
    clearTimeout(timer);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    const route = (prefix: string) => report.routes.find((r: { prefix: string }) => r.prefix === prefix);
    // 3 echo requests to .2 and 3 replies to .1, then 2 of each over IPv6
    expect(route('10.231.0.0/24')).toMatchObject({ packets: 6, bytes: 6 * 98, destinations: 2 });
    expect(route('fd00:231::/64')).toMatchObject({ packets: 4, bytes: 4 * 118, destinations: 2 });
    expect(report.totals).toMatchObject({ records: 10, counted: 10, noRoute: { packets: 0, bytes: 0 } });
    expect(report.inputs[0]).toMatchObject({ format: 'pcap', error: null });
  }, 30_000);
});
