// The exact merge of the parts of reports that add up: totals, routes, anomaly class counts,
// times. Used by `fibscope merge` (saved JSON reports) and by the threads of `analyze` (the
// counters of ranges of one capture); each supplies the destinations its own way.
import { FibscopeError } from '../errors.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { AnomalyCounters, Count, NextHopCounters, RouteCounters, Totals } from '../analyze/report.js';

/** Why reports cannot be merged, naming the report (its path) where that helps. */
export class MergeError extends FibscopeError {
  constructor(message: string) {
    super('MERGE_REFUSED', message);
  }
}

/** The decimals of a report time (`2021-02-03T04:05:06.123456Z`: 6). */
export function timeDigits(time: string): number {
  const dot = time.lastIndexOf('.');
  return dot < 0 ? 0 : time.length - dot - 2;
}

/**
 * `time` with `digits` decimals. Only ever widened: a 6-decimal time came from a µs capture,
 * whose nanoseconds are exactly its microseconds followed by three zeros.
 */
export function widenTime(time: string, digits: number): string {
  const have = timeDigits(time);
  return have >= digits ? time : `${time.slice(0, -1)}${'0'.repeat(digits - have)}Z`;
}

/** Sums `into[key] += from[key]` for every count member named. */
function addPair(a: { packets: Count; bytes: Count }, b: { packets: Count; bytes: Count }): { packets: Count; bytes: Count } {
  return { packets: addCounts(a.packets, b.packets), bytes: addCounts(a.bytes, b.bytes) };
}

/** Malformed reasons in WebAssembly's order (build-report.ts reasonName): versions, then the named ones. */
const NAMED_REASONS = ['ipv4_hdr_truncated', 'ipv6_hdr_truncated', 'ipv4_ihl_lt_5', 'link_hdr_truncated'];
function reasonIndex(name: string): number {
  const version = /^version_(\d+)_for_ipv([46])$/.exec(name);
  if (version) return Number(version[1]) + (version[2] === '6' ? 16 : 0);
  const named = NAMED_REASONS.indexOf(name);
  if (named >= 0) return 32 + named;
  const other = /^reason_(\d+)$/.exec(name);
  return other ? 32 + Number(other[1]) : Number.MAX_SAFE_INTEGER;
}

function sumRecords(records: readonly Record<string, Count>[]): Map<string, Count> {
  const sums = new Map<string, Count>();
  for (const record of records) for (const [key, value] of Object.entries(record)) sums.set(key, addCounts(sums.get(key) ?? 0, value));
  return sums;
}

/** A by-type table (nonIpByType…) as frame-types.ts orders it: busiest first, then by key. */
function mergeByType(tables: readonly (Record<string, Count> | undefined)[], what: string): Record<string, Count> | undefined {
  if (tables.every((table) => table === undefined)) return undefined;
  const sums = sumRecords(tables.map((table) => table ?? {}));
  // `other` holds the types past the first 256 each part saw: the whole may have named some of them
  if (sums.has('other')) throw new MergeError(`${what} has an "other" row (over 256 frame types): it cannot be merged exactly`);
  const rows = [...sums].sort(([a, m], [b, n]) => compareCounts(n, m) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(rows);
}

/** The totals of the parts together; `timeSpan` widened to `digits` decimals. */
export function mergeTotals(parts: readonly Totals[], digits: number): Totals {
  const sum = (pick: (totals: Totals) => Count) => parts.reduce<Count>((total, part) => addCounts(total, pick(part)), 0);
  const optionalPair = (pick: (totals: Totals) => { packets: Count; bytes: Count } | undefined) => {
    const present = parts.map(pick).filter((pair) => pair !== undefined);
    return present.length === 0 ? undefined : present.reduce(addPair, { packets: 0, bytes: 0 });
  };
  const reasons = [...sumRecords(parts.map((part) => part.malformedReasons))].sort(([a], [b]) => reasonIndex(a) - reasonIndex(b));
  const spans = parts.map((part) => part.timeSpan).filter((span) => span);
  const first = spans.map((span) => widenTime(span!.first, digits)).sort()[0];
  const last = spans.map((span) => widenTime(span!.last, digits)).sort().at(-1);
  const totals: Totals = {
    records: sum((t) => t.records),
    bytes: sum((t) => t.bytes),
    counted: sum((t) => t.counted),
    ipv4: sum((t) => t.ipv4),
    ipv6: sum((t) => t.ipv6),
    nonIp: sum((t) => t.nonIp),
    malformed: sum((t) => t.malformed),
    unsupportedLink: sum((t) => t.unsupportedLink),
    noRoute: optionalPair((t) => t.noRoute)!,
    malformedReasons: Object.fromEntries(reasons),
  };
  const nonIpByType = mergeByType(parts.map((part) => part.nonIpByType), 'totals.nonIpByType');
  if (nonIpByType) totals.nonIpByType = nonIpByType;
  const unsupported = mergeByType(parts.map((part) => part.unsupportedLinkByType), 'totals.unsupportedLinkByType');
  if (unsupported) totals.unsupportedLinkByType = unsupported;
  if (parts.some((part) => part.timeSpan !== undefined)) totals.timeSpan = first === undefined ? null : { first, last: last! };
  if (parts.some((part) => part.filtered !== undefined)) totals.filtered = sum((t) => t.filtered ?? 0);
  return totals;
}

/** Whether two rows are of the same route: reports of one table agree on every member but the counts. */
function sameRoute(a: RouteCounters, b: RouteCounters): boolean {
  if (a.nextHop !== b.nextHop || a.dev !== b.dev || a.metric !== b.metric || a.type !== b.type || a.asPath !== b.asPath
    || a.originAs !== b.originAs || (a.nextHops?.length ?? 0) !== (b.nextHops?.length ?? 0)) return false;
  if (String(a.communities ?? '') !== String(b.communities ?? '') || String(a.originAsSet ?? '') !== String(b.originAsSet ?? '')) return false;
  return (a.nextHops ?? []).every((hop, i) => hop.via === b.nextHops![i].via && hop.dev === b.nextHops![i].dev && hop.weight === b.nextHops![i].weight);
}

/**
 * The routes of the parts summed by prefix (a prefix matches by one route of a table), sorted as
 * build-report.ts sorts them; `destinationsOf(prefix)` gives each route's distinct destinations,
 * which only the merged destinations can tell. `nameOf(i)` names part i in errors.
 */
export function mergeRoutes(parts: readonly (readonly RouteCounters[])[], destinationsOf: (prefix: string) => number,
  nameOf: (part: number) => string): RouteCounters[] {
  const merged = new Map<string, { route: RouteCounters; part: number }>();
  parts.forEach((routes, part) => {
    for (const route of routes) {
      const seen = merged.get(route.prefix);
      if (!seen) {
        merged.set(route.prefix, { route: { ...route, ...(route.nextHops ? { nextHops: route.nextHops.map((hop) => ({ ...hop })) } : {}) }, part });
        continue;
      }
      if (!sameRoute(seen.route, route)) {
        throw new MergeError(`${nameOf(seen.part)} and ${nameOf(part)} were made with different routing tables: `
          + `route ${route.prefix} differs (next hop, device, metric, type or BGP attributes)`);
      }
      seen.route.packets = addCounts(seen.route.packets, route.packets);
      seen.route.bytes = addCounts(seen.route.bytes, route.bytes);
      seen.route.nextHops?.forEach((hop: NextHopCounters, i) => {
        hop.packets = addCounts(hop.packets, route.nextHops![i].packets);
        hop.bytes = addCounts(hop.bytes, route.nextHops![i].bytes);
      });
    }
  });
  const routes = [...merged.values()].map(({ route }) => {
    route.destinations = destinationsOf(route.prefix);
    return route;
  });
  return routes.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes) || (a.prefix < b.prefix ? -1 : 1));
}

/**
 * The anomaly classes' counts summed (exact); their top lists come from `tops(classIndex)`, which
 * says how to merge them (the parts' lists alone cannot: each holds only its busiest ten).
 */
export function mergeAnomalyCounts(parts: readonly (readonly AnomalyCounters[])[], counted: Count,
  tops: (index: number) => Pick<AnomalyCounters, 'topSources' | 'topDestinations'>): AnomalyCounters[] {
  return parts[0].map((first, index) => {
    const rows = parts.map((rowsOfPart) => rowsOfPart[index]);
    const row: AnomalyCounters = {
      class: first.class,
      checked: true,
      packets: rows.reduce<Count>((total, r) => addCounts(total, r.packets), 0),
      bytes: rows.reduce<Count>((total, r) => addCounts(total, r.bytes), 0),
      ...tops(index),
    };
    const unchecked = rows.map((r) => r.unchecked).filter((pair) => pair !== undefined);
    if (unchecked.length > 0) {
      // as anomaly-report.ts: packets without an interface name cannot be checked, never a silent zero
      row.unchecked = unchecked.reduce(addPair, { packets: 0, bytes: 0 });
      row.checked = row.unchecked.packets !== counted;
    }
    return row;
  });
}
