import { readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { readAddressTally } from './address-tally.js';
import type { AnomalyClass, AnomalyCounters, Count } from './report.js';

/** The classes in WebAssembly's order (assembly/checks/checks.ts). */
export const ANOMALY_CLASSES: readonly AnomalyClass[] = [
  'bogon-source', 'bogon-destination', 'private-source', 'urpf-loose', 'urpf-strict', 'dropped', 'unrouted', 'land',
  'ttl-expiring',
];

/** Each anomaly class's counts, read from the analyzer's class counters and address tally. */
export function readAnomalies(wasm: FibscopeExports, counters: number, io: number, counted: Count): { anomalies: AnomalyCounters[]; addressOverflow: Count } {
  const classCount = wasm.checkClassCount();
  if (classCount !== ANOMALY_CLASSES.length) throw new Error(`the WebAssembly module counts ${classCount} anomaly classes, this host knows ${ANOMALY_CLASSES.length}`);
  const tallies = readAddressTally(wasm, wasm.countersChecksAddresses(counters) >>> 0, wasm.countersChecksAddressCount(counters), classCount);
  const view = new DataView(wasm.memory.buffer, wasm.countersChecksClasses(counters) >>> 0, classCount * 16);
  wasm.countersChecksUnchecked(counters, io);
  const extra = new DataView(wasm.memory.buffer, io, 24);
  const unchecked = { packets: readCount(extra, 0), bytes: readCount(extra, 8) };
  const addressOverflow = readCount(extra, 16);
  const anomalies = ANOMALY_CLASSES.map((name, index): AnomalyCounters => {
    const [sources, destinations] = tallies[index];
    const row: AnomalyCounters = {
      class: name,
      checked: true,
      packets: readCount(view, index * 16),
      bytes: readCount(view, index * 16 + 8),
      sources: sources.distinct,
      destinations: destinations.distinct,
      topSources: sources.top,
      topDestinations: destinations.top,
    };
    if (name === 'urpf-strict' && unchecked.packets !== 0) {
      // packets without a capture interface name cannot be checked: never a silent zero
      row.unchecked = unchecked;
      row.checked = unchecked.packets !== counted;
    }
    return row;
  });
  return { anomalies, addressOverflow };
}
