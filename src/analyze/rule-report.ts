import { readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { readAddressTally } from './address-tally.js';
import type { Count, RuleCounters } from './report.js';

/** What the report needs to know of the rule set in force. */
export interface RuleNames {
  names: readonly string[];
  actions: readonly ('count' | 'alert' | 'drop')[];
}

/**
 * Each rule's counts (rule order), and the records no rule matched, read from the analyzer's
 * rule counters and address tally (assembly/classify/).
 */
export function readRuleReport(wasm: FibscopeExports, counters: number, io: number, rules: RuleNames,
  time: (seconds: number, nanoseconds: number) => string): { rules: RuleCounters[]; noRule: { packets: Count; bytes: Count }; addressOverflow: Count } {
  const ruleCount = rules.names.length;
  const tallies = readAddressTally(wasm, wasm.countersRuleAddresses(counters) >>> 0, wasm.countersRuleAddressCount(counters), ruleCount);
  const base = wasm.countersRuleCounters(counters) >>> 0;
  const ruleBytes = wasm.ruleCounterBytes();
  const view = new DataView(wasm.memory.buffer, base, (ruleCount + 1) * ruleBytes);
  const when = (at: number) => time(view.getUint32(at + 4, true), view.getUint32(at, true));
  const rows: RuleCounters[] = rules.names.map((name, rule) => {
    const at = rule * ruleBytes;
    const packets = readCount(view, at);
    const [sources, destinations] = tallies[rule];
    return {
      name,
      action: rules.actions[rule],
      packets,
      bytes: readCount(view, at + 8),
      sources: sources.distinct,
      destinations: destinations.distinct,
      firstSeen: packets === 0 ? null : when(at + 16),
      lastSeen: packets === 0 ? null : when(at + 24),
      topSources: sources.top,
      topDestinations: destinations.top,
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
