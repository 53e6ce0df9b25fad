// /metrics' route series with `--top-routes K`: the K busiest routes by packets, picked in
// WebAssembly at each scrape (Analyzer.topRoutes: one pass, O(K) memory, no object per route),
// and `prefix="other"`, accounted as the top destinations are (report/top-membership.ts):
//   - a member's series counts what it counted since it joined the top K (its whole count for
//     the members of the first scrape, and of the first after a reset of the counters);
//   - a member that leaves the top while still in the table drops its series: `other` takes it;
//   - a member removed from the table (or replaced) drops its series, and its last shown value
//     goes to `fibscope_removed_route_packets_total`, as every removed route's does without
//     top K; what it counted after that scrape, and what routes outside the top counted before
//     they went, stay in `other`, which so never goes down;
//   - `other` is counted − unrouted − removed − the members' series: at every scrape the route
//     series, unrouted and removed add up to counted exactly, and no series goes down.
// Members are routes (an id and its generation); a multipath member has a series per next hop.
// Ties on packets keep current members (passed to the pick as preferred), then the lower id.
import type { Analyzer } from '../analyze/analyzer.js';
import type { Count } from '../analyze/report.js';
import type { TopRoute } from '../analyze/top-routes.js';
import type { Fib, RouteRowFields } from '../fib/fib.js';
import { addCounts, compareCounts, subtractCounts } from '../report/count.js';
import { RouteLabelCache, type RouteLabels, type RouteSeriesValues } from '../report/prom.js';

interface Member {
  generation: number;
  joinPackets: Count;
  joinBytes: Count;
  /** Per next hop of a multipath route: its counts when the series started. */
  joinPaths?: { packets: Count; bytes: Count }[];
  lastPackets: Count;
  lastBytes: Count;
  /**
   * A single-path member's label set, and RouteLabelCache.drops when it was looked up: while that
   * holds, a scrape counts into it without describing the route and looking its labels up again
   */
  labels?: RouteLabels;
  drops?: number;
}

export interface TopRouteSample {
  /** The members' series (in address order, label sets alike merged) and `other`, last. */
  series: RouteSeriesValues[];
  /** `fibscope_removed_route_packets_total`. */
  removedPackets: Count;
}

const OTHER_VALUES = { prefix: 'other', next_hop: '', dev: '', family: '' };
const OTHER_TEXT = '{prefix="other",next_hop="",dev="",family=""}';

export class TopRouteSeries {
  readonly k: number;
  private members = new Map<number, Member>();
  private readonly labels = new RouteLabelCache();
  private removedPackets: Count = 0;
  private removedBytes: Count = 0;
  private lastCounted: Count = 0;
  /** The K-th count of the last pick (0 when it had fewer): counts only grow, so the next pick starts there. */
  private kthPackets = 0;
  /** No scrape since the counting started or was reset: members start with their whole counts. */
  private fresh = true;
  private readonly row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };

  constructor(k: number) {
    if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`top routes: expected a whole number of at least 1, got ${k}`);
    this.k = k;
  }

  /**
   * Picks the top K now and moves the membership on. `totals` are the report's of this scrape
   * (read before the pick: packets counted in between go nowhere, the loop does not turn).
   */
  sample(analyzer: Analyzer, fib: Fib, totals: { counted: Count; unroutedPackets: Count; unroutedBytes: Count }): TopRouteSample {
    const picked = analyzer.topRoutes(this.k, [...this.members.keys()], this.kthPackets);
    if (compareCounts(totals.counted, this.lastCounted) < 0 || picked.routes.some((r) => this.countWentDown(r))) {
      // the counters were reset: what was shown before is gone with them
      this.members.clear();
      this.removedPackets = 0;
      this.removedBytes = 0;
      this.fresh = true;
    }
    this.lastCounted = totals.counted;
    const next = new Map<number, Member>();
    for (const route of picked.routes) {
      const member = this.members.get(route.id);
      if (member && member.generation === route.generation) next.set(route.id, member);
    }
    // members gone from the table take their last shown series to `removed`
    for (const [id, member] of this.members) {
      if (next.has(id) || analyzer.routeIsLive(id, member.generation)) continue;
      this.removedPackets = addCounts(this.removedPackets, subtractCounts(member.lastPackets, member.joinPackets));
      this.removedBytes = addCounts(this.removedBytes, subtractCounts(member.lastBytes, member.joinBytes));
    }
    let otherPackets = subtractCounts(subtractCounts(totals.counted, totals.unroutedPackets), this.removedPackets);
    let otherBytes = subtractCounts(subtractCounts(picked.countedBytes, totals.unroutedBytes), this.removedBytes);
    for (const route of picked.routes) {
      let member = next.get(route.id);
      if (!member) {
        member = this.fresh
          ? { generation: route.generation, joinPackets: 0, joinBytes: 0, lastPackets: 0, lastBytes: 0 }
          : {
            generation: route.generation, joinPackets: route.packets, joinBytes: route.bytes, lastPackets: 0, lastBytes: 0,
            joinPaths: route.paths?.map((p) => ({ ...p })),
          };
        next.set(route.id, member);
      }
      member.lastPackets = route.packets;
      member.lastBytes = route.bytes;
      const packets = subtractCounts(route.packets, member.joinPackets);
      const bytes = subtractCounts(route.bytes, member.joinBytes);
      otherPackets = subtractCounts(otherPackets, packets);
      otherBytes = subtractCounts(otherBytes, bytes);
      this.addSeries(fib, route, member, packets, bytes);
    }
    this.members = next;
    this.fresh = false;
    const kth = picked.routes.length === this.k ? picked.routes[this.k - 1].packets : 0;
    this.kthPackets = typeof kth === 'number' ? kth : 0; // (a bigint would round: start from 0)
    const series: RouteSeriesValues[] = [...this.labels.take()];
    series.push({ values: OTHER_VALUES, text: OTHER_TEXT, packets: otherPackets, bytes: otherBytes });
    return { series, removedPackets: this.removedPackets };
  }

  /** The member's series: one, or one per next hop of a multipath route. */
  private addSeries(fib: Fib, route: TopRoute, member: Member, packets: Count, bytes: Count): void {
    if (member.labels && member.drops === this.labels.drops) {
      this.labels.addTo(member.labels, packets, bytes);
      return;
    }
    const row = this.row;
    if (!fib.describeInto(route.id, row)) throw new Error(`top routes: route ${route.id} was picked but is not in the table`);
    const hops = row.nextHops;
    if (!hops || hops.length <= 1) {
      member.labels = this.labels.add(row.prefix, row.nextHop, row.dev, packets, bytes);
      member.drops = this.labels.drops;
      return;
    }
    hops.forEach((hop, i) => {
      const now = route.paths?.[i] ?? { packets: 0, bytes: 0 };
      const join = member.joinPaths?.[i] ?? { packets: 0, bytes: 0 };
      this.labels.add(row.prefix, hop.via, hop.dev, subtractCounts(now.packets, join.packets), subtractCounts(now.bytes, join.bytes));
    });
  }

  private countWentDown(route: TopRoute): boolean {
    const member = this.members.get(route.id);
    return member !== undefined && member.generation === route.generation && compareCounts(route.packets, member.lastPackets) < 0;
  }
}
