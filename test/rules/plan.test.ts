import { describe, expect, it } from 'vitest';
import { classBenchRuleSet } from '../../bench/rule-sets.js';
import { FIELDS_BYTES } from '../../src/classify/fields.js';
import { interpretPlan, planRules } from '../../src/rules/plan.js';
import { readRuleFields, referenceFirstMatch } from '../../src/rules/reference.js';
import { interfaceNumber, Random, randomFields, randomRuleSet } from './random-rules.js';

const FILTERS = ['f-a', 'f-b', 'f-c'];

describe('the plan (blocks of interval tables) picks the rule the reference picks', () => {
  it.each([1, 5, 63, 64, 65, 200, 700])('random rule sets of %i rules, every condition kind, 300 packets each', (count) => {
    const random = new Random(count * 7919);
    const fields = new DataView(new ArrayBuffer(FIELDS_BYTES));
    let matched = 0;
    for (let round = 0; round < 4; round++) {
      const set = randomRuleSet(random, count, FILTERS);
      const plan = planRules(set, { interfaceNumber });
      for (let packet = 0; packet < 300; packet++) {
        randomFields(random, set, fields, 0);
        // a filter "matches" by a fixed draw per packet and expression, the same for both sides
        const filterBits = random.int(8);
        const filterMatches = (expression: string): boolean => (filterBits & (1 << FILTERS.indexOf(expression))) !== 0;
        const expected = referenceFirstMatch(set, readRuleFields(fields, 0), { interfaceNumber, filterMatches });
        expect(interpretPlan(plan, fields, 0, filterMatches), `round ${round} packet ${packet}`).toBe(expected);
        if (expected >= 0) matched++;
      }
    }
    // the packets were drawn to hit rules: a test where nothing matches would prove little
    if (count >= 5) expect(matched).toBeGreaterThan(100);
  });

  it('ClassBench-like sets of 1,000 rules', () => {
    const random = new Random(4);
    const set = classBenchRuleSet(1000, 5);
    const plan = planRules(set, { interfaceNumber });
    const fields = new DataView(new ArrayBuffer(FIELDS_BYTES));
    let matched = 0;
    for (let packet = 0; packet < 1000; packet++) {
      randomFields(random, set, fields, 0);
      const expected = referenceFirstMatch(set, readRuleFields(fields, 0), { interfaceNumber });
      expect(interpretPlan(plan, fields, 0)).toBe(expected);
      if (expected >= 0) matched++;
    }
    expect(matched).toBeGreaterThan(100);
  });
});
