// What moves: the prefixes and destinations whose traffic takes another route (another prefix,
// type or next hops) after the change, busiest first, and the traffic that becomes unrouted or dropped.
import type { Count, Report } from '../analyze/report.js';
import { RELABEL_DESTINATIONS, type DestinationReaders } from '../analyze/build-report.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { RouteType } from '../routes/route.js';
import type { Overlay, OverlayPair, SideRoute } from './overlay.js';
import { rowPairs } from './side-report.js';

/** A route as the changed list shows it; null for no route. */
export type ChangedRoute = { prefix: string; nextHop: string | null; dev: string | null; type: RouteType } | null;

/** A prefix (the route before's; null: traffic that had no route) or a destination whose traffic moves. */
export interface ChangedTraffic {
  prefix?: string | null;
  address?: string;
  from: ChangedRoute;
  to: ChangedRoute;
  packets: Count;
  bytes: Count;
}

export interface TrafficCounts {
  packets: Count;
  bytes: Count;
}

export interface ChangeSummary {
  /** Traffic whose route changes (another prefix, type, next hop or device), or that gains or loses its route. */
  moved: TrafficCounts;
  /** Traffic with a route before and none after. */
  becomesUnrouted: TrafficCounts;
  /** Traffic that a blackhole, unreachable or prohibit route drops after and that was not dropped before. */
  becomesDropped: TrafficCounts;
  /** Traffic with no route before and a route after. */
  becomesRouted: TrafficCounts;
}

const DROPPING: ReadonlySet<RouteType> = new Set(['blackhole', 'unreachable', 'prohibit']);

/** Whether two routes send traffic the same way: the same prefix, type and next hops. */
export function sameRoute(a: SideRoute | undefined, b: SideRoute | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.prefix !== b.prefix || a.type !== b.type || a.nextHop !== b.nextHop || a.dev !== b.dev) return false;
  // a single next hop given as a group of one is the route's own next hop
  const hopsA = a.nextHops && a.nextHops.length > 1 ? a.nextHops : [];
  const hopsB = b.nextHops && b.nextHops.length > 1 ? b.nextHops : [];
  return hopsA.length === hopsB.length
    && hopsA.every((hop, i) => hop.via === hopsB[i].via && hop.dev === hopsB[i].dev && hop.weight === hopsB[i].weight);
}

const moves = (pair: OverlayPair) => !sameRoute(pair.before, pair.after);

function shown(route: SideRoute | undefined): ChangedRoute {
  return route === undefined ? null : { prefix: route.prefix, nextHop: route.nextHop, dev: route.dev, type: route.type as RouteType };
}

const zero = (): TrafficCounts => ({ packets: 0, bytes: 0 });
function add(into: TrafficCounts, packets: Count, bytes: Count): void {
  into.packets = addCounts(into.packets, packets);
  into.bytes = addCounts(into.bytes, bytes);
}

/** A summary with nothing counted yet. */
export function emptySummary(): ChangeSummary {
  return { moved: zero(), becomesUnrouted: zero(), becomesDropped: zero(), becomesRouted: zero() };
}

/**
 * Counts in `summary` traffic whose route changes, from a route of type `typeBefore` to one of
 * `typeAfter` (undefined: no route on that side): the one rule for every path to the summary.
 */
export function addChange(summary: ChangeSummary, typeBefore: string | undefined, typeAfter: string | undefined, packets: Count, bytes: Count): void {
  add(summary.moved, packets, bytes);
  if (typeBefore !== undefined && typeAfter === undefined) add(summary.becomesUnrouted, packets, bytes);
  if (typeBefore === undefined && typeAfter !== undefined) add(summary.becomesRouted, packets, bytes);
  if (typeAfter !== undefined && DROPPING.has(typeAfter as RouteType) && !(typeBefore !== undefined && DROPPING.has(typeBefore as RouteType))) {
    add(summary.becomesDropped, packets, bytes);
  }
}

/** The totals of what changes. Traffic with no route on either side stays where it is. */
export function changeSummary(overlay: Overlay, report: Report, pairs: readonly OverlayPair[] = rowPairs(overlay, report)): ChangeSummary {
  const summary = emptySummary();
  for (let index = 0; index < report.routes.length; index++) {
    const row = report.routes[index];
    const { before, after } = pairs[index];
    if (moves(pairs[index])) addChange(summary, before?.type, after?.type, row.packets, row.bytes);
  }
  return summary;
}

/**
 * The `top` busiest (0: all) prefixes whose traffic moves, each a (route before, route after)
 * pair, then the `top` busiest destinations whose traffic moves, each with both routes.
 */
export function changedTraffic(overlay: Overlay, report: Report, top: number, pairs: readonly OverlayPair[] = rowPairs(overlay, report)): ChangedTraffic[] {
  const byPair = new Map<string, ChangedTraffic>();
  const movedPrefixes = new Map<string, OverlayPair>();
  for (let index = 0; index < report.routes.length; index++) {
    const row = report.routes[index];
    const pair = pairs[index];
    if (!moves(pair)) continue;
    movedPrefixes.set(row.prefix, pair);
    const key = `${pair.before?.id ?? -1} ${pair.after?.id ?? -1}`;
    let entry = byPair.get(key);
    if (!entry) byPair.set(key, (entry = { prefix: pair.before?.prefix ?? null, from: shown(pair.before), to: shown(pair.after), packets: 0, bytes: 0 }));
    add(entry, row.packets, row.bytes);
  }
  const prefixes = busiestFirst([...byPair.values()], top);
  const destinations: ChangedTraffic[] = [];
  if (movedPrefixes.size > 0) {
    const moved = (row: { prefix: string | null }) => row.prefix !== null && movedPrefixes.has(row.prefix);
    const readers = (report as { [RELABEL_DESTINATIONS]?: DestinationReaders })[RELABEL_DESTINATIONS];
    // the destinations come busiest first already: the first `top` that move are the busiest
    const picked = readers ? readers.pick(moved, top).map(({ destination }) => destination)
      : report.destinations.filter(moved).slice(0, top > 0 ? top : undefined);
    for (const destination of picked) {
      const pair = movedPrefixes.get(destination.prefix!)!;
      destinations.push({ address: destination.address, from: shown(pair.before), to: shown(pair.after), packets: destination.packets, bytes: destination.bytes });
    }
  }
  return [...prefixes, ...destinations];
}

function busiestFirst(rows: ChangedTraffic[], top: number): ChangedTraffic[] {
  rows.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes)
    || ((a.prefix ?? '') < (b.prefix ?? '') ? -1 : (a.prefix ?? '') > (b.prefix ?? '') ? 1 : 0));
  return top > 0 ? rows.slice(0, top) : rows;
}
