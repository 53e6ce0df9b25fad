import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { describeReadStop } from './read-errors.js';
import type { DestinationCounters, InputReport, Report, RouteCounters } from './report.js';

export const VERSION = '0.1.0';

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

/** Reads every counter out of WebAssembly memory into the SPEC report. */
export function buildReport(fib: Fib, wasm: FibscopeExports, io: number, counters: number, inputs: InputState[]): Report {
  const count = wasm.countersTotals(counters, io);
  const totals = new Float64Array(wasm.memory.buffer, io, count).slice();
  const malformedReasons: Record<string, number> = {};
  for (let i = 10; i < count; i++) if (totals[i] > 0) malformedReasons[reasonName(i - 10)] = totals[i];

  const inputReports = inputs.map((input) => inputReport(wasm, input));
  const precision = Math.max(6, ...inputs.map((input) => wasm.inputPrecision(input.handle)));
  const view = new DataView(wasm.memory.buffer);

  const routes: RouteCounters[] = [];
  const routeBase = wasm.countersRoutes(counters) >>> 0;
  const routeBytes = wasm.routeCounterBytes();
  const capacity = wasm.countersRouteCapacity(counters);
  for (let id = 0; id < capacity; id++) {
    const at = routeBase + id * routeBytes;
    const packets = Number(view.getBigUint64(at, true));
    if (packets === 0) continue;
    const route = fib.route(id);
    routes.push({
      prefix: route?.prefix ?? `(removed route ${id})`,
      nextHop: route?.nextHop ?? null,
      dev: route?.dev ?? null,
      metric: route?.metric ?? 0,
      type: route?.type ?? 'unicast',
      packets,
      bytes: Number(view.getBigUint64(at + 8, true)),
      destinations: view.getUint32(at + 16, true),
    });
  }
  routes.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || (a.prefix < b.prefix ? -1 : 1));

  const destinations: DestinationCounters[] = [];
  const entries = wasm.countersDestinations(counters) >>> 0;
  const slots = wasm.countersDestinationSlots(counters) >>> 0;
  const entryBytes = wasm.destinationEntryBytes();
  const v6 = new Uint8Array(16);
  const v6View = new DataView(v6.buffer);
  for (let slot = 0; slot < slots; slot++) {
    const at = entries + slot * entryBytes;
    const family = view.getUint8(at + 52);
    if (family === 0) continue;
    let address: string;
    if (family === 4) {
      address = formatIPv4(view.getUint32(at, true));
    } else {
      v6View.setBigUint64(0, view.getBigUint64(at, true), false);
      v6View.setBigUint64(8, view.getBigUint64(at + 8, true), false);
      address = formatIPv6(v6);
    }
    const routeId = view.getInt32(at + 48, true);
    destinations.push({
      address,
      prefix: routeId < 0 ? null : fib.route(routeId)?.prefix ?? null,
      packets: Number(view.getBigUint64(at + 16, true)),
      bytes: Number(view.getBigUint64(at + 24, true)),
      firstSeen: isoTime(view.getBigUint64(at + 32, true), precision),
      lastSeen: isoTime(view.getBigUint64(at + 40, true), precision),
    });
  }
  destinations.sort((a, b) => b.packets - a.packets || b.bytes - a.bytes || (a.address < b.address ? -1 : 1));

  return {
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
    },
    routes,
    destinations,
  };
}

function inputReport(wasm: FibscopeExports, input: InputState): InputReport {
  const format = wasm.inputFormat(input.handle);
  const linkTypes = Array.from(new Uint32Array(wasm.memory.buffer, wasm.inputLinkTypes(input.handle) >>> 0, wasm.inputLinkTypeCount(input.handle)));
  const code = wasm.inputError(input.handle);
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
  };
}

const NANOS = 1_000_000_000n;

/** ISO 8601 UTC with `digits` decimals (6 for µs captures, 9 for ns). */
function isoTime(nanos: bigint, digits: number): string {
  const seconds = nanos / NANOS;
  const fraction = (nanos % NANOS).toString().padStart(9, '0').slice(0, digits);
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
