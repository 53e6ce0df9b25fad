// /metrics' route series without --top-routes: every route that counted, read straight from the
// route counters (Analyzer.forEachRouteCounter) rather than from a report, which would make an
// object per route and sort them. A route's label sets are looked up once and kept by route id
// (and the id's generation: a new route under a reused id is looked up afresh), so a scrape of
// an unchanged table only adds counts into them; RouteLabelCache merges label sets alike and keeps
// their address order between scrapes. What `analyze -f prom` shows, the same values.
import type { Analyzer } from '../analyze/analyzer.js';
import type { Count } from '../analyze/report.js';
import type { Fib, RouteRowFields } from '../fib/fib.js';
import { addCounts, readCount, subtractCounts } from '../report/count.js';
import { RouteLabelCache, type RouteLabels, type RouteSeriesValues } from '../report/prom.js';

interface KnownRoute {
  generation: number;
  /** RouteLabelCache.drops when looked up: its label sets may have been dropped since. */
  drops: number;
  /** One label set, or one per next hop of a multipath route. */
  labels: RouteLabels[];
}

export class EveryRouteSeries {
  private readonly labels = new RouteLabelCache();
  private known: (KnownRoute | undefined)[] = [];
  private readonly row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };

  /**
   * The series of this scrape, and the removed-route packets (counted − unrouted − the routes).
   * Call after analyzer.snapshot(), which zeroes the counters of routes gone since.
   */
  sample(analyzer: Analyzer, fib: Fib, totals: { counted: Count; noRoute: { packets: Count } }): { series: readonly RouteSeriesValues[]; removedPackets: Count } {
    let routed: Count = 0;
    const cache = this.labels;
    analyzer.forEachRouteCounter((id, generation, packets, bytes, view, paths, pathCount) => {
      routed = addCounts(routed, packets);
      let known = this.known[id];
      if (!known || known.generation !== generation || known.drops !== cache.drops) {
        known = this.lookUp(fib, id, generation, packets, bytes, view, paths, pathCount);
        if (known) this.known[id] = known;
        return;
      }
      if (known.labels.length === 1) {
        cache.addTo(known.labels[0], packets, bytes);
        return;
      }
      known.labels.forEach((labels, hop) => {
        const counted = paths !== 0 && hop < pathCount;
        cache.addTo(labels, counted ? readCount(view, paths + hop * 16) : 0, counted ? readCount(view, paths + hop * 16 + 8) : 0);
      });
    });
    return {
      series: cache.take(),
      removedPackets: subtractCounts(subtractCounts(totals.counted, totals.noRoute.packets), routed),
    };
  }

  /** Counts a route met for the first time (or since its id or its label sets changed) by its labels' text. */
  private lookUp(fib: Fib, id: number, generation: number, packets: Count, bytes: Count,
    view: DataView, paths: number, pathCount: number): KnownRoute | undefined {
    const row = this.row;
    // after snapshot() every counter that counted is of a route in the table
    if (!fib.describeInto(id, row)) return undefined;
    const cache = this.labels;
    const hops = row.nextHops;
    if (!hops || hops.length <= 1) {
      return { generation, drops: cache.drops, labels: [cache.add(row.prefix, row.nextHop, row.dev, packets, bytes)] };
    }
    const labels = hops.map((hop, i) => {
      const counted = paths !== 0 && i < pathCount;
      return cache.add(row.prefix, hop.via, hop.dev, counted ? readCount(view, paths + i * 16) : 0, counted ? readCount(view, paths + i * 16 + 8) : 0);
    });
    return { generation, drops: cache.drops, labels };
  }
}
