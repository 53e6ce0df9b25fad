import type { Fib, RouteRowFields } from '../fib/fib.js';
import { addCounts, compareCounts, readCount } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import { interfaceName } from '../classify/interfaces.js';
import { destinationAddress } from './destination-address.js';
import { addBgpFields } from './route-bgp-fields.js';
import type { Count, InterfaceCounters, MatrixReport, Report, SourceCounters, SourceRouteCounters } from './report.js';

/** The source-side views an Analyzer counts (docs/report.md "Views"). */
export interface ViewOptions {
  /** Traffic by the route of its source (`--by src-route`). */
  sourceRoutes?: boolean;
  /** Every source, busiest first (`--by source`). */
  sources?: boolean;
  /** Traffic by capture interface (`--by interface`). */
  interfaces?: boolean;
  /** The (source route, destination route) pairs: the `top` busiest, the rest summed (`--matrix src-route,route`). */
  matrix?: { top: number };
}

/** The bits of assembly/views/source-side.ts. */
export function viewBits(views: ViewOptions): number {
  return (views.sourceRoutes ? 1 : 0) | (views.sources ? 2 : 0) | (views.interfaces ? 4 : 0) | (views.matrix ? 8 : 0);
}

/** Fills the views asked for into `report`, from the counters of assembly/views/. */
export function readSourceViews(fib: Fib, wasm: FibscopeExports, counters: number, io: number, views: ViewOptions, report: Report,
  time: (seconds: number, nanoseconds: number) => string): void {
  const scratch: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  const prefixOf = (id: number): string | null => (id >= 0 && fib.describeInto(id, scratch) ? scratch.prefix : null);
  const originAsOf = (id: number): number | undefined => (id >= 0 && fib.describeInto(id, scratch) ? scratch.originAs : undefined);
  if (views.sourceRoutes) report.sourceRoutes = readSourceRoutes(fib, wasm, counters, scratch);
  wasm.countersSourceOverflow(counters, io);
  const overflow = new DataView(wasm.memory.buffer, io, 24);
  if (views.sources) {
    report.sources = readSources(wasm, counters, prefixOf, time);
    const packets = readCount(overflow, 0);
    if (packets !== 0) report.totals.sourceOverflow = { packets, bytes: readCount(overflow, 8) };
  }
  if (views.interfaces) report.interfaces = readInterfaces(wasm, counters);
  if (views.matrix) {
    const lost = readCount(overflow, 16);
    report.matrix = readMatrix(wasm, counters, views.matrix.top, prefixOf, originAsOf);
    if (lost !== 0) report.matrix.lost = lost;
  }
}

function readSourceRoutes(fib: Fib, wasm: FibscopeExports, counters: number, scratch: RouteRowFields): SourceRouteCounters[] {
  const capacity = wasm.countersSourceRouteCapacity(counters);
  const bytes = wasm.sourceRouteBytes();
  const view = new DataView(wasm.memory.buffer, wasm.countersSourceRoutes(counters) >>> 0, capacity * bytes);
  const rows: SourceRouteCounters[] = [];
  for (let id = 0; id < capacity; id++) {
    const at = id * bytes;
    const packets = readCount(view, at);
    if (packets === 0) continue;
    // a counter of an older generation belongs to a route that has gone
    if (!fib.describeInto(id, scratch) || view.getUint32(at + 16, true) !== wasm.routeGenerationOf(id)) continue;
    const row: SourceRouteCounters = { prefix: scratch.prefix, nextHop: scratch.nextHop, dev: scratch.dev, type: scratch.type, packets, bytes: readCount(view, at + 8) };
    addBgpFields(row, scratch);
    rows.push(row);
  }
  return rows.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes) || (a.prefix < b.prefix ? -1 : 1));
}

function readSources(wasm: FibscopeExports, counters: number, prefixOf: (id: number) => string | null,
  time: (seconds: number, nanoseconds: number) => string): SourceCounters[] {
  const count = wasm.countersSourceCount(counters) >>> 0;
  const copy = wasm.countersCopySources(counters) >>> 0;
  if (copy === 0) throw new Error(`out of WebAssembly memory: no room to sort ${count} sources for a report`);
  const entryBytes = wasm.destinationEntryBytes();
  const entries = new DataView(new Uint8Array(wasm.memory.buffer, copy, count * entryBytes).slice().buffer);
  wasm.destinationsFree(copy, count);
  const v6 = new Uint8Array(16);
  return Array.from({ length: count }, (_, i) => {
    const at = i * entryBytes;
    return {
      address: destinationAddress(entries, at, v6),
      prefix: prefixOf(entries.getInt32(at + 48, true)),
      packets: readCount(entries, at + 16),
      bytes: readCount(entries, at + 24),
      firstSeen: time(entries.getUint32(at + 36, true), entries.getUint32(at + 32, true)),
      lastSeen: time(entries.getUint32(at + 44, true), entries.getUint32(at + 40, true)),
    };
  });
}

function readInterfaces(wasm: FibscopeExports, counters: number): InterfaceCounters[] {
  const capacity = wasm.countersInterfaceCapacity(counters);
  const view = new DataView(wasm.memory.buffer, wasm.countersInterfaces(counters) >>> 0, capacity * 16);
  const rows: InterfaceCounters[] = [];
  for (let number = 0; number < capacity; number++) {
    const packets = readCount(view, number * 16);
    if (packets === 0) continue;
    rows.push({ name: number === 0 ? null : interfaceName(wasm, number), packets, bytes: readCount(view, number * 16 + 8) });
  }
  return rows.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes));
}

function readMatrix(wasm: FibscopeExports, counters: number, top: number, prefixOf: (id: number) => string | null,
  originAsOf: (id: number) => number | undefined): MatrixReport {
  const count = wasm.countersMatrixCount(counters);
  const entryBytes = wasm.tallyEntryBytes();
  const view = new DataView(wasm.memory.buffer, wasm.countersMatrix(counters) >>> 0, count * entryBytes);
  const cells = Array.from({ length: count }, (_, i) => {
    const at = i * entryBytes;
    // group = source route + 1, the key's first word = destination route + 1 (0: no route)
    const fromId = view.getUint32(at + 32, true) - 1;
    const toId = view.getUint32(at, true) - 1;
    const cell: MatrixReport['cells'][number] = {
      from: prefixOf(fromId),
      to: prefixOf(toId),
      packets: readCount(view, at + 16),
      bytes: readCount(view, at + 24),
    };
    const fromOriginAs = originAsOf(fromId);
    const toOriginAs = originAsOf(toId);
    if (fromOriginAs !== undefined) cell.fromOriginAs = fromOriginAs;
    if (toOriginAs !== undefined) cell.toOriginAs = toOriginAs;
    return cell;
  });
  cells.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes));
  let packets: Count = 0;
  let bytes: Count = 0;
  for (const cell of cells.slice(top)) {
    packets = addCounts(packets, cell.packets);
    bytes = addCounts(bytes, cell.bytes);
  }
  return { cells: cells.slice(0, top), other: { cells: Math.max(0, cells.length - top), packets, bytes } };
}
