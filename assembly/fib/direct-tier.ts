// The size of a table's direct array follows the table and how much it is used. A table starts
// small: 2^18 slots (1 MiB) for IPv4, 2^20 (4 MiB) for IPv6. A large one in use moves to 2^24
// slots (64 MiB), the first level of DPDK's DIR-24-8 (rte_fib) and of its IPv6 trie (rte_fib6):
// - IPv4, more routes than the small array has slots: most slots lead to a node, so a lookup of
//   a /24 (most of a full table) reads the slot, a node and a leaf; with 2^24 slots it mostly
//   reads the slot alone: 1.5 to 1.7 times the lookups a second on a full table.
// - IPv6, more than 2^16 routes: the walk to a /48 (half of a full table) starts 4 bits lower,
//   one node fewer (/48 = 24 + 4 x 6): 5 to 10% more lookups a second on a full table.
// The big array costs 64 MiB and about 40 ms to build (its pages touched for the first time,
// most of that), more than a capture of a few million packets saves, so a table moves to it
// only once it has answered CHECK_EVERY lookups, and back when it has shrunk well below its
// threshold. A rebuild changes no route and no id: only how fast they are found. Past the
// memory limit a table stays as it is, and is looked at again CHECK_EVERY lookups later.

import { FAMILY_V4, FAMILY_V6 } from './keys';
import { DIRECT_BITS_LARGE, DIRECT_BITS_V4, DIRECT_BITS_V6 } from './lookup';
import { Poptrie, rebuildResized } from './poptrie';
import { routeCapacity, routeExists, routeFamily } from './routes';
import { fib4, fib6 } from './tables';

/** Lookups of a family between two looks at its table's size: about 0.1 s of lookups, the move's cost a few times over. */
const CHECK_EVERY: u32 = 1 << 24;
/** More routes than this: the large array (IPv4: the small array's slots). */
const LARGE_ABOVE_V4: i32 = 1 << DIRECT_BITS_V4;
const LARGE_ABOVE_V6: i32 = 1 << 16;

let lookupsSinceCheck4: u32 = 0;
let lookupsSinceCheck6: u32 = 0;

/** Counts `count` IPv4 lookups just done; now and then, moves the table to the array that suits it. Call between lookups. */
@inline export function lookupsDone4(count: i32): void {
  lookupsSinceCheck4 += <u32>count;
  if (lookupsSinceCheck4 >= CHECK_EVERY) {
    lookupsSinceCheck4 = 0;
    fitDirectArray(fib4, FAMILY_V4, DIRECT_BITS_V4, LARGE_ABOVE_V4);
  }
}

/** As lookupsDone4, for IPv6. */
@inline export function lookupsDone6(count: i32): void {
  lookupsSinceCheck6 += <u32>count;
  if (lookupsSinceCheck6 >= CHECK_EVERY) {
    lookupsSinceCheck6 = 0;
    fitDirectArray(fib6, FAMILY_V6, DIRECT_BITS_V6, LARGE_ABOVE_V6);
  }
}

/** Back to the small array only well below the line (a quarter), so a table near it does not move back and forth. */
function fitDirectArray(t: Poptrie, family: i32, smallBits: i32, largeAbove: i32): void {
  const routes = countRoutes(family);
  if (t.directBits == smallBits && routes > largeAbove) rebuildResized(t, DIRECT_BITS_LARGE);
  else if (t.directBits == DIRECT_BITS_LARGE && routes < largeAbove >> 2) rebuildResized(t, smallBits);
}

/** Routes of `family` in the table: a pass over the ids (a millisecond for a full table, once per CHECK_EVERY lookups). */
function countRoutes(family: i32): i32 {
  const capacity = routeCapacity();
  let count = 0;
  for (let id = 0; id < capacity; id++) if (routeExists(id) && routeFamily(id) == family) count++;
  return count;
}
