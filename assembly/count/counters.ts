// One analysis's counters (SPEC section 2) and the per-frame step that fills them: decode the
// link and network headers, look up the destination's route, count. This is the hot path.
//
// Route counters, 24 bytes per route id: packets u64, bytes u64, destinations u32.

import { alloc, free, realloc, POOL_OTHER } from '../memory/alloc';
import { lookup4, lookup6 } from '../fib/lookup';
import { fib4, fib6 } from '../fib/tables';
import { decodeLink, linkReason, networkOffset } from '../parse/link';
import { decodeIPv4, decodeIPv6, destination4, destinationHi, destinationLo, ipReason } from '../parse/ip';
import {
  FRAME_IPV4, FRAME_IPV6, FRAME_MALFORMED, FRAME_NON_IP, REASON_COUNT,
} from '../parse/status';
import { DestinationTable, findOrAdd, freeDestinations, initDestinations, isNew } from './destinations';

export const ROUTE_COUNTER_BYTES: usize = 24;

@unmanaged export class Counters {
  records: u64;
  bytes: u64;
  counted: u64;
  ipv4: u64;
  ipv6: u64;
  nonIp: u64;
  malformed: u64;
  unsupportedLink: u64;
  noRoutePackets: u64;
  noRouteBytes: u64;
  /** u64 per malformed reason (parse/status.ts) */
  reasons: usize;
  routes: usize;
  routeCapacity: i32;
  destinations: DestinationTable;
}

export function newCounters(): Counters {
  const size = offsetof<Counters>();
  const c = changetype<Counters>(alloc(size, POOL_OTHER));
  memory.fill(changetype<usize>(c), 0, size);
  c.reasons = alloc(<usize>REASON_COUNT << 3, POOL_OTHER);
  memory.fill(c.reasons, 0, <usize>REASON_COUNT << 3);
  c.routeCapacity = 1024;
  c.routes = alloc(<usize>c.routeCapacity * ROUTE_COUNTER_BYTES, POOL_OTHER);
  memory.fill(c.routes, 0, <usize>c.routeCapacity * ROUTE_COUNTER_BYTES);
  c.destinations = changetype<DestinationTable>(alloc(offsetof<DestinationTable>(), POOL_OTHER));
  initDestinations(c.destinations, 1024);
  return c;
}

export function freeCounters(c: Counters): void {
  free(c.reasons, <usize>REASON_COUNT << 3, POOL_OTHER);
  free(c.routes, <usize>c.routeCapacity * ROUTE_COUNTER_BYTES, POOL_OTHER);
  freeDestinations(c.destinations);
  free(changetype<usize>(c.destinations), offsetof<DestinationTable>(), POOL_OTHER);
  free(changetype<usize>(c), offsetof<Counters>(), POOL_OTHER);
}

function routeCounter(c: Counters, route: i32): usize {
  if (route >= c.routeCapacity) {
    let next = c.routeCapacity * 2;
    while (next <= route) next *= 2;
    c.routes = realloc(c.routes, <usize>c.routeCapacity * ROUTE_COUNTER_BYTES, <usize>next * ROUTE_COUNTER_BYTES, POOL_OTHER);
    memory.fill(c.routes + <usize>c.routeCapacity * ROUTE_COUNTER_BYTES, 0, <usize>(next - c.routeCapacity) * ROUTE_COUNTER_BYTES);
    c.routeCapacity = next;
  }
  return c.routes + <usize>route * ROUTE_COUNTER_BYTES;
}

@inline function add64(at: usize, value: u64): void {
  store<u64>(at, load<u64>(at) + value);
}

/** Counts one record: `caplen` captured bytes at `data`, `origLen` on the wire, at `time` (capture/time.ts). */
export function countFrame(c: Counters, linkType: u32, data: usize, caplen: u32, origLen: u32, time: u64): void {
  c.records++;
  c.bytes += origLen;
  let frame = decodeLink(linkType, data, caplen);
  let reason = linkReason;
  if (frame == FRAME_IPV4) {
    frame = decodeIPv4(data, caplen, networkOffset);
    reason = ipReason;
  } else if (frame == FRAME_IPV6) {
    frame = decodeIPv6(data, caplen, networkOffset);
    reason = ipReason;
  }
  let hi: u64, lo: u64, route: i32;
  if (frame == FRAME_IPV4) {
    c.ipv4++;
    hi = <u64>destination4;
    lo = 0;
    route = lookup4(fib4.direct, destination4);
  } else if (frame == FRAME_IPV6) {
    c.ipv6++;
    hi = destinationHi;
    lo = destinationLo;
    route = lookup6(fib6.direct, hi, lo);
  } else {
    if (frame == FRAME_NON_IP) c.nonIp++;
    else if (frame == FRAME_MALFORMED) {
      c.malformed++;
      add64(c.reasons + (<usize>reason << 3), 1);
    } else c.unsupportedLink++;
    return;
  }
  c.counted++;
  const wire = <u64>origLen;
  if (route < 0) {
    c.noRoutePackets++;
    c.noRouteBytes += wire;
  } else {
    const counter = routeCounter(c, route);
    add64(counter, 1);
    add64(counter + 8, wire);
  }
  const entry = findOrAdd(c.destinations, hi, lo, <u32>frame);
  if (isNew) {
    store<u64>(entry, 1, 16);
    store<u64>(entry, wire, 24);
    store<u64>(entry, time, 32);
    store<u64>(entry, time, 40);
    store<i32>(entry, route, 48);
    if (route >= 0) store<u32>(routeCounter(c, route), load<u32>(routeCounter(c, route), 16) + 1, 16);
    return;
  }
  add64(entry + 16, 1);
  add64(entry + 24, wire);
  if (time < load<u64>(entry, 32)) store<u64>(entry, time, 32);
  if (time > load<u64>(entry, 40)) store<u64>(entry, time, 40);
  const previous = load<i32>(entry, 48);
  if (previous != route) {
    // the destination moved (the table changed): it now counts under its new route only
    if (previous >= 0) {
      const old = routeCounter(c, previous);
      store<u32>(old, load<u32>(old, 16) - 1, 16);
    }
    if (route >= 0) {
      const now = routeCounter(c, route);
      store<u32>(now, load<u32>(now, 16) + 1, 16);
    }
    store<i32>(entry, route, 48);
  }
}
