// Exports of the bogon classifier (checks/bogons.ts): the host loads the range table through the
// I/O region in pieces (a full-bogons feed is bigger than the region), and classifies single
// addresses, batches and fields blocks for tests and reference models.

import { FIELD_DESTINATION_HI, FIELD_SOURCE_HI } from '../classify/fields';
import {
  bogonClasses4, bogonClasses6, bogonClassesOfField, freeTable, indexTable, rangeCount, rangeTable, reserveTable,
  RANGE4_BYTES, RANGE6_BYTES,
} from './bogons';

/** Bytes of one IPv4 / IPv6 range record (checks/bogons.ts). */
export function bogonsRangeBytes(family: i32): u32 {
  return <u32>(family == 4 ? RANGE4_BYTES : RANGE6_BYTES);
}

/** Replaces the table by one of `count4` IPv4 and `count6` IPv6 ranges to be filled by bogonsLoad; false when memory is short. */
export function bogonsReserve(count4: i32, count6: i32): bool {
  return reserveTable(count4, count6);
}

/** Copies `count` range records of `family` from `from` (the I/O region) to ranges `start`.. of the table. */
export function bogonsLoad(family: i32, from: usize, start: i32, count: i32): bool {
  if (start < 0 || count < 0 || start + count > rangeCount(family)) return false;
  const bytes = family == 4 ? RANGE4_BYTES : RANGE6_BYTES;
  memory.copy(rangeTable(family) + <usize>start * bytes, from, <usize>count * bytes);
  return true;
}

/** Called once the table is loaded: indexes a big table for faster lookups. */
export function bogonsIndex(): void {
  indexTable();
}

/** Ranges in the table of `family`. */
export function bogonsCount(family: i32): i32 {
  return rangeCount(family);
}

export function bogonsFree(): void {
  freeTable();
}

export function bogonsClassify4(address: u32): u32 {
  return bogonClasses4(address);
}

export function bogonsClassify6(hi: u64, lo: u64): u32 {
  return bogonClasses6(hi, lo);
}

/**
 * Classifies `count` addresses at `from`, 24 bytes each (family u32, zero u32, hi u64, lo u64, as
 * the fields block holds them), into u32 masks at `out`.
 */
export function bogonsClassifyBatch(from: usize, count: i32, out: usize): void {
  for (let i = 0; i < count; i++) {
    const record = from + <usize>i * 24;
    const family = load<u32>(record);
    let mask: u32 = 0;
    if (family == 4) mask = bogonClasses4(<u32>load<u64>(record, 8));
    else if (family == 6) mask = bogonClasses6(load<u64>(record, 8), load<u64>(record, 16));
    store<u32>(out + (<usize>i << 2), mask);
  }
}

/** The masks of a fields block's source (low byte) and destination (next byte). */
export function bogonsClassifyFields(fields: usize): u32 {
  return bogonClassesOfField(fields, FIELD_SOURCE_HI) | (bogonClassesOfField(fields, FIELD_DESTINATION_HI) << 8);
}
