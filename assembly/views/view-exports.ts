// Exports for the source-side views: asking for them, and reading their counters.

import { Counters } from '../count/counters';
import { copyForReport } from '../count/destinations';
import { routeGeneration } from '../fib/routes';
import { prepareSourceSide, SOURCE_ROUTE_BYTES } from './source-side';

/** Counts the views of `views` (views/source-side.ts bits) from now on; false when memory is short for them. */
export function countersViewsSet(counters: usize, views: u32): bool {
  const side = changetype<Counters>(counters).sourceSide;
  side.views = views;
  if (views && !prepareSourceSide(side)) {
    side.views = 0;
    return false;
  }
  return true;
}

/** Source-route counters, sourceRouteBytes() per route id, countersSourceRouteCapacity of them. */
export function countersSourceRoutes(counters: usize): usize {
  return changetype<Counters>(counters).sourceSide.routes;
}

export function countersSourceRouteCapacity(counters: usize): i32 {
  return changetype<Counters>(counters).sourceSide.routeCapacity;
}

export function sourceRouteBytes(): u32 {
  return <u32>SOURCE_ROUTE_BYTES;
}

export function countersSourceCount(counters: usize): u32 {
  return changetype<Counters>(counters).sourceSide.sources.count;
}

/**
 * Copies the source entries (the destinations' layout, count/destinations.ts), busiest first,
 * into a fresh block freed with destinationsFree; 0 when memory is short. A source whose route
 * has gone since shows as unrouted.
 */
export function countersCopySources(counters: usize): usize {
  return copyForReport(changetype<Counters>(counters).sourceSide.sources);
}

/** Interface counters: packets u64, bytes u64 per interface number, countersInterfaceCapacity of them. */
export function countersInterfaces(counters: usize): usize {
  return changetype<Counters>(counters).sourceSide.interfaces;
}

export function countersInterfaceCapacity(counters: usize): u32 {
  return changetype<Counters>(counters).sourceSide.interfaceCapacity;
}

/** The matrix's entries (count/address-tally.ts layout: group = source route + 1, hi = route + 1). */
export function countersMatrix(counters: usize): usize {
  return changetype<Counters>(counters).sourceSide.matrix.entries;
}

export function countersMatrixCount(counters: usize): u32 {
  return changetype<Counters>(counters).sourceSide.matrix.count;
}

/** u64s at `out`: packets and bytes the full sources table could not take, then matrix packets not kept. */
export function countersSourceOverflow(counters: usize, out: usize): void {
  const side = changetype<Counters>(counters).sourceSide;
  store<u64>(out, side.overflowPackets);
  store<u64>(out, side.overflowBytes, 8);
  store<u64>(out, side.matrix.overflowPackets, 16);
}

/** The generation of route id `id` (fib/routes.ts): a counter kept under an older one belongs to a route gone. */
export function routeGenerationOf(id: i32): u32 {
  return routeGeneration(id);
}
