// GET /metrics: the counters as they are at scrape time, in the families of `analyze -f prom`
// plus those only a live table has (table size, route changes, whether the capture is read).
import type { Analyzer } from '../analyze/analyzer.js';
import type { Fib } from '../fib/fib.js';
import { formatProm, RouteLabelCache, TopDestinations, type RouteChangeCounts } from '../report/prom.js';

/** The Prometheus text format's content type, which scrapers check. */
export const PROM_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsSource {
  analyzer: Analyzer;
  fib: Fib;
  changes: Readonly<RouteChangeCounts>;
  /** Absent when the counters are fed some other way than a capture stream. */
  capture?: { readonly reading: boolean };
  /** Per-destination series for the top K by packets, and `other`; 0 (the default) for none. */
  topDestinations?: number;
}

export class MetricsEndpoint {
  private readonly source: MetricsSource;
  /** Keeps the top-K membership from scrape to scrape, so that `other` only grows. */
  private readonly destinations?: TopDestinations;
  private readonly routeLabels = new RouteLabelCache();

  constructor(source: MetricsSource) {
    this.source = source;
    const k = source.topDestinations ?? 0;
    if (k > 0) this.destinations = new TopDestinations(k);
  }

  render(): string {
    const { analyzer, fib, changes, capture } = this.source;
    // the destinations are copied and sorted only when top-K series want them
    return formatProm(analyzer.snapshot({ destinations: this.destinations !== undefined }), {
      table: fib.stats(),
      routeChanges: changes,
      captureReading: capture?.reading,
      destinations: this.destinations,
      routeLabels: this.routeLabels,
    });
  }
}
