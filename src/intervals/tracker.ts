// Time bins as a clock listener (analyze/capture-clock.ts): the feed stops before the first
// record at or past a bin's end, the bin closes there (bin-difference in WebAssembly), and
// reading resumes. So a record counts in the bin open when it is read, each record in exactly
// one bin, at no cost per packet.
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeArgumentError, FibscopeOutOfMemoryError } from '../errors.js';
import type { ClockListener, Moment } from '../analyze/capture-clock.js';
import { closeBin, NO_POINTS, type BinRoutePoints } from './read-bin.js';
import type { Interval } from './interval.js';

const BILLION = 1_000_000_000n;

export interface IntervalOptions {
  /** The width of a bin in nanoseconds (parseDuration gives it from `1s`, `500ms`...). */
  binNanoseconds: bigint | number;
  /** Routes and destinations listed per bin, busiest first; the rest are summed. 0 lists all. Default 20. */
  top?: number;
  /** False: bins list no destinations (all summed in `otherDestinations`), which saves reading their addresses. */
  destinations?: boolean;
  /**
   * False: bins list no route rows (all summed in `otherRoutes`); the routes come only as ids in
   * onBin's `routes` (a chart per route id, without an object per route and bin).
   */
  describeRoutes?: boolean;
  /**
   * Where the first bin starts. Default: the first record's time rounded down to a multiple of
   * the width since 1970 (bins of wall-clock seconds, minutes...). `'first'`: the first record's
   * time itself, as tshark's io,stat. A moment: there (a record before it counts in the first bin).
   */
  start?: Moment | 'first';
  /**
   * Called as each bin closes, in time order; a run of empty bins comes as one Interval. `detail`
   * has its bounds in nanoseconds since 1970 and its routes by id, in the order of its rows.
   */
  onBin: (interval: Interval, detail: { startNanoseconds: bigint; endNanoseconds: bigint; routes: BinRoutePoints }) => void;
}

/** What trackIntervals needs of an analyzer. */
export interface TrackedCounters {
  fib: Fib;
  wasm: FibscopeExports;
  counters: number;
  /** Whether a filter is in force (its rejected records show in each bin's totals). */
  filtered: () => boolean;
  addClockListener(listener: ClockListener): void;
  removeClockListener(listener: ClockListener): void;
}

/** A running set of time bins: `finish()` closes the last one (at the end of the capture). */
export interface IntervalTracking {
  finish(): void;
  /** Stops without closing the open bin (the capture failed); nothing after finish(). Both give the baseline's memory back. */
  cancel(): void;
}

function nanosecondsOf(moment: Moment): bigint {
  return BigInt(moment.seconds) * BILLION + BigInt(moment.nanoseconds);
}

function momentOf(nanoseconds: bigint): Moment {
  return { seconds: Number(nanoseconds / BILLION), nanoseconds: Number(nanoseconds % BILLION) };
}

export function checkIntervalOptions(options: IntervalOptions): { width: bigint; top: number } {
  const width = typeof options.binNanoseconds === 'bigint' ? options.binNanoseconds
    : Number.isSafeInteger(options.binNanoseconds) ? BigInt(options.binNanoseconds) : 0n;
  if (width < 1n) throw new FibscopeArgumentError(`binNanoseconds must be a whole number from 1, got ${options.binNanoseconds}`);
  const top = options.top ?? 20;
  if (!Number.isSafeInteger(top) || top < 0) throw new FibscopeArgumentError(`top must be a whole number (0 for all), got ${top}`);
  if (typeof options.onBin !== 'function') throw new FibscopeArgumentError('trackIntervals needs an onBin function');
  return { width, top };
}

/** Starts time bins on `tracked`'s counters from its next record on. */
export function trackIntervals(tracked: TrackedCounters, options: IntervalOptions): IntervalTracking {
  const { width, top } = checkIntervalOptions(options);
  const { fib, wasm, counters } = tracked;
  const baseline = wasm.intervalsBaselineCreate() >>> 0;
  // what counted before tracking started is not in any bin
  const before = wasm.intervalsClose(baseline, counters, 0, 0) >>> 0;
  if (before === 0) {
    wasm.intervalsBaselineFree(baseline);
    throw new FibscopeOutOfMemoryError('time bins', 'out of WebAssembly memory: no room for the baseline of the time bins');
  }
  wasm.intervalsBinFree(before);
  const explicitStart = options.start === undefined || options.start === 'first' ? undefined : nanosecondsOf(options.start);
  const atFirst = options.start === 'first';
  let digits = width % 1000n !== 0n || (explicitStart !== undefined && explicitStart % 1000n !== 0n) ? 9 : 6;
  let binStart: bigint | undefined;
  // before the first record, wait for it (any time is at or past 0)
  let next: Moment | undefined = { seconds: 0, nanoseconds: 0 };
  let finished = false;

  const emit = (start: bigint, end: bigint, bins: number, withRows: boolean) => {
    const { points, ...rows } = withRows
      ? closeBin(fib, wasm, baseline, counters, top, tracked.filtered(), options.destinations ?? true, options.describeRoutes ?? true)
      : { points: NO_POINTS, ...emptyRows(tracked.filtered()) };
    options.onBin({ start: isoTime(start, digits), end: isoTime(end, digits), bins, ...rows }, { startNanoseconds: start, endNanoseconds: end, routes: points });
  };

  const listener: ClockListener = {
    nextMoment: () => next,
    reach(now) {
      const time = nanosecondsOf(now);
      if (binStart === undefined) {
        binStart = explicitStart ?? (atFirst ? time : time - (time % width));
        if (binStart % 1000n !== 0n) digits = 9;
        if (time < binStart + width) {
          next = momentOf(binStart + width);
          return;
        }
      }
      const end = binStart + width;
      emit(binStart, end, 1, true);
      // the bin `now` falls in; those between are empty: no record was read since `end`
      const opened = binStart + ((time - binStart) / width) * width;
      if (opened > end) emit(end, opened, Number((opened - end) / width), false);
      binStart = opened;
      next = momentOf(opened + width);
    },
  };
  tracked.addClockListener(listener);
  const stop = (closeLast: boolean) => {
    if (finished) return;
    finished = true;
    tracked.removeClockListener(listener);
    try {
      if (closeLast && binStart !== undefined) emit(binStart, binStart + width, 1, true);
    } finally {
      wasm.intervalsBaselineFree(baseline);
    }
  };
  return { finish: () => stop(true), cancel: () => stop(false) };
}

function emptyRows(filtered: boolean): Omit<Interval, 'start' | 'end' | 'bins'> {
  return {
    totals: {
      records: 0, bytes: 0, ...(filtered ? { filtered: 0 } : {}), counted: 0, ipv4: 0, ipv6: 0, nonIp: 0, malformed: 0,
      unsupportedLink: 0, noRoute: { packets: 0, bytes: 0 },
    },
    routes: [],
    otherRoutes: { routes: 0, packets: 0, bytes: 0 },
    destinations: [],
    otherDestinations: { destinations: 0, packets: 0, bytes: 0 },
  };
}

/** ISO 8601 UTC with `digits` decimals, as the report's times. */
export function isoTime(nanoseconds: bigint, digits: number): string {
  const seconds = nanoseconds / BILLION;
  const fraction = String(nanoseconds % BILLION).padStart(9, '0').slice(0, digits);
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}
