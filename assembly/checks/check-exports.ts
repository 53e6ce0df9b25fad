// Exports for the anomaly classes: switching them on for an analyzer's counters, describing route
// classes and interface aliases, and reading the counts.

import { Counters } from '../count/counters';
import { TALLY_ENTRY_BYTES } from '../count/address-tally';
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

/** The classes' address entries (count/address-tally.ts layout), countersChecksAddressCount of them. */
export function countersChecksAddresses(counters: usize): usize {
  return changetype<Counters>(counters).checks.addresses.entries;
}

export function countersChecksAddressCount(counters: usize): u32 {
  return changetype<Counters>(counters).checks.addresses.count;
}

export function tallyEntryBytes(): u32 {
  return <u32>TALLY_ENTRY_BYTES;
}

/**
 * At `out`, u64s: packets and bytes strict uRPF could not check (no interface name), then the
 * records whose addresses the full class-address table could not keep.
 */
export function countersChecksUnchecked(counters: usize, out: usize): void {
  const checks = changetype<Counters>(counters).checks;
  store<u64>(out, checks.strictUncheckedPackets);
  store<u64>(out, checks.strictUncheckedBytes, 8);
  store<u64>(out, checks.addresses.overflowPackets, 16);
}

/** Capture interface number `from` stands for route device number `to` (--interface-map). */
export function countersMapInterface(counters: usize, from: u32, to: u32): void {
  mapInterface(changetype<Counters>(counters).checks, from, to);
}

/** Route attribute class `routeClass`: its type and the `count` device numbers at `devices` (u32). */
export function routeClassDescribe(routeClass: u32, type: u32, devices: usize, count: u32): bool {
  return describeClass(routeClass, type, devices, count);
}
