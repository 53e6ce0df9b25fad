// The source side of the traffic (docs/report.md "Views"): the routes of the sources, the busiest
// sources, the capture interfaces, and the matrix of (source route, destination route) pairs.
// Each is counted only when asked for; the sources' routes are looked up in the same lockstep
// lanes as the destinations' (count/counters.ts lookupSources).
//
// Source-route counters, SOURCE_ROUTE_BYTES per route id: @0 packets u64 @8 bytes u64
//   @16 generation u32 (fib/routes.ts: a counter of an older generation belongs to a route gone)
// Interface counters, 16 bytes per interface number (classify/interfaces.ts): packets, bytes.
// The matrix: an address tally (count/address-tally.ts) whose group is the source route + 1 and
// whose "address" is the destination route + 1 (0: no route).

import { alloc, free, realloc, tryRealloc, POOL_OTHER } from '../memory/alloc';
import { AddressTally, clearAddressTally, freeAddressTally, newAddressTally, tallyAddress } from '../count/address-tally';
import {
  addDestination, clearDestinations, DestinationTable, destinationHash, findDestination, freeDestinations, initDestinations,
} from '../count/destinations';
import { routeCapacity, routeGeneration } from '../fib/routes';

export const VIEW_SOURCE_ROUTES: u32 = 1;
export const VIEW_SOURCES: u32 = 2;
export const VIEW_INTERFACES: u32 = 4;
export const VIEW_MATRIX: u32 = 8;

export const SOURCE_ROUTE_BYTES: usize = 24;

@unmanaged export class SourceSide {
  views: u32;
  routes: usize;
  routeCapacity: i32;
  sources: DestinationTable;
  interfaces: usize;
  interfaceCapacity: u32;
  matrix: AddressTally;
  /** packets the full sources table could not take, and their bytes */
  overflowPackets: u64;
  overflowBytes: u64;
}

export function newSourceSide(): SourceSide {
  const side = changetype<SourceSide>(alloc(offsetof<SourceSide>(), POOL_OTHER));
  memory.fill(changetype<usize>(side), 0, offsetof<SourceSide>());
  side.routeCapacity = 1024;
  side.routes = alloc(<usize>side.routeCapacity * SOURCE_ROUTE_BYTES, POOL_OTHER);
  side.sources = changetype<DestinationTable>(alloc(offsetof<DestinationTable>(), POOL_OTHER));
  initDestinations(side.sources);
  side.interfaceCapacity = 16;
  side.interfaces = alloc(<usize>side.interfaceCapacity << 4, POOL_OTHER);
  side.matrix = newAddressTally();
  clearSourceSide(side);
  return side;
}

export function clearSourceSide(side: SourceSide): void {
  memory.fill(side.routes, 0, <usize>side.routeCapacity * SOURCE_ROUTE_BYTES);
  clearDestinations(side.sources);
  memory.fill(side.interfaces, 0, <usize>side.interfaceCapacity << 4);
  clearAddressTally(side.matrix);
  side.overflowPackets = side.overflowBytes = 0;
}

export function freeSourceSide(side: SourceSide): void {
  free(side.routes, <usize>side.routeCapacity * SOURCE_ROUTE_BYTES, POOL_OTHER);
  freeDestinations(side.sources);
  free(changetype<usize>(side.sources), offsetof<DestinationTable>(), POOL_OTHER);
  free(side.interfaces, <usize>side.interfaceCapacity << 4, POOL_OTHER);
  freeAddressTally(side.matrix);
  free(changetype<usize>(side), offsetof<SourceSide>(), POOL_OTHER);
}

/** Room for a counter per route id of the table, before a feed: false when memory is short. */
export function prepareSourceSide(side: SourceSide): bool {
  const ids = routeCapacity();
  if (ids <= side.routeCapacity) return true;
  let next = side.routeCapacity * 2;
  while (next < ids) next *= 2;
  const routes = tryRealloc(side.routes, <u64>side.routeCapacity * SOURCE_ROUTE_BYTES, <u64>next * SOURCE_ROUTE_BYTES, POOL_OTHER);
  if (!routes) return false;
  memory.fill(routes + <usize>side.routeCapacity * SOURCE_ROUTE_BYTES, 0, <usize>(next - side.routeCapacity) * SOURCE_ROUTE_BYTES);
  side.routes = routes;
  side.routeCapacity = next;
  return true;
}

@inline function add64(at: usize, value: u64): void {
  store<u64>(at, load<u64>(at) + value);
}

/** Counts one packet on the source side: its source, the source's route, its interface, the pair of routes. */
export function countSourceSide(side: SourceSide, v6: bool, srcHi: u64, srcLo: u64, sourceRoute: i32, route: i32,
  capture: u32, wire: u64, time: u64): void {
  const views = side.views;
  if (views & VIEW_SOURCE_ROUTES && sourceRoute >= 0) {
    const counter = side.routes + <usize>sourceRoute * SOURCE_ROUTE_BYTES;
    const generation = routeGeneration(sourceRoute);
    if (load<u32>(counter, 16) != generation) {
      memory.fill(counter, 0, 16);
      store<u32>(counter, generation, 16);
    }
    add64(counter, 1);
    add64(counter + 8, wire);
  }
  if (views & VIEW_SOURCES) countSource(side, v6, srcHi, srcLo, sourceRoute, wire, time);
  if (views & VIEW_INTERFACES) countInterface(side, capture, wire);
  if (views & VIEW_MATRIX) tallyAddress(side.matrix, <u32>(sourceRoute + 1), 0, <u64>(route + 1), 0, wire);
}

function countSource(side: SourceSide, v6: bool, hi: u64, lo: u64, sourceRoute: i32, wire: u64, time: u64): void {
  const family: u32 = v6 ? 6 : 4;
  const table = side.sources;
  const hash = destinationHash(hi, lo, family);
  let entry = findDestination(table, hash, hi, lo, family);
  if (!entry) {
    entry = addDestination(table, hash, hi, lo, family);
    if (!entry) {
      side.overflowPackets++;
      side.overflowBytes += wire;
      return;
    }
    store<u64>(entry, 0, 16);
    store<u64>(entry, 0, 24);
    store<u64>(entry, time, 32);
    store<u64>(entry, time, 40);
  }
  add64(entry + 16, 1);
  add64(entry + 24, wire);
  if (time < load<u64>(entry, 32)) store<u64>(entry, time, 32);
  if (time > load<u64>(entry, 40)) store<u64>(entry, time, 40);
  store<i32>(entry, sourceRoute, 48);
  store<u32>(entry, sourceRoute >= 0 ? routeGeneration(sourceRoute) : 0, 56);
}

function countInterface(side: SourceSide, capture: u32, wire: u64): void {
  if (capture >= side.interfaceCapacity) {
    let next = side.interfaceCapacity * 2;
    while (next <= capture) next *= 2;
    // interfaces are few: this may use the reserve rather than lose a count
    const grown = realloc(side.interfaces, <usize>side.interfaceCapacity << 4, <usize>next << 4, POOL_OTHER);
    memory.fill(grown + (<usize>side.interfaceCapacity << 4), 0, <usize>(next - side.interfaceCapacity) << 4);
    side.interfaces = grown;
    side.interfaceCapacity = next;
  }
  const at = side.interfaces + (<usize>capture << 4);
  add64(at, 1);
  add64(at + 8, wire);
}
