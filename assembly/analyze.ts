// Exports for capture analysis: counters, capture inputs, and the feed that runs the per-packet
// loop. The host copies capture bytes into the input buffer and makes one call per chunk.

import { alloc, free, limitBytes, tryAlloc, tryAllocLeaving, POOL_OTHER } from './memory/alloc';
import {
  countBatch, Counters, countFrame, freeCounters, newCounters, prepareCounters, resetCounters, ROUTE_COUNTER_BYTES,
  setSeries, settleCounters, updateClassifying,
} from './count/counters';
import { copyForReport, ENTRY_BYTES } from './count/destinations';
import { packTime } from './capture/time';
import { setCurrentInterface } from './classify/interfaces';
import { REASON_COUNT } from './parse/status';
import { CaptureInput, feed, freeInput, INPUT_BYTES, newInput } from './capture/input';
import { MAX_DESTINATION_JSON, MAX_PREFIX_TEXT, writeDestinationsJson } from './report/destinations-json';

/** A buffer for capture bytes, one per analyzer (it holds the analyzer's unread tail). */
export function captureBufferCreate(): usize {
  return alloc(INPUT_BYTES, POOL_OTHER);
}

export function captureBufferFree(buffer: usize): void {
  free(buffer, INPUT_BYTES, POOL_OTHER);
}

export function captureBufferBytes(): u32 {
  return INPUT_BYTES;
}

/**
 * Reading ahead (src/analyze/read-ahead.ts): the kernel fills one area while the other is
 * counted. An area is room for the unread tail of the one before (a record cut at its end, at
 * most INPUT_BYTES) followed by READ_AHEAD_BYTES of data: 4 MiB measured fastest of 1 to 16 on
 * the 1M-packet capture (1 MiB areas: half the gain, one promise per MiB; 16 MiB: no longer in
 * the processor's cache when counted).
 */
export const READ_AHEAD_BYTES: u32 = 4 << 20;
const READ_AREAS_BYTES: u64 = 2 * (<u64>INPUT_BYTES + READ_AHEAD_BYTES);

/**
 * The two areas, or 0 (the caller reads in turn, with the capture buffer alone): under a memory
 * limit that 16 times the areas do not fill, or when they would leave less than a quarter of it,
 * the memory is kept for the counters, which a read in turn does not lose speed for.
 */
export function readAreasCreate(): usize {
  const limit = limitBytes();
  if (READ_AREAS_BYTES * 16 > limit) return 0;
  return tryAllocLeaving(READ_AREAS_BYTES, limit >> 2, POOL_OTHER);
}

export function readAreasFree(areas: usize): void {
  free(areas, READ_AREAS_BYTES, POOL_OTHER);
}

export function readAheadBytes(): u32 {
  return READ_AHEAD_BYTES;
}

export function countersCreate(): usize {
  return changetype<usize>(newCounters());
}

export function countersFree(counters: usize): void {
  freeCounters(changetype<Counters>(counters));
}

export function inputCreate(): usize {
  return changetype<usize>(newInput());
}

export function inputFree(input: usize): void {
  freeInput(changetype<CaptureInput>(input));
}

/** Zeroes every count of `counters` (the inputs' framing carries on). */
export function countersReset(counters: usize): void {
  resetCounters(changetype<Counters>(counters));
}

/**
 * Counts one frame of `caplen` bytes at `data` (link type, original length, time and capture
 * interface number given), outside any capture stream. False, and nothing counted, when memory is too short for a counter per route.
 */
export function countersCountFrame(counters: usize, linkType: u32, data: usize, caplen: u32, origLen: u32,
  seconds: u32, nanoseconds: u32, interfaceNumber: u32): bool {
  const c = changetype<Counters>(counters);
  if (!prepareCounters(c)) return false;
  setCurrentInterface(interfaceNumber);
  countFrame(c, linkType, data, caplen, origLen, packTime(seconds, nanoseconds));
  countBatch(c);
  return true;
}

/** Records the filter rejected, as u64 at `out`. */
export function countersFiltered(counters: usize, out: usize): void {
  store<u64>(out, changetype<Counters>(counters).filtered);
}

/**
 * Counts from now on only the records that the function at table index `slot` accepts
 * (classify/classifier.ts); 0: every record.
 */
export function countersSetFilter(counters: usize, slot: u32): void {
  const c = changetype<Counters>(counters);
  c.classifier.filterSlot = slot;
  updateClassifying(c);
}

/** Packets, then bytes, as u64 at `out`, of destinations the full destination table could not take. */
export function countersOverflow(counters: usize, out: usize): void {
  const c = changetype<Counters>(counters);
  store<u64>(out, c.overflowPackets);
  store<u64>(out, c.overflowBytes, 8);
}

/**
 * Counts the route ids listed at `routes` (i32, at most 64) from now on per time bin: `bins` bins
 * of `width` nanoseconds from `seconds`.`nanoseconds`; values at countersSeriesValues. No routes: off.
 */
export function countersSeriesSet(counters: usize, routes: usize, count: u32, seconds: u32, nanoseconds: u32,
  width: f64, bins: u32): bool {
  return setSeries(changetype<Counters>(counters), routes, count, packTime(seconds, nanoseconds), <u64>width, bins);
}

/**
 * The earliest and the latest time of a counted packet, as u32 seconds and nanoseconds at `out`
 * (first, then last); false when none counted.
 */
export function countersTimeSpan(counters: usize, out: usize): bool {
  const c = changetype<Counters>(counters);
  store<u32>(out, <u32>(c.firstTime >> 32));
  store<u32>(out, <u32>c.firstTime, 4);
  store<u32>(out, <u32>(c.lastTime >> 32), 8);
  store<u32>(out, <u32>c.lastTime, 12);
  return c.firstTime <= c.lastTime;
}

/** Packets u64 and bytes u64 per bin, bins of the first route, then of the next. */
export function countersSeriesValues(counters: usize): usize {
  return changetype<Counters>(counters).series.values;
}

export function inputResetRecords(input: usize): void {
  changetype<CaptureInput>(input).records = 0;
}

/** What inputFeedInPlace returns when memory is too short for a counter per route: nothing was read. */
const FEED_OUT_OF_MEMORY: u32 = u32.MAX_VALUE;

/**
 * Reads `length` bytes at `buffer` as the continuation of `input`'s stream and counts every
 * complete record into `counters`; returns how many bytes it used, or FEED_OUT_OF_MEMORY. The
 * rest (a record cut by the chunk's end, or the record a stop time stopped before) stays where
 * it is: a feed that stops at a moment of the capture's clock (src/analyze/capture-clock.ts)
 * goes on from there, and the host moves what is left once, at the end.
 */
export function inputFeedInPlace(input: usize, counters: usize, buffer: usize, length: u32, final: bool): u32 {
  if (!prepareCounters(changetype<Counters>(counters))) return FEED_OUT_OF_MEMORY;
  return feed(changetype<CaptureInput>(input), changetype<Counters>(counters), buffer, length, final);
}

// --- reading the results: counters as u64, record numbers and offsets as f64 (exact below 2^53).

/**
 * Writes the totals, then the malformed reasons, as u64 at `out` (the host reads them exactly,
 * src/report/count.ts readCount); returns how many values.
 * Counters of routes that have gone since are zeroed first (count/counters.ts settleCounters).
 */
export function countersTotals(counters: usize, out: usize): i32 {
  const c = changetype<Counters>(counters);
  settleCounters(c);
  store<u64>(out, c.records);
  store<u64>(out, c.bytes, 8);
  store<u64>(out, c.counted, 16);
  store<u64>(out, c.ipv4, 24);
  store<u64>(out, c.ipv6, 32);
  store<u64>(out, c.nonIp, 40);
  store<u64>(out, c.malformed, 48);
  store<u64>(out, c.unsupportedLink, 56);
  store<u64>(out, c.noRoutePackets, 64);
  store<u64>(out, c.noRouteBytes, 72);
  memory.copy(out + 80, c.reasons, <usize>REASON_COUNT << 3);
  return 10 + REASON_COUNT;
}

/**
 * Frames by type (layout in count/frame-types.ts): the non-IP frames by why they are not IP
 * (keys in parse/link.ts), or with `unsupportedLink` the frames of link types not decoded, by link type.
 */
export function countersFrameTypes(counters: usize, unsupportedLink: bool): usize {
  const c = changetype<Counters>(counters);
  return unsupportedLink ? c.unsupportedLinkTypes : c.nonIpTypes;
}

/** Route counters: ROUTE_COUNTER_BYTES per route id (layout in count/counters.ts). */
export function countersRoutes(counters: usize): usize {
  return changetype<Counters>(counters).routes;
}

export function countersRouteCapacity(counters: usize): i32 {
  return changetype<Counters>(counters).routeCapacity;
}

export function routeCounterBytes(): u32 {
  return <u32>ROUTE_COUNTER_BYTES;
}

export function countersDestinationCount(counters: usize): u32 {
  return changetype<Counters>(counters).destinations.count;
}

/**
 * Copies the destination entries, busiest first, into a fresh block (count * entry bytes,
 * layout in count/destinations.ts) and returns it; the host frees it with destinationsFree.
 * 0 when memory is too short (the destination table leaves room for this copy as it grows).
 */
export function countersCopyDestinations(counters: usize): usize {
  return copyForReport(changetype<Counters>(counters).destinations);
}

/**
 * Where the destination entries start, in the order first seen (count/destinations.ts): the
 * threads' exact merge needs that order, which the sorted copy loses.
 */
export function countersDestinationEntries(counters: usize): usize {
  return changetype<Counters>(counters).destinations.entries;
}

export function destinationsFree(copy: usize, count: u32): void {
  free(copy, <usize>max(count, 1) * ENTRY_BYTES, POOL_OTHER);
}

export function destinationEntryBytes(): u32 {
  return <u32>ENTRY_BYTES;
}

/**
 * A block of memory for the host to fill and read (report text, say); freed with hostBufferFree.
 * 0 when memory is too short.
 */
export function hostBufferCreate(bytes: u32): usize {
  return tryAlloc(<u64>max(bytes, 8), POOL_OTHER);
}

export function hostBufferFree(buffer: usize, bytes: u32): void {
  free(buffer, <usize>max(bytes, 8), POOL_OTHER);
}

/**
 * JSON text of `count` copied destination entries at `entries` into `out` (report/destinations-json.ts),
 * each line feed followed by `indent` blanks more; returns the bytes written, at most
 * count * (destinationJsonBytes() + 8 * indent).
 */
export function destinationsJson(entries: usize, count: u32, first: bool, prefixes: usize, prefixSlots: u32,
  digits: i32, out: usize, indent: u32): u32 {
  return <u32>writeDestinationsJson(entries, count, first, prefixes, prefixSlots, digits, out, indent);
}

/** Most bytes of JSON text one destination takes. */
export function destinationJsonBytes(): u32 {
  return MAX_DESTINATION_JSON;
}

/** Longest route prefix text (JSON, with its quotes) the prefix table may hold. */
export function prefixTextBytes(): u32 {
  return MAX_PREFIX_TEXT;
}

/**
 * Feeds of `input` stop before the first record at `seconds`.`nanoseconds` or later, until
 * another stop time is set; seconds above u32 (the host passes 2^32): never.
 */
export function inputSetStopTime(input: usize, seconds: f64, nanoseconds: u32): void {
  changetype<CaptureInput>(input).stopTime = seconds > <f64>u32.MAX_VALUE ? u64.MAX_VALUE : packTime(<u64>seconds, nanoseconds);
}

/**
 * Whether the last feed of `input` stopped at its stop time; then the time of the record it
 * stopped before, as u32 seconds and nanoseconds at `out`.
 */
export function inputStoppedAt(input: usize, out: usize): bool {
  const at = changetype<CaptureInput>(input).stoppedAt;
  if (at == u64.MAX_VALUE) return false;
  store<u32>(out, <u32>(at >> 32));
  store<u32>(out, <u32>at, 4);
  return true;
}

/** 0 not yet known, 1 pcap, 2 pcapng. */
export function inputFormat(input: usize): i32 {
  return changetype<CaptureInput>(input).detected;
}

export function inputRecords(input: usize): f64 {
  return <f64>changetype<CaptureInput>(input).records;
}

export function inputError(input: usize): i32 {
  return changetype<CaptureInput>(input).error;
}

export function inputErrorDetail(input: usize): u32 {
  return changetype<CaptureInput>(input).errorDetail;
}

export function inputErrorRecord(input: usize): f64 {
  return <f64>changetype<CaptureInput>(input).errorRecord;
}

export function inputErrorOffset(input: usize): f64 {
  return <f64>changetype<CaptureInput>(input).errorOffset;
}

/** Records whose time fields were out of range (capture/input.ts recordTime), and the first one's record number and offset at `out` (two f64). */
export function inputBadTimes(input: usize, out: usize): f64 {
  const i = changetype<CaptureInput>(input);
  store<f64>(out, <f64>i.badTimeRecord);
  store<f64>(out, <f64>i.badTimeOffset, 8);
  return <f64>i.badTimes;
}

export function inputLinkTypes(input: usize): usize {
  return changetype<CaptureInput>(input).linkTypes;
}

export function inputLinkTypeCount(input: usize): i32 {
  return changetype<CaptureInput>(input).linkTypeCount;
}

export function inputPrecision(input: usize): i32 {
  return changetype<CaptureInput>(input).precision;
}
