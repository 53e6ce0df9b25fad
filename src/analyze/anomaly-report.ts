import { compareCounts, readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { keyAddress } from './destination-address.js';
import { TOP_ADDRESSES } from './address-tally.js';
import type { AnomalyClass, AnomalyCounters, Count, TrackedAddress } from './report.js';

/** The classes in WebAssembly's order (assembly/checks/checks.ts). */
export const ANOMALY_CLASSES: readonly AnomalyClass[] = [
  'bogon-source', 'bogon-destination', 'private-source', 'urpf-loose', 'urpf-strict', 'dropped', 'unrouted', 'land',
  'ttl-expiring',
];

/**
 * The busiest addresses of one tracker (assembly/count/top-tracker.ts), busiest first: those whose
 * counts are more than half certain.
 */
export function readTracker(view: DataView, at: number, slotsAt: number, slotBytes: number, v6: Uint8Array): TrackedAddress[] {
  const tracked: TrackedAddress[] = [];
  const used = view.getUint32(at + 12, true);
  for (let i = 0; i < used; i++) {
    const slot = at + slotsAt + i * slotBytes;
    const family = view.getUint32(slot + 40, true);
    const overstatedBy = readCount(view, slot + 32);
    // in a flood of all-different addresses the slots hold late arrivals whose counts are
    // mostly inherited: list an address only when over half its count is its own
    if (Number(overstatedBy) * 2 >= Number(readCount(view, slot + 16))) continue;
    tracked.push({
      address: keyAddress(view, slot, family, v6),
      packets: readCount(view, slot + 16),
      bytes: readCount(view, slot + 24),
      ...(overstatedBy !== 0 ? { overstatedBy } : {}),
    });
  }
  // equal counts: the address tracked first stays first (the sort is stable)
  return tracked.sort((a, b) => compareCounts(b.packets, a.packets)).slice(0, TOP_ADDRESSES);
}

/** Each anomaly class's counts, read from the analyzer's class counters and trackers. */
export function readAnomalies(wasm: FibscopeExports, counters: number, io: number, counted: Count): AnomalyCounters[] {
  const classCount = wasm.checkClassCount();
  if (classCount !== ANOMALY_CLASSES.length) throw new Error(`the WebAssembly module counts ${classCount} anomaly classes, this host knows ${ANOMALY_CLASSES.length}`);
  wasm.topTrackerLayout(io);
  const [trackerBytes, , slotBytes, slotsAt] = new Uint32Array(wasm.memory.buffer, io, 4);
  const trackers = new DataView(wasm.memory.buffer, wasm.countersChecksTrackers(counters) >>> 0, classCount * 2 * trackerBytes);
  const view = new DataView(wasm.memory.buffer, wasm.countersChecksClasses(counters) >>> 0, classCount * 16);
  wasm.countersChecksUnchecked(counters, io);
  const extra = new DataView(wasm.memory.buffer, io, 16);
  const unchecked = { packets: readCount(extra, 0), bytes: readCount(extra, 8) };
  const v6 = new Uint8Array(16);
  return ANOMALY_CLASSES.map((name, index): AnomalyCounters => {
    const row: AnomalyCounters = {
      class: name,
      checked: true,
      packets: readCount(view, index * 16),
      bytes: readCount(view, index * 16 + 8),
      topSources: readTracker(trackers, index * 2 * trackerBytes, slotsAt, slotBytes, v6),
      topDestinations: readTracker(trackers, (index * 2 + 1) * trackerBytes, slotsAt, slotBytes, v6),
    };
    if (name === 'urpf-strict' && unchecked.packets !== 0) {
      // packets without a capture interface name cannot be checked: never a silent zero
      row.unchecked = unchecked;
      row.checked = unchecked.packets !== counted;
    }
    return row;
  });
}
