// The rows of `--by`: routes and destinations as the report has them, next hops and devices
// summed over the routes. Every text format (table, csv, ndjson) shows these rows.
//
// A multipath route adds each next hop's packets and bytes to the row of that next hop (and of
// its device), so the rows show how the flows spread. Its destinations are known per route, not
// per next hop (one destination's flows may take several): they go to its first next hop's row.
import type { Count, DestinationCounters, NextHopCounters, Report, RouteCounters } from '../analyze/report.js';
import { createPrefixBuffer, PREFIX_OK, scanPrefix } from '../net/address.js';
import { addCounts, compareCounts } from './count.js';
import type { ReportBy, ReportSort } from './options.js';

/** One route that matched at least one counted packet. `routeType` is the route's `type`. */
export interface RouteRow {
  type: 'route';
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  routeType: string;
  packets: Count;
  bytes: Count;
  destinations: number;
  /** A multipath route's next hops with their packets and bytes. */
  nextHops?: NextHopCounters[];
}

/** One counted destination; `prefix` is its route's, or null (no route). */
export interface DestinationRow extends DestinationCounters {
  type: 'destination';
}

/** The routes through one next hop (null: routes without one), summed. */
export interface NextHopRow {
  type: 'nexthop';
  nextHop: string | null;
  routes: number;
  /** Summed exactly, as every count (Count). */
  packets: Count;
  bytes: Count;
  /** Distinct destinations: each destination counts under exactly one route. */
  destinations: number;
}

/** The routes out of one device (null: routes without one), summed. */
export interface DevRow {
  type: 'dev';
  dev: string | null;
  routes: number;
  packets: Count;
  bytes: Count;
  destinations: number;
}

export interface RowsBy {
  route: RouteRow;
  destination: DestinationRow;
  nexthop: NextHopRow;
  dev: DevRow;
}

export type Row = RowsBy[ReportBy];

/** The text that names a row: its prefix, address, next hop or device (null when it has none). */
export function rowKey(row: Row): string | null {
  switch (row.type) {
    case 'route': return row.prefix;
    case 'destination': return row.address;
    case 'nexthop': return row.nextHop;
    case 'dev': return row.dev;
  }
}

/**
 * Every row of `by`, by `sort` descending, then by the other count descending, then by key
 * ascending: addresses and prefixes in address order (IPv4 before IPv6, then by length),
 * other text after them by code unit, null last. The order is total, so output is deterministic.
 */
export function reportRows<B extends ReportBy>(report: Report, by: B, sort: ReportSort): RowsBy[B][] {
  return sortRows(unsortedRows(report, by) as Row[], sort) as RowsBy[B][];
}

/** The first `top` rows; 0 = all. */
export function topRows<R>(rows: R[], top: number): R[] {
  return top > 0 && top < rows.length ? rows.slice(0, top) : rows;
}

function unsortedRows(report: Report, by: ReportBy): Row[] {
  switch (by) {
    case 'route':
      return report.routes.map((route): RouteRow => ({
        type: 'route',
        prefix: route.prefix,
        nextHop: route.nextHop,
        dev: route.dev,
        metric: route.metric,
        routeType: route.type,
        packets: route.packets,
        bytes: route.bytes,
        destinations: route.destinations,
        ...(route.nextHops ? { nextHops: route.nextHops.map((hop) => ({ ...hop })) } : {}),
      }));
    case 'destination':
      return report.destinations.map((destination): DestinationRow => ({
        type: 'destination',
        address: destination.address,
        prefix: destination.prefix,
        packets: destination.packets,
        bytes: destination.bytes,
        firstSeen: destination.firstSeen,
        lastSeen: destination.lastSeen,
      }));
    case 'nexthop':
      return groupShares(report, (share) => share.via, (nextHop): NextHopRow => ({ type: 'nexthop', nextHop, ...ZERO }));
    case 'dev':
      return groupShares(report, (share) => share.dev, (dev): DevRow => ({ type: 'dev', dev, ...ZERO }));
  }
}

const ZERO: { routes: number; packets: Count; bytes: Count; destinations: number } = { routes: 0, packets: 0, bytes: 0, destinations: 0 };

/** The routes' shares summed by `keyOf`, a row made by `newRow` for each key. */
function groupShares<R extends NextHopRow | DevRow>(report: Report, keyOf: (share: Share) => string | null,
  newRow: (key: string | null) => R): R[] {
  const groups = new Map<string | null, R>();
  for (const route of report.routes) {
    for (const share of shares(route)) {
      const key = keyOf(share);
      let row = groups.get(key);
      if (row === undefined) groups.set(key, (row = newRow(key)));
      addShare(row, share);
    }
  }
  return [...groups.values()];
}

interface Share {
  via: string | null;
  dev: string | null;
  packets: Count;
  bytes: Count;
  destinations: number;
}

/** What each next hop of a route carried: the whole route for a single next hop. */
function shares(route: RouteCounters): Share[] {
  if (!route.nextHops || route.nextHops.length < 2) {
    return [{ via: route.nextHop, dev: route.dev, packets: route.packets, bytes: route.bytes, destinations: route.destinations }];
  }
  return route.nextHops.map((hop, i) => ({
    via: hop.via,
    dev: hop.dev,
    packets: hop.packets,
    bytes: hop.bytes,
    destinations: i === 0 ? route.destinations : 0,
  }));
}

function addShare(row: NextHopRow | DevRow, share: Share): void {
  row.routes++;
  row.packets = addCounts(row.packets, share.packets);
  row.bytes = addCounts(row.bytes, share.bytes);
  row.destinations += share.destinations;
}

function sortRows(rows: Row[], sort: ReportSort): Row[] {
  const other: ReportSort = sort === 'packets' ? 'bytes' : 'packets';
  // keys are made only for rows that tie on both counts, and then once
  const keyed = rows.map((row) => ({ row, key: undefined as string | undefined }));
  const keyOf = (item: { row: Row; key: string | undefined }) => (item.key ??= orderKey(rowKey(item.row)));
  keyed.sort((a, b) => {
    const byCount = compareCounts(b.row[sort], a.row[sort]) || compareCounts(b.row[other], a.row[other]);
    if (byCount !== 0) return byCount;
    const ka = keyOf(a);
    const kb = keyOf(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return keyed.map(({ row }) => row);
}

const scratch = createPrefixBuffer();

/**
 * A string whose code-unit order is address order: "4" + 8 hex digits or "6" + 32 hex digits,
 * then the prefix length; text that is no address or prefix gets "~" + itself (after every
 * address), and null "\uffff" (last).
 */
export function orderKey(text: string | null): string {
  if (text === null) return '\uffff';
  if (scanPrefix(text, 0, text.length, scratch) !== PREFIX_OK) return `~${text}`;
  const length = String(scratch.length).padStart(3, '0');
  if (scratch.family === 4) return `4${scratch.v4.toString(16).padStart(8, '0')}/${length}`;
  let hex = '6';
  for (const byte of scratch.v6) hex += byte.toString(16).padStart(2, '0');
  return `${hex}/${length}`;
}
