// Rule sets with pcap-filter conditions: compiled, on built and real captures, they answer what
// the reference answers (each rule in turn, its filters run by the stand-alone compiled filter);
// and for rule sets of filters only, each rule's count equals tcpdump's count of
// `(rule_i) and not (rule_1) and ... and not (rule_{i-1})`.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIELDS_BYTES } from '../../src/classify/fields.js';
import { compileFilter } from '../../src/filter/index.js';
import { compileRules } from '../../src/rules/compile.js';
import type { RuleSet } from '../../src/rules/model.js';
import { parseRules } from '../../src/rules/parse.js';
import { readRuleFields, referenceFirstMatch } from '../../src/rules/reference.js';
import { instantiateModule, type FibscopeExports } from '../../src/wasm/module.js';
import { builtCaptures } from '../filter/built-captures.js';
import { pcap } from '../helpers/captures.js';
import { hasTool, readCapture, runFilter, tcpdumpFilterAll, type Capture } from '../filter/harness.js';
import { captureBlocks } from './capture-blocks.js';
import { interfaceNumber, Random, randomRuleSet } from './random-rules.js';
import { tempDir } from '../helpers/temp-dir.js';

const CAPTURES = new URL('../../../shared/data/captures/', import.meta.url).pathname;
const hasData = existsSync(CAPTURES);
const hasTcpdump = hasTool('tcpdump');
if (!hasData) console.log(`rules/filter-rules: real captures skipped: ${CAPTURES} is absent`);
if (!hasTcpdump) console.log('rules/filter-rules: tcpdump comparisons skipped: `tcpdump` is not on PATH');

const EXPRESSIONS = [
  'tcp', 'udp and port 53', 'icmp or icmp6', 'vlan', 'tcp[tcpflags] & tcp-syn != 0', 'ip6', 'net 10.0.0.0/8',
  'greater 200', 'not ip', 'arp', 'dst port 80 or dst port 443', 'ip and less 100',
];
const REAL = ['VlanPackets.pcap', 'TcpPacketWithOptions.pcap', 'IcmpPackets.pcap', 'four_ipv6_http_streams.pcap', 'ipv6_options.pcap', 'PPPoESession.pcap'];

function findCapture(name: string): string {
  const found = execFileSync('find', [CAPTURES, '-name', name, '-type', 'f'], { encoding: 'utf8' }).split('\n').find(Boolean);
  if (found === undefined) throw new Error(`${name} is not under ${CAPTURES}`);
  return found;
}

let wasm: FibscopeExports;
const dir = tempDir('fibscope-rules-');
beforeAll(async () => {
  wasm = await instantiateModule();
});

/** The first matching rule of every record of the capture, by the compiled set. */
async function compiledAnswers(set: RuleSet, file: Uint8Array, capture: Capture): Promise<{ answers: number[]; blocks: Uint8Array }> {
  const { blocks, records } = captureBlocks(wasm, file);
  expect(records).toBe(capture.records.length);
  const compiled = compileRules(set, { interfaceNumber });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(compiled.bytes as Uint8Array<ArrayBuffer>), { env: { memory: wasm.memory } });
  const rules = instance.exports.rules as (fields: number, frame: number, caplen: number, wirelen: number, linkType: number) => number;
  const fieldsAt = wasm.hostBufferCreate(FIELDS_BYTES);
  const frameAt = wasm.hostBufferCreate(Math.max(64, ...capture.records.map((r) => r.data.length)));
  const answers = capture.records.map((record, i) => {
    new Uint8Array(wasm.memory.buffer, fieldsAt, FIELDS_BYTES).set(blocks.subarray(i * FIELDS_BYTES, (i + 1) * FIELDS_BYTES));
    new Uint8Array(wasm.memory.buffer, frameAt, record.data.length).set(record.data);
    return rules(fieldsAt, frameAt, record.data.length, record.wirelen, record.linkType);
  });
  return { answers, blocks };
}

function captures(): { name: string; bytes: Uint8Array }[] {
  const real = hasData ? REAL.map((name) => ({ name, bytes: new Uint8Array(readFileSync(findCapture(name))) })) : [];
  return [...builtCaptures(), ...real];
}

describe('rules with filter conditions', () => {
  it('mixed with every other condition, agree with the reference on built and real captures', async () => {
    const random = new Random(77);
    let compared = 0;
    let filtersDecided = 0;
    for (const { name, bytes } of captures()) {
      const capture = readCapture(bytes);
      const matchedBy = new Map(EXPRESSIONS.map((e) => [e, new Set(runFilter(compileFilter(e), capture))]));
      for (let round = 0; round < 3; round++) {
        const set = randomRuleSet(random, 40 + random.int(100), EXPRESSIONS);
        const { answers, blocks } = await compiledAnswers(set, bytes, capture);
        const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength);
        answers.forEach((answer, i) => {
          const filterMatches = (expression: string): boolean => matchedBy.get(expression)!.has(i);
          const expected = referenceFirstMatch(set, readRuleFields(view, i * FIELDS_BYTES), { interfaceNumber, filterMatches });
          expect(answer, `${name} record ${i + 1}, round ${round}`).toBe(expected);
          if (expected >= 0 && set.rules[expected].match.some((c) => c.kind === 'filter')) filtersDecided++;
          compared++;
        });
      }
    }
    expect(compared).toBeGreaterThan(1000);
    expect(filtersDecided).toBeGreaterThan(100);
  });

  it('a filter that does not compile is an error naming the line and the column', () => {
    expect(() => parseRules('rule a count\nrule b count filter "tcp and (port 80"'))
      .toThrow(/^rules:2: filter "tcp and \(port 80": column \d+: /);
    expect(() => parseRules('[{"name": "x", "action": "drop", "match": {"filter": "tcp port"}}]')).toThrow(/^rules:1: filter "tcp port": column/);
  });
});

describe.skipIf(!hasTcpdump)('per-rule counts of filter rule sets equal tcpdump\'s', () => {
  it('on built and real captures', async () => {
    const random = new Random(5);
    let checked = 0;
    for (const { name, bytes: original } of captures()) {
      const all = readCapture(original);
      if (all.linkTypes.some((t) => t !== 1)) continue; // Ethernet: every expression here is valid for it
      // Whole frames only: a filter whose load runs past the captured bytes rejects the packet in
      // libpcap, `not` or not, so on a cut frame `not (e_1)` inside one expression is not the
      // rule e_1 failing on its own (there both are false), and the formula would not hold.
      const bytes = pcap({ linkType: 1, records: all.records.filter((r) => r.data.length === r.wirelen)
        .map((r, i) => ({ ts: { sec: 1_700_000_000 + i, frac: 0 }, data: r.data })) });
      const capture = readCapture(bytes);
      // not `vlan`: in libpcap it moves the offsets of every test written after it, so the combined
      // expression would not be the rules' first match (each rule reads the frame afresh)
      const expressions = EXPRESSIONS.filter((e) => !e.includes('vlan')).sort(() => random.int(3) - 1).slice(0, 7);
      const text = expressions.map((e, i) => `rule r${i} ${random.pick(['count', 'alert', 'drop'])} filter "${e}"`).join('\n');
      const set = parseRules(text, { source: name });
      const { answers } = await compiledAnswers(set, bytes, capture);
      const path = join(dir, `${name}.pcap`);
      writeFileSync(path, bytes);
      for (let i = 0; i < expressions.length; i++) {
        const combined = [`(${expressions[i]})`, ...expressions.slice(0, i).map((e) => `not (${e})`)].join(' and ');
        const [answer] = await tcpdumpFilterAll(path, [combined]);
        // libpcap's optimizer proves some combinations empty and says so instead of matching nothing
        const theirs = 'refused' in answer && answer.refused === 'expression rejects all packets' ? 0
          : 'records' in answer ? answer.records.length : Number.NaN;
        if (Number.isNaN(theirs)) throw new Error(`tcpdump refused ${combined} on ${name}: ${'refused' in answer ? answer.refused : ''}`);
        const ours = answers.filter((a) => a === i).length;
        expect(ours, `${name}: rule ${i} (${combined})`).toBe(theirs);
        checked++;
      }
      const unmatched = [...expressions].map((e) => `not (${e})`).join(' and ');
      const [rest] = await tcpdumpFilterAll(path, [unmatched]);
      if ('refused' in rest) throw new Error(rest.refused);
      expect(answers.filter((a) => a === -1).length, `${name}: no rule`).toBe(rest.records.length);
    }
    expect(checked).toBeGreaterThan(20);
  });
});
