// The classifier's CLI tests (cli-filter, cli-rules): the built CLI, captures built here, and
// the oracle's side, fibscope's analysis of what tcpdump keeps.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Report } from '../../src/analyze/report.js';
import { formatJson } from '../../src/report/index.js';
import { analyzeBytes, testFib } from './analyze.js';
import { pcap, type PcapRecord } from './captures.js';
import { arpFrame, ETHERTYPE, ethernet, icmp, IPPROTO, ipv4, ipv6, LINKTYPE, tcp, udp } from './packets.js';
import { Random } from './random.js';
import { tempDir } from './temp-dir.js';

export const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
export const ROUTES = new URL('../../samples/routes.txt', import.meta.url).pathname;
export const SAMPLE = new URL('../../samples/edge.pcap', import.meta.url).pathname;
export const DATA = new URL('../../../shared/data/captures/', import.meta.url).pathname;
export const dir = tempDir('fibscope-cli-classify-');

export const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
export const tcpdump = has('tcpdump');
export const shared = existsSync(DATA);

export function fibscope(args: string[], input?: Uint8Array | string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

export function analyzeJson(args: string[]): Report {
  const run = fibscope(['analyze', '-f', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

let files = 0;
/** A fresh path in the test directory. */
export function freshPath(extension: string): string {
  return join(dir, `${files++}.${extension}`);
}
export function file(bytes: Uint8Array | string, extension = 'pcap'): string {
  const path = freshPath(extension);
  writeFileSync(path, bytes);
  return path;
}

/** What tcpdump keeps of `capture` under `expression`, as a capture file. */
export function tcpdumpKeeps(capture: string, expression: string): string {
  const out = freshPath('pcap');
  const run = spawnSync('tcpdump', ['-r', capture, '-w', out, expression], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tcpdump -r ${capture} '${expression}': ${run.stderr}`);
  return out;
}

// the oracle's side is analyzed in this process (the CLI under test is the other side): the
// same analyzer, without a process start for each of the many tcpdump outputs
export const fibs = { none: await testFib(''), sample: await testFib(readFileSync(ROUTES, 'utf8')) };

/** fibscope's report of what tcpdump keeps, as the CLI's JSON would give it. */
export function keptReport(capture: string, expression: string, routes: 'none' | 'sample' = 'none'): Report {
  return JSON.parse(formatJson(analyzeBytes(fibs[routes], readFileSync(tcpdumpKeeps(capture, expression))))) as Report;
}

// ---------------------------------------------------------------------------------------------
// A capture built here: Ethernet with TCP, UDP and ICMP over IPv4 and IPv6, VLAN tags, ARP

export function mixedCapture(seed: number, count: number, tagged = true): string {
  const random = new Random(seed);
  const v4 = ['10.0.0.1', '10.1.2.3', '192.168.1.7', '8.8.8.8', '198.51.100.9', '203.0.113.77'];
  const v6 = ['2001:db8::1', '2001:db8:1::53', 'fe80::1', '2606:4700::1111'];
  const ports = [22, 53, 80, 443, 123, 8080, 40000, 51515];
  const records: PcapRecord[] = [];
  for (let i = 0; i < count; i++) {
    const pick = <T>(list: readonly T[]) => list[random.below(list.length)];
    const srcPort = pick(ports);
    const dstPort = pick(ports);
    const flags = pick([0x02, 0x12, 0x10, 0x18, 0x11, 0x04]);
    const payload = random.bytes(random.below(200));
    const kind = random.weighted([['tcp4', 5], ['udp4', 3], ['icmp4', 1], ['tcp6', 3], ['udp6', 2], ['icmp6', 1], ['arp', 1]] as const);
    let etherType: number = ETHERTYPE.IPV4;
    let packet: Uint8Array;
    switch (kind) {
      case 'tcp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.TCP, payload: tcp({ srcPort, dstPort, flags, payload }) }); break;
      case 'udp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.UDP, payload: udp({ srcPort, dstPort, payload }) }); break;
      case 'icmp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.ICMP, payload: icmp({ type: pick([0, 8, 3, 11]) }) }); break;
      case 'tcp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.TCP, payload: tcp({ srcPort, dstPort, flags, payload }) }); break;
      case 'udp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.UDP, payload: udp({ srcPort, dstPort, payload }) }); break;
      case 'icmp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.ICMPV6, payload: icmp({ type: pick([128, 129, 135, 136]) }) }); break;
      case 'arp': packet = new Uint8Array(0); break;
    }
    const vlans = tagged && random.below(5) === 0 ? [{ tpid: 0x8100 as const, vid: pick([10, 20]) }] : undefined;
    const data = kind === 'arp' ? arpFrame({ vlans }) : ethernet({ etherType, payload: packet, vlans });
    records.push({ ts: { sec: 1_700_000_000 + Math.floor(i / 10), frac: (i % 10) * 100_000 + random.below(1000) }, data });
  }
  return file(pcap({ linkType: LINKTYPE.EN10MB, records }));
}

export const MIXED = mixedCapture(12, 3000);
/** Without VLAN tags: libpcap's `tcp dst port 22` does not look past a tag, fibscope's 5-tuple rules do. */
export const UNTAGGED = mixedCapture(13, 3000, false);

