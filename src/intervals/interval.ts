// What one time bin holds (docs/intervals.md): its totals, its busiest routes and destinations,
// and the rest summed, so that every bin is exact.
import type { Count, RouteBgpFields } from '../analyze/report.js';

export interface IntervalTotals {
  records: Count;
  bytes: Count;
  /** Present only with a filter, as in the whole report. */
  filtered?: Count;
  counted: Count;
  ipv4: Count;
  ipv6: Count;
  nonIp: Count;
  malformed: Count;
  unsupportedLink: Count;
  noRoute: { packets: Count; bytes: Count };
  /** Present only when the destination table was full in this bin. */
  destinationOverflow?: { packets: Count; bytes: Count };
}

/** A route row as the whole report's, without the count of destinations. */
export interface IntervalRoute extends RouteBgpFields {
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  type: string;
  packets: Count;
  bytes: Count;
}

export interface IntervalDestination {
  address: string;
  /** The route of its last packet so far, as the whole report's destinations have it. */
  prefix: string | null;
  packets: Count;
  bytes: Count;
}

export interface Interval {
  /** ISO 8601 UTC: the bin is [start, end). */
  start: string;
  end: string;
  /** Bins it spans: 1, or for a run of empty bins (between two busy ones), how many. */
  bins: number;
  totals: IntervalTotals;
  /** The bin's busiest routes (`top` of them), busiest first. */
  routes: IntervalRoute[];
  /** The routes past the top, and the traffic of routes that went during the bin, summed. */
  otherRoutes: { routes: number; packets: Count; bytes: Count };
  destinations: IntervalDestination[];
  otherDestinations: { destinations: number; packets: Count; bytes: Count };
}
