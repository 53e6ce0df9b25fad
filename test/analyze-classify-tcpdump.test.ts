// Filters and rule sets inside the analyzer's per-packet loop, with tcpdump as the oracle:
// - a capture analysed with a filter gives the report of the records tcpdump's own filter keeps
//   (`tcpdump -r CAPTURE -w - EXPR`, analysed without one), the rejected records counted in
//   `totals.records` and `totals.filtered` only;
// - a rule set counts under each rule what tcpdump counts for `(rule i) and not (rule 1) and …
//   and not (rule i-1)`, and what no rule matched in `totals.noRule`.
// Skipped with the reason when tcpdump or the shared captures are absent.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Analyzer, type Fib, type Report } from '../src/node.js';
import { testFib } from './helpers/analyze.js';

const tcpdump = spawnSync('sh', ['-c', 'command -v tcpdump']).status === 0;
const CAPTURES = fileURLToPath(new URL('../../shared/data/captures/tcpdump/', import.meta.url));
const shared = existsSync(CAPTURES);
if (!tcpdump) console.log('analyze-classify-tcpdump: skipped: `tcpdump` is not on PATH');
else if (!shared) console.log('analyze-classify-tcpdump: shared captures skipped: ../shared/data is absent');

const SAMPLE = fileURLToPath(new URL('../samples/edge.pcap', import.meta.url));
// Ethernet with VLAN and QinQ, IPv6 extension headers, raw IP, Cisco HDLC, TCP, UDP, ICMP
const SHARED_CAPTURES = [
  'dns_tcp.pcap', 'bigtcp-ipv6-hbh.pcap', '802.1ad_QinQ.pcap', 'icmp-cksum-oobr-1.pcap', 'LINKTYPE_RAW_ipv4.pcap',
  'LINKTYPE_IPV6.pcap', 'HDLC.pcap', 'EIGRP_ipv6.pcap', 'gso-ipv6.pcap',
];
const EXPRESSIONS = [
  'tcp', 'udp and port 53', 'ip6', 'not ip', 'vlan', 'icmp or icmp6', 'dst net 10.0.0.0/8', 'greater 200',
  'tcp[tcpflags] & tcp-syn != 0', 'src host 192.168.1.1 or dst portrange 1-1023',
];

function captures(): { name: string; bytes: Uint8Array }[] {
  const list = [{ name: 'edge.pcap', bytes: readFileSync(SAMPLE) }];
  if (shared) for (const name of SHARED_CAPTURES) list.push({ name, bytes: readFileSync(CAPTURES + name) });
  return list;
}

/** What tcpdump's filter keeps of `bytes`, as a capture; undefined when tcpdump refuses the expression for its link type. */
function tcpdumpKeeps(bytes: Uint8Array, expression: string): Uint8Array | undefined {
  const result = spawnSync('tcpdump', ['-r', '-', '-w', '-', expression], { input: bytes, maxBuffer: 1 << 28 });
  if (result.status !== 0) {
    const message = String(result.stderr);
    if (/not supported|rejects all packets|no VLAN support|not a link|not ethernet|link layer/i.test(message)) return undefined;
    throw new Error(`tcpdump '${expression}': ${message}`);
  }
  return result.stdout;
}

/** How many records a pcap file holds (tcpdump writes pcap), walking the record headers. */
function recordCount(capture: Uint8Array): number {
  const view = new DataView(capture.buffer, capture.byteOffset, capture.byteLength);
  const little = view.getUint32(0, true) === 0xa1b2c3d4 || view.getUint32(0, true) === 0xa1b23c4d;
  let count = 0;
  for (let at = 24; at + 16 <= capture.length; at += 16 + view.getUint32(at + 8, little)) count++;
  return count;
}

/** How many records tcpdump's filter keeps: none when libpcap refuses it for the link type (it would match nothing). */
function tcpdumpCount(bytes: Uint8Array, expression: string): number {
  const kept = tcpdumpKeeps(bytes, expression);
  return kept === undefined ? 0 : recordCount(kept);
}

function analyze(fib: Fib, bytes: Uint8Array, options: { filter?: string; rules?: string } = {}): { report: Report; refused: readonly number[] } {
  const analyzer = new Analyzer({ fib, name: 'capture', ...options });
  try {
    analyzer.push(bytes);
    analyzer.end();
    return { report: analyzer.report(), refused: analyzer.filter?.refusedLinkTypes ?? [] };
  } finally {
    analyzer.dispose();
  }
}

/** A report's counting, without what depends on how many records there were in all. */
function counting(report: Report) {
  const { records: _records, filtered: _filtered, ...totals } = report.totals;
  return { totals, routes: report.routes, destinations: report.destinations };
}

let fib: Fib;
beforeAll(async () => {
  fib = await testFib();
});

describe.skipIf(!tcpdump)('a filter in the per-packet loop equals tcpdump keeping the records first', () => {
  for (const expression of EXPRESSIONS) {
    it(expression, () => {
      for (const { name, bytes } of captures()) {
        const all = analyze(fib, bytes).report;
        const filtered = analyze(fib, bytes, { filter: expression });
        const kept = tcpdumpKeeps(bytes, expression);
        const linkTypes = all.inputs[0].linkTypes;
        if (kept === undefined) {
          // libpcap refuses the expression on this link type: fibscope says so, and counts nothing
          expect(linkTypes.every((type) => filtered.refused.includes(type)), name).toBe(true);
          expect(filtered.report.totals.filtered, name).toBe(all.totals.records);
          continue;
        }
        const oracle = analyze(fib, kept).report;
        expect(counting(filtered.report), `${name}: ${expression}`).toEqual(counting(oracle));
        expect(filtered.report.totals.records, name).toBe(all.totals.records);
        expect(filtered.report.totals.filtered, name).toBe(Number(all.totals.records) - Number(oracle.totals.records));
      }
    });
  }
});

describe.skipIf(!tcpdump || !shared)('a rule set counts what tcpdump counts for each rule after the ones before it', () => {
  const RULES: [name: string, action: string, expression: string][] = [
    ['dns', 'count', 'udp port 53 or tcp port 53'],
    ['syn', 'alert', 'tcp[tcpflags] & tcp-syn != 0'],
    ['v6', 'count', 'ip6'],
    ['big', 'drop', 'greater 1000'],
    ['icmp', 'alert', 'icmp'],
  ];
  const text = RULES.map(([name, action, expression]) => `rule ${name} ${action} filter "${expression}"`).join('\n');
  for (const name of SHARED_CAPTURES) {
    it(name, () => {
      const bytes = readFileSync(CAPTURES + name);
      const { report } = analyze(fib, bytes, { rules: text });
      const rows = report.rules!;
      expect(rows.map((row) => row.name)).toEqual(RULES.map(([rule]) => rule));
      let matched = 0;
      RULES.forEach(([, action, expression], i) => {
        const earlier = RULES.slice(0, i).map(([, , before]) => ` and not (${before})`).join('');
        const expected = tcpdumpCount(bytes, `(${expression})${earlier}`);
        expect(rows[i].packets, `${name}: rule ${i + 1}`).toBe(expected);
        expect(rows[i].action).toBe(action);
        matched += expected;
      });
      expect(report.totals.noRule!.packets).toBe(Number(report.totals.records) - matched);
    });
  }
});
