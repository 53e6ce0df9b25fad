/**
 * The analysis report: the JSON of SPEC section 4, which every other output format is made from.
 * Counts are plain numbers (JSON integers); 64-bit sums stay exact up to 2^53 bytes.
 */
export interface Report {
  fibscope: { version: string };
  inputs: InputReport[];
  totals: Totals;
  /** Every route that matched at least one counted packet. */
  routes: RouteCounters[];
  /** Every counted destination (all of them, whatever a table's top N). */
  destinations: DestinationCounters[];
}

export interface InputReport {
  /** The path given, or '-' for standard input. */
  path: string;
  /** Detected from the magic number; null when the input is not a capture at all. */
  format: 'pcap' | 'pcapng' | null;
  /** Link types of the records read, in the order first seen. */
  linkTypes: number[];
  records: number;
  /** Why reading stopped early (damage, not a capture), or null. */
  error: string | null;
  /** Records whose times were out of range, counted at a clamped time (README "Timestamps"); absent when none. */
  badTimes?: { records: number; message: string };
}

export interface Totals {
  records: number;
  /** Sum of original (wire) lengths of every record. */
  bytes: number;
  counted: number;
  ipv4: number;
  ipv6: number;
  nonIp: number;
  malformed: number;
  unsupportedLink: number;
  noRoute: { packets: number; bytes: number };
  /** Malformed packets by reason, e.g. { "ipv4_ihl_lt_5": 1 }. */
  malformedReasons: Record<string, number>;
  /**
   * Present only when the destination table filled up (memory ran short): packets, and their
   * bytes, of destinations it could not take. They count everywhere else (totals, routes), but
   * under no destination, and not in a route's `destinations`.
   */
  destinationOverflow?: { packets: number; bytes: number };
}

export interface RouteCounters {
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  type: string;
  packets: number;
  bytes: number;
  /** Distinct destinations counted under this route. */
  destinations: number;
  /**
   * A multipath route's next hops with what each carried: every flow (addresses, protocol,
   * ports) takes one of them, in proportion to the weights. Absent for a single next hop.
   */
  nextHops?: NextHopCounters[];
}

export interface NextHopCounters {
  via: string | null;
  dev: string | null;
  weight: number;
  packets: number;
  bytes: number;
}

export interface DestinationCounters {
  /** RFC 5952 text for IPv6. */
  address: string;
  /** The matched route's prefix, or null (no route). */
  prefix: string | null;
  packets: number;
  bytes: number;
  /** ISO 8601 UTC with the capture's precision, e.g. 2021-02-03T04:05:06.123456Z. */
  firstSeen: string;
  lastSeen: string;
}
