import type { UpdatesReport } from '../updates/summary.js';

import type { Interval } from '../intervals/interval.js';
/**
 * A 64-bit count or sum, exact whatever its size: a number up to Number.MAX_SAFE_INTEGER
 * (2^53 - 1), a bigint above, and never a bigint that fits a number, so counts compare with
 * `===` and all but sums above 9 PB are plain numbers. Add, subtract and compare them with the
 * helpers of src/report/count.ts (addCounts, compareCounts, ...); `Number(count)` rounds.
 * Every writer prints them exactly: JSON and NDJSON as plain integers, CSV, Prometheus text and
 * the table with `humanUnits` off as decimal digits.
 */
export type Count = number | bigint;

/**
 * The analysis report: the JSON of docs/report.md, which every other output format is made from.
 * Counts are JSON integers, exact at any size (see Count).
 */
export interface Report {
  fibscope: { version: string };
  inputs: InputReport[];
  totals: Totals;
  /** Every route that matched at least one counted packet. */
  routes: RouteCounters[];
  /** Every counted destination (all of them, whatever a table's top N). */
  destinations: DestinationCounters[];
  /**
   * Present only with a rule set (docs/rules.md): every rule in order, with what it matched.
   * Each record the filter let through counts under its first matching rule, or in
   * `totals.noRule`.
   */
  rules?: RuleCounters[];
  /**
   * Present only with checks on (docs/checks.md): every anomaly class in order, with what it
   * counted. A packet can be in several classes; each counts it once.
   */
  anomalies?: AnomalyCounters[];
  /** Views of the source side, each present only when asked for (docs/report.md "Views"). */
  sourceRoutes?: SourceRouteCounters[];
  sources?: SourceCounters[];
  interfaces?: InterfaceCounters[];
  matrix?: MatrixReport;
  /** Present only with an update stream (docs/updates.md): what it did. */
  updates?: UpdatesReport;
  /** Present only with `--interval` (docs/intervals.md): traffic in time bins, in time order. */
  intervals?: Interval[];
}

/**
 * A route row's BGP attributes, present only when the routes input had them (bgpdump -m: all;
 * pfx2as: the origin; docs/route-formats.md "BGP attributes").
 */
export interface RouteBgpFields {
  /** The origin AS: the last of the AS path; of several origins, the first. */
  originAs?: number;
  /** Every origin AS, when there are several (an AS_SET, a pfx2as multi-origin entry). */
  originAsSet?: readonly number[];
  /** As bgpdump prints it: `3356 1299 64496`, `{1,2}` for an AS_SET. */
  asPath?: string;
  /** As bgpdump -m prints them: `3356:100`, `no-export`. */
  communities?: readonly string[];
}

/** Traffic by the route of its source, busiest first. */
export interface SourceRouteCounters extends RouteBgpFields {
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  type: string;
  packets: Count;
  bytes: Count;
}

/** A source address, as DestinationCounters, with the route of the source. */
export interface SourceCounters {
  address: string;
  prefix: string | null;
  packets: Count;
  bytes: Count;
  firstSeen: string;
  lastSeen: string;
}

/** Traffic by capture interface: its pcapng if_name (or the name given for pcap), null when unnamed. */
export interface InterfaceCounters {
  name: string | null;
  packets: Count;
  bytes: Count;
}

/** The busiest (source route, destination route) pairs; null is no route. The other pairs summed. */
export interface MatrixReport {
  /** `fromOriginAs`/`toOriginAs`: the routes' origin AS, present when known (for `--matrix src-as,as`). */
  cells: { from: string | null; to: string | null; packets: Count; bytes: Count; fromOriginAs?: number; toOriginAs?: number }[];
  other: { cells: number; packets: Count; bytes: Count };
  /** Present only when memory ran short for the pairs: packets in no cell (they count everywhere else). */
  lost?: Count;
}

export type AnomalyClass = 'bogon-source' | 'bogon-destination' | 'private-source' | 'urpf-loose' | 'urpf-strict'
  | 'dropped' | 'unrouted' | 'land' | 'ttl-expiring';

export interface AnomalyCounters {
  class: AnomalyClass;
  /**
   * False when no packet could be checked: strict uRPF needs each packet's capture interface
   * name (pcapng if_name, or `interfaceName` for pcap), and its packets then say nothing.
   */
  checked: boolean;
  packets: Count;
  bytes: Count;
  /**
   * Its busiest addresses, at most 10 each, busiest first, tracked in bounded memory
   * (docs/checks.md): exact while the class has seen few addresses; otherwise an address's counts
   * may overstate it by `overstatedBy` packets at most, and only addresses whose counts are more
   * than half certain are listed (a flood of all-different forged sources lists none).
   */
  topSources: TrackedAddress[];
  topDestinations: TrackedAddress[];
  /** urpf-strict only, when some packets had no capture interface name: those packets, not checked. */
  unchecked?: { packets: Count; bytes: Count };
}

export interface TrackedAddress extends AddressCounters {
  /** Present when the counts may be high: by at most this many packets. */
  overstatedBy?: Count;
}

export interface RuleCounters {
  name: string;
  /** What the network would do with the records: it labels them, route counting is the same. */
  action: 'count' | 'alert' | 'drop';
  packets: Count;
  bytes: Count;
  /** Distinct source and destination addresses of its IP records. */
  sources: number;
  destinations: number;
  /** ISO 8601 UTC, as destinations' times; null while it matched nothing. */
  firstSeen: string | null;
  lastSeen: string | null;
  /** Its busiest addresses, at most 10 each, busiest first. */
  topSources: AddressCounters[];
  topDestinations: AddressCounters[];
}

export interface AddressCounters {
  address: string;
  packets: Count;
  bytes: Count;
}

export interface InputReport {
  /** The path given, or '-' for standard input. */
  path: string;
  /** Detected from the magic number; null when the input is not a capture at all. */
  format: 'pcap' | 'pcapng' | null;
  /** Link types of the records read, in the order first seen. */
  linkTypes: number[];
  /** Records read from this input (a number: exact below 2^53 records, 144 PB of pcap at the least). */
  records: number;
  /** Why reading stopped early (damage, not a capture), or null. */
  error: string | null;
  /** Records whose times were out of range, counted at a clamped time (README "Timestamps"); absent when none. */
  badTimes?: { records: number; message: string };
}

export interface Totals {
  records: Count;
  /** Sum of original (wire) lengths of every record the filter let through (of every record without one). */
  bytes: Count;
  /**
   * Present only with a filter: records it rejected. They count in `records` and here only, so
   * `records = counted + nonIp + malformed + unsupportedLink + filtered`.
   */
  filtered?: Count;
  /** Present only with a rule set: the records no rule matched. */
  noRule?: { packets: Count; bytes: Count };
  /**
   * Present only when the table of rules' addresses filled up (memory ran short): records whose
   * addresses could not be kept. They count in their rule; its distinct counts may be short.
   */
  ruleAddressOverflow?: Count;
  /** Present only when the sources table filled up: packets, and bytes, of sources it could not take. */
  sourceOverflow?: { packets: Count; bytes: Count };
  counted: Count;
  ipv4: Count;
  ipv6: Count;
  nonIp: Count;
  malformed: Count;
  unsupportedLink: Count;
  noRoute: { packets: Count; bytes: Count };
  /** Malformed packets by reason, e.g. { "ipv4_ihl_lt_5": 1 }. */
  malformedReasons: Record<string, Count>;
  /**
   * Non-IP frames by why, busiest first, always present ({} when none): `ethertype 0x0806 (ARP)`
   * (the ethertype after VLAN tags; MPLS whose payload is not IP under 0x8847/0x8848),
   * `802.3 length (LLC)` (a type field below 0x0600), `ppp 0xc021 (LCP)` (PPP links and PPPoE
   * sessions), `cisco hdlc 0x8035 (SLARP)`, `address family 7` (NULL and LOOP links); the
   * frames of types past the first 256 under `other`. The counts add up to `nonIp`. Optional
   * only for reports made by hand: an Analyzer's report always has it, and so has its JSON.
   */
  nonIpByType?: Record<string, Count>;
  /** Unsupported-link frames by link type, e.g. { "105 (IEEE802_11)": 3 }, as nonIpByType; they add up to `unsupportedLink`. */
  unsupportedLinkByType?: Record<string, Count>;
  /**
   * Present only when the destination table filled up (memory ran short): packets, and their
   * bytes, of destinations it could not take. They count everywhere else (totals, routes), but
   * under no destination, and not in a route's `destinations`.
   */
  /**
   * When the earliest and the latest counted packet were seen (ISO 8601 UTC, as destinations'
   * times); null when nothing was counted.
   */
  timeSpan?: { first: string; last: string } | null;
  destinationOverflow?: { packets: Count; bytes: Count };
}

export interface RouteCounters extends RouteBgpFields {
  prefix: string;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  type: string;
  packets: Count;
  bytes: Count;
  /** Distinct destinations counted under this route (a u32 in WebAssembly). */
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
  packets: Count;
  bytes: Count;
}

export interface DestinationCounters {
  /** RFC 5952 text for IPv6. */
  address: string;
  /** The matched route's prefix, or null (no route). */
  prefix: string | null;
  packets: Count;
  bytes: Count;
  /** ISO 8601 UTC with the capture's precision, e.g. 2021-02-03T04:05:06.123456Z. */
  firstSeen: string;
  lastSeen: string;
}
