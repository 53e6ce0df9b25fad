// The report of one side (before or after) from the overlay table's report: route rows summed by
// that side's route, destinations relabelled with it. It equals `analyze` with that side's table.
import { RELABEL_DESTINATIONS, type DestinationReaders } from '../analyze/build-report.js';
import { DESTINATION_JSON } from '../analyze/destination-json.js';
import type { Count, DestinationCounters, NextHopCounters, Report, RouteCounters } from '../analyze/report.js';
import { addBgpFields } from '../analyze/route-bgp-fields.js';
import { ROUTE_JSON, ROUTE_ROWS, type RouteRows } from '../analyze/route-rows.js';
import { FibscopeArgumentError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import { sideRouteRows, type SideRows } from './side-rows.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { Overlay, OverlayPair, SideRoute } from './overlay.js';

export type Side = 'before' | 'after';

/** The overlay pair of a route row of the overlay's report (its metric is the pair's index). */
export function pairOf(overlay: Overlay, row: RouteCounters): OverlayPair {
  const pair = overlay.pair(row.metric, row.prefix);
  if (pair === undefined) throw new FibscopeArgumentError(`route ${row.prefix} is not a route of this overlay table`);
  return pair;
}

/** The pair of each route row of the overlay's report, in its order: every part of a comparison reads them. */
export function rowPairs(overlay: Overlay, report: Report): OverlayPair[] {
  return report.routes.map((row) => pairOf(overlay, row));
}

/** The next hop index of `side` each of an overlay row's next hops stands for. */
export function sidePath(pair: OverlayPair, side: Side, overlayPath: number): number {
  return pair.paths ? pair.paths[overlayPath][side] : 0;
}

/**
 * `side`'s report, as `analyze` with that side's table (`fib`) would give on the same captures:
 * for a report an Analyzer made, its routes summed and sorted in WebAssembly, its destinations'
 * JSON relabelled there, no object made unless someone reads them.
 */
export function sideReport(overlay: Overlay, report: Report, side: Side, fib: Fib, pairs?: readonly OverlayPair[]): Report {
  const overlayRows = (report as { [ROUTE_ROWS]?: RouteRows })[ROUTE_ROWS];
  const readers = (report as { [RELABEL_DESTINATIONS]?: DestinationReaders })[RELABEL_DESTINATIONS];
  if (!overlayRows || !readers) return sideReportOfObjects(overlay, report, side, pairs ?? rowPairs(overlay, report));
  return sideReportOfRows(overlay, report, side, sideRouteRows(overlay, fib, side, overlayRows), overlayRows, readers);
}

/** sideReport from the side's rows summed already (src/compare/side-rows.ts). */
export function sideReportOfRows(overlay: Overlay, report: Report, side: Side, { rows, noRoute }: SideRows,
  overlayRows: RouteRows, readers: DestinationReaders): Report {
  const out = {} as Report;
  let routes: RouteCounters[] | undefined;
  const routeJson = rows.jsonSource();
  // the members copied by name, in the report's order; its routes and destinations are not read
  for (const key of Object.keys(report) as (keyof Report)[]) {
    if (key === 'destinations') continue;
    if (key === 'routes') {
      Object.defineProperty(out, 'routes', {
        enumerable: true,
        get: () => (routes ??= rows.objects()),
        set: (value: RouteCounters[]) => { routes = value; },
      });
      continue;
    }
    (out as unknown as Record<string, unknown>)[key] = report[key];
  }
  Object.defineProperty(out, ROUTE_JSON, { enumerable: false, get: () => (routes === undefined ? routeJson : undefined) });
  out.totals = {
    ...report.totals,
    noRoute: { packets: addCounts(report.totals.noRoute.packets, noRoute.packets), bytes: addCounts(report.totals.noRoute.bytes, noRoute.bytes) },
  };
  // each overlay route id's side route id: a destination is labelled with its overlay route
  const ids = overlayRows.ids();
  const metrics = overlayRows.metrics();
  const sides = overlay.sideIds(side);
  const sideOf = new Int32Array(ids.reduce((most, id) => Math.max(most, id), -1) + 1).fill(-1);
  for (let i = 0; i < ids.length; i++) sideOf[ids[i]] = metrics[i] < sides.length ? sides[metrics[i]] : -1;
  const relabelled = readers.relabelTable(rows.prefixTableFor(overlay.fib.engine().wasm, sideOf), () => {
    const prefixOf = rows.prefixOf();
    return Array.from(sideOf, (id) => (id < 0 ? undefined : prefixOf[id]));
  });
  let destinations: DestinationCounters[] | undefined;
  Object.defineProperty(out, 'destinations', { enumerable: true, get: () => (destinations ??= relabelled.destinations()) });
  Object.defineProperty(out, DESTINATION_JSON, { enumerable: false, get: () => (destinations === undefined ? relabelled.json : undefined) });
  return out;
}

/** sideReport for a report of objects alone (no route rows in WebAssembly behind it). */
function sideReportOfObjects(overlay: Overlay, report: Report, side: Side, pairs: readonly OverlayPair[]): Report {
  const rows = new Map<SideRoute, RouteCounters>();
  let noRoutePackets: Count = report.totals.noRoute.packets;
  let noRouteBytes: Count = report.totals.noRoute.bytes;
  report.routes.forEach((row, index) => {
    const pair = pairs[index];
    const route = pair[side];
    if (route === undefined) {
      noRoutePackets = addCounts(noRoutePackets, row.packets);
      noRouteBytes = addCounts(noRouteBytes, row.bytes);
      return;
    }
    let sum = rows.get(route);
    if (!sum) rows.set(route, (sum = newRow(route)));
    sum.packets = addCounts(sum.packets, row.packets);
    sum.bytes = addCounts(sum.bytes, row.bytes);
    // a destination takes one overlay route, so the overlay routes of a route count apart
    sum.destinations += row.destinations;
    if (sum.nextHops) {
      if (!row.nextHops) addToHop(sum.nextHops[0], row.packets, row.bytes);
      else row.nextHops.forEach((hop, i) => addToHop(sum!.nextHops![sidePath(pair, side, i)], hop.packets, hop.bytes));
    }
  });
  const routes = [...rows.values()];
  routes.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes) || (a.prefix < b.prefix ? -1 : 1));
  const out = {} as Report;
  for (const key of Object.keys(report) as (keyof Report)[]) {
    if (key === 'destinations') continue;
    (out as unknown as Record<string, unknown>)[key] = report[key];
  }
  out.totals = { ...report.totals, noRoute: { packets: noRoutePackets, bytes: noRouteBytes } };
  out.routes = routes;
  const readers = (report as { [RELABEL_DESTINATIONS]?: DestinationReaders })[RELABEL_DESTINATIONS];
  if (readers) {
    const pairOfRow = new Map(report.routes.map((row, index) => [row, pairs[index]]));
    const relabelled = readers.relabel((row) => pairOfRow.get(row)![side]?.prefix ?? null);
    let destinations: DestinationCounters[] | undefined;
    Object.defineProperty(out, 'destinations', { enumerable: true, get: () => (destinations ??= relabelled.destinations()) });
    Object.defineProperty(out, DESTINATION_JSON, { enumerable: false, get: () => (destinations === undefined ? relabelled.json : undefined) });
  } else {
    const prefixOf = new Map(report.routes.map((row) => [row.prefix, pairOf(overlay, row)[side]?.prefix ?? null]));
    out.destinations = report.destinations.map((destination) => ({
      ...destination, prefix: destination.prefix === null ? null : prefixOf.get(destination.prefix) ?? null,
    }));
  }
  return out;
}

function newRow(route: SideRoute): RouteCounters {
  const row: RouteCounters = {
    prefix: route.prefix,
    nextHop: route.nextHop,
    dev: route.dev,
    metric: route.metric,
    type: route.type,
    packets: 0,
    bytes: 0,
    destinations: 0,
  };
  addBgpFields(row, route);
  if (route.nextHops && route.nextHops.length > 1) {
    row.nextHops = route.nextHops.map((hop): NextHopCounters => ({ via: hop.via, dev: hop.dev, weight: hop.weight, packets: 0, bytes: 0 }));
  }
  return row;
}

function addToHop(hop: NextHopCounters, packets: Count, bytes: Count): void {
  hop.packets = addCounts(hop.packets, packets);
  hop.bytes = addCounts(hop.bytes, bytes);
}
