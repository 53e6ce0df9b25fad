import { destinationAddress } from './destination-address.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { readOverflow } from './overflow.js';
import { readRuleReport, type RuleNames } from './rule-report.js';
import { readAnomalies } from './anomaly-report.js';
import { readSourceViews, type ViewOptions } from './source-report.js';
import { ROUTE_JSON, ROUTE_ROWS, RouteRows, type RouteJsonSource } from './route-rows.js';
import { readFrameTypes } from './frame-types.js';
import { describeBadTimes, describeReadStop } from './read-errors.js';
import { DESTINATION_JSON, destinationJsonSource, prefixTableOf, type DestinationJsonSource, type PrefixTable } from './destination-json.js';
import { readCount } from '../report/count.js';
import type { Count, DestinationCounters, InputReport, Report, RouteCounters } from './report.js';

export const VERSION = '0.1.0';

/**
 * Where a report built here keeps (not enumerable) more ways to read its destinations: `compare`
 * relabels an overlay table's report into each table's, and picks the destinations whose
 * traffic moves (src/compare/).
 */
export const RELABEL_DESTINATIONS: unique symbol = Symbol('fibscope.relabelDestinations');

export interface DestinationReaders {
  /** The destinations with each route's prefix replaced by `prefixFor(route)` (null: no route). */
  relabel(prefixFor: (route: RouteCounters) => string | null): { destinations: () => DestinationCounters[]; json: DestinationJsonSource };
  /**
   * relabel, with the prefixes by route id given as a table in this report's WebAssembly
   * instance (for the JSON) and, read only for objects, as a list.
   */
  relabelTable(prefixes: PrefixTable, prefixOf: () => readonly (string | undefined)[]): { destinations: () => DestinationCounters[]; json: DestinationJsonSource };
  /**
   * The first `limit` destinations (0: all), busiest first as the report lists them, whose route
   * `wanted` accepts, each with its route: without making an object for the others.
   */
  pick(wanted: (route: RouteCounters) => boolean, limit: number): { destination: DestinationCounters; route: RouteCounters }[];
  /**
   * pick, by route id, without making the routes' objects: each destination with its route id,
   * and no prefix (null).
   */
  pickByRoute(wanted: (routeId: number) => boolean, limit: number): { destination: DestinationCounters; routeId: number }[];
}

/** What the host keeps about one capture input. */
export interface InputState {
  path: string;
  /** the WebAssembly CaptureInput */
  handle: number;
  ended: boolean;
  /** why the host stopped reading this input, when the capture format did not */
  hostError?: string;
}

/** Malformed reasons by index (assembly/parse/status.ts). */
function reasonName(index: number): string {
  if (index < 16) return `version_${index}_for_ipv4`;
  if (index < 32) return `version_${index - 16}_for_ipv6`;
  return ['ipv4_hdr_truncated', 'ipv6_hdr_truncated', 'ipv4_ihl_lt_5', 'link_hdr_truncated'][index - 32] ?? `reason_${index}`;
}

/**
 * Reads every counter out of WebAssembly memory into the report (docs/report.md); without `destinations`, the
 * report lists none (a scrape of the route counters need not copy and sort them all).
 */
export function buildReport(fib: Fib, wasm: FibscopeExports, io: number, counters: number, inputs: InputState[],
  withDestinations = true, classification: { filtered: boolean; rules?: RuleNames; anomalies?: boolean; views?: ViewOptions } = { filtered: false },
  withRoutes = true): Report {
  // the destinations, busiest first, copied out of WebAssembly in one piece; the objects are
  // made only if someone reads them (a table by route never does)
  const count = withDestinations ? wasm.countersDestinationCount(counters) >>> 0 : 0;
  const entryBytes = wasm.destinationEntryBytes();
  let entries = new Uint8Array(0);
  if (withDestinations) {
    const copy = wasm.countersCopyDestinations(counters) >>> 0;
    if (copy === 0) {
      throw new FibscopeOutOfMemoryError('a report', `out of WebAssembly memory: no room to sort ${count} destinations for a report`);
    }
    entries = new Uint8Array(wasm.memory.buffer, copy, count * entryBytes).slice();
    wasm.destinationsFree(copy, count);
  }
  const values = wasm.countersTotals(counters, io); // it also zeroes the counters of routes gone since
  const totalsView = new DataView(wasm.memory.buffer, io, values * 8);
  const totals: Count[] = new Array(values);
  for (let i = 0; i < values; i++) totals[i] = readCount(totalsView, i * 8);
  const malformedReasons: Record<string, Count> = {};
  for (let i = 10; i < values; i++) if (totals[i] !== 0) malformedReasons[reasonName(i - 10)] = totals[i];

  const inputReports = inputs.map((input) => inputReport(wasm, input, io));
  const precision = Math.max(6, ...inputs.map((input) => wasm.inputPrecision(input.handle)));
  const view = new DataView(wasm.memory.buffer);

  const u64 = (at: number) => readCount(view, at);
  const time = timeFormatter(precision);

  // the routes, busiest first, sorted in WebAssembly; their objects are made only if someone
  // reads them (the JSON of them is written in WebAssembly too); without routes (a scrape that
  // picks the top routes apart) the report lists none
  const routeRows = RouteRows.take(fib, wasm, counters, withRoutes);
  const routeJson = routeRows.jsonSource();
  let routes: RouteCounters[] | undefined;

  let destinations: DestinationCounters[] | undefined;

  const report = {
    fibscope: { version: VERSION },
    inputs: inputReports,
    totals: {
      records: totals[0],
      bytes: totals[1],
      counted: totals[2],
      ipv4: totals[3],
      ipv6: totals[4],
      nonIp: totals[5],
      malformed: totals[6],
      unsupportedLink: totals[7],
      noRoute: { packets: totals[8], bytes: totals[9] },
      malformedReasons,
      nonIpByType: readFrameTypes(wasm, counters, false),
      unsupportedLinkByType: readFrameTypes(wasm, counters, true),
      timeSpan: readTimeSpan(wasm, io, counters, time),
    },
  } as Omit<Report, 'routes' | 'destinations'> as Report;
  // defined here, to come before the other sections, as members do in the order they are added
  Object.defineProperty(report, 'routes', {
    enumerable: true,
    get: () => (routes ??= routeRows.objects()),
    set: (value: RouteCounters[]) => { routes = value; },
  });
  Object.defineProperty(report, ROUTE_JSON, {
    enumerable: false,
    get: (): RouteJsonSource | undefined => (routes === undefined ? routeJson : undefined),
  });
  if (classification.filtered) {
    wasm.countersFiltered(counters, io);
    report.totals.filtered = readCount(new DataView(wasm.memory.buffer, io, 8), 0);
  }
  if (classification.rules) {
    const { rules, noRule, addressOverflow } = readRuleReport(wasm, counters, io, classification.rules, time);
    report.totals.noRule = noRule;
    if (addressOverflow !== 0) report.totals.ruleAddressOverflow = addressOverflow;
    report.rules = rules;
  }
  if (classification.anomalies) {
    report.anomalies = readAnomalies(wasm, counters, io, report.totals.counted);
  }
  if (classification.views) readSourceViews(fib, wasm, counters, io, classification.views, report, time);
  const overflow = readOverflow(wasm, io, counters);
  if (overflow) report.totals.destinationOverflow = overflow;
  Object.defineProperty(report, 'destinations', {
    enumerable: true,
    get: () => (destinations ??= readDestinations(entries, entryBytes, count, routeRows.prefixOf(), time)),
  });
  // JSON straight from the entries, while nobody has read (and perhaps changed) the objects
  const source = destinationJsonSource(wasm, entries, entryBytes, count, routeRows.prefixTable(), precision);
  Object.defineProperty(report, DESTINATION_JSON, {
    enumerable: false,
    get: (): DestinationJsonSource | undefined => (destinations === undefined ? source : undefined),
  });
  // the routes' objects by route id, for the readers below
  const rowsById = (): (RouteCounters | undefined)[] => {
    const ids = routeRows.ids();
    const rows = report.routes;
    const out: (RouteCounters | undefined)[] = new Array(ids.reduce((most, id) => Math.max(most, id), -1) + 1).fill(undefined);
    ids.forEach((id, i) => { out[id] = rows[i]; });
    return out;
  };
  const readers: DestinationReaders = {
    relabel(prefixFor) {
      const relabelled = rowsById().map((row) => (row === undefined ? undefined : prefixFor(row) ?? undefined));
      return {
        destinations: () => readDestinations(entries, entryBytes, count, relabelled, time),
        json: destinationJsonSource(wasm, entries, entryBytes, count, prefixTableOf(wasm, relabelled), precision),
      };
    },
    relabelTable(prefixes, prefixOf) {
      return {
        destinations: () => readDestinations(entries, entryBytes, count, prefixOf(), time),
        json: destinationJsonSource(wasm, entries, entryBytes, count, prefixes, precision),
      };
    },
    pickByRoute(wanted, limit) {
      const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      const picked: { destination: DestinationCounters; routeId: number }[] = [];
      const v6 = new Uint8Array(16);
      const noPrefixes: (string | undefined)[] = [];
      for (let i = 0; i < count && (limit === 0 || picked.length < limit); i++) {
        const routeId = view.getInt32(i * entryBytes + 48, true);
        if (routeId >= 0 && wanted(routeId)) picked.push({ destination: readDestination(view, i * entryBytes, noPrefixes, time, v6), routeId });
      }
      return picked;
    },
    pick(wanted, limit) {
      const rowOf = rowsById().map((row) => (row !== undefined && wanted(row) ? row : undefined));
      const prefixOf = rowOf.map((row) => row?.prefix);
      const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
      const picked: { destination: DestinationCounters; route: RouteCounters }[] = [];
      const v6 = new Uint8Array(16);
      for (let i = 0; i < count && (limit === 0 || picked.length < limit); i++) {
        const routeId = view.getInt32(i * entryBytes + 48, true);
        const route = routeId < 0 ? undefined : rowOf[routeId];
        if (route) picked.push({ destination: readDestination(view, i * entryBytes, prefixOf, time, v6), route });
      }
      return picked;
    },
  };
  Object.defineProperty(report, RELABEL_DESTINATIONS, { enumerable: false, value: readers });
  Object.defineProperty(report, ROUTE_ROWS, { enumerable: false, value: routeRows });
  return report;
}

/** When the first and the last counted packet were seen, or null before any. */
function readTimeSpan(wasm: FibscopeExports, io: number, counters: number,
  time: (seconds: number, nanoseconds: number) => string): { first: string; last: string } | null {
  if (!wasm.countersTimeSpan(counters, io)) return null;
  const [firstSeconds, firstNanoseconds, lastSeconds, lastNanoseconds] = new Uint32Array(wasm.memory.buffer, io, 4);
  return { first: time(firstSeconds, firstNanoseconds), last: time(lastSeconds, lastNanoseconds) };
}

/** Destination objects from the copied entries (layout in assembly/count/destinations.ts). */
function readDestinations(entries: Uint8Array, entryBytes: number, count: number, prefixOf: readonly (string | undefined)[],
  time: (seconds: number, nanoseconds: number) => string): DestinationCounters[] {
  const view = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
  const v6 = new Uint8Array(16);
  const out: DestinationCounters[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = readDestination(view, i * entryBytes, prefixOf, time, v6);
  return out;
}

function readDestination(view: DataView, at: number, prefixOf: readonly (string | undefined)[],
  time: (seconds: number, nanoseconds: number) => string, v6: Uint8Array): DestinationCounters {
  const address = destinationAddress(view, at, v6);
  const routeId = view.getInt32(at + 48, true);
  return {
    address,
    prefix: routeId < 0 ? null : prefixOf[routeId] ?? null,
    packets: readCount(view, at + 16),
    bytes: readCount(view, at + 24),
    firstSeen: time(view.getUint32(at + 36, true), view.getUint32(at + 32, true)),
    lastSeen: time(view.getUint32(at + 44, true), view.getUint32(at + 40, true)),
  };
}

function inputReport(wasm: FibscopeExports, input: InputState, io: number): InputReport {
  const format = wasm.inputFormat(input.handle);
  const linkTypes = Array.from(new Uint32Array(wasm.memory.buffer, wasm.inputLinkTypes(input.handle) >>> 0, wasm.inputLinkTypeCount(input.handle)));
  const code = wasm.inputError(input.handle);
  const badTimes = wasm.inputBadTimes(input.handle, io);
  const [record, offset] = new Float64Array(wasm.memory.buffer, io, 2);
  return {
    path: input.path,
    format: format === 1 ? 'pcap' : format === 2 ? 'pcapng' : null,
    linkTypes,
    records: wasm.inputRecords(input.handle),
    error: code === 0 ? input.hostError ?? null : describeReadStop({
      code,
      detail: wasm.inputErrorDetail(input.handle),
      record: wasm.inputErrorRecord(input.handle),
      offset: wasm.inputErrorOffset(input.handle),
    }),
    ...(badTimes > 0 ? { badTimes: { records: badTimes, message: describeBadTimes({ records: badTimes, record, offset }) } } : {}),
  };
}

/**
 * ISO 8601 UTC with `digits` decimals (6 for µs captures, 9 for ns). The text of each second is
 * made once: a capture spans few seconds compared with its destinations.
 */
function timeFormatter(digits: number): (seconds: number, nanoseconds: number) => string {
  const seconds = new Map<number, string>();
  const scale = 10 ** (9 - digits);
  return (second, nanoseconds) => {
    let text = seconds.get(second);
    if (text === undefined) {
      text = new Date(second * 1000).toISOString().slice(0, 20);
      seconds.set(second, text);
    }
    return `${text}${String(Math.floor(nanoseconds / scale)).padStart(digits, '0')}Z`;
  };
}
