// Applying an update stream in step with a capture's clock: a ClockListener (analyze/capture-clock.ts)
// whose reach(now) applies, in file order, every update up to `now`, between two records. So a
// packet is classified by the table as it stood at its time; updates at a packet's very time
// apply before it. A capture whose times go backwards sees the table of the newest update reached.
import { compareMoments, type ClockListener, type Moment } from '../analyze/capture-clock.js';
import { FibscopeArgumentError, UpdateOrderError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import type { UpdatesReport } from './summary.js';
import { describeMoment } from './time.js';
import type { RouteUpdate, UpdateStream } from './types.js';

export interface ApplyUpdatesOptions {
  /** Apply updates whose times go backwards in file order, instead of refusing the stream. */
  allowUnordered?: boolean;
}

export class UpdateApplier implements ClockListener {
  private readonly updates: readonly RouteUpdate[];
  /** The next update to apply. */
  private next = 0;
  private withdrawnNothing = 0;
  private firstWithdrawnNothing: string | undefined;
  private readonly unordered: UpdatesReport['unordered'];

  /** Throws UpdateOrderError, naming both updates, when times go backwards and that is not allowed. */
  constructor(private readonly fib: Fib, private readonly stream: UpdateStream, options: ApplyUpdatesOptions = {}) {
    this.updates = stream.updates;
    this.unordered = checkUpdateOrder(stream.updates, options.allowUnordered ?? false);
  }

  nextMoment(): Moment | undefined {
    return this.updates[this.next];
  }

  reach(now: Moment): void {
    const updates = this.updates;
    let i = this.next;
    // in file order, up to the first later than now: an earlier one after it (allowed unordered) waits for it
    while (i < updates.length && compareMoments(updates[i], now) <= 0) this.apply(updates[i++]);
    this.next = i;
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
      pending: this.updates.length - this.next,
      ...(this.stream.truncated ? { truncated: this.stream.truncated } : {}),
    };
  }

  private apply(update: RouteUpdate): void {
    try {
      if (update.kind === 'add') this.fib.add(update.prefix, update.attributes);
      else if (update.kind === 'replace') this.fib.replacePrefix(update.prefix, update.attributes);
      else {
        const match = update.attributes;
        const removed = match && (match.nextHop !== undefined || match.dev !== undefined)
          ? this.fib.remove(update.prefix, { nextHop: match.nextHop, dev: match.dev })
          : this.fib.remove(update.prefix);
        if (removed === 0) {
          this.withdrawnNothing++;
          this.firstWithdrawnNothing ??= update.where;
        }
      }
    } catch (error) {
      // a reader let through what the table refuses: say which update
      if (error instanceof FibscopeArgumentError) throw new FibscopeArgumentError(`${update.where}: ${error.message}`);
      throw error;
    }
  }
}

/**
 * Throws UpdateOrderError at the first update earlier than the one before it, unless `allowed`;
 * then says how many there are and which is first.
 */
export function checkUpdateOrder(updates: readonly RouteUpdate[], allowed: boolean): UpdatesReport['unordered'] {
  let count = 0;
  let first: string | undefined;
  for (let i = 1; i < updates.length; i++) {
    const before = updates[i - 1];
    const update = updates[i];
    if (compareMoments(update, before) >= 0) continue;
    const found = `${update.where}: time ${describeMoment(update)} is earlier than ${describeMoment(before)} of the update before it (${before.where})`;
    if (!allowed) throw new UpdateOrderError(`${found}: the updates are not in time order; --allow-unordered applies them in file order`);
    count++;
    first ??= found;
  }
  return count > 0 ? { updates: count, first: first! } : undefined;
}
