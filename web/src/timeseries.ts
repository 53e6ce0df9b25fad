// Traffic per route over the capture, in equal time bins (Wireshark's io,stat). A second pass
// over the capture through an Analyzer that also counts the charted routes per time bin in
// WebAssembly (trackTimeSeries): no per-record JavaScript, whatever the capture's size. The bins
// must add up to the first pass's totals for those routes, or nothing is shown.
import { Analyzer, type Fib } from '../../src/index.js';

export interface TimeSeries {
  /** width of every bin */
  binSeconds: number;
  /** the first bin starts at the capture's earliest counted packet: ISO 8601 UTC, as the report writes times */
  start: string;
  /** one per charted route, in the order asked for; one value per bin */
  series: { prefix: string; packets: number[]; bytes: number[] }[];
}

/** A route to chart, with what the whole analysis counted for it. */
export interface SeriesRoute {
  prefix: string;
  /** the report's counts (bigints above 2^53) */
  packets: number | bigint;
  bytes: number | bigint;
}

/** A time as the Analyzer gives it. */
export interface Instant {
  seconds: number;
  nanoseconds: number;
}

export interface TimeSeriesOptions {
  routes: readonly SeriesRoute[];
  /** the first and last counted packet of the first pass (`analyzer.timeSpan()`) */
  span: { first: Instant; last: Instant };
  /** decimal digits of the report's times (6 or 9) */
  digits: number;
  /** at most this many bins; default 100 */
  maxBins?: number;
  /** stops the work between chunks */
  signal?: AbortSignal;
  /** lets other work in between chunks (the worker's cancel messages) */
  yieldNow?: () => Promise<void>;
  /** the first pass' pcap-filter expression: the routes counted only what it accepted */
  filter?: string;
}

// ---------------------------------------------------------------- bins

const DAY = 86400;
/** Bin widths in seconds, as io,stat users pick them: 1-2-5 steps, then minutes, hours, days. */
export const BIN_SECONDS: readonly number[] = [
  1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY, 730 * DAY, 1825 * DAY, 3650 * DAY, 36500 * DAY,
];

/** The narrowest width that cuts `spanSeconds` into at most `maxBins` bins. */
export function chooseBinSeconds(spanSeconds: number, maxBins: number): number {
  for (const width of BIN_SECONDS) if (Math.floor(spanSeconds / width) + 1 <= maxBins) return width;
  return BIN_SECONDS[BIN_SECONDS.length - 1];
}

/** ISO 8601 UTC with `digits` decimals, as the report writes times. */
export function formatTime(seconds: number, nanoseconds: number, digits: number): string {
  const fraction = String(Math.floor(nanoseconds / 10 ** (9 - digits))).padStart(digits, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 20)}${fraction}Z`;
}

/** Decimal digits of a report's times (6 or 9): those of its destinations' first time. */
export function reportDigits(report: { destinations: readonly { firstSeen: string }[] }): number {
  const digits = /\.(\d+)Z$/.exec(report.destinations[0]?.firstSeen ?? '')?.[1].length ?? 6;
  return Math.min(9, Math.max(6, digits));
}

/**
 * The time series of `options.routes`, from the capture's bytes as `chunks` (read a second time).
 * Throws when the bins do not add up to the whole analysis's counts of those routes.
 */
export async function captureTimeSeries(fib: Fib, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  options: TimeSeriesOptions): Promise<TimeSeries> {
  const { first, last } = options.span;
  const spanNanoseconds = (last.seconds - first.seconds) * 1e9 + (last.nanoseconds - first.nanoseconds);
  const binSeconds = chooseBinSeconds(spanNanoseconds / 1e9, options.maxBins ?? 100);
  const binNanoseconds = Math.round(binSeconds * 1e9);
  const bins = Math.floor(spanNanoseconds / binNanoseconds) + 1;
  const ids = options.routes.map((route) => {
    const id = fib.routesFor(route.prefix)[0]?.id;
    if (id === undefined) throw new Error(`route ${route.prefix} is no longer in the table`);
    return id;
  });
  // the analysis' filter, or the routes would count what it rejected
  const analyzer = new Analyzer({ fib, name: 'time series', filter: options.filter });
  try {
    analyzer.trackTimeSeries({ routes: ids, start: first, binNanoseconds, bins });
    let paused = performance.now();
    for await (const chunk of chunks) {
      options.signal?.throwIfAborted();
      analyzer.push(chunk);
      if (analyzer.failed) break; // damage: the first pass stopped there too
      if (options.yieldNow && performance.now() - paused > 50) {
        await options.yieldNow();
        paused = performance.now();
      }
    }
    options.signal?.throwIfAborted();
    analyzer.end();
    const counted = analyzer.timeSeries() ?? [];
    const series = options.routes.map((route, i) => ({ prefix: route.prefix, packets: counted[i].packets, bytes: counted[i].bytes }));
    for (const [i, route] of options.routes.entries()) {
      const packets = series[i].packets.reduce((a, b) => a + b, 0);
      const sum = series[i].bytes.reduce((a, b) => a + b, 0);
      if (packets !== Number(route.packets) || sum !== Number(route.bytes)) {
        throw new Error(`the bins of ${route.prefix} add up to ${packets} packets and ${sum} bytes, `
          + `not the ${route.packets} packets and ${route.bytes} bytes of the analysis`);
      }
    }
    return { binSeconds, start: formatTime(first.seconds, first.nanoseconds, options.digits), series };
  } finally {
    analyzer.dispose();
  }
}
