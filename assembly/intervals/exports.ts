// Exports for time bins (bin-difference.ts): a baseline per tracked analysis, and the close of a bin.

import { Counters } from '../count/counters';
import { BIN_HEADER, closeBin, freeBaseline, freeBin, IntervalBaseline, newBaseline, PICK_BYTES, TOTAL_FIELDS } from './bin-difference';

/** A baseline of zero counts: the first bin then holds everything counted before its close. */
export function intervalsBaselineCreate(): usize {
  return changetype<usize>(newBaseline());
}

export function intervalsBaselineFree(baseline: usize): void {
  freeBaseline(changetype<IntervalBaseline>(baseline));
}

/** Closes a bin of `counters` (block layout in bin-difference.ts); 0 when memory is too short. */
export function intervalsClose(baseline: usize, counters: usize, k: u32, destinationK: u32): usize {
  return closeBin(changetype<IntervalBaseline>(baseline), changetype<Counters>(counters), k, destinationK);
}

export function intervalsBinFree(block: usize): void {
  freeBin(block);
}

export function intervalsTotalFields(): i32 { return TOTAL_FIELDS; }
export function intervalsBinHeaderBytes(): u32 { return <u32>BIN_HEADER; }
export function intervalsPickBytes(): u32 { return <u32>PICK_BYTES; }
