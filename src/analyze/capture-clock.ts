// Acting at moments of a capture's own clock: the feed stops before the first record at or after
// the earliest moment any listener waits for (assembly/capture/input.ts stopTime), the listeners
// act (apply route updates, close a time bin), and reading resumes with that record. So what a
// listener does falls exactly between two records, at no cost per packet.

/** A time as captures hold it: seconds since 1970 (u32 range) and nanoseconds. */
export interface Moment {
  seconds: number;
  nanoseconds: number;
}

/** Something that acts when the capture's clock reaches a moment. */
export interface ClockListener {
  /** The next moment it waits for; undefined when it waits for none. */
  nextMoment(): Moment | undefined;
  /**
   * The next record to count is at `now`, at or after nextMoment(): act for every moment up to
   * `now`. After it, nextMoment() must be later than `now` (or undefined).
   */
  reach(now: Moment): void;
}

/**
 * A listener that can also act inside WebAssembly, between the records of a feed, on moments it
 * staged there (route updates: src/updates/applier.ts, assembly/updates/in-step.ts). Its
 * nextMoment() is then the first moment it has not staged; reach() acts on the rest.
 */
export interface SteppingClockListener extends ClockListener {
  /**
   * Before a feed of `input` (a CaptureInput handle of the WebAssembly instance `engine`): stages
   * what it can of its next moments there (nothing when its own table is another instance's).
   */
  stage(input: number, engine: object): void;
  /** After each feed: takes up what the feed did. */
  settle(): void;
  /** When the feeds of a buffer are over: gives back what stayed staged. */
  unstage(): void;
}

export function isStepping(listener: ClockListener): listener is SteppingClockListener {
  return typeof (listener as Partial<SteppingClockListener>).stage === 'function';
}

export function compareMoments(a: Moment, b: Moment): number {
  return a.seconds - b.seconds || a.nanoseconds - b.nanoseconds;
}

/** The earliest moment the listeners wait for. */
export function earliestMoment(listeners: readonly ClockListener[]): Moment | undefined {
  let earliest: Moment | undefined;
  for (const listener of listeners) {
    const next = listener.nextMoment();
    if (next && (!earliest || compareMoments(next, earliest) < 0)) earliest = next;
  }
  return earliest;
}

/** Lets every listener whose moment has come act, in the order they were added. */
export function reachMoment(listeners: readonly ClockListener[], now: Moment): void {
  for (const listener of listeners) {
    const next = listener.nextMoment();
    if (!next || compareMoments(next, now) > 0) continue;
    listener.reach(now);
    const after = listener.nextMoment();
    if (after && compareMoments(after, now) <= 0) {
      throw new Error(`a clock listener still waits for ${after.seconds}.${after.nanoseconds} after the clock reached ${now.seconds}.${now.nanoseconds}`);
    }
  }
}
