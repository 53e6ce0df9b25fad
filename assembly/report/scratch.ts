// Grow-only scratch regions for building and writing reports, one per use. A report needs
// large blocks for a moment (route rows, their sort, JSON text); taken and freed per report they
// interleave with long-lived blocks made meanwhile (a destination table's growth, attribute class
// texts) and leave holes the heap's top can never come back over: a soak of 500 reports grew the
// heap by 12 MiB. Kept instead, each region costs its largest use so far, once.

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';

/** The route rows block the host copies out (report/route-rows.ts). */
export const SCRATCH_ROUTE_ROWS: i32 = 0;
/** The route rows' sort: unsorted rows and two orders. */
export const SCRATCH_ROUTE_SORT: i32 = 1;
/** The host's copy of the rows, their BGP texts and the JSON out buffer (src/analyze/route-rows.ts). */
export const SCRATCH_ROUTE_JSON: i32 = 2;
/** A route row too long for the JSON out buffer. */
export const SCRATCH_ROUTE_BIG: i32 = 3;
/** Destination entries, the prefix table and the JSON out buffer (src/analyze/destination-json.ts). */
export const SCRATCH_DESTINATION_JSON: i32 = 4;
/** `compare`: a side's summed route counters, their path counters, and what the host copies in (compare/side-rows.ts). */
export const SCRATCH_SIDE_COUNTERS: i32 = 5;
export const SCRATCH_SIDE_PATHS: i32 = 6;
export const SCRATCH_SIDE_INPUT: i32 = 7;
const REGIONS: i32 = 8;

const regionAt = memory.data(REGIONS * 4);
const regionBytes = memory.data(REGIONS * 8);

/**
 * Region `region`, at least `bytes` long (its old content is not kept when it grows); 0 when
 * memory is too short. It grows to at least an eighth more than asked, so a report that grows
 * a little each time does not move it each time.
 */
export function scratchRegion(region: i32, bytes: u64): usize {
  const at = regionAt + (<usize>region << 2);
  const sizeAt = regionBytes + (<usize>region << 3);
  const have = load<u64>(sizeAt);
  if (bytes <= have && have) return <usize>load<u32>(at);
  if (have) free(<usize>load<u32>(at), have, POOL_OTHER);
  store<u32>(at, 0);
  store<u64>(sizeAt, 0);
  const want = max<u64>(bytes + (bytes >> 3), 4096);
  let block = tryAlloc(want, POOL_OTHER);
  let size = want;
  if (!block) {
    block = tryAlloc(max<u64>(bytes, 8), POOL_OTHER);
    size = max<u64>(bytes, 8);
  }
  if (!block) return 0;
  store<u32>(at, <u32>block);
  store<u64>(sizeAt, size);
  return block;
}

// The host's regions (src/analyze/route-rows.ts, destination-json.ts): each valid until its next request.

export function routeJsonScratch(bytes: u32): usize {
  return scratchRegion(SCRATCH_ROUTE_JSON, bytes);
}

export function routeBigScratch(bytes: u32): usize {
  return scratchRegion(SCRATCH_ROUTE_BIG, bytes);
}

export function destinationJsonScratch(bytes: u32): usize {
  return scratchRegion(SCRATCH_DESTINATION_JSON, bytes);
}
