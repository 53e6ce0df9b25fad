// `compare --interval`: what moves, bin by bin. The overlay analysis's time bins
// (intervals/tracker.ts, every overlay route of the bin by id) are split into both sides here,
// per bin and not per packet: each bin gives the traffic counted, what moves, becomes unrouted,
// dropped or routed, and each side's busiest routes, so a change's effect can be seen over time.
import type { Analyzer } from '../analyze/analyzer.js';
import type { Count, RouteCounters } from '../analyze/report.js';
import type { RouteRowFields } from '../fib/fib.js';
import type { Interval } from '../intervals/interval.js';
import type { IntervalOptions, IntervalTracking } from '../intervals/tracker.js';
import { compareCounts } from '../report/count.js';
import { addChange, emptySummary, sameRoute, type TrafficCounts } from './changed.js';
import type { Overlay, OverlayPair, SideRoute } from './overlay.js';

/** A side's route in a bin: as a report row shows it, with the bin's traffic. */
export type CompareIntervalRoute = Pick<RouteCounters, 'prefix' | 'nextHop' | 'dev' | 'type' | 'packets' | 'bytes'>;

export interface CompareIntervalSide {
  /** The side's busiest routes in the bin (`top`), busiest first. */
  routes: CompareIntervalRoute[];
  /** The side's other routes, summed. */
  otherRoutes: { routes: number; packets: Count; bytes: Count };
  /** Counted traffic this side has no route for. */
  noRoute: TrafficCounts;
}

/** One time bin of a comparison (docs/compare.md, "Over time"). */
export interface CompareInterval {
  /** ISO 8601 UTC: the bin is [start, end); `bins` > 1 for a run of empty bins. */
  start: string;
  end: string;
  bins: number;
  counted: TrafficCounts;
  moved: TrafficCounts;
  becomesUnrouted: TrafficCounts;
  becomesDropped: TrafficCounts;
  becomesRouted: TrafficCounts;
  before: CompareIntervalSide;
  after: CompareIntervalSide;
}

export interface CompareIntervalOptions extends Pick<IntervalOptions, 'binNanoseconds' | 'start'> {
  /** Routes listed per side and bin (0: all); default 20. */
  top?: number;
  onBin(interval: CompareInterval): void;
}

/** Traffic of one side's route in a bin, keyed by the side's route id. */
interface SideTally {
  route: SideRoute;
  packets: number;
  bytes: number;
}

/**
 * Time bins of `analyzer` (an analyzer of `overlay.fib`, from Comparison.analyzer()) split into
 * both sides; call `finish()` after the last input, as for analyzer.trackIntervals.
 */
export function trackCompareIntervals(overlay: Overlay, analyzer: Analyzer, options: CompareIntervalOptions): IntervalTracking {
  const top = options.top ?? 20;
  const scratch: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  // the pair of each overlay route id, read once: the overlay does not change
  const pairs = new Map<number, OverlayPair | undefined>();
  const pairOf = (id: number): OverlayPair | undefined => {
    if (pairs.has(id)) return pairs.get(id);
    const pair = overlay.fib.describeInto(id, scratch) ? overlay.pair(scratch.metric) : undefined;
    pairs.set(id, pair);
    return pair;
  };
  return analyzer.trackIntervals({
    binNanoseconds: options.binNanoseconds,
    start: options.start,
    top: 0,
    destinations: false,
    describeRoutes: false,
    onBin: (interval, { routes: points }) => options.onBin(splitBin(interval, points, pairOf, top)),
  });
}

function splitBin(interval: Interval, points: { ids: Int32Array; packets: Float64Array; bytes: Float64Array },
  pairOf: (id: number) => OverlayPair | undefined, top: number): CompareInterval {
  const summary = emptySummary();
  const overlayNoRoute = { packets: Number(interval.totals.noRoute.packets), bytes: Number(interval.totals.noRoute.bytes) };
  const before = new Map<number, SideTally>();
  const after = new Map<number, SideTally>();
  const noRouteBefore = { ...overlayNoRoute };
  const noRouteAfter = { ...overlayNoRoute };
  for (let i = 0; i < points.ids.length; i++) {
    const pair = pairOf(points.ids[i]);
    if (pair === undefined) continue;
    const packets = points.packets[i];
    const bytes = points.bytes[i];
    tally(before, pair.before, packets, bytes, noRouteBefore);
    tally(after, pair.after, packets, bytes, noRouteAfter);
    if (!sameRoute(pair.before, pair.after)) addChange(summary, pair.before?.type, pair.after?.type, packets, bytes);
  }
  return {
    start: interval.start,
    end: interval.end,
    bins: interval.bins,
    counted: { packets: interval.totals.counted, bytes: countedBytes(interval) },
    ...summary,
    before: side(before, noRouteBefore, top),
    after: side(after, noRouteAfter, top),
  };
}

/** The bytes of the counted packets: a bin's routed bytes and its unrouted ones. */
function countedBytes(interval: Interval): Count {
  let bytes = Number(interval.totals.noRoute.bytes) + Number(interval.otherRoutes.bytes);
  for (const route of interval.routes) bytes += Number(route.bytes);
  return bytes;
}

function tally(into: Map<number, SideTally>, route: SideRoute | undefined, packets: number, bytes: number, noRoute: TrafficCounts): void {
  if (route === undefined) {
    add(noRoute, packets, bytes);
    return;
  }
  const known = into.get(route.id);
  if (known) {
    known.packets += packets;
    known.bytes += bytes;
  } else into.set(route.id, { route, packets, bytes });
}

/** A side's rows: busiest first as the report orders routes (packets, bytes, prefix), the rest summed. */
function side(tallies: Map<number, SideTally>, noRoute: TrafficCounts, top: number): CompareIntervalSide {
  const rows = [...tallies.values()].sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes)
    || (a.route.prefix < b.route.prefix ? -1 : a.route.prefix > b.route.prefix ? 1 : 0));
  const shown = top === 0 ? rows : rows.slice(0, top);
  const rest = rows.slice(shown.length);
  return {
    routes: shown.map(({ route, packets, bytes }) => ({ prefix: route.prefix, nextHop: route.nextHop, dev: route.dev, type: route.type, packets, bytes })),
    otherRoutes: { routes: rest.length, packets: rest.reduce((n, r) => n + r.packets, 0), bytes: rest.reduce((n, r) => n + r.bytes, 0) },
    noRoute,
  };
}

function add(into: TrafficCounts, packets: number, bytes: number): void {
  into.packets = Number(into.packets) + packets;
  into.bytes = Number(into.bytes) + bytes;
}
