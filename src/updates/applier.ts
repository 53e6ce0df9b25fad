// Applying an update stream in step with a capture's clock: a ClockListener (analyze/capture-clock.ts)
// whose reach(now) applies, in file order, every update up to `now`, between two records. So a
// packet is classified by the table as it stood at its time; updates at a packet's very time
// apply before it. A capture whose times go backwards sees the table of the newest update reached.
//
// Inside a feed, the updates go ahead of the clock: the next few are staged in WebAssembly, which
// applies each between the records it falls between (assembly/updates/in-step.ts), and this side
// takes them up after the feed, with no return to the host per moment. What cannot be staged (a
// del narrowed to a next hop or device, a multipath route, attributes the table refuses, a
// stream out of time order) and what falls on another listener's moment go as before: the
// updates of one moment to the table as one run (Fib.applyChanges: one WebAssembly call). Both
// read the stream's columns (columns.ts); each distinct attributes object is checked and classed
// once (Fib.prepareRoute), not once per update.
import { compareMoments, type Moment, type SteppingClockListener } from '../analyze/capture-clock.js';
import { FibscopeArgumentError, UpdateOrderError } from '../errors.js';
import type { Fib, PreparedRoute } from '../fib/fib.js';
import { columnsOf, NO_ATTRIBUTES, OP_DEL, UpdateColumns } from './columns.js';
import type { UpdatesReport } from './summary.js';
import { describeMoment } from './time.js';
import type { RouteUpdate, UpdateStream } from './types.js';

export interface ApplyUpdatesOptions {
  /** Apply updates whose times go backwards in file order, instead of refusing the stream. */
  allowUnordered?: boolean;
}

export class UpdateApplier implements SteppingClockListener {
  private readonly columns: UpdateColumns;
  /** The next update to apply. */
  private next = 0;
  private withdrawnNothing = 0;
  private firstWithdrawnNothing: string | undefined;
  private readonly unordered: UpdatesReport['unordered'];
  /** The table's prepared route of each attributes number of the stream, made on first use. */
  private readonly prepared: (PreparedRoute | undefined)[];
  /** How many routes each del of a run removed (Fib.applyChanges). */
  private removed = new Int32Array(64);
  /** Updates [next, staged) are staged in WebAssembly from `stagedFrom` on, with these ids (Fib.stageSteps). */
  private stagedFrom = 0;
  private staged = 0;
  private stagedIds: Int32Array;
  /** Whether updates may be staged: not for a stream out of time order (each waits for those before it in file order). */
  private readonly stepping: boolean;

  /** Throws UpdateOrderError, naming both updates, when times go backwards and that is not allowed. */
  constructor(private readonly fib: Fib, private readonly stream: UpdateStream, options: ApplyUpdatesOptions = {}) {
    this.columns = columnsOf(stream);
    this.unordered = checkUpdateOrder(this.columns, options.allowUnordered ?? false);
    this.prepared = new Array<PreparedRoute | undefined>(this.columns.attributeList.length).fill(undefined);
    this.stepping = this.unordered === undefined;
    this.stagedIds = new Int32Array(fib.stepCapacity());
  }

  /** The first update neither applied nor staged. */
  nextMoment(): Moment | undefined {
    const columns = this.columns;
    const first = Math.max(this.next, this.staged);
    return first < columns.count ? { seconds: columns.seconds[first], nanoseconds: columns.nanoseconds[first] } : undefined;
  }

  stage(input: number, engine: object): void {
    // staged updates apply in the instance that reads the capture: only if that is the table's own
    if (!this.stepping || this.staged > this.next || engine !== this.fib.engine().wasm) return;
    const columns = this.columns;
    const start = this.next;
    const limit = Math.min(columns.count, start + this.stagedIds.length);
    let end = start;
    for (; end < limit; end++) {
      const attributes = columns.attributes[end];
      if (columns.op[end] === OP_DEL) {
        if (attributes !== NO_ATTRIBUTES) break;
        continue;
      }
      const route = this.preparedRoute(attributes);
      // refused attributes (left for reach, which says which update) and weighted next hops stay on this side
      if (route === undefined || route.nextHops !== undefined) break;
    }
    if (end === start || !this.fib.stageSteps(columns, start, end, this.prepared, input, this.stagedIds)) return;
    this.stagedFrom = start;
    this.staged = end;
  }

  settle(): void {
    if (this.staged <= this.next) return;
    const done = this.stagedFrom + this.fib.stepsApplied();
    if (done === this.next) return;
    this.reserveRemoved(done - this.next);
    this.fib.settleSteps(this.columns, this.stagedFrom, this.next, done, this.stagedIds, this.removed);
    this.countWithdrawnNothing(this.next, done);
    this.next = done;
  }

  unstage(): void {
    if (this.staged <= this.next) return;
    this.fib.unstageSteps(this.columns, this.stagedFrom, this.next, this.staged, this.stagedIds);
    this.staged = this.next;
  }

  reach(now: Moment): void {
    if (this.staged > this.next) {
      // staged ones due at another listener's moment: applied here, in file order, before the rest
      this.fib.applyStepsUpTo(now);
      this.settle();
      if (this.staged > this.next) return; // the next staged one is later than now, and so is every one after it
    }
    const { seconds, nanoseconds } = this.columns;
    let end = this.next;
    // in file order, up to the first later than now: an earlier one after it (allowed unordered) waits for it
    while (end < this.columns.count && (seconds[end] < now.seconds || (seconds[end] === now.seconds && nanoseconds[end] <= now.nanoseconds))) end++;
    this.applyUpTo(end);
  }

  /** What the stream did so far: the report's `updates`. */
  summary(): UpdatesReport {
    return {
      source: this.stream.source,
      applied: this.next,
      withdrawnNothing: this.withdrawnNothing,
      ...(this.firstWithdrawnNothing !== undefined ? { firstWithdrawnNothing: this.firstWithdrawnNothing } : {}),
      ...(this.unordered ? { unordered: this.unordered } : {}),
      skipped: Object.fromEntries(this.stream.notes.skipped),
      pending: this.columns.count - this.next,
      ...(this.stream.truncated ? { truncated: this.stream.truncated } : {}),
    };
  }

  /** Applies the updates from `next` to `end` - 1: runs the table takes in one call, and the dels it does not. */
  private applyUpTo(end: number): void {
    const columns = this.columns;
    while (this.next < end) {
      const start = this.next;
      let stop = start;
      let failure: unknown;
      // a run ends before a del narrowed to a next hop or device (Fib.remove's match), and before
      // an update whose attributes the table refuses (the ones before it apply first)
      for (; stop < end; stop++) {
        const attributes = columns.attributes[stop];
        if (columns.op[stop] === OP_DEL) {
          if (attributes !== NO_ATTRIBUTES) break;
          continue;
        }
        if (this.prepared[attributes] !== undefined) continue;
        try {
          this.prepared[attributes] = this.fib.prepareRoute(columns.attributeList[attributes]);
        } catch (error) {
          failure = error;
          break;
        }
      }
      if (stop > start) this.applyRun(start, stop);
      this.next = stop;
      if (failure !== undefined) throw located(failure, columns.whereOf(stop));
      if (stop < end) {
        this.applyNarrowedDel(stop);
        this.next = stop + 1;
      }
    }
  }

  private applyRun(start: number, end: number): void {
    this.reserveRemoved(end - start);
    try {
      this.fib.applyChanges(this.columns, start, end, this.prepared, this.removed);
    } catch (error) {
      throw located(error, this.columns.whereOf(start));
    }
    this.countWithdrawnNothing(start, end);
  }

  /** The prepared route of attributes number `attributes`, made on first use; undefined if the table refuses it. */
  private preparedRoute(attributes: number): PreparedRoute | undefined {
    if (this.prepared[attributes] === undefined) {
      try {
        this.prepared[attributes] = this.fib.prepareRoute(this.columns.attributeList[attributes]);
      } catch {
        return undefined;
      }
    }
    return this.prepared[attributes];
  }

  private reserveRemoved(count: number): void {
    if (this.removed.length < count) this.removed = new Int32Array(Math.max(count, this.removed.length * 2));
  }

  /** The dels of updates [start, end) that removed nothing (`removed` from index 0). */
  private countWithdrawnNothing(start: number, end: number): void {
    const columns = this.columns;
    for (let i = start; i < end; i++) {
      if (columns.op[i] === OP_DEL && this.removed[i - start] === 0) this.withdrewNothing(i);
    }
  }

  /** A del of only the routes via a next hop and/or on a device. */
  private applyNarrowedDel(i: number): void {
    const columns = this.columns;
    const match = columns.attributeList[columns.attributes[i]]!;
    const prefix = columns.prefixOf(i);
    let removed: number;
    try {
      removed = match.nextHop !== undefined || match.dev !== undefined
        ? this.fib.remove(prefix, { nextHop: match.nextHop, dev: match.dev })
        : this.fib.remove(prefix);
    } catch (error) {
      throw located(error, columns.whereOf(i));
    }
    if (removed === 0) this.withdrewNothing(i);
  }

  private withdrewNothing(i: number): void {
    this.withdrawnNothing++;
    this.firstWithdrawnNothing ??= this.columns.whereOf(i);
  }
}

/** A reader let through what the table refuses: say which update. */
function located(error: unknown, where: string): unknown {
  return error instanceof FibscopeArgumentError ? new FibscopeArgumentError(`${where}: ${error.message}`) : error;
}

/**
 * Throws UpdateOrderError at the first update earlier than the one before it, unless `allowed`;
 * then says how many there are and which is first.
 */
export function checkUpdateOrder(updates: readonly RouteUpdate[] | UpdateColumns, allowed: boolean): UpdatesReport['unordered'] {
  let count = 0;
  let first: string | undefined;
  const columns = updates instanceof UpdateColumns ? updates : undefined;
  const length = columns ? columns.count : (updates as readonly RouteUpdate[]).length;
  const momentOf = (i: number): Moment => (columns
    ? { seconds: columns.seconds[i], nanoseconds: columns.nanoseconds[i] } : (updates as readonly RouteUpdate[])[i]);
  const whereOf = (i: number): string => (columns ? columns.whereOf(i) : (updates as readonly RouteUpdate[])[i].where);
  for (let i = 1; i < length; i++) {
    if (columns) {
      const s = columns.seconds;
      const ns = columns.nanoseconds;
      if (s[i] > s[i - 1] || (s[i] === s[i - 1] && ns[i] >= ns[i - 1])) continue;
    } else if (compareMoments(momentOf(i), momentOf(i - 1)) >= 0) continue;
    const found = `${whereOf(i)}: time ${describeMoment(momentOf(i))} is earlier than ${describeMoment(momentOf(i - 1))} of the update before it (${whereOf(i - 1)})`;
    if (!allowed) throw new UpdateOrderError(`${found}: the updates are not in time order; --allow-unordered applies them in file order`);
    count++;
    first ??= found;
  }
  return count > 0 ? { updates: count, first: first! } : undefined;
}
