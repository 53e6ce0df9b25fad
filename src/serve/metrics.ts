// GET /metrics: the counters as they are at scrape time, in the families of `analyze -f prom`
// (the filter's, the rules' and the anomaly classes' among them) plus those only a live server has
// (table size, route and rule set changes, whether the capture is read, the anomaly classes' busiest
// sources).
//
// A scrape costs one pass over the route counters (read in place: no object per route; with
// --top-routes K, the K picked in WebAssembly) and, with top-K series, one over the destinations
// (picked in WebAssembly, nothing sorted). A text is built once the event loop has
// polled for I/O again, and every scrape that arrives until then shares it: two hundred
// scrapers at once cost a few scrapes, and each gets the same bytes (one Buffer, written to every
// socket without copies).
import type { Analyzer } from '../analyze/analyzer.js';
import type { Fib } from '../fib/fib.js';
import { formatPromFamilies, promFamilies, type RouteChangeCounts } from '../report/prom.js';
import { EveryRouteSeries } from './every-route-series.js';
import { anomalyTopSourcesFamily } from './anomaly-source-series.js';
import { ruleSetChangesFamily } from './rule-set-changes.js';
import type { ServedRouting } from './routing.js';
import { TopDestinationSeries } from './top-destination-series.js';
import { TopRouteSeries } from './top-route-series.js';

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
  /** Route series for the top K routes by packets, and `other`; absent (the default) for every route. */
  topRoutes?: number;
  /** /report text held for clients still reading it, in bytes. */
  reportBytesInFlight?: () => number;
  /** Rule sets put in force or removed through the API. */
  ruleSetChanges?: () => number;
  /** Routes learned from BGP and BMP: gives the fibscope_bgp_* families. */
  routing?: () => ServedRouting | undefined;
}

export class MetricsEndpoint {
  private readonly source: MetricsSource;
  /** Keeps the top-K membership from scrape to scrape: no series goes down, and they add up to counted. */
  private readonly destinations?: TopDestinationSeries;
  /** Every route's series, read from the counters (without --top-routes). */
  private readonly everyRoute = new EveryRouteSeries();
  /** Keeps the top-K route membership from scrape to scrape, as `destinations` does. */
  private readonly routes?: TopRouteSeries;
  /** The text being built, which scrapes arriving meanwhile share. */
  private pending?: Promise<Buffer>;
  /** How many texts were built (a scrape that shared one did not build it). */
  builds = 0;

  constructor(source: MetricsSource) {
    this.source = source;
    const k = source.topDestinations ?? 0;
    if (k > 0) this.destinations = new TopDestinationSeries(k);
    if (source.topRoutes !== undefined) this.routes = new TopRouteSeries(source.topRoutes);
  }

  /** The text as UTF-8 bytes, shared by every scrape that arrives while it is being built. */
  render(): Promise<Buffer> {
    this.pending ??= new Promise<Buffer>((resolve, reject) => {
      // the second setImmediate runs after the next poll: the requests read there join in
      setImmediate(() => setImmediate(() => {
        this.pending = undefined;
        try {
          resolve(this.build());
        } catch (error) {
          reject(error);
        }
      }));
    });
    return this.pending;
  }

  private build(): Buffer {
    this.builds++;
    const { analyzer, fib, changes, capture } = this.source;
    // no route or destination objects: the routes are read from their counters (every route, or
    // the top K picked in WebAssembly) and the destinations picked apart
    const report = analyzer.snapshot({ destinations: false, routes: false });
    const totals = report.totals;
    const top = this.routes?.sample(analyzer, fib,
      { counted: totals.counted, unroutedPackets: totals.noRoute.packets, unroutedBytes: totals.noRoute.bytes });
    const families = promFamilies(report, {
      table: fib.stats(),
      routeChanges: changes,
      captureReading: capture?.reading,
      routeSeries: top ? { k: this.routes!.k, series: top.series, removedPackets: top.removedPackets }
        : this.everyRoute.sample(analyzer, fib, totals),
    });
    const topSources = anomalyTopSourcesFamily(report);
    if (topSources) families.push(topSources);
    if (this.source.ruleSetChanges) families.push(ruleSetChangesFamily(this.source.ruleSetChanges()));
    if (this.destinations) families.push(...this.destinations.families(analyzer));
    const routing = this.source.routing?.();
    if (routing) families.push(...routing.families());
    families.push({
      name: 'fibscope_wasm_memory_bytes',
      help: 'Size of the WebAssembly memory (tables, counters and report scratch), which never shrinks.',
      type: 'gauge',
      labelNames: [],
      samples: [{ value: fib.engine().wasm.memory.buffer.byteLength }],
    });
    if (this.source.reportBytesInFlight) {
      families.push({
        name: 'fibscope_report_bytes_in_flight',
        help: 'Bytes of /report text held for clients still reading it (bounded: past the bound, /report answers 503).',
        type: 'gauge',
        labelNames: [],
        samples: [{ value: this.source.reportBytesInFlight() }],
      });
    }
    return Buffer.from(formatPromFamilies(families));
  }
}
