// The anomaly trackers of `analyze --threads`, merged exactly. A Space-Saving tracker
// (count/top-tracker.ts) depends on the order it saw its addresses in, so the trackers of a
// capture's ranges cannot be summed: the reader of a range past the first stretch (the ranges one
// thread reads in order) logs every counted anomaly instead, and the main thread replays the
// logs, in capture order, into trackers that start as that stretch ended. The replay runs the
// same trackTop one thread runs.
//
// Log entry: @0 classes u16  @2 family u8  @3 unused u8  @4 wire u32, then
//   IPv4: source u32, destination u32 (16 bytes); IPv6: source hi, lo, destination hi, lo u64 (40 bytes)

import { alloc, free, tryRealloc, POOL_OTHER } from '../memory/alloc';
import { CLASS_COUNT } from '../checks/checks';
import { TRACKER_BYTES, trackTop } from '../count/top-tracker';

const ENTRY4: usize = 16;
const ENTRY6: usize = 40;

let logging = false;
let log: usize = 0;
let used: usize = 0;
let capacity: usize = 0;
/** Set when the log could not grow under the memory limit: the ranges cannot be merged exactly. */
let overflowed = false;

@inline export function anomalyLogOn(): bool {
  return logging;
}

/** Appends one counted anomaly (checks/checks.ts countClasses calls it while logging). */
export function appendAnomaly(classes: u32, v6: bool, srcHi: u64, srcLo: u64, dstHi: u64, dstLo: u64, wire: u64): void {
  const size = v6 ? ENTRY6 : ENTRY4;
  if (used + size > capacity) {
    if (overflowed) return;
    const next = max<usize>(1 << 20, capacity * 2);
    const grown = tryRealloc(log, capacity, next, POOL_OTHER);
    if (!grown) {
      overflowed = true;
      return;
    }
    log = grown;
    capacity = next;
  }
  const at = log + used;
  store<u16>(at, <u16>classes);
  store<u8>(at, v6 ? 6 : 4, 2);
  // a record's original length is a u32 in pcap and pcapng
  store<u32>(at, <u32>min<u64>(wire, 0xffffffff), 4);
  if (v6) {
    store<u64>(at, srcHi, 8);
    store<u64>(at, srcLo, 16);
    store<u64>(at, dstHi, 24);
    store<u64>(at, dstLo, 32);
  } else {
    store<u32>(at, <u32>srcHi, 8);
    store<u32>(at, <u32>dstHi, 12);
  }
  used += size;
}

/** Starts an empty log: every anomaly counted from now on is appended. */
export function anomalyLogStart(): void {
  used = 0;
  overflowed = false;
  logging = true;
}

/** Stops logging and frees the log. */
export function anomalyLogStop(): void {
  logging = false;
  if (log) free(log, capacity, POOL_OTHER);
  log = 0;
  used = 0;
  capacity = 0;
}

export function anomalyLogPointer(): usize {
  return log;
}

export function anomalyLogBytes(): usize {
  return used;
}

export function anomalyLogOverflowed(): bool {
  return overflowed;
}

/** Bytes of a set of trackers, two (sources, destinations) per anomaly class. */
export function anomalyTrackersBytes(): usize {
  return <usize>CLASS_COUNT * 2 * TRACKER_BYTES;
}

/** Zeroed trackers for a replay (the first stretch's are copied over them), or 0 past the memory limit. */
export function anomalyTrackersCreate(): usize {
  const trackers = alloc(anomalyTrackersBytes(), POOL_OTHER);
  memory.fill(trackers, 0, anomalyTrackersBytes());
  return trackers;
}

export function anomalyTrackersFree(trackers: usize): void {
  free(trackers, anomalyTrackersBytes(), POOL_OTHER);
}

/**
 * Room for a worker's log of `bytes` in this instance (the log's own buffer, not logging), or 0
 * when it does not fit under the memory limit.
 */
export function anomalyLogReceive(bytes: usize): usize {
  if (bytes > capacity) {
    const grown = tryRealloc(0, 0, bytes, POOL_OTHER);
    if (!grown) return 0;
    if (log) free(log, capacity, POOL_OTHER);
    log = grown;
    capacity = bytes;
  }
  used = bytes;
  return log;
}

/** Replays `bytes` of log at `from` into the trackers at `trackers`, as countClasses tracks. */
export function anomalyLogReplay(trackers: usize, from: usize, bytes: usize): void {
  const end = from + bytes;
  let at = from;
  while (at < end) {
    let classes = <u32>load<u16>(at);
    const family = <u32>load<u8>(at, 2);
    const wire = <u64>load<u32>(at, 4);
    let srcHi: u64, srcLo: u64, dstHi: u64, dstLo: u64;
    if (family == 6) {
      srcHi = load<u64>(at, 8);
      srcLo = load<u64>(at, 16);
      dstHi = load<u64>(at, 24);
      dstLo = load<u64>(at, 32);
      at += ENTRY6;
    } else {
      srcHi = <u64>load<u32>(at, 8);
      srcLo = 0;
      dstHi = <u64>load<u32>(at, 12);
      dstLo = 0;
      at += ENTRY4;
    }
    while (classes) {
      const index = <u32>ctz(classes);
      classes &= classes - 1;
      const pair = trackers + <usize>index * 2 * TRACKER_BYTES;
      trackTop(pair, family, srcHi, srcLo, wire);
      trackTop(pair + TRACKER_BYTES, family, dstHi, dstLo, wire);
    }
  }
}
