// One analysis's counters (docs/counting.md) and the per-frame step that fills them: decode the
// link and network headers, look up the destination's route, count. This is the hot path.
//
// Route counters, 32 bytes per route id:
//   @0 packets u64   @8 bytes u64   @16 destinations u32
//   @20 generation u32   the route generation (fib/routes.ts) they count for: a counter of an
//                        older generation belongs to a route that has gone, and starts afresh
//   @24 path counters u32, @28 path count u32   a multipath route's packets u64 and bytes u64
//                        per next hop, made when it first counts

import { alloc, free, tryAlloc, tryRealloc, POOL_OTHER } from '../memory/alloc';
import { lookup4Many, lookup6Many } from '../fib/lookup';
import { lookupsDone4, lookupsDone6 } from '../fib/direct-tier';
import { anyMultipathRoute, pickPath, REMOVAL_LOG, removedRoute, routeCapacity, routeClass, routeGeneration, routePaths, routeRemovals } from '../fib/routes';
import { flowHash } from '../parse/flow';
import { fib4, fib6 } from '../fib/tables';
import { decodeLink, linkReason, networkOffset, nonIpKey } from '../parse/link';
import { decodeIPv4, decodeIPv6, destination4, destinationHi, destinationLo, ipReason } from '../parse/ip';
import {
  FRAME_IPV4, FRAME_IPV6, FRAME_MALFORMED, FRAME_NON_IP, REASON_COUNT,
} from '../parse/status';
import {
  addDestination, clearDestinations, DestinationTable, destinationHash, findDestination, freeDestinations,
  initDestinations, touchDestination,
} from './destinations';
import { clearFrameTypes, countFrameType, freeFrameTypes, newFrameTypes } from './frame-types';
import { Classifier, clearRuleCounters, freeClassifier, newClassifier, passesFilter } from '../classify/classifier';
import { countRules } from '../classify/count-rules';
import { currentInterface } from '../classify/interfaces';
import { Checks, clearChecks, countClasses, freeChecks, newChecks, packetClasses } from '../checks/checks';
import { clearSourceSide, countSourceSide, freeSourceSide, newSourceSide, prepareSourceSide, SourceSide } from '../views/source-side';

export const ROUTE_COUNTER_BYTES: usize = 32;
const PATH_COUNTER_BYTES: usize = 16;

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
  /** packets, and their bytes, of destinations the full destination table could not take */
  overflowPackets: u64;
  overflowBytes: u64;
  /** wire bytes of every counted packet, the destinations' and the overflow's, summed as they count (no pass over the destinations) */
  countedBytes: u64;
  /** u64 per malformed reason (parse/status.ts) */
  reasons: usize;
  routes: usize;
  routeCapacity: i32;
  destinations: DestinationTable;
  /** a time series of some routes (setSeries), 0 bins when none */
  series: TimeSeries;
  /** the earliest and latest time of a counted packet (capture/time.ts); first > last when none */
  firstTime: u64;
  lastTime: u64;
  /** non-IP frames by why (parse/link.ts nonIpKey), unsupported-link frames by link type (count/frame-types.ts) */
  nonIpTypes: usize;
  unsupportedLinkTypes: usize;
  /** records the filter rejected: they count in `records` and here only */
  filtered: u64;
  /** the filter and rule set (classify/classifier.ts) */
  classifier: Classifier;
  /** the anomaly classes (checks/checks.ts), when on */
  checks: Checks;
  /** the views of the sources (views/source-side.ts), those asked for */
  sourceSide: SourceSide;
  /**
   * Whether a filter or rules are installed (classifier.filterSlot or rulesSlot non-zero), kept
   * here so that a record without them costs one test (updateClassifying)
   */
  classifying: bool;
  /**
   * fib/routes.ts routeRemovals when every route counter's generation was last made its route's
   * (syncGenerations, settleCounters): counting settles first when it has changed, and then
   * need not compare a counter's generation with its route's
   */
  removalsSeen: u32;
  /** what route counters held when a new generation of their id zeroed them (liveCounter): for time bins (intervals/) */
  gonePackets: u64;
  goneBytes: u64;
}

// A time series: packets u64 and bytes u64 per watched route and time bin, route by route, for
// charts of traffic over time (io,stat). Bins are `width` nanoseconds from `start`; a packet
// before the first bin counts in it, one after the last in the last.
@unmanaged export class TimeSeries {
  routes: usize;
  routeCount: u32;
  bins: u32;
  start: u64;
  width: u64;
  values: usize;
}

/** Most routes a time series watches. */
export const SERIES_ROUTES: u32 = 64;

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
  initDestinations(c.destinations);
  c.series = changetype<TimeSeries>(alloc(offsetof<TimeSeries>(), POOL_OTHER));
  memory.fill(changetype<usize>(c.series), 0, offsetof<TimeSeries>());
  c.firstTime = u64.MAX_VALUE;
  c.nonIpTypes = newFrameTypes();
  c.unsupportedLinkTypes = newFrameTypes();
  c.classifier = newClassifier();
  c.checks = newChecks();
  c.sourceSide = newSourceSide();
  syncGenerations(c, 0);
  return c;
}

/**
 * Gives the route counters from id `from` on their route's generation, as liveCounter would on
 * their first packet; with no destination entry older than this, generations then agree
 * until a route is removed.
 */
function syncGenerations(c: Counters, from: i32): void {
  const ids = min(c.routeCapacity, routeCapacity());
  for (let id = from; id < ids; id++) store<u32>(routeCounter(c, id), routeGeneration(id), 20);
  if (from == 0) c.removalsSeen = routeRemovals();
}

export function freeCounters(c: Counters): void {
  free(c.reasons, <usize>REASON_COUNT << 3, POOL_OTHER);
  for (let id = 0; id < c.routeCapacity; id++) freePathCounters(c.routes + <usize>id * ROUTE_COUNTER_BYTES);
  free(c.routes, <usize>c.routeCapacity * ROUTE_COUNTER_BYTES, POOL_OTHER);
  freeDestinations(c.destinations);
  free(changetype<usize>(c.destinations), offsetof<DestinationTable>(), POOL_OTHER);
  freeSeries(c.series);
  free(changetype<usize>(c.series), offsetof<TimeSeries>(), POOL_OTHER);
  freeFrameTypes(c.nonIpTypes);
  freeFrameTypes(c.unsupportedLinkTypes);
  freeClassifier(c.classifier);
  freeChecks(c.checks);
  freeSourceSide(c.sourceSide);
  free(changetype<usize>(c), offsetof<Counters>(), POOL_OTHER);
}

/**
 * Makes room for a counter per route id the table has, before a call counts: false when
 * memory is too short (nothing changed). Counting itself then never has to grow them.
 */
export function prepareCounters(c: Counters): bool {
  if (c.sourceSide.views && !prepareSourceSide(c.sourceSide)) return false;
  const ids = routeCapacity();
  if (ids <= c.routeCapacity) return true;
  let next = c.routeCapacity * 2;
  while (next < ids) next *= 2;
  const routes = tryRealloc(c.routes, <u64>c.routeCapacity * ROUTE_COUNTER_BYTES, <u64>next * ROUTE_COUNTER_BYTES, POOL_OTHER);
  if (!routes) return false;
  memory.fill(routes + <usize>c.routeCapacity * ROUTE_COUNTER_BYTES, 0, <usize>(next - c.routeCapacity) * ROUTE_COUNTER_BYTES);
  const grown = c.routeCapacity;
  c.routes = routes;
  c.routeCapacity = next;
  syncGenerations(c, grown);
  return true;
}

/** Call after installing or removing a filter or rules. */
export function updateClassifying(c: Counters): void {
  c.classifying = c.classifier.filterSlot != 0 || c.classifier.rulesSlot != 0;
}

/** A route's counter: prepareCounters made room for every id the table has. */
@inline function routeCounter(c: Counters, route: i32): usize {
  return c.routes + <usize>route * ROUTE_COUNTER_BYTES;
}

/** Zeroes every count, keeping the tables' memory. */
export function resetCounters(c: Counters): void {
  c.records = c.bytes = c.counted = c.ipv4 = c.ipv6 = c.nonIp = c.malformed = c.unsupportedLink = 0;
  c.noRoutePackets = c.noRouteBytes = 0;
  c.overflowPackets = c.overflowBytes = c.countedBytes = 0;
  c.filtered = c.gonePackets = c.goneBytes = 0;
  clearRuleCounters(c.classifier);
  clearChecks(c.checks);
  clearSourceSide(c.sourceSide);
  c.firstTime = u64.MAX_VALUE;
  c.lastTime = 0;
  memory.fill(c.reasons, 0, <usize>REASON_COUNT << 3);
  clearFrameTypes(c.nonIpTypes);
  clearFrameTypes(c.unsupportedLinkTypes);
  for (let id = 0; id < c.routeCapacity; id++) freePathCounters(c.routes + <usize>id * ROUTE_COUNTER_BYTES);
  memory.fill(c.routes, 0, <usize>c.routeCapacity * ROUTE_COUNTER_BYTES);
  clearDestinations(c.destinations);
  syncGenerations(c, 0);
  const series = c.series;
  if (series.bins) memory.fill(series.values, 0, <usize>series.routeCount * series.bins * 16);
}

/**
 * Watches `count` route ids (listed at `routes`) from now on: their packets and bytes per bin of
 * `width` nanoseconds from `start` (packed like record times), `bins` bins. False when memory is
 * too short for them: the series is then off.
 */
export function setSeries(c: Counters, routes: usize, count: u32, start: u64, width: u64, bins: u32): bool {
  const series = c.series;
  freeSeries(series);
  if (!count || !bins || !width) return true;
  const routeCount = min(count, SERIES_ROUTES);
  const bytes = <u64>routeCount * bins * 16;
  const values = tryAlloc(bytes, POOL_OTHER);
  if (!values) return false;
  series.routeCount = routeCount;
  series.routes = alloc(<usize>routeCount << 2, POOL_OTHER);
  memory.copy(series.routes, routes, <usize>routeCount << 2);
  series.bins = bins;
  series.start = nanosecondsOf(start);
  series.width = width;
  series.values = values;
  memory.fill(values, 0, <usize>bytes);
  return true;
}

function freeSeries(series: TimeSeries): void {
  if (!series.bins) return;
  free(series.routes, <usize>series.routeCount << 2, POOL_OTHER);
  free(series.values, <usize>series.routeCount * series.bins * 16, POOL_OTHER);
  series.bins = series.routeCount = 0;
}

@inline function nanosecondsOf(time: u64): u64 {
  return (time >> 32) * 1000000000 + (time & 0xffffffff);
}

function countSeries(series: TimeSeries, route: i32, wire: u64, time: u64): void {
  let slot: u32 = 0;
  while (slot < series.routeCount && load<i32>(series.routes + (<usize>slot << 2)) != route) slot++;
  if (slot == series.routeCount) return;
  const ns = nanosecondsOf(time);
  const bin = ns <= series.start ? 0 : <u32>min((ns - series.start) / series.width, <u64>(series.bins - 1));
  const at = series.values + (<usize>slot * series.bins + bin) * 16;
  add64(at, 1);
  add64(at + 8, wire);
}

/** The counter of `route` as of its current generation: one of a route that has gone starts afresh. */
@inline function liveCounter(c: Counters, route: i32): usize {
  const counter = routeCounter(c, route);
  const generation = routeGeneration(route);
  if (load<u32>(counter, 20) != generation) {
    c.gonePackets += load<u64>(counter);
    c.goneBytes += load<u64>(counter, 8);
    freePathCounters(counter);
    memory.fill(counter, 0, ROUTE_COUNTER_BYTES);
    store<u32>(counter, generation, 20);
  }
  return counter;
}

/**
 * Zeroes the counters of routes that have gone since they counted, and gives every counter its
 * route's generation: a report then lists only routes of the table (the destinations' copy marks
 * theirs as unrouted, countersCopyDestinations), and counting need not compare generations.
 */
export function settleCounters(c: Counters): void {
  const now = routeRemovals();
  if (c.removalsSeen == now) return;
  const ids = min(c.routeCapacity, routeCapacity());
  if (now - c.removalsSeen <= REMOVAL_LOG) {
    // only the routes removed since can have left a counter behind (a served table under route
    // churn settles a few ids a batch, where every route's counter was 3 MB to read)
    for (let n = c.removalsSeen; n != now; n++) settleCounter(c, removedRoute(n), ids);
  } else {
    for (let id = 0; id < ids; id++) settleCounter(c, id, ids);
  }
  c.removalsSeen = now;
}

@inline function settleCounter(c: Counters, id: i32, ids: i32): void {
  if (id < ids && load<u32>(routeCounter(c, id), 20) != routeGeneration(id)) liveCounter(c, id);
}

function freePathCounters(counter: usize): void {
  const paths = <usize>load<u32>(counter, 24);
  if (!paths) return;
  free(paths, <usize>load<u32>(counter, 28) * PATH_COUNTER_BYTES, POOL_OTHER);
  store<u64>(counter, 0, 24);
}

/** Counts a packet of multipath route `route` under the next hop its flow takes. */
function countPath(counter: usize, route: i32, header: usize, available: u32, v6: bool, wire: u64): void {
  const paths = routePaths(route);
  let pathCounters = <usize>load<u32>(counter, 24);
  if (!pathCounters) {
    const count = load<u32>(paths);
    pathCounters = alloc(<usize>count * PATH_COUNTER_BYTES, POOL_OTHER);
    memory.fill(pathCounters, 0, <usize>count * PATH_COUNTER_BYTES);
    store<u32>(counter, <u32>pathCounters, 24);
    store<u32>(counter, count, 28);
  }
  const at = pathCounters + <usize>pickPath(paths, flowHash(header, available, v6)) * PATH_COUNTER_BYTES;
  add64(at, 1);
  add64(at + 8, wire);
}

@inline function add64(at: usize, value: u64): void {
  store<u64>(at, load<u64>(at) + value);
}

// Counted packets wait in a batch until it is full or the feed call ends: the batch's lookups
// then run in lockstep lanes (fib/lookup.ts), whose cache misses overlap, and the destinations
// are counted in packet order, so the report does not depend on where batches end.
const BATCH: i32 = 256;
const batch4 = memory.data(BATCH * 4);         // IPv4 destinations, host order
const batch6 = memory.data(BATCH * 16);        // IPv6 destinations, network order
const routes4 = memory.data(BATCH * 4);
const routes6 = memory.data(BATCH * 4);
const batchOrder = memory.data(BATCH * 4);     // per packet: its index in batch4, or in batch6 | V6
const batchLength = memory.data(BATCH * 4);    // original (wire) length
const batchTime = memory.data(BATCH * 8);
const batchHeader = memory.data(BATCH * 4);    // the IP header, valid until the feed call returns
const batchAvailable = memory.data(BATCH * 4); // its captured bytes
const batchInterface = memory.data(BATCH * 4); // its capture interface (classify/interfaces.ts)
// the sources and their routes, looked up only when checks need them
const sources4 = memory.data(BATCH * 4);
const sources6 = memory.data(BATCH * 16);
const sourceRoutes4 = memory.data(BATCH * 4);
const sourceRoutes6 = memory.data(BATCH * 4);
const batchHash = memory.data(BATCH * 8);      // the destination's hash (destinations.ts)
/** What the touch pass loaded, kept so that its loads are not optimised away. */
let touched: u64 = 0;
const V6: u32 = 0x80000000;
let queued: i32 = 0;
let queued4: i32 = 0;
let queued6: i32 = 0;

/** Counts one record: `caplen` captured bytes at `data`, `origLen` on the wire, at `time` (capture/time.ts). */
export function countFrame(c: Counters, linkType: u32, data: usize, caplen: u32, origLen: u32, time: u64): void {
  c.records++;
  const classifying = c.classifying;
  if (classifying && !passesFilter(c.classifier, linkType, data, caplen, origLen)) {
    c.filtered++;
    return;
  }
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
  if (classifying && c.classifier.rulesSlot) countRules(c.classifier, linkType, data, caplen, origLen, time, frame);
  if (frame == FRAME_IPV4) {
    c.ipv4++;
    store<u32>(batch4 + (<usize>queued4 << 2), destination4);
    store<u32>(batchOrder + (<usize>queued << 2), <u32>(queued4++));
  } else if (frame == FRAME_IPV6) {
    c.ipv6++;
    const at = batch6 + (<usize>queued6 << 4);
    store<u64>(at, bswap<u64>(destinationHi));
    store<u64>(at, bswap<u64>(destinationLo), 8);
    store<u32>(batchOrder + (<usize>queued << 2), <u32>(queued6++) | V6);
  } else {
    if (frame == FRAME_NON_IP) {
      c.nonIp++;
      countFrameType(c.nonIpTypes, nonIpKey);
    } else if (frame == FRAME_MALFORMED) {
      c.malformed++;
      add64(c.reasons + (<usize>reason << 3), 1);
    } else {
      c.unsupportedLink++;
      countFrameType(c.unsupportedLinkTypes, linkType);
    }
    return;
  }
  store<u32>(batchLength + (<usize>queued << 2), origLen);
  store<u64>(batchTime + (<usize>queued << 3), time);
  store<u32>(batchHeader + (<usize>queued << 2), <u32>(data + networkOffset));
  store<u32>(batchAvailable + (<usize>queued << 2), caplen - networkOffset);
  store<u32>(batchInterface + (<usize>queued << 2), currentInterface);
  if (++queued == BATCH) countBatch(c);
}

/** Counts the packets waiting in the batch; the feed calls it before it returns. */
export function countBatch(c: Counters): void {
  if (queued == 0) return;
  lookup4Many(fib4.direct, fib4.directBits, batch4, routes4, queued4);
  lookupsDone4(queued4);
  lookup6Many(fib6.direct, fib6.directBits, batch6, routes6, queued6);
  lookupsDone6(queued6);
  const checking = c.checks.on;
  const sourcing = checking || c.sourceSide.views != 0;
  if (sourcing) lookupSources();
  // counters in step with their routes' generations: counting reads a counter's as its route's
  settleCounters(c);
  // (without the source side, the destinations' lines mostly stay in the cache between
  // batches, and the pass measured no gain)
  if (sourcing) touchBatch(c, checking);
  const multipath = anyMultipathRoute();
  for (let i = 0; i < queued; i++) {
    const order = load<u32>(batchOrder + (<usize>i << 2));
    let hi: u64, lo: u64, route: i32, family: u32;
    if (order & V6) {
      const at = batch6 + (<usize>(order & ~V6) << 4);
      hi = bswap<u64>(load<u64>(at));
      lo = bswap<u64>(load<u64>(at, 8));
      route = load<i32>(routes6 + (<usize>(order & ~V6) << 2));
      family = FRAME_IPV6;
    } else {
      hi = <u64>load<u32>(batch4 + (<usize>order << 2));
      lo = 0;
      route = load<i32>(routes4 + (<usize>order << 2));
      family = FRAME_IPV4;
    }
    const wire = <u64>load<u32>(batchLength + (<usize>i << 2));
    if (multipath && route >= 0 && routePaths(route)) {
      countPath(liveCounter(c, route), route, <usize>load<u32>(batchHeader + (<usize>i << 2)),
        load<u32>(batchAvailable + (<usize>i << 2)), family == FRAME_IPV6, wire);
    }
    const time = load<u64>(batchTime + (<usize>i << 3));
    const hash = sourcing ? load<u64>(batchHash + (<usize>i << 3)) : destinationHash(hi, lo, family);
    countPacket(c, hi, lo, family, route, wire, time, hash);
    if (sourcing) countSourcePacket(c, checking, i, order, hi, lo, route, wire);
  }
  queued = queued4 = queued6 = 0;
}

/**
 * Works out the batch's destination hashes and loads their index slots, entries and route
 * counters (and, with checks, the route records of destination and source), one packet after
 * another without waiting: the misses overlap, where counting would wait for each packet's in
 * turn. The source side's lookups and checks push the destinations out of the cache.
 */
function touchBatch(c: Counters, checking: bool): void {
  const t = c.destinations;
  let sum: u64 = 0;
  for (let i = 0; i < queued; i++) {
    const order = load<u32>(batchOrder + (<usize>i << 2));
    let hash: u64, route: i32, sourceRoute: i32;
    if (order & V6) {
      const at = batch6 + (<usize>(order & ~V6) << 4);
      hash = destinationHash(bswap<u64>(load<u64>(at)), bswap<u64>(load<u64>(at, 8)), FRAME_IPV6);
      route = load<i32>(routes6 + (<usize>(order & ~V6) << 2));
      sourceRoute = load<i32>(sourceRoutes6 + (<usize>(order & ~V6) << 2));
    } else {
      hash = destinationHash(<u64>load<u32>(batch4 + (<usize>order << 2)), 0, FRAME_IPV4);
      route = load<i32>(routes4 + (<usize>order << 2));
      sourceRoute = load<i32>(sourceRoutes4 + (<usize>order << 2));
    }
    store<u64>(batchHash + (<usize>i << 3), hash);
    sum += touchDestination(t, hash);
    if (route >= 0) {
      sum += load<u64>(routeCounter(c, route));
      // the checks read the route's record (its class), and the source's
      if (checking) sum += <u64>routeClass(route);
    }
    if (checking && sourceRoute >= 0) sum += <u64>routeClass(sourceRoute);
  }
  touched += sum;
}

/** Looks up the batch's sources, in the same lockstep lanes as its destinations. */
function lookupSources(): void {
  for (let i = 0; i < queued; i++) {
    const order = load<u32>(batchOrder + (<usize>i << 2));
    const header = <usize>load<u32>(batchHeader + (<usize>i << 2));
    if (order & V6) memory.copy(sources6 + (<usize>(order & ~V6) << 4), header + 8, 16);
    else store<u32>(sources4 + (<usize>order << 2), bswap<u32>(load<u32>(header, 12)));
  }
  lookup4Many(fib4.direct, fib4.directBits, sources4, sourceRoutes4, queued4);
  lookupsDone4(queued4);
  lookup6Many(fib6.direct, fib6.directBits, sources6, sourceRoutes6, queued6);
  lookupsDone6(queued6);
}

/** Counts packet `i` of the batch on the source side: its anomaly classes (checks/checks.ts) and the source views. */
function countSourcePacket(c: Counters, checking: bool, i: i32, order: u32, dstHi: u64, dstLo: u64, route: i32, wire: u64): void {
  const header = <usize>load<u32>(batchHeader + (<usize>i << 2));
  const v6 = (order & V6) != 0;
  let srcHi: u64, srcLo: u64, ttl: u32, sourceRoute: i32;
  if (v6) {
    srcHi = bswap<u64>(load<u64>(header, 8));
    srcLo = bswap<u64>(load<u64>(header, 16));
    ttl = load<u8>(header, 7);
    sourceRoute = load<i32>(sourceRoutes6 + (<usize>(order & ~V6) << 2));
  } else {
    srcHi = <u64>bswap<u32>(load<u32>(header, 12));
    srcLo = 0;
    ttl = load<u8>(header, 8);
    sourceRoute = load<i32>(sourceRoutes4 + (<usize>order << 2));
  }
  const capture = load<u32>(batchInterface + (<usize>i << 2));
  if (checking) {
    const checks = c.checks;
    const classes = packetClasses(checks, v6, srcHi, srcLo, dstHi, dstLo, ttl, route, sourceRoute, capture, wire);
    if (classes) countClasses(checks, classes, v6, srcHi, srcLo, dstHi, dstLo, wire);
  }
  if (c.sourceSide.views) {
    countSourceSide(c.sourceSide, v6, srcHi, srcLo, sourceRoute, route, capture, wire, load<u64>(batchTime + (<usize>i << 3)));
  }
}

/**
 * Counts one packet under its route and destination. The counters are settled (settleCounters):
 * a counter's generation is its route's.
 */
@inline function countPacket(c: Counters, hi: u64, lo: u64, family: u32, route: i32, wire: u64, time: u64, hash: u64): void {
  c.counted++;
  c.countedBytes += wire;
  if (time < c.firstTime) c.firstTime = time;
  if (time > c.lastTime) c.lastTime = time;
  let counter: usize = 0;
  let generation: u32 = 0;
  if (route < 0) {
    c.noRoutePackets++;
    c.noRouteBytes += wire;
  } else {
    counter = routeCounter(c, route);
    generation = load<u32>(counter, 20);
    add64(counter, 1);
    add64(counter + 8, wire);
    if (c.series.bins) countSeries(c.series, route, wire, time);
  }
  let entry = findDestination(c.destinations, hash, hi, lo, family);
  if (!entry) {
    entry = addDestination(c.destinations, hash, hi, lo, family);
    if (!entry) {
      // the table is full: the packet counts everywhere but under a destination of its own
      c.overflowPackets++;
      c.overflowBytes += wire;
      return;
    }
    store<u64>(entry, 1, 16);
    store<u64>(entry, wire, 24);
    store<u64>(entry, time, 32);
    store<u64>(entry, time, 40);
    store<i32>(entry, route, 48);
    store<u32>(entry, generation, 56);
    if (route >= 0) store<u32>(counter, load<u32>(counter, 16) + 1, 16);
    return;
  }
  add64(entry + 16, 1);
  add64(entry + 24, wire);
  if (time < load<u64>(entry, 32)) store<u64>(entry, time, 32);
  if (time > load<u64>(entry, 40)) store<u64>(entry, time, 40);
  const previous = load<i32>(entry, 48);
  const previousGeneration = load<u32>(entry, 56);
  // the same id of another generation is another route: the one the entry counted under is gone
  if (previous != route || (route >= 0 && previousGeneration != generation)) {
    // the destination moved (the table changed): it now counts under its new route only; a
    // route that has gone since took its count of destinations with it
    if (previous >= 0 && previousGeneration == routeGeneration(previous)) {
      const old = liveCounter(c, previous);
      store<u32>(old, load<u32>(old, 16) - 1, 16);
    }
    if (route >= 0) store<u32>(counter, load<u32>(counter, 16) + 1, 16);
    store<i32>(entry, route, 48);
    store<u32>(entry, generation, 56);
  }
}
