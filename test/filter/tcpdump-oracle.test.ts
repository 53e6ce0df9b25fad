// tcpdump is the oracle: for every (expression, capture), the records fibscope's compiled filter
// matches equal the records `tcpdump -r CAPTURE -w - EXPRESSION` writes, in order; where tcpdump
// refuses the expression for the capture's link type, fibscope lists that link type as refused
// and matches nothing.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFilter, type CompiledFilter } from '../../src/filter/index.js';
import { benchRawCapture, builtCaptures } from './built-captures.js';
import { ORACLE_EXPRESSIONS } from './expressions.js';
import { hasTool, pool, readCapture, runFilter, tcpdumpFilter, type Capture } from './harness.js';

const SHARED = join(import.meta.dirname, '../../../shared/data/captures');
const REAL_CAPTURES = [
  'pcapplusplus/Pcap++Test/PcapExamples/VlanPackets.pcap',
  'pcapplusplus/Packet++Test/PacketExamples/QinQ_802.1_AD.pcapng',
  'pcapplusplus/Packet++Test/PacketExamples/ipv6_opt_fragments.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/ip4_fragments.pcap',
  'pcapplusplus/Packet++Test/PacketExamples/IcmpPackets.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/ICMPv6_echos.cap',
  'tcpdump/arp-oobr.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/raw_ip.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/four_ipv6_http_streams.pcap',
  'tcpdump/mptcp-v1.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/sll2.pcap',
  'tcpdump/ppp-invalid-lengths.pcap',
  'tcpdump/ppp_ip_udp_dns.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/null_loopback.pcap',
  'tcpdump/quic_handshake.pcap',
  'tcpdump/HDLC.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/linktype_ipv4.pcap',
  'tcpdump/ipv6_mobility_1.pcap',
  'tcpdump/pptp.pcap',
  'pcapplusplus/Pcap++Test/PcapExamples/pcapng-example.pcapng',
];

const tcpdump = hasTool('tcpdump');
const shared = existsSync(SHARED);
if (!tcpdump) console.warn('tcpdump-oracle: tcpdump is not installed, skipping');
if (!shared) console.warn(`tcpdump-oracle: ${SHARED} is absent, skipping the real captures`);

const workDir = mkdtempSync(join(tmpdir(), 'fibscope-filter-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const compiled = new Map<string, CompiledFilter>();
function compiledFor(expression: string): CompiledFilter {
  let c = compiled.get(expression);
  if (!c) compiled.set(expression, (c = compileFilter(expression)));
  return c;
}

/** Indices of the capture's records that tcpdump wrote, matched in order. */
function indicesOf(capture: Capture, kept: Capture['records']): number[] {
  const out: number[] = [];
  let from = 0;
  for (const record of kept) {
    while (from < capture.records.length) {
      const candidate = capture.records[from++];
      if (candidate.micros === record.micros && Buffer.compare(candidate.data, record.data) === 0) {
        out.push(from - 1);
        break;
      }
      if (from === capture.records.length) throw new Error(`tcpdump wrote a record the capture does not hold (t=${record.micros})`);
    }
  }
  return out;
}

async function agree(name: string, path: string): Promise<string[]> {
  const capture = readCapture(new Uint8Array(readFileSync(path)));
  const answers = await pool(ORACLE_EXPRESSIONS.map((expression) => () => tcpdumpFilter(path, expression)), 8);
  const failures: string[] = [];
  ORACLE_EXPRESSIONS.forEach((expression, i) => {
    const answer = answers[i];
    let filter: CompiledFilter;
    try {
      filter = compiledFor(expression);
    } catch (error) {
      failures.push(`${name}: '${expression}': ${(error as Error).message}`);
      return;
    }
    const ours = runFilter(filter, capture);
    if ('refused' in answer) {
      const refusedHere = capture.linkTypes.every((t) => filter.refusedLinkTypes.includes(t));
      if (!refusedHere || ours.length > 0) failures.push(`${name}: '${expression}': tcpdump refuses (${answer.refused}), fibscope ${refusedHere ? 'refuses but matches' : 'does not refuse'} (${ours.length} matches)`);
      return;
    }
    const theirs = indicesOf(capture, answer.records);
    if (ours.join(',') !== theirs.join(',')) {
      const onlyOurs = ours.filter((x) => !theirs.includes(x));
      const onlyTheirs = theirs.filter((x) => !ours.includes(x));
      failures.push(`${name}: '${expression}': fibscope ${ours.length}, tcpdump ${theirs.length}; only fibscope #${onlyOurs.slice(0, 5)}; only tcpdump #${onlyTheirs.slice(0, 5)}`);
    }
  });
  return failures;
}

describe.skipIf(!tcpdump)(`${ORACLE_EXPRESSIONS.length} expressions agree with tcpdump record for record`, () => {
  it('every expression compiles to a valid module', () => {
    expect(ORACLE_EXPRESSIONS.length).toBeGreaterThanOrEqual(200);
    const failures: string[] = [];
    for (const expression of ORACLE_EXPRESSIONS) {
      try {
        if (!WebAssembly.validate(compiledFor(expression).bytes)) failures.push(`${expression}: invalid module`);
      } catch (error) {
        failures.push(`${expression}: ${(error as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('on captures the test builds, in every link type', async () => {
    const failures: string[] = [];
    for (const { name, bytes } of [...builtCaptures(), benchRawCapture()]) {
      const path = join(workDir, `${name}.pcap`);
      writeFileSync(path, bytes);
      failures.push(...(await agree(name, path)));
    }
    expect(failures).toEqual([]);
  });

  it.skipIf(!shared)('on real captures from ../shared/data', async () => {
    const failures: string[] = [];
    for (const file of REAL_CAPTURES) failures.push(...(await agree(file, join(SHARED, file))));
    expect(failures).toEqual([]);
  });
});
