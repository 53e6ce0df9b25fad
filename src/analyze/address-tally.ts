import { compareCounts, readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { keyAddress } from './destination-address.js';
import type { AddressCounters, Count } from './report.js';

/** How many of its busiest sources and destinations a rule or anomaly class lists. */
export const TOP_ADDRESSES = 10;

/** Side bit of an entry's kind (assembly/count/address-tally.ts). */
const SIDE_DESTINATION = 16;

/** One group's addresses on one side: how many distinct, and the busiest. */
export interface SideTally {
  distinct: number;
  top: AddressCounters[];
}

interface Gathering {
  distinct: number;
  /** busiest first, at most TOP_ADDRESSES */
  top: { at: number; packets: Count; bytes: Count }[];
}

function keepBusiest(tally: Gathering, at: number, packets: Count, bytes: Count): void {
  tally.distinct++;
  const top = tally.top;
  if (top.length === TOP_ADDRESSES && compareCounts(packets, top[top.length - 1].packets) <= 0) return;
  let place = top.length;
  while (place > 0 && compareCounts(packets, top[place - 1].packets) > 0) place--;
  top.splice(place, 0, { at, packets, bytes });
  if (top.length > TOP_ADDRESSES) top.pop();
}

/**
 * Sources and destinations per group (`groups` of them: rules, anomaly classes) from the entries
 * of an address tally at `entriesAt`: [group][0 sources, 1 destinations]. Entries are read in
 * the order first seen, so among equal counts the address seen first is listed first; entries of
 * groups past `groups` are skipped.
 */
export function readAddressTally(wasm: FibscopeExports, entriesAt: number, entryCount: number, groups: number): [SideTally, SideTally][] {
  const entryBytes = wasm.tallyEntryBytes();
  const entries = new DataView(wasm.memory.buffer, entriesAt, entryCount * entryBytes);
  const gathered: Gathering[] = Array.from({ length: groups * 2 }, () => ({ distinct: 0, top: [] }));
  for (let i = 0; i < entryCount; i++) {
    const at = i * entryBytes;
    const group = entries.getUint32(at + 32, true);
    if (group >= groups) continue;
    const side = entries.getUint32(at + 36, true) & SIDE_DESTINATION ? 1 : 0;
    keepBusiest(gathered[group * 2 + side], at, readCount(entries, at + 16), readCount(entries, at + 24));
  }
  const v6 = new Uint8Array(16);
  const side = ({ distinct, top }: Gathering): SideTally => ({
    distinct,
    top: top.map(({ at, packets, bytes }) => ({
      address: keyAddress(entries, at, entries.getUint32(at + 36, true) & ~SIDE_DESTINATION, v6),
      packets,
      bytes,
    })),
  });
  return Array.from({ length: groups }, (_, group) => [side(gathered[group * 2]), side(gathered[group * 2 + 1])]);
}
