import { describe, expect, it } from 'vitest';
import { classBenchRuleSet } from '../../bench/rule-sets.js';
import { compileRules, type CompiledRules } from '../../src/rules/compile.js';
import { FIELDS_BYTES } from '../../src/classify/fields.js';
import { parseRules } from '../../src/rules/parse.js';
import { readRuleFields, referenceFirstMatch } from '../../src/rules/reference.js';
import type { RuleSet } from '../../src/rules/model.js';
import { interfaceNumber, Random, randomFields, randomRuleSet } from './random-rules.js';

const PACKETS = 400;

/** Instantiates the compiled set over a fresh memory; `run(i)` classifies the i-th fields block. */
async function instantiate(compiled: CompiledRules): Promise<{ view: DataView; run: (i: number) => number }> {
  expect(WebAssembly.validate(compiled.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const { instance } = await WebAssembly.instantiate(compiled.bytes as Uint8Array<ArrayBuffer>, { env: { memory } });
  const rules = instance.exports.rules as (fields: number, frame: number, caplen: number, wirelen: number, linkType: number) => number;
  return { view: new DataView(memory.buffer), run: (i) => rules(i * FIELDS_BYTES, 0, 0, 0, 1) };
}

async function expectAgreement(set: RuleSet, random: Random): Promise<number> {
  const compiled = compileRules(set, { interfaceNumber });
  expect(compiled.ruleCount).toBe(set.rules.length);
  const { view, run } = await instantiate(compiled);
  let matched = 0;
  for (let i = 0; i < PACKETS; i++) randomFields(random, set, view, i * FIELDS_BYTES);
  for (let i = 0; i < PACKETS; i++) {
    const expected = referenceFirstMatch(set, readRuleFields(view, i * FIELDS_BYTES), { interfaceNumber });
    expect(run(i), `packet ${i}`).toBe(expected);
    if (expected >= 0) matched++;
  }
  return matched;
}

describe('the compiled rule set returns what the reference returns', () => {
  it.each([0, 1, 2, 63, 64, 65, 130, 500])('random sets of %i rules, every condition kind', async (count) => {
    const random = new Random(1000 + count);
    let matched = 0;
    for (let round = 0; round < 3; round++) matched += await expectAgreement(randomRuleSet(random, count), random);
    if (count >= 60) expect(matched).toBeGreaterThan(PACKETS * 3 * 0.1);
  });

  it.each([100, 1000])('ClassBench-like sets of %i rules', async (count) => {
    const matched = await expectAgreement(classBenchRuleSet(count, count), new Random(count));
    expect(matched).toBeGreaterThan(PACKETS * 0.2);
  });

  it('carries names, actions and the interfaces the rules name', () => {
    const set = parseRules('rule a count interface eth1\nrule b drop interface !eth0,eth1\nrule c alert');
    const compiled = compileRules(set, { interfaceNumber });
    expect(compiled).toMatchObject({ ruleCount: 3, names: ['a', 'b', 'c'], actions: ['count', 'drop', 'alert'], interfaces: ['eth1', 'eth0'] });
  });
});
