// Route updates applied inside a feed, in step with the capture (src/updates/applier.ts stages
// them). The host writes the next few update records (route-updates.ts's layout) and their times
// here ahead of a feed; when a record's time reaches the next staged update, the feed counts what
// it has batched, applies the updates due, and reads on, instead of returning to the host for
// each moment. The host takes up what was applied after the feed (ids to release, updates that
// withdrew nothing), reading where each update's removed ids end.
//
// Only updates earlier than the input's own stop time are applied here: at that moment other
// clock listeners act first, on the host, as they always have.

import { packTime } from '../capture/time';
import { countBatch, Counters, prepareCounters } from '../count/counters';
import { routeCapacity } from '../fib/routes';
import { applyUpdateRecords, UPDATE_RECORD } from '../route-updates';

/** Updates staged at once: a host round trip per this many instead of one per moment. */
export const STEP_CAPACITY: u32 = 128;

const records: usize = memory.data(<i32>STEP_CAPACITY * UPDATE_RECORD);
/** Each staged update's time, as capture/time.ts packs it. */
const times: usize = memory.data(<i32>STEP_CAPACITY * 8);
/** After each applied update: how many ids the removed list (fib/removed-ids.ts) holds. */
const removedEnds: usize = memory.data(<i32>STEP_CAPACITY * 4);

/** The CaptureInput whose feeds apply the staged updates (0: none staged). */
let owner: usize = 0;
let staged: u32 = 0;
let applied: u32 = 0;
let removedListed: i32 = 0;
/** The time of the next staged update, u64 max when none waits. */
export let nextStepTime: u64 = u64.MAX_VALUE;

/** How many updates the host may stage at once. */
export function stepsCapacity(): u32 {
  return STEP_CAPACITY;
}

/** Where the host writes update records, then their times (u64 each, from stepsTimesPointer). */
export function stepsRecordsPointer(): usize {
  return records;
}

export function stepsTimesPointer(): usize {
  return times;
}

export function stepsRemovedEndsPointer(): usize {
  return removedEnds;
}

/** Starts a new window of `count` updates (written at the pointers above) for `input`'s feeds. */
export function stepsStage(input: usize, count: u32): void {
  owner = count ? input : 0;
  staged = min(count, STEP_CAPACITY);
  applied = 0;
  removedListed = 0;
  nextStepTime = staged ? load<u64>(times) : u64.MAX_VALUE;
}

/** How many of the staged updates have been applied. */
export function stepsApplied(): u32 {
  return applied;
}

/**
 * Applies the staged updates due at `time` (at or before it, and before `stop`) in order; a
 * feed calls it when `input` reaches nextStepTime. The records batched so far are counted first,
 * with the table as it was when they passed.
 */
export function applyDueSteps(input: usize, counters: Counters, time: u64, stop: u64): void {
  if (input != owner) return;
  let due = applied;
  while (due < staged) {
    const at = load<u64>(times + (<usize>due << 3));
    if (at > time || at >= stop) break;
    due++;
  }
  if (due == applied) return;
  countBatch(counters);
  applyThrough(due);
  // the host made room for the staged ids before the feed (Fib.stageSteps): this only checks
  if (routeCapacity() > counters.routeCapacity && !prepareCounters(counters)) {
    abort('route updates in step: no room for the counters of staged routes');
  }
}

/** Applies the staged updates at or before this time, whatever the stop: the host has reached that moment. */
export function stepsApplyUpTo(seconds: f64, nanoseconds: u32): void {
  const time = packTime(<u64>seconds, nanoseconds);
  let due = applied;
  while (due < staged && load<u64>(times + (<usize>due << 3)) <= time) due++;
  applyThrough(due);
}

function applyThrough(due: u32): void {
  for (; applied < due; applied++) {
    removedListed = applyUpdateRecords(records + <usize>applied * <usize>UPDATE_RECORD, 1, removedListed);
    store<i32>(removedEnds + (<usize>applied << 2), removedListed);
  }
  nextStepTime = applied < staged ? load<u64>(times + (<usize>applied << 3)) : u64.MAX_VALUE;
}
