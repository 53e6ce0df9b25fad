import { compareCounts, readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { keyAddress } from './destination-address.js';
import type { AddressCounters, Count, RuleCounters } from './report.js';

/** How many of its busiest sources and destinations a rule's row lists. */
export const RULE_TOP_ADDRESSES = 10;

/** Side bit of an address entry's kind (assembly/classify/rule-addresses.ts). */
const SIDE_DESTINATION = 16;

/** What the report needs to know of the rule set in force. */
export interface RuleNames {
  names: readonly string[];
  actions: readonly ('count' | 'alert' | 'drop')[];
}

/** Distinct addresses and the busiest ones of one rule and side, gathered from the entries. */
interface AddressTally {
  distinct: number;
  /** busiest first, at most RULE_TOP_ADDRESSES */
  top: { at: number; packets: Count; bytes: Count }[];
}

function keepBusiest(tally: AddressTally, at: number, packets: Count, bytes: Count): void {
  tally.distinct++;
  const top = tally.top;
  if (top.length === RULE_TOP_ADDRESSES && compareCounts(packets, top[top.length - 1].packets) <= 0) return;
  let place = top.length;
  while (place > 0 && compareCounts(packets, top[place - 1].packets) > 0) place--;
  top.splice(place, 0, { at, packets, bytes });
  if (top.length > RULE_TOP_ADDRESSES) top.pop();
}

/**
 * Each rule's counts (rule order), and the records no rule matched, read from the analyzer's
 * rule counters and address entries (assembly/classify/). Entries are read in the order they
 * were first seen, so among equal counts the address seen first is listed first.
 */
export function readRuleReport(wasm: FibscopeExports, counters: number, io: number, rules: RuleNames,
  time: (seconds: number, nanoseconds: number) => string): { rules: RuleCounters[]; noRule: { packets: Count; bytes: Count }; addressOverflow: Count } {
  const ruleCount = rules.names.length;
  const tallies: AddressTally[] = Array.from({ length: ruleCount * 2 }, () => ({ distinct: 0, top: [] }));
  const entryCount = wasm.countersRuleAddressCount(counters);
  const entryBytes = wasm.ruleAddressBytes();
  const entries = new DataView(wasm.memory.buffer, wasm.countersRuleAddresses(counters) >>> 0, entryCount * entryBytes);
  for (let i = 0; i < entryCount; i++) {
    const at = i * entryBytes;
    const rule = entries.getUint32(at + 32, true);
    if (rule >= ruleCount) continue; // the addresses of records no rule matched are not listed
    const side = entries.getUint32(at + 36, true) & SIDE_DESTINATION ? 1 : 0;
    keepBusiest(tallies[rule * 2 + side], at, readCount(entries, at + 16), readCount(entries, at + 24));
  }
  const v6 = new Uint8Array(16);
  const addressesOf = (tally: AddressTally): AddressCounters[] => tally.top.map(({ at, packets, bytes }) => {
    const family = entries.getUint32(at + 36, true) & ~SIDE_DESTINATION;
    return { address: keyAddress(entries, at, family, v6), packets, bytes };
  });
  const base = wasm.countersRuleCounters(counters) >>> 0;
  const ruleBytes = wasm.ruleCounterBytes();
  const view = new DataView(wasm.memory.buffer, base, (ruleCount + 1) * ruleBytes);
  const when = (at: number) => time(view.getUint32(at + 4, true), view.getUint32(at, true));
  const rows: RuleCounters[] = rules.names.map((name, rule) => {
    const at = rule * ruleBytes;
    const packets = readCount(view, at);
    return {
      name,
      action: rules.actions[rule],
      packets,
      bytes: readCount(view, at + 8),
      sources: tallies[rule * 2].distinct,
      destinations: tallies[rule * 2 + 1].distinct,
      firstSeen: packets === 0 ? null : when(at + 16),
      lastSeen: packets === 0 ? null : when(at + 24),
      topSources: addressesOf(tallies[rule * 2]),
      topDestinations: addressesOf(tallies[rule * 2 + 1]),
    };
  });
  const unmatched = ruleCount * ruleBytes;
  wasm.countersRuleAddressOverflow(counters, io);
  return {
    rules: rows,
    noRule: { packets: readCount(view, unmatched), bytes: readCount(view, unmatched + 8) },
    addressOverflow: readCount(new DataView(wasm.memory.buffer, io, 8), 0),
  };
}
