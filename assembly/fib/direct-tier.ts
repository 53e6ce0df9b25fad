// The size of the IPv4 direct array follows the table and how much it is used. A table starts
// with 2^18 slots (1 MiB). One with more routes than that has most of its slots leading to a
// node, so a lookup of a /24 (most of a full table) reads the slot, a node and a leaf; with
// 2^24 slots (64 MiB, DPDK's DIR-24-8) it mostly reads the slot alone: 1.5 to 1.7 times the
// lookups a second on a full table. The big array costs 64 MiB and about 40 ms to build (its
// pages touched for the first time, most of that), more than a capture of a few million packets
// saves, so a table moves to it only once it has answered CHECK_EVERY lookups, and back when it
// has shrunk well below the threshold. A rebuild changes no route and no id: only how fast they
// are found.

import { FAMILY_V4 } from './keys';
import { DIRECT_BITS_V4, DIRECT_BITS_V4_LARGE } from './lookup';
import { rebuildResized } from './poptrie';
import { routeCapacity, routeExists, routeFamily } from './routes';
import { fib4 } from './tables';

/** IPv4 lookups between two looks at the table's size: about 0.1 s of lookups, the move's cost a few times over. */
const CHECK_EVERY: u32 = 1 << 24;
/** More IPv4 routes than this: the large array. */
const LARGE_ABOVE: i32 = 1 << DIRECT_BITS_V4;
/** Fewer than this, in the large array: back to the small one (well below, so a table near the line does not move back and forth). */
const SMALL_BELOW: i32 = 1 << (DIRECT_BITS_V4 - 2);

let lookupsSinceCheck: u32 = 0;

/** Counts `count` IPv4 lookups just done; now and then, moves the table to the array that suits it. Call between lookups. */
@inline export function lookupsDone4(count: i32): void {
  lookupsSinceCheck += <u32>count;
  if (lookupsSinceCheck >= CHECK_EVERY) {
    lookupsSinceCheck = 0;
    fitDirectArray4();
  }
}

function fitDirectArray4(): void {
  const routes = countRoutes4();
  // past the memory limit the table stays as it is, and is looked at again CHECK_EVERY lookups later
  if (fib4.directBits == DIRECT_BITS_V4 && routes > LARGE_ABOVE) rebuildResized(fib4, DIRECT_BITS_V4_LARGE);
  else if (fib4.directBits == DIRECT_BITS_V4_LARGE && routes < SMALL_BELOW) rebuildResized(fib4, DIRECT_BITS_V4);
}

/** IPv4 routes in the table: a pass over the ids (a millisecond for a full table, once per CHECK_EVERY lookups). */
function countRoutes4(): i32 {
  const capacity = routeCapacity();
  let count = 0;
  for (let id = 0; id < capacity; id++) if (routeExists(id) && routeFamily(id) == FAMILY_V4) count++;
  return count;
}
