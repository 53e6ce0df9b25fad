// Counting by rule: the fields of a record that passed the filter are decoded once, the rule set
// picks the first rule that matches, and that rule (or the no-rule counter) counts the record,
// its time and, for IP records, its source and destination.

import { Classifier, RULE_COUNTER_BYTES } from './classifier';
import { tallyAddress, SIDE_DESTINATION } from '../count/address-tally';
import { decodeFields, FIELD_DESTINATION_HI, FIELD_DESTINATION_LO, FIELD_FAMILY, FIELD_SOURCE_HI, FIELD_SOURCE_LO } from './fields';

export function countRules(classifier: Classifier, linkType: u32, data: usize, caplen: u32, origLen: u32, time: u64,
  frame: i32): void {
  const fields = classifier.fields;
  decodeFields(linkType, data, caplen, frame, fields);
  let rule = call_indirect<i32>(classifier.rulesSlot, fields, data, caplen, origLen, linkType);
  if (rule < 0 || <u32>rule >= classifier.ruleCount) rule = <i32>classifier.ruleCount;
  const counter = classifier.ruleCounters + <usize>rule * RULE_COUNTER_BYTES;
  store<u64>(counter, load<u64>(counter) + 1);
  store<u64>(counter, load<u64>(counter, 8) + origLen, 8);
  if (time < load<u64>(counter, 16)) store<u64>(counter, time, 16);
  if (time > load<u64>(counter, 24)) store<u64>(counter, time, 24);
  const family = <u32>load<u8>(fields, FIELD_FAMILY);
  // the addresses of records no rule matched are not reported: not kept either
  if (family == 0 || <u32>rule == classifier.ruleCount) return;
  const addresses = classifier.addresses;
  tallyAddress(addresses, <u32>rule, family, load<u64>(fields, FIELD_SOURCE_HI), load<u64>(fields, FIELD_SOURCE_LO), origLen);
  tallyAddress(addresses, <u32>rule, family | SIDE_DESTINATION, load<u64>(fields, FIELD_DESTINATION_HI),
    load<u64>(fields, FIELD_DESTINATION_LO), origLen);
}
