// What an analyzer runs besides route counting: a filter that decides which records count at
// all, and a rule set whose first matching rule counts each record that passed. Both are
// WebAssembly the host compiles at run time (src/filter/, src/rules/) into modules that share
// this instance's memory; they are reached through the function table, one indirect call per
// record, so the per-packet loop stays inside WebAssembly.

import { alloc, free, tryAlloc, POOL_OTHER } from '../memory/alloc';
import { clearRuleAddresses, freeRuleAddresses, newRuleAddresses, RuleAddresses } from './rule-addresses';

// Rule counters, RULE_COUNTER_BYTES per rule, then one for the records no rule matched:
//   @0 packets u64   @8 bytes u64   @16 first seen u64   @24 last seen u64 (capture/time.ts;
//   first > last while none)
export const RULE_COUNTER_BYTES: usize = 32;

@unmanaged export class Classifier {
  /** table index of filter(frame, caplen, wirelen, linkType) -> i32 (1 counts); 0: no filter */
  filterSlot: u32;
  /** table index of rules(fields, frame, caplen, wirelen, linkType) -> i32 (the rule, or -1); 0: no rules */
  rulesSlot: u32;
  ruleCount: u32;
  ruleCounters: usize;
  /** the sources and destinations of each rule's records */
  addresses: RuleAddresses;
  /** the fields of the record being classified (classify/fields.ts layout) */
  fields: usize;
}

export function newClassifier(): Classifier {
  const size = offsetof<Classifier>();
  const classifier = changetype<Classifier>(alloc(size, POOL_OTHER));
  memory.fill(changetype<usize>(classifier), 0, size);
  classifier.fields = alloc(64, POOL_OTHER);
  classifier.addresses = newRuleAddresses();
  return classifier;
}

export function freeClassifier(classifier: Classifier): void {
  freeRuleCounters(classifier);
  freeRuleAddresses(classifier.addresses);
  free(classifier.fields, 64, POOL_OTHER);
  free(changetype<usize>(classifier), offsetof<Classifier>(), POOL_OTHER);
}

function freeRuleCounters(classifier: Classifier): void {
  if (classifier.ruleCounters) free(classifier.ruleCounters, <usize>(classifier.ruleCount + 1) * RULE_COUNTER_BYTES, POOL_OTHER);
  classifier.ruleCounters = 0;
}

/**
 * Installs the rule set at table index `slot` (0: none) with `ruleCount` rules; every rule
 * count starts from zero. False, and the old set kept, when memory is too short.
 */
export function setRules(classifier: Classifier, slot: u32, ruleCount: u32): bool {
  let counters: usize = 0;
  if (slot) {
    counters = tryAlloc(<u64>(ruleCount + 1) * RULE_COUNTER_BYTES, POOL_OTHER);
    if (!counters) return false;
  }
  freeRuleCounters(classifier);
  clearRuleAddresses(classifier.addresses);
  classifier.rulesSlot = slot;
  classifier.ruleCount = slot ? ruleCount : 0;
  classifier.ruleCounters = counters;
  clearRuleCounters(classifier);
  return true;
}

/** Zeroes every rule count, keeping the set. */
export function clearRuleCounters(classifier: Classifier): void {
  if (!classifier.ruleCounters) return;
  for (let rule: u32 = 0; rule <= classifier.ruleCount; rule++) {
    const at = classifier.ruleCounters + <usize>rule * RULE_COUNTER_BYTES;
    memory.fill(at, 0, RULE_COUNTER_BYTES);
    store<u64>(at, u64.MAX_VALUE, 16);
  }
  clearRuleAddresses(classifier.addresses);
}

/** True when the filter lets the record count (always, without a filter). */
@inline export function passesFilter(classifier: Classifier, linkType: u32, data: usize, caplen: u32, origLen: u32): bool {
  const slot = classifier.filterSlot;
  return !slot || call_indirect<i32>(slot, data, caplen, origLen, linkType) != 0;
}
