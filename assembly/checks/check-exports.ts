// Exports for the anomaly classes: switching them on for an analyzer's counters, describing route
// classes and interface aliases, and reading the counts.

import { Counters } from '../count/counters';
import { TALLY_ENTRY_BYTES } from '../count/address-tally';
import { SLOT_BYTES, SLOTS_AT, TOP_SLOTS, TRACKER_BYTES } from '../count/top-tracker';
import { CLASS_COUNT, mapInterface } from './checks';
import { describeClass } from './route-classes';

/** Counts the anomaly classes from now on (or stops). */
export function countersChecksSet(counters: usize, on: bool): void {
  changetype<Counters>(counters).checks.on = on;
}

/** Packets u64 and bytes u64 per class (checks/checks.ts order), checkClassCount() of them. */
export function countersChecksClasses(counters: usize): usize {
  return changetype<Counters>(counters).checks.classes;
}

export function checkClassCount(): u32 {
  return CLASS_COUNT;
}

/** Per class, the tracker of its busiest sources, then of its destinations (count/top-tracker.ts layout). */
export function countersChecksTrackers(counters: usize): usize {
  return changetype<Counters>(counters).checks.trackers;
}

/** Tracker size, its slot count, slot size and where the slots start, as u32 at `out`. */
export function topTrackerLayout(out: usize): void {
  store<u32>(out, <u32>TRACKER_BYTES);
  store<u32>(out, TOP_SLOTS, 4);
  store<u32>(out, <u32>SLOT_BYTES, 8);
  store<u32>(out, <u32>SLOTS_AT, 12);
}

export function tallyEntryBytes(): u32 {
  return <u32>TALLY_ENTRY_BYTES;
}

/** At `out`, u64s: packets and bytes strict uRPF could not check (no capture interface name). */
export function countersChecksUnchecked(counters: usize, out: usize): void {
  const checks = changetype<Counters>(counters).checks;
  store<u64>(out, checks.strictUncheckedPackets);
  store<u64>(out, checks.strictUncheckedBytes, 8);
}

/** Capture interface number `from` stands for route device number `to` (--interface-map). */
export function countersMapInterface(counters: usize, from: u32, to: u32): void {
  mapInterface(changetype<Counters>(counters).checks, from, to);
}

/** Route attribute class `routeClass`: its type and the `count` device numbers at `devices` (u32). */
export function routeClassDescribe(routeClass: u32, type: u32, devices: usize, count: u32): bool {
  return describeClass(routeClass, type, devices, count);
}
