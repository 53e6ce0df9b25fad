import { FibscopeArgumentError, FibscopeOutOfMemoryError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';
import { buildReport, type InputState } from './build-report.js';
import { MAX_RECORD } from './read-errors.js';
import type { Count, Report } from './report.js';
import { readCount } from '../report/count.js';
import { topDestinations, type TopDestinations } from './top-destinations.js';
import { topRoutes, type TopRoutes } from './top-routes.js';
import { applyFilter, removeFilter, type ActiveFilter } from './filter-state.js';
import { applyRules, removeRules, type ActiveRules, type RulesOptions } from './rules-state.js';
import { registerInterfaceName } from '../classify/interfaces.js';
import type { RuleSet } from '../rules/index.js';
import { applyChecks, type ChecksOptions } from './checks-state.js';
import { viewBits, type ViewOptions } from './source-report.js';
import { earliestMoment, isStepping, reachMoment, type ClockListener, type Moment } from './capture-clock.js';
import { trackIntervals, type IntervalOptions, type IntervalTracking } from '../intervals/tracker.js';

/** The largest frame pushFrame takes: libpcap's largest record. */
const MAX_FRAME = MAX_RECORD;

export interface FrameOptions {
  /** The frame's link type (tcpdump.org/linktypes.html): 1 for Ethernet, 101 for raw IP… */
  linkType: number;
  /** When it was seen: a Date, milliseconds since 1970, or seconds and nanoseconds. Default 0. */
  time?: Date | number | { seconds: number; nanoseconds: number };
  /** Its length on the wire, when more than was captured. */
  originalLength?: number;
}

/** Seconds and nanoseconds since 1970 (u32 seconds, as pcap has them). */
function splitTime(time: NonNullable<FrameOptions['time']>): { seconds: number; nanoseconds: number } {
  if (typeof time === 'object' && !(time instanceof Date)) {
    const { seconds, nanoseconds } = time;
    if (!Number.isInteger(seconds) || seconds < 0 || seconds > 0xffffffff || !Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) {
      throw new FibscopeArgumentError(`time { seconds: ${seconds}, nanoseconds: ${nanoseconds} } is out of range`);
    }
    return { seconds, nanoseconds };
  }
  const ms = time instanceof Date ? time.getTime() : time;
  if (!Number.isFinite(ms) || ms < 0 || ms >= 0x100000000 * 1000) throw new FibscopeArgumentError(`time ${String(time)} is out of range`);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanoseconds: Math.min(999_999_999, Math.round((ms - seconds * 1000) * 1e6)) };
}

/** What `trackTimeSeries` counts: some routes' traffic in equal time bins (as io,stat). */
export interface TimeSeriesOptions {
  /** Route ids to watch (`fib.routesFor(prefix)[0].id`, say), at most 64. */
  routes: readonly number[];
  /** Where the first bin starts. A packet before it counts in the first bin, one after the last bin in the last. */
  start: { seconds: number; nanoseconds: number };
  /** The width of a bin, in nanoseconds. */
  binNanoseconds: number;
  /** How many bins, at most 1,000,000. */
  bins: number;
}

/** A watched route's packets and bytes per bin. */
export interface RouteSeries {
  route: number;
  packets: number[];
  bytes: number[];
}

const MAX_SERIES_ROUTES = 64;
const MAX_SERIES_BINS = 1_000_000;

/** What inputFeedInPlace returns when memory is too short for a counter per route (assembly/analyze.ts). */
const FEED_OUT_OF_MEMORY = 0xffffffff;

function outOfMemory(what: string, detail: string): FibscopeOutOfMemoryError {
  return new FibscopeOutOfMemoryError(what, `out of WebAssembly memory: ${detail}`);
}

export interface AnalyzerOptions {
  /** The routing table to classify by. Analyzers on one table share its WebAssembly instance. */
  fib: Fib;
  /** Names the first input in the report and in errors; '-' by default. */
  name?: string;
  /**
   * Counts only the records this pcap-filter expression accepts (tcpdump's language,
   * docs/filter.md); the others count in `totals.records` and `totals.filtered` only.
   */
  filter?: string;
  /**
   * Counts every record that passes the filter under the first rule of this set that matches it
   * (docs/rules.md): rule file text, iptables-save or `nft -j list ruleset` text, or a RuleSet.
   */
  rules?: RuleSet | string;
  /** Names the capture interface of pcap inputs, for rules and strict uRPF (pcapng names its own). */
  interfaceName?: string;
  /**
   * Counts the anomaly classes of docs/checks.md (bogon and private sources, uRPF, dropped,
   * land, TTL expiring...) in the report's `anomalies`; off by default.
   */
  checks?: boolean | ChecksOptions;
  /** Views of the source side to count: source routes, sources, interfaces, the route matrix. */
  views?: ViewOptions;
}

/**
 * Streaming capture analysis, in Node and browsers: push capture bytes as they arrive (pcap or
 * pcapng, any chunking), read the report at any time. One WebAssembly call per chunk does the
 * framing, parsing, lookups and counting; JavaScript only copies bytes in.
 */
export class Analyzer {
  readonly fib: Fib;
  private readonly wasm: FibscopeExports;
  private readonly ioPointer: number;
  private readonly buffer: number;
  private readonly bufferBytes: number;
  private counters: number;
  private inputs: InputState[] = [];
  private current: InputState;
  /** Bytes of the current input not read yet (a record cut short), waiting at tailAt. */
  private pending = 0;
  /** Where the pending bytes lie: the capture buffer's start, or in front of a read-ahead area's data. */
  private tailAt: number;
  /** The two read-ahead areas (assembly/analyze.ts), made on first use; 0 before. */
  private aheadAreas = 0;
  private readonly aheadBytes: number;
  private disposed = false;
  /** WebAssembly memory for pushFrame, made on its first call. */
  private frameBuffer = 0;
  /** What trackTimeSeries asked for. */
  private series: { routes: number[]; bins: number } | undefined;
  private activeFilter: ActiveFilter | undefined;
  private activeRules: ActiveRules | undefined;
  private checking = false;
  private views: ViewOptions = {};
  /** The interface number pcap inputs get (assembly/classify/interfaces.ts), 0 for none. */
  private readonly pcapInterface: number;
  /** What acts at moments of the capture's clock (capture-clock.ts). */
  private clockListeners: ClockListener[] = [];
  /** Where a stopped feed says its time (the I/O region's start). */
  private stopView = new Uint32Array(0);

  constructor(options: AnalyzerOptions) {
    if (!options?.fib) throw new FibscopeArgumentError('new Analyzer({ fib }) needs a Fib (await Fib.create())');
    this.fib = options.fib;
    const { wasm, ioPointer } = options.fib.engine();
    this.wasm = wasm;
    this.ioPointer = ioPointer;
    if (!wasm.memoryBelowSoftLimit()) throw outOfMemory('a new analyzer', 'no room for a new analyzer; nothing was made');
    this.buffer = wasm.captureBufferCreate() >>> 0;
    this.bufferBytes = wasm.captureBufferBytes();
    this.tailAt = this.buffer;
    this.aheadBytes = wasm.readAheadBytes();
    this.counters = wasm.countersCreate() >>> 0;
    try {
      this.pcapInterface = options.interfaceName === undefined ? 0 : registerInterfaceName(wasm, options.interfaceName);
      this.current = this.openInput(options.name ?? '-');
      if (options.filter !== undefined) this.setFilter(options.filter);
      if (options.rules !== undefined) this.setRules(options.rules);
      if (options.checks) this.setChecks(options.checks === true ? {} : options.checks);
      if (options.views) this.setViews(options.views);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /**
   * Counts from now on only the records `expression` accepts (pcap-filter syntax,
   * docs/filter.md); undefined counts every record again. Records already counted stay.
   * A bad expression throws FilterSyntaxError (or FilterUnsupportedError) and changes nothing.
   */
  setFilter(expression: string | undefined): void {
    this.checkUsable();
    if (expression === undefined) {
      removeFilter(this.wasm, this.counters, this.activeFilter);
      this.activeFilter = undefined;
      return;
    }
    if (typeof expression !== 'string') throw new FibscopeArgumentError(`a filter is a pcap-filter expression, got ${typeof expression}`);
    const next = applyFilter(this.wasm, this.counters, expression);
    this.activeFilter?.installed.release();
    this.activeFilter = next;
  }

  /**
   * Counts from now on every record that passes the filter under the first rule of `rules` that
   * matches it (docs/rules.md); undefined stops counting by rules. Rule counts start from zero.
   * A bad set throws RulesError (naming the line) and keeps the old one.
   */
  setRules(rules: RuleSet | string | undefined, options: RulesOptions = {}): void {
    this.checkUsable();
    if (rules === undefined) {
      removeRules(this.wasm, this.counters, this.activeRules);
      this.activeRules = undefined;
      return;
    }
    const next = applyRules(this.wasm, this.counters, rules, options);
    this.activeRules?.installed.release();
    this.activeRules = next;
  }

  /** The rule set in force: its rules' names and actions, and where it was read; undefined without one. */
  get rules(): { names: readonly string[]; actions: readonly ('count' | 'alert' | 'drop')[]; source?: string } | undefined {
    const active = this.activeRules;
    return active && { names: active.names, actions: active.actions, ...(active.source !== undefined ? { source: active.source } : {}) };
  }

  /**
   * Counts the anomaly classes (docs/checks.md) from now on, with `options`; false stops. A bad
   * bogon list throws BogonListError naming the line, with nothing changed.
   */
  setChecks(options: ChecksOptions | false): void {
    this.checkUsable();
    if (options === false) {
      this.wasm.countersChecksSet(this.counters, false);
      this.checking = false;
      return;
    }
    applyChecks(this.fib, this.wasm, this.counters, options);
    this.checking = true;
  }

  /**
   * Counts the source-side views of `views` from now on (the others stop); they count from the
   * next packet, so ask before pushing to have them whole.
   */
  setViews(views: ViewOptions): void {
    this.checkUsable();
    const top = views.matrix?.top;
    if (top !== undefined && (!Number.isInteger(top) || top < 1)) throw new FibscopeArgumentError(`the matrix's top must be a whole number from 1, got ${top}`);
    if (!this.wasm.countersViewsSet(this.counters, viewBits(views))) {
      throw outOfMemory('source views', 'no room for a source counter per route; no source view is counted');
    }
    this.views = { ...views };
  }

  /** The filter in force: its expression and the link types libpcap refuses it on; undefined without one. */
  get filter(): { expression: string; refusedLinkTypes: readonly number[] } | undefined {
    const active = this.activeFilter;
    return active && { expression: active.expression, refusedLinkTypes: active.refusedLinkTypes };
  }

  /** The capture stream continues with these bytes. */
  push(chunk: Uint8Array): void {
    this.checkUsable();
    const input = this.current;
    if (input.ended) throw new FibscopeArgumentError(`input ${input.path} has ended; start another with nextInput()`);
    for (let offset = 0; offset < chunk.length && !this.stopped(input);) {
      this.tailToBuffer();
      const room = this.bufferBytes - this.pending;
      const take = Math.min(room, chunk.length - offset);
      // the buffer never moves, but memory may have grown (detaching old views): view it afresh
      new Uint8Array(this.wasm.memory.buffer, this.buffer + this.pending, take).set(chunk.subarray(offset, offset + take));
      this.pending = this.feed(input, this.pending + take, false, `bytes ${offset}.. of the chunk were not read`);
      offset += take;
    }
  }

  private routeCount(): number {
    const stats = this.fib.stats();
    return stats.ipv4Routes + stats.ipv6Routes;
  }

  /**
   * Feeds `length` bytes from tailAt (the pending bytes and what follows them); throws, with
   * nothing read, when memory is too short for the routes' counters. With clock listeners, the
   * feed stops at each moment one waits for, lets it act, and goes on from the record it stopped
   * before. What is left unread stays where it lies: tailAt moves to it.
   */
  private feed(input: InputState, length: number, final: boolean, unread: string): number {
    const base = this.tailAt;
    // routes may have changed since: the checks need the types and devices of new ones
    if (this.checking) this.fib.describeRouteClasses();
    // with listeners the feed stops at their moments and goes on from the record it stopped
    // before, where it lies: the rest moves to the buffer's start once, at the end
    let used = 0;
    // one listener may act inside the feeds (route updates applied in step): no stop for its moments
    const stepping = this.clockListeners.find(isStepping);
    try {
      for (;;) {
        if (stepping) {
          stepping.stage(input.handle, this.wasm);
          // the routes it staged: the checks need their types and devices before they count
          if (this.checking) this.fib.describeRouteClasses();
        }
        if (this.clockListeners.length > 0) this.armStopTime(input);
        const step = this.wasm.inputFeedInPlace(input.handle, this.counters, base + used, length - used, final) >>> 0;
        stepping?.settle();
        if (step === FEED_OUT_OF_MEMORY) throw this.countersOutOfMemory(unread);
        used += step;
        if (this.clockListeners.length === 0 || !this.wasm.inputStoppedAt(input.handle, this.ioPointer)) break;
        // the view outlives calls until memory grows (a stop per moment: no view made each time);
        // the moment is a new object, a listener may keep it
        if (this.stopView.length === 0) this.stopView = new Uint32Array(this.wasm.memory.buffer, this.ioPointer, 2);
        reachMoment(this.clockListeners, { seconds: this.stopView[0], nanoseconds: this.stopView[1] });
        if (this.checking) this.fib.describeRouteClasses();
      }
    } finally {
      // nothing stays staged between feeds: the table is as the clock has it for any caller
      stepping?.unstage();
    }
    this.tailAt = base + used;
    return length - used;
  }

  /** Moves the pending bytes to `to` (ranges may overlap). */
  private moveTail(to: number): void {
    if (to === this.tailAt) return;
    if (this.pending > 0) new Uint8Array(this.wasm.memory.buffer).copyWithin(to, this.tailAt, this.tailAt + this.pending);
    this.tailAt = to;
  }

  /** The pending bytes back at the capture buffer's start, where push and pushFrom add to them. */
  private tailToBuffer(): void {
    this.moveTail(this.buffer);
  }

  /**
   * A view of read-ahead area `area`'s data (0 or 1; see read-ahead.ts), for a reader to fill
   * while the other area is counted; undefined when memory is too short for the areas. A view
   * dies when memory grows: take one per read.
   */
  aheadView(area: 0 | 1): Uint8Array | undefined {
    this.checkUsable();
    if (!this.aheadAreas) this.aheadAreas = this.wasm.readAreasCreate() >>> 0;
    if (!this.aheadAreas) return undefined;
    return new Uint8Array(this.wasm.memory.buffer, this.aheadData(area), this.aheadBytes);
  }

  /**
   * Counts `count` bytes a reader put in area `area` (after the pending bytes, which move in
   * front of them), then moves what is left unread in front of the other area's data: this area
   * is free to fill again as soon as this returns, while the other may be filling meanwhile.
   */
  pushAhead(area: 0 | 1, count: number): void {
    this.checkUsable();
    if (!this.aheadAreas) throw new FibscopeArgumentError('pushAhead before aheadView gave an area');
    const input = this.current;
    if (input.ended) throw new FibscopeArgumentError(`input ${input.path} has ended; start another with nextInput()`);
    this.moveTail(this.aheadData(area) - this.pending);
    if (count > 0 && !this.stopped(input)) {
      this.pending = this.feed(input, this.pending + count, false, 'the bytes just read were not counted');
    }
    this.moveTail(this.aheadData(area === 0 ? 1 : 0) - this.pending);
  }

  /** Where area `area`'s data starts: each area is room for the pending bytes (bufferBytes), then its data. */
  private aheadData(area: 0 | 1): number {
    return this.aheadAreas + this.bufferBytes + area * (this.bufferBytes + this.aheadBytes);
  }

  private countersOutOfMemory(unread: string): FibscopeOutOfMemoryError {
    return outOfMemory('route counters', `no room for a counter per route of the table (${this.routeCount()} routes); ${unread}`);
  }

  private armStopTime(input: InputState): void {
    const next = earliestMoment(this.clockListeners);
    this.wasm.inputSetStopTime(input.handle, next ? next.seconds : 2 ** 32, next ? next.nanoseconds : 0);
  }

  /**
   * Calls `listener.reach(now)` between two records whenever the capture's clock reaches the
   * moment it waits for (route updates applied in step with the capture, time bins...).
   * Listeners act in the order they were added.
   */
  addClockListener(listener: ClockListener): void {
    this.checkUsable();
    this.clockListeners.push(listener);
  }

  removeClockListener(listener: ClockListener): void {
    this.clockListeners = this.clockListeners.filter((l) => l !== listener);
    for (const input of this.inputs) this.wasm.inputSetStopTime(input.handle, 2 ** 32, 0);
  }

  /**
   * Lets the caller fill the capture buffer itself (a file read straight into WebAssembly
   * memory): `fill(view)` writes at most `view.length` bytes into it and returns how many.
   */
  async pushFrom(fill: (view: Uint8Array) => Promise<number>): Promise<number> {
    this.checkUsable();
    const input = this.current;
    this.tailToBuffer();
    const room = this.bufferBytes - this.pending;
    const view = new Uint8Array(this.wasm.memory.buffer, this.buffer + this.pending, room);
    const count = await fill(view);
    if (count > 0 && !this.stopped(input)) {
      this.pending = this.feed(input, this.pending + count, false, 'the bytes just filled in were not read');
    }
    return count;
  }

  /** pushFrom with a synchronous `fill` (readSync of a file): no promise per chunk. */
  pushFromSync(fill: (view: Uint8Array) => number): number {
    this.checkUsable();
    const input = this.current;
    this.tailToBuffer();
    const room = this.bufferBytes - this.pending;
    const count = fill(new Uint8Array(this.wasm.memory.buffer, this.buffer + this.pending, room));
    if (count > 0 && !this.stopped(input)) {
      this.pending = this.feed(input, this.pending + count, false, 'the bytes just filled in were not read');
    }
    return count;
  }

  /** The current input's stream is over: a record cut short now is damage. */
  end(): void {
    this.checkUsable();
    const input = this.current;
    if (input.ended) return;
    if (!this.stopped(input)) this.feed(input, this.pending, true, 'the end of the input was not read');
    this.pending = 0;
    input.ended = true;
  }

  /** Ends the current input and starts another (a second file); counters carry on. */
  nextInput(name: string): void {
    this.end();
    this.current = this.openInput(name);
  }

  /** True once the current input stopped early (damage, or not a capture at all). */
  get failed(): boolean {
    return this.stopped(this.current);
  }

  /**
   * Stops the current input for a reason found outside the capture format (a compressed stream
   * that breaks off, say): what was counted stays, the input's `error` says why.
   */
  fail(reason: string): void {
    if (!this.stopped(this.current)) this.current.hostError = reason;
  }

  /**
   * Counts one frame outside any capture stream: its bytes as captured, the link type they
   * start with, the original (wire) length (default: the bytes given) and the time.
   */
  pushFrame(frame: Uint8Array, options: FrameOptions): void {
    this.checkUsable();
    const { linkType, time = 0, originalLength = frame.length } = options;
    if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffffffff) {
      throw new FibscopeArgumentError(`pushFrame needs a link type 0..4294967295, got ${linkType}`);
    }
    if (frame.length > MAX_FRAME) throw new FibscopeArgumentError(`a frame of ${frame.length} bytes is over the ${MAX_FRAME}-byte limit`);
    if (!Number.isInteger(originalLength) || originalLength < frame.length || originalLength > 0xffffffff) {
      throw new FibscopeArgumentError(`originalLength ${originalLength} must be an integer of at least the frame's ${frame.length} bytes`);
    }
    const { seconds, nanoseconds } = splitTime(time);
    if (this.clockListeners.length) reachMoment(this.clockListeners, { seconds, nanoseconds });
    this.frameBuffer ||= this.wasm.hostBufferCreate(MAX_FRAME) >>> 0;
    if (this.frameBuffer === 0) throw outOfMemory('a frame buffer', 'no room to copy a frame in; it was not counted');
    if (this.checking) this.fib.describeRouteClasses();
    new Uint8Array(this.wasm.memory.buffer, this.frameBuffer, frame.length).set(frame);
    if (!this.wasm.countersCountFrame(this.counters, linkType, this.frameBuffer, frame.length, originalLength, seconds, nanoseconds,
      this.pcapInterface)) {
      throw outOfMemory('route counters', 'no room for a counter per route of the table; the frame was not counted');
    }
  }

  /**
   * The report of everything counted so far (docs/report.md), without stopping anything. With
   * `{ destinations: false }` it lists no destinations, which saves copying and sorting them
   * (a scrape of route counters, say).
   */
  report(options: { destinations?: boolean; routes?: boolean } = {}): Report {
    this.checkUsable();
    return buildReport(this.fib, this.wasm, this.ioPointer, this.counters, this.inputs, options.destinations ?? true,
      { filtered: this.activeFilter !== undefined, rules: this.activeRules, anomalies: this.checking, views: this.views },
      options.routes ?? true);
  }

  /**
   * From now on, also counts the packets and bytes of `routes` per time bin (for a chart of
   * traffic over time: run a capture through once for the report, pick the routes and the span,
   * then again with this). Replaces an earlier series; `reset()` zeroes it.
   */
  trackTimeSeries(options: TimeSeriesOptions): void {
    this.checkUsable();
    const { routes, start, binNanoseconds, bins } = options;
    if (routes.length > MAX_SERIES_ROUTES || !routes.every((id) => Number.isInteger(id) && id >= 0)) {
      throw new FibscopeArgumentError(`a time series watches up to ${MAX_SERIES_ROUTES} route ids`);
    }
    if (!Number.isInteger(bins) || bins < 1 || bins > MAX_SERIES_BINS) throw new FibscopeArgumentError(`bins must be 1..${MAX_SERIES_BINS}, got ${bins}`);
    if (!Number.isInteger(binNanoseconds) || binNanoseconds < 1 || binNanoseconds >= 2 ** 64) {
      throw new FibscopeArgumentError(`binNanoseconds must be a whole number from 1, got ${binNanoseconds}`);
    }
    const { seconds, nanoseconds } = splitTime(start);
    new Int32Array(this.wasm.memory.buffer, this.ioPointer, routes.length).set(routes);
    if (!this.wasm.countersSeriesSet(this.counters, this.ioPointer, routes.length, seconds, nanoseconds, binNanoseconds, bins)) {
      this.series = undefined;
      throw outOfMemory('a time series', `no room for ${routes.length} routes × ${bins} bins (16 bytes each); no series is kept`);
    }
    this.series = { routes: [...routes], bins };
  }

  /**
   * From the next record on, also reports traffic in time bins of `binNanoseconds` (docs/intervals.md):
   * `onBin` gets each bin as it closes, the difference of the counters between its two
   * boundaries; `finish()` on the result closes the last one (at the end of the capture).
   */
  trackIntervals(options: IntervalOptions): IntervalTracking {
    this.checkUsable();
    return trackIntervals({
      fib: this.fib, wasm: this.wasm, counters: this.counters, filtered: () => this.activeFilter !== undefined,
      addClockListener: (listener) => this.addClockListener(listener), removeClockListener: (listener) => this.removeClockListener(listener),
    }, options);
  }

  /** When the first and the last counted packet were seen (undefined before any). */
  timeSpan(): { first: { seconds: number; nanoseconds: number }; last: { seconds: number; nanoseconds: number } } | undefined {
    this.checkUsable();
    if (!this.wasm.countersTimeSpan(this.counters, this.ioPointer)) return undefined;
    const [firstSeconds, firstNanoseconds, lastSeconds, lastNanoseconds] = new Uint32Array(this.wasm.memory.buffer, this.ioPointer, 4);
    return { first: { seconds: firstSeconds, nanoseconds: firstNanoseconds }, last: { seconds: lastSeconds, nanoseconds: lastNanoseconds } };
  }

  /** The time series asked for with trackTimeSeries, as counted so far (undefined without one). */
  timeSeries(): RouteSeries[] | undefined {
    this.checkUsable();
    const series = this.series;
    if (!series || series.routes.length === 0) return undefined;
    const view = new DataView(this.wasm.memory.buffer, this.wasm.countersSeriesValues(this.counters) >>> 0);
    const u64 = (at: number) => view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x100000000;
    return series.routes.map((route, slot) => {
      const packets: number[] = new Array(series.bins);
      const bytes: number[] = new Array(series.bins);
      for (let bin = 0; bin < series.bins; bin++) {
        const at = (slot * series.bins + bin) * 16;
        packets[bin] = u64(at);
        bytes[bin] = u64(at + 8);
      }
      return { route, packets, bytes };
    });
  }

  /** The same as report(): every counter as it is now, while counting carries on. */
  snapshot(options: { destinations?: boolean; routes?: boolean } = {}): Report {
    return this.report(options);
  }

  /**
   * Zeroes every counter (routes, destinations, totals, the inputs' record counts). A capture
   * stream being read carries on where it was: its next records count from zero.
   */
  reset(): void {
    this.checkUsable();
    this.wasm.countersReset(this.counters);
    for (const input of this.inputs) this.wasm.inputResetRecords(input.handle);
  }

  /** Gives the WebAssembly memory of the counters and inputs back. The analyzer is unusable after. */
  dispose(): void {
    if (this.disposed) return;
    for (const input of this.inputs) this.wasm.inputFree(input.handle);
    // the counters go with their filter and rules: only the table slots need giving back
    this.activeFilter?.installed.release();
    this.activeRules?.installed.release();
    this.activeFilter = undefined;
    this.activeRules = undefined;
    this.wasm.countersFree(this.counters);
    this.wasm.captureBufferFree(this.buffer);
    if (this.aheadAreas) this.wasm.readAreasFree(this.aheadAreas);
    if (this.frameBuffer) this.wasm.hostBufferFree(this.frameBuffer, MAX_FRAME);
    this.disposed = true;
  }

  private openInput(path: string): InputState {
    const input: InputState = { path, handle: this.wasm.inputCreate() >>> 0, ended: false };
    if (this.pcapInterface) this.wasm.inputSetInterface(input.handle, this.pcapInterface);
    this.inputs.push(input);
    this.pending = 0;
    this.tailAt = this.buffer;
    return input;
  }

  private stopped(input: InputState): boolean {
    return input.hostError !== undefined || this.wasm.inputError(input.handle) !== 0;
  }

  private checkUsable(): void {
    if (this.disposed) throw new FibscopeArgumentError('this Analyzer was disposed');
  }

  /** The WebAssembly side of this analyzer: for the threads' exact merge of counters (src/threads). */
  internals(): { wasm: FibscopeExports; io: number; counters: number; inputs: readonly InputState[] } {
    this.checkUsable();
    return { wasm: this.wasm, io: this.ioPointer, counters: this.counters, inputs: this.inputs };
  }

  /**
   * The `k` busiest destinations and the sums over all of them, picked in WebAssembly without
   * copying or sorting the rest (top-destinations.ts); `preferred` entry numbers win ties.
   */
  topDestinations(k: number, preferred: readonly number[] = []): TopDestinations {
    this.checkUsable();
    return topDestinations(this.fib, this.wasm, this.counters, k, preferred);
  }

  /**
   * The `k` busiest routes and the sums over all of them, picked in WebAssembly without making
   * an object per route (top-routes.ts); `preferred` route ids win ties; `atLeast` (the K-th
   * count of the last pick) makes it cheaper without changing the result.
   */
  topRoutes(k: number, preferred: readonly number[] = [], atLeast = 0): TopRoutes {
    this.checkUsable();
    return topRoutes(this.wasm, this.counters, k, preferred, atLeast);
  }

  /**
   * Calls `each` with every route counter that counted, in id order, without making a report:
   * its id, the generation of the route it counts for (an id is reused once its route went),
   * packets, bytes, and for a multipath route its per-next-hop counts (packets u64 and
   * bytes u64 per hop at `paths` in `view`, `pathCount` of them; 0 before it counted). Reads the
   * counters as they are: call report() or snapshot() first, which zeroes those of routes gone.
   */
  forEachRouteCounter(each: (id: number, generation: number, packets: Count, bytes: Count, view: DataView, paths: number, pathCount: number) => void): void {
    this.checkUsable();
    const view = new DataView(this.wasm.memory.buffer);
    const base = this.wasm.countersRoutes(this.counters) >>> 0;
    const bytes = this.wasm.routeCounterBytes();
    const capacity = this.wasm.countersRouteCapacity(this.counters);
    for (let id = 0; id < capacity; id++) {
      const at = base + id * bytes;
      // low word first: a counter under 2^32 packets (all but a few) is read in one load
      if (view.getUint32(at, true) === 0 && view.getUint32(at + 4, true) === 0) continue;
      each(id, view.getUint32(at + 20, true), readCount(view, at), readCount(view, at + 8), view, view.getUint32(at + 24, true), view.getUint32(at + 28, true));
    }
  }

  /** Whether route `id` is still the route of `generation` (a route that went leaves its id to a new one). */
  routeIsLive(id: number, generation: number): boolean {
    this.checkUsable();
    return this.wasm.routeIsLive(id, generation);
  }
}
