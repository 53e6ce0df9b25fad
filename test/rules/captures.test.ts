// Compiled rule sets on real captures (../shared/data) and a generated one, each record's fields
// decoded by fibscope's WebAssembly: the compiled set's answer equals the reference's on every
// record. The rules are drawn from the captures' own addresses, ports, flags, VLANs and
// interfaces, so that most of them match something.
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/capture-gen.js';
import { FIELDS_BYTES } from '../../src/classify/fields.js';
import type { Prefix } from '../../src/net/address.js';
import { compileRules } from '../../src/rules/compile.js';
import type { Rule, RuleCondition, RuleSet } from '../../src/rules/model.js';
import { readRuleFields, referenceFirstMatch, type RuleFields } from '../../src/rules/reference.js';
import { instantiateModule, type FibscopeExports } from '../../src/wasm/module.js';
import { captureBlocks } from './capture-blocks.js';
import { Random, randomRuleSet } from './random-rules.js';

const CAPTURES = new URL('../../../shared/data/captures/', import.meta.url).pathname;
const hasData = existsSync(CAPTURES);
if (!hasData) console.log(`rules/captures: real captures skipped: ${CAPTURES} is absent`);

const REAL = [
  'ipv6_options.pcap', 'ip6_fragments.pcap', 'IPv4Frag.pcap', 'VlanPackets.pcap', '802.1ad_QinQ.pcap', 'IcmpPackets.pcap',
  'IcmpV6_Generic.pcap', 'many_interfaces-1.pcapng', 'TcpPacketWithOptions.pcap', 'sll2.pcap', 'NullLoopback.pcap',
  'MplsPackets.pcap', 'PPPoESession.pcap', 'GrePackets.pcap', 'four_ipv6_http_streams.pcap', 'OSPFv3_with_AH.pcap',
];

function findCapture(name: string): string | undefined {
  return execFileSync('find', [CAPTURES, '-name', name, '-type', 'f'], { encoding: 'utf8' }).split('\n').find(Boolean);
}

let wasm: FibscopeExports;
beforeAll(async () => {
  wasm = await instantiateModule();
});

function interfaceNames(): string[] {
  return Array.from({ length: wasm.interfaceCount() }, (_, i) => new TextDecoder().decode(
    new Uint8Array(wasm.memory.buffer, wasm.interfaceNameAt(i + 1), wasm.interfaceNameLength(i + 1)).slice()));
}

function interfaceNumber(name: string): number {
  const number = interfaceNames().indexOf(name);
  return number < 0 ? -1 : number + 1;
}

function prefixAround(random: Random, family: 4 | 6, address: bigint): Prefix {
  const bits = family === 4 ? 32 : 128;
  const length = random.pick(family === 4 ? [8, 16, 24, 28, 32] : [32, 48, 64, 120, 128]);
  const network = (address >> BigInt(bits - length)) << BigInt(bits - length);
  if (family === 4) return { family: 4, length, v4: Number(network) };
  const v6 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) v6[i] = Number((network >> BigInt(8 * (15 - i))) & 0xffn);
  return { family: 6, length, v6 };
}

/** A rule around one record: a few of its own values, sometimes negated. */
function ruleAround(random: Random, fields: RuleFields, name: string): Rule {
  const match: RuleCondition[] = [];
  const negated = (): boolean => random.chance(15);
  const ip = fields.family === 4 || fields.family === 6;
  for (let tries = 0; tries < 3; tries++) {
    switch (random.int(8)) {
      case 0: if (ip) match.push({ kind: 'src', prefixes: [prefixAround(random, fields.family as 4 | 6, fields.source)], negated: negated() }); break;
      case 1: if (ip) match.push({ kind: 'dst', prefixes: [prefixAround(random, fields.family as 4 | 6, fields.destination)], negated: negated() }); break;
      case 2: if (fields.flags & 32) match.push({ kind: 'proto', protocols: [fields.protocol], negated: negated() }); break;
      case 3: if (fields.flags & 1) match.push({ kind: 'dport', ranges: [{ from: fields.destinationPort, to: Math.min(65535, fields.destinationPort + random.int(3)) }], negated: negated() }); break;
      case 4: if (fields.flags & 1) match.push({ kind: 'sport', ranges: [{ from: Math.max(0, fields.sourcePort - random.int(1000)), to: fields.sourcePort }], negated: negated() }); break;
      case 5: if (fields.flags & 2) match.push({ kind: 'tcp-flags', mask: 0x17, value: fields.tcpFlags & 0x17, negated: negated() }); break;
      case 6: if (fields.vlanTags > 0) match.push({ kind: 'vlan', ids: [fields.outerVlan], negated: negated() }); break;
      default: if (fields.interfaceId > 0) match.push({ kind: 'interface', names: [interfaceNames()[fields.interfaceId - 1]], negated: negated() });
    }
  }
  return { name, action: 'count', match };
}

function ruleSetFor(random: Random, blocks: Uint8Array, records: number): RuleSet {
  const view = new DataView(blocks.buffer, blocks.byteOffset, blocks.byteLength);
  const around = Array.from({ length: 150 }, (_, i) => ruleAround(random, readRuleFields(view, random.int(records) * FIELDS_BYTES), `around${i}`));
  // some unrelated rules between them, as a real set has
  const unrelated = randomRuleSet(random, 50).rules;
  const rules = [...around, ...unrelated];
  for (let i = rules.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [rules[i], rules[j]] = [rules[j], rules[i]];
  }
  return { rules };
}

/** Runs a compiled set over every record of a capture and checks it against the reference; the matched count. */
async function expectCaptureAgreement(file: Uint8Array, seed: number): Promise<{ records: number; matched: number }> {
  const { blocks, records } = captureBlocks(wasm, file);
  const random = new Random(seed);
  const set = ruleSetFor(random, blocks, Math.max(records, 1));
  const compiled = compileRules(set, { interfaceNumber });
  const { instance } = await WebAssembly.instantiate(compiled.bytes as Uint8Array<ArrayBuffer>, { env: { memory: wasm.memory } });
  const rules = instance.exports.rules as (fields: number, frame: number, caplen: number, wirelen: number, linkType: number) => number;
  const at = wasm.hostBufferCreate(Math.max(blocks.length, FIELDS_BYTES));
  new Uint8Array(wasm.memory.buffer, at, blocks.length).set(blocks);
  const view = new DataView(blocks.buffer);
  let matched = 0;
  for (let i = 0; i < records; i++) {
    const expected = referenceFirstMatch(set, readRuleFields(view, i * FIELDS_BYTES), { interfaceNumber });
    expect(rules(at + i * FIELDS_BYTES, 0, 0, 0, 1), `record ${i + 1}`).toBe(expected);
    if (expected >= 0) matched++;
  }
  return { records, matched };
}

describe('compiled rule sets on captures agree with the reference on every record', () => {
  it('a generated capture of 3,000 packets (IPv4, IPv6, VLAN, QinQ, TCP, UDP, ICMP)', async () => {
    const { bytes } = generateCapture({ packets: 3000, seed: 5, destinations: 500, v4Prefixes: 300, v6Prefixes: 60 });
    const { records, matched } = await expectCaptureAgreement(bytes, 5);
    expect(records).toBe(3000);
    expect(matched).toBeGreaterThan(records / 2);
  });

  it.skipIf(!hasData).each(REAL)('%s', async (name) => {
    const path = findCapture(name);
    expect(path, `${name} under ${CAPTURES}`).toBeDefined();
    const { records, matched } = await expectCaptureAgreement(readFileSync(path!), name.length);
    expect(records).toBeGreaterThan(0);
    expect(matched).toBeGreaterThan(0);
  });
});
