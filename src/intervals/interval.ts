// What one time bin holds (docs/intervals.md): its totals, its busiest routes and destinations,
// and the rest summed, so that every bin is exact.
import type { Count, RouteCounters, Totals } from '../analyze/report.js';

/**
 * The whole report's totals that a bin has too (`filtered` only with a filter,
 * `destinationOverflow` only when the destination table was full in this bin).
 */
export type IntervalTotals = Pick<Totals, 'records' | 'bytes' | 'filtered' | 'counted' | 'ipv4' | 'ipv6' | 'nonIp' | 'malformed'
  | 'unsupportedLink' | 'noRoute' | 'destinationOverflow'>;

/** A route row as the whole report's, without the count of destinations and the next hops. */
export type IntervalRoute = Omit<RouteCounters, 'destinations' | 'nextHops'>;

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
