// The Prometheus text exposition format 0.0.4: `fibscope analyze -f prom` (a one-shot dump for the
// node_exporter textfile collector, a pushgateway or a diff between runs), `fibscope serve`'s
// /metrics, and the families the prom-client collector fills. All three come from promFamilies(),
// so a metric has the same name, labels and value wherever it is read.
//
// Written by hand rather than with prom-client: prom-client is built around a live registry (a
// process-global default, metric objects registered once, an async `metrics()`) and brings
// dependencies with it. The writer below is the whole format: HELP, TYPE and sample lines with
// escaped label values, and the browser entry can use it too.
import type { Count, DestinationCounters, NextHopCounters, Report, RouteCounters } from '../analyze/report.js';
import { orderKey } from './aggregate.js';
import { addCounts, subtractCounts, sumCounts } from './count.js';
import { TopMembership } from './top-membership.js';

export type PromType = 'counter' | 'gauge';

export interface PromSample {
  /** Label values by name, in the family's `labelNames` order; absent for a family without labels. */
  labels?: Record<string, string>;
  /** The labels as formatted text, when made already (`{name="value",…}`). */
  labelText?: string;
  /** A count (exact: a bigint above 2^53) or a gauge's number. */
  value: Count;
}

export interface PromFamily {
  name: string;
  help: string;
  type: PromType;
  labelNames: readonly string[];
  samples: PromSample[];
}

/** Route changes by kind, as `fibscope serve` counts them (the table loaded at start excluded). */
export interface RouteChangeCounts {
  add: number;
  replace: number;
  remove: number;
}

/** The families only a live table has; `fibscope analyze -f prom` has none of them. */
export interface LivePromOptions {
  /** The table's size now: gives `fibscope_routes{family}`. */
  table?: { ipv4Routes: number; ipv6Routes: number };
  /** Gives `fibscope_route_changes_total{op}`. */
  routeChanges?: Readonly<RouteChangeCounts>;
  /** Whether the capture stream is still being read: gives `fibscope_capture_reading`. */
  captureReading?: boolean;
  /** Gives `fibscope_destination_{packets,bytes}_total` for the tracker's top K and `other`. */
  destinations?: TopDestinations;
  /** Route label sets kept between scrapes of the same table (made afresh without one). */
  routeLabels?: RouteLabelCache;
  /**
   * Route series read apart from the report (serve reads the counters directly; with `--top-routes
   * K`, `k` is set: the K busiest and `other`), used instead of the report's routes, with what the
   * removed-route series is then.
   */
  routeSeries?: { k?: number; series: readonly RouteSeriesValues[]; removedPackets: Count };
}

/** One route series as it is written: its label text and values. */
export interface RouteSeriesValues {
  values: Record<string, string>;
  /** `{prefix="…",next_hop="…",dev="…",family="…"}` */
  text: string;
  packets: Count;
  bytes: Count;
}

const ROUTE_LABELS = ['prefix', 'next_hop', 'dev', 'family'] as const;
const DESTINATION_LABELS = ['address', 'prefix'] as const;

/** The text of promFamilies(report, options). */
export function formatProm(report: Report, options: LivePromOptions = {}): string {
  return formatPromFamilies(promFamilies(report, options));
}

/**
 * Every family in a fixed order; route series in address order of their prefix, so two dumps
 * diff line by line. Null labels (a route without next hop or device) are empty strings. A
 * multipath route gives one series per next hop (`next_hop` its gateway, `dev` its device).
 * Should `totals.malformed` exceed the sum of the reasons, the rest appears as reason="other",
 * so the series always add up to the total.
 */
export function promFamilies(report: Report, options: LivePromOptions = {}): PromFamily[] {
  const totals = report.totals;
  const reasons = Object.entries(totals.malformedReasons)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const unexplained = subtractCounts(totals.malformed, sumCounts(reasons.map(([, n]) => n)));
  if (unexplained > 0) reasons.push(['other', unexplained]);
  const top = options.routeSeries;
  const routes = top ? top.series : routeSeries(report.routes, options.routeLabels ?? new RouteLabelCache());

  const total = (name: string, help: string, value: Count): PromFamily =>
    ({ name, help, type: 'counter', labelNames: [], samples: [{ value }] });
  const families: PromFamily[] = [
    total('fibscope_records_total', 'Capture records read, whatever they hold.', totals.records),
    total('fibscope_bytes_total', 'Original (wire) length of every record read (with a filter: of those it let through), in bytes.', totals.bytes),
    total('fibscope_counted_packets_total', 'IPv4 and IPv6 packets counted by destination.', totals.counted),
    total('fibscope_unrouted_packets_total', 'Counted packets whose destination matched no route.', totals.noRoute.packets),
    total('fibscope_unrouted_bytes_total', 'Wire bytes of counted packets whose destination matched no route.', totals.noRoute.bytes),
    total('fibscope_removed_route_packets_total',
      'Counted packets of routes no longer in the table (removed or replaced since): their route series are gone, '
      + 'so route series + unrouted + removed add up to counted.',
      top ? top.removedPackets : removedRoutePackets(report)),
    {
      name: 'fibscope_malformed_packets_total',
      help: 'Packets whose network header did not match what the link layer announced, by reason.',
      type: 'counter',
      labelNames: ['reason'],
      samples: reasons.map(([reason, value]) => ({ labels: { reason }, value })),
    },
    total('fibscope_non_ip_packets_total', 'Packets of a decoded link type carrying neither IPv4 nor IPv6.', totals.nonIp),
    total('fibscope_unsupported_link_packets_total', 'Records of a link type fibscope does not decode.', totals.unsupportedLink),
    {
      name: 'fibscope_route_packets_total',
      help: 'Counted packets whose destination matched the route, by longest prefix (multipath: by next hop).' + topRoutesHelp(top?.k),
      type: 'counter',
      labelNames: ROUTE_LABELS,
      samples: routes.map(({ values, text, packets }) => ({ labels: values, labelText: text, value: packets })),
    },
    {
      name: 'fibscope_route_bytes_total',
      help: 'Wire bytes of counted packets whose destination matched the route (multipath: by next hop).' + topRoutesHelp(top?.k),
      type: 'counter',
      labelNames: ROUTE_LABELS,
      samples: routes.map(({ values, text, bytes }) => ({ labels: values, labelText: text, value: bytes })),
    },
  ];
  families.push(...classifierFamilies(report), ...anomalyFamilies(report));

  if (options.table) {
    families.push({
      name: 'fibscope_routes',
      help: 'Routes in the table, by address family.',
      type: 'gauge',
      labelNames: ['family'],
      samples: [
        { labels: { family: 'ipv4' }, value: options.table.ipv4Routes },
        { labels: { family: 'ipv6' }, value: options.table.ipv6Routes },
      ],
    });
  }
  if (options.routeChanges) {
    const changes = options.routeChanges;
    families.push({
      name: 'fibscope_route_changes_total',
      help: 'Routes added, replaced and removed while running (the table loaded at start not included).',
      type: 'counter',
      labelNames: ['op'],
      samples: (['add', 'replace', 'remove'] as const).map((op) => ({ labels: { op }, value: changes[op] })),
    });
  }
  if (options.captureReading !== undefined) {
    families.push({
      name: 'fibscope_capture_reading',
      help: '1 while the capture stream is being read; 0 once it ended or stopped at damage.',
      type: 'gauge',
      labelNames: [],
      samples: [{ value: options.captureReading ? 1 : 0 }],
    });
  }
  if (options.destinations) {
    const top = options.destinations.update(report.destinations);
    const series = [
      ...top.members.map((d) => ({ labels: { address: d.address, prefix: d.prefix ?? '' }, packets: d.packets, bytes: d.bytes })),
      { labels: { address: 'other', prefix: '' }, packets: top.other.packets, bytes: top.other.bytes },
    ];
    families.push({
      name: 'fibscope_destination_packets_total',
      help: destinationHelp('Counted packets', options.destinations.k),
      type: 'counter',
      labelNames: DESTINATION_LABELS,
      samples: series.map(({ labels, packets }) => ({ labels, value: packets })),
    }, {
      name: 'fibscope_destination_bytes_total',
      help: destinationHelp('Wire bytes', options.destinations.k),
      type: 'counter',
      labelNames: DESTINATION_LABELS,
      samples: series.map(({ labels, bytes }) => ({ labels, value: bytes })),
    });
  }
  return families;
}

/** What the route series hold with `--top-routes K`: a reader must know they add up with `other`. */
function topRoutesHelp(k: number | undefined): string {
  if (k === undefined) return '';
  return ` Only the top ${k} routes by packets, each counted since it joined the top (whole counts for the top of the first scrape); `
    + 'prefix="other": the rest, so the series, unrouted and removed add up to the counted total.';
}

const RULE_LABELS = ['rule', 'action'] as const;

/**
 * The families of a filter and a rule set, each only when the report has it: what the filter
 * rejected, and per rule (in rule order) what it matched, with what no rule matched beside.
 * Rule names are unique in a set, so each rule is one series.
 */
function classifierFamilies(report: Report): PromFamily[] {
  const totals = report.totals;
  const families: PromFamily[] = [];
  const total = (name: string, help: string, value: Count): PromFamily =>
    ({ name, help, type: 'counter', labelNames: [], samples: [{ value }] });
  if (totals.filtered !== undefined) {
    families.push(total('fibscope_filtered_records_total',
      'Records the filter (--filter) rejected: counted in fibscope_records_total and here only.', totals.filtered));
  }
  if (report.rules) {
    const labels = report.rules.map((rule) => ({ rule: rule.name, action: rule.action }));
    families.push({
      name: 'fibscope_rule_packets_total',
      help: 'Records the filter let through whose first matching rule is this one (IP or not).',
      type: 'counter',
      labelNames: RULE_LABELS,
      samples: report.rules.map((rule, i) => ({ labels: labels[i], value: rule.packets })),
    }, {
      name: 'fibscope_rule_bytes_total',
      help: 'Wire bytes of the records whose first matching rule is this one.',
      type: 'counter',
      labelNames: RULE_LABELS,
      samples: report.rules.map((rule, i) => ({ labels: labels[i], value: rule.bytes })),
    });
    const noRule = totals.noRule ?? { packets: 0, bytes: 0 };
    families.push(
      total('fibscope_no_rule_packets_total', 'Records the filter let through that no rule matched: with the rule series, every one of them.', noRule.packets),
      total('fibscope_no_rule_bytes_total', 'Wire bytes of the records no rule matched.', noRule.bytes),
    );
  }
  return families;
}

/**
 * The anomaly classes (docs/checks.md), only with checks on: a series per class that was checked,
 * in the report's fixed class order. A class that could not be checked (strict uRPF without
 * capture interface names) has no series rather than a 0 that would read as "none seen"; the
 * packets it could not check are `fibscope_anomaly_unchecked_packets_total{class}`. With the
 * interfaces view, the traffic of each capture interface.
 */
function anomalyFamilies(report: Report): PromFamily[] {
  const families: PromFamily[] = [];
  if (report.anomalies) {
    const checked = report.anomalies.filter((row) => row.checked);
    const unchecked = report.anomalies.filter((row) => row.unchecked !== undefined);
    families.push({
      name: 'fibscope_anomaly_packets_total',
      help: 'Counted packets in the anomaly class (a packet counts once in each class it is in); classes not checked have no series.',
      type: 'counter',
      labelNames: ['class'],
      samples: checked.map((row) => ({ labels: { class: row.class }, value: row.packets })),
    }, {
      name: 'fibscope_anomaly_bytes_total',
      help: 'Wire bytes of the counted packets in the anomaly class.',
      type: 'counter',
      labelNames: ['class'],
      samples: checked.map((row) => ({ labels: { class: row.class }, value: row.bytes })),
    });
    if (unchecked.length > 0) {
      families.push({
        name: 'fibscope_anomaly_unchecked_packets_total',
        help: 'Counted packets the class could not check (strict uRPF: packets without a capture interface name).',
        type: 'counter',
        labelNames: ['class'],
        samples: unchecked.map((row) => ({ labels: { class: row.class }, value: row.unchecked!.packets })),
      });
    }
  }
  if (report.interfaces) {
    const rows = [...report.interfaces].sort((a, b) => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0));
    families.push({
      name: 'fibscope_interface_packets_total',
      help: 'Counted packets by capture interface (pcapng if_name, or --interface for pcap; "" when the capture names none).',
      type: 'counter',
      labelNames: ['interface'],
      samples: rows.map((row) => ({ labels: { interface: row.name ?? '' }, value: row.packets })),
    }, {
      name: 'fibscope_interface_bytes_total',
      help: 'Wire bytes of counted packets by capture interface.',
      type: 'counter',
      labelNames: ['interface'],
      samples: rows.map((row) => ({ labels: { interface: row.name ?? '' }, value: row.bytes })),
    });
  }
  return families;
}

/**
 * Counted packets that neither a route in the report nor `noRoute` holds: those of routes removed
 * from the table (a replaced route is another route), whose counters went with them. The report
 * has no total of counted bytes, so there is no bytes twin.
 */
export function removedRoutePackets(report: Report): Count {
  const routed = sumCounts(report.routes.map((route) => route.packets));
  return subtractCounts(subtractCounts(report.totals.counted, report.totals.noRoute.packets), routed);
}

/**
 * One series per label set: two routes alike but for metric or type (a route replaced while
 * counting) would otherwise give a duplicate series, which scrapers reject.
 */
function routeSeries(routes: readonly RouteCounters[], cache: RouteLabelCache): readonly RouteLabels[] {
  for (const route of routes) {
    const hops: readonly NextHopCounters[] | undefined = route.nextHops;
    if (hops && hops.length > 1) {
      for (const hop of hops) cache.add(route.prefix, hop.via, hop.dev, hop.packets, hop.bytes);
    } else {
      cache.add(route.prefix, route.nextHop, route.dev, route.packets, route.bytes);
    }
  }
  return cache.take();
}

/** The labels of one route series, made once (formatting them is most of a scrape's work), and its counts in this scrape. */
export interface RouteLabels extends RouteSeriesValues {
  values: Record<string, string>;
  /** `{prefix="…",next_hop="…",dev="…",family="…"}` */
  text: string;
  /** Address order of the prefix (orderKey). */
  order: string;
  /** The scrape that last counted into it. */
  used: number;
  packets: Count;
  bytes: Count;
}

const compareRouteLabels = (a: RouteLabels, b: RouteLabels) =>
  (a.order < b.order ? -1 : a.order > b.order ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0);

/**
 * Route label sets kept from one scrape to the next. A live table's routes mostly stay, so a
 * scrape finds their label text and sort key here instead of making them again, and when the
 * same series come back it keeps their order instead of sorting again. Label sets the last
 * scrape did not use are dropped once they are most of what is kept, so a churning table does
 * not grow it without bound.
 */
export class RouteLabelCache {
  /** prefix → next hop → device */
  private entries = new Map<string, Map<string, Map<string, RouteLabels>>>();
  private size = 0;
  private generation = 0;
  private used: RouteLabels[] = [];
  private created = false;
  /** The last scrape's series, in order. */
  private sorted: RouteLabels[] = [];

  /** How many times label sets were dropped: one held since an earlier count is stale. */
  drops = 0;

  /**
   * Counts a route (or one next hop of it) into its series of this scrape; returns the label set,
   * which addTo takes until `drops` changes.
   */
  add(prefix: string, nextHop: string | null, dev: string | null, packets: Count, bytes: Count): RouteLabels {
    let byHop = this.entries.get(prefix);
    if (!byHop) this.entries.set(prefix, (byHop = new Map()));
    let byDev = byHop.get(nextHop ?? '');
    if (!byDev) byHop.set(nextHop ?? '', (byDev = new Map()));
    let labels = byDev.get(dev ?? '');
    if (!labels) {
      const order = orderKey(prefix);
      const family = order[0] === '4' ? 'ipv4' : order[0] === '6' ? 'ipv6' : '';
      const values = { prefix, next_hop: nextHop ?? '', dev: dev ?? '', family };
      labels = { values, text: formatLabels(values), order, used: -1, packets: 0, bytes: 0 };
      byDev.set(dev ?? '', labels);
      this.size++;
      this.created = true;
    }
    this.addTo(labels, packets, bytes);
    return labels;
  }

  /** Counts into a label set add() returned (no lookup by text: a scrape of every route does this 150,000 times). */
  addTo(labels: RouteLabels, packets: Count, bytes: Count): void {
    if (labels.used !== this.generation) {
      labels.used = this.generation;
      labels.packets = 0;
      labels.bytes = 0;
      this.used.push(labels);
    }
    labels.packets = addCounts(labels.packets, packets);
    labels.bytes = addCounts(labels.bytes, bytes);
  }

  /** Ends the scrape: its series in address order (their counts valid until the next scrape). */
  take(): readonly RouteLabels[] {
    const now = this.generation;
    const same = !this.created && this.used.length === this.sorted.length && this.sorted.every((labels) => labels.used === now);
    const series = same ? this.sorted : this.used.sort(compareRouteLabels);
    if (this.size > 2 * series.length + 1024) this.dropUnused();
    this.sorted = series;
    this.used = [];
    this.created = false;
    this.generation++;
    return series;
  }

  private dropUnused(): void {
    this.drops++;
    for (const [prefix, byHop] of this.entries) {
      for (const [hop, byDev] of byHop) {
        for (const [dev, labels] of byDev) {
          if (labels.used === this.generation) continue;
          byDev.delete(dev);
          this.size--;
        }
        if (byDev.size === 0) byHop.delete(hop);
      }
      if (byHop.size === 0) this.entries.delete(prefix);
    }
  }
}

/** The exposition text of `families`, ending in a newline. */
export function formatPromFamilies(families: readonly PromFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = sample.labelText ?? (sample.labels ? formatLabels(sample.labels) : '');
      lines.push(`${family.name}${labels} ${formatValue(sample.value)}`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function formatLabels(labels: Record<string, string>): string {
  let text = '';
  for (const name in labels) text += `${text ? ',' : ''}${name}="${escapeLabelValue(labels[name])}"`;
  return `{${text}}`;
}

const NEEDS_ESCAPE = /[\\"\n]/;

/** Label values: backslash, double quote and line feed escaped, as the format requires. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** HELP text: backslash and line feed escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

/**
 * Counts as plain digits, every one of them (a bigint above 2^53: Prometheus parses the text as
 * a float64, so it is the reader that rounds, not the writer); anything else in Go float syntax.
 */
function formatValue(value: Count): string {
  if (typeof value === 'bigint' || Number.isSafeInteger(value)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return String(value);
}

// ---------------------------------------------------------------------------------------------
// Top-K destinations with an `other` bucket

export interface TopDestinationsSample {
  /** The top K by packets, busiest first, each with what it counted as a member (its series). */
  members: DestinationCounters[];
  /** Counted minus the members' series: the rest. */
  other: { packets: Count; bytes: Count };
}

/**
 * The HELP text of `fibscope_destination_{packets,bytes}_total` (serve's too): what a series
 * holds, so that a reader knows the K series and `other` add up to counted.
 */
export function destinationHelp(what: string, k: number): string {
  return `${what} of the top ${k} destinations by packets, each counted since it joined the top (whole counts for the top of the first scrape); `
    + 'address="other": the rest, so the series add up to the counted total; a destination that leaves moves into other and starts again at 0 if it joins again.';
}

/**
 * Bounded per-destination series across scrapes: the top K, each with what it counted as a
 * member, and `other`, the rest (the accounting of top-membership.ts). Ties keep the current members, so equal counts
 * do not make the set flap.
 */
export class TopDestinations {
  readonly k: number;
  private readonly membership = new TopMembership();

  constructor(k: number) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`top destinations: expected a whole number of at least 1, got ${k}`);
    this.k = k;
  }

  /** Picks the top K of `destinations` (every counted destination, any order) and moves the membership on. */
  update(destinations: readonly DestinationCounters[]): TopDestinationsSample {
    let packets: Count = 0;
    let bytes: Count = 0;
    const top: DestinationCounters[] = [];
    for (const d of destinations) {
      packets = addCounts(packets, d.packets);
      bytes = addCounts(bytes, d.bytes);
      if (top.length === this.k && !this.ranksAbove(d, top[top.length - 1])) continue;
      // insertion into the short sorted list; most destinations never get here
      if (top.length === this.k) top.pop();
      let at = top.length;
      while (at > 0 && this.ranksAbove(d, top[at - 1])) at--;
      top.splice(at, 0, d);
    }
    const sample = this.membership.advance(top, { packets, bytes });
    return { members: top.map((d, i) => ({ ...d, ...sample.members[i] })), other: sample.other };
  }

  /** Busier first; on equal packets, a current member first, then more bytes, then address order. */
  private ranksAbove(a: DestinationCounters, b: DestinationCounters): boolean {
    if (a.packets !== b.packets) return a.packets > b.packets;
    const memberA = this.membership.has(a.address);
    if (memberA !== this.membership.has(b.address)) return memberA;
    if (a.bytes !== b.bytes) return a.bytes > b.bytes;
    return a.address < b.address;
  }
}
