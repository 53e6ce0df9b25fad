// Exports for rule sets: installing one in an analyzer's counters, and reading its counts.

import { Counters, updateClassifying } from '../count/counters';
import { RULE_COUNTER_BYTES, setRules } from './classifier';

/**
 * Counts from now on by the rule set at table index `slot` of `ruleCount` rules (0: none); the
 * rule counts start from zero. False, and the old set kept, when memory is too short.
 */
export function countersSetRules(counters: usize, slot: u32, ruleCount: u32): bool {
  const c = changetype<Counters>(counters);
  const done = setRules(c.classifier, slot, ruleCount);
  updateClassifying(c);
  return done;
}

/** The rule counters: ruleCounterBytes() per rule, then the counter of records no rule matched. */
export function countersRuleCounters(counters: usize): usize {
  return changetype<Counters>(counters).classifier.ruleCounters;
}

export function ruleCounterBytes(): u32 {
  return <u32>RULE_COUNTER_BYTES;
}

/** The rules' address entries (layout in count/address-tally.ts), countersRuleAddressCount of them. */
export function countersRuleAddresses(counters: usize): usize {
  return changetype<Counters>(counters).classifier.addresses.entries;
}

export function countersRuleAddressCount(counters: usize): u32 {
  return changetype<Counters>(counters).classifier.addresses.count;
}

/** Records whose addresses the full rule-address table could not take, as u64 at `out`. */
export function countersRuleAddressOverflow(counters: usize, out: usize): void {
  store<u64>(out, changetype<Counters>(counters).classifier.addresses.overflowPackets);
}
