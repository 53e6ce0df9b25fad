// What the checks need to know of a route beyond its prefix: its type (does the router forward,
// drop or deliver locally?) and the devices it leaves by (strict uRPF). Routes share these
// through their attribute class (fib/routes.ts record @28), which the host numbers; the host
// describes each class here as it makes it (src/checks/route-classes.ts).
//
// Class entry, CLASS_BYTES: @0 type u32 (the index in src/routes/route.ts ROUTE_TYPES)
//   @4 device count u32   @8 devices: a block of u32 interface numbers (classify/interfaces.ts)

import { free, realloc, tryAlloc, POOL_OTHER } from '../memory/alloc';

const CLASS_BYTES: usize = 12;

// src/routes/route.ts ROUTE_TYPES
export const TYPE_UNICAST: u32 = 0;
export const TYPE_LOCAL: u32 = 1;
export const TYPE_BLACKHOLE: u32 = 3;
export const TYPE_UNREACHABLE: u32 = 4;
export const TYPE_PROHIBIT: u32 = 5;

let classes: usize = 0;
let capacity: u32 = 0;

@inline function entryOf(routeClass: u32): usize {
  return classes + <usize>routeClass * CLASS_BYTES;
}

/** Describes attribute class `routeClass`: its type and the `count` interface numbers at `devices`. False when memory is short. */
export function describeClass(routeClass: u32, type: u32, devices: usize, count: u32): bool {
  if (routeClass >= capacity) {
    let next = max<u32>(capacity * 2, 1024);
    while (next <= routeClass) next *= 2;
    const grown = realloc(classes, <usize>capacity * CLASS_BYTES, <usize>next * CLASS_BYTES, POOL_OTHER);
    memory.fill(grown + <usize>capacity * CLASS_BYTES, 0, <usize>(next - capacity) * CLASS_BYTES);
    classes = grown;
    capacity = next;
  }
  const entry = entryOf(routeClass);
  const old = <usize>load<u32>(entry, 8);
  let block: usize = 0;
  if (count) {
    block = tryAlloc(<u64>count << 2, POOL_OTHER);
    if (!block) return false;
    memory.copy(block, devices, <usize>count << 2);
  }
  if (old) free(old, <usize>load<u32>(entry, 4) << 2, POOL_OTHER);
  store<u32>(entry, type);
  store<u32>(entry, count, 4);
  store<u32>(entry, <u32>block, 8);
  return true;
}

/** The type of class `routeClass` (unicast when the host has not described it). */
@inline export function classType(routeClass: u32): u32 {
  return routeClass < capacity ? load<u32>(entryOf(routeClass)) : TYPE_UNICAST;
}

/** True when the router drops what a route of this type matches. */
@inline export function dropsTraffic(type: u32): bool {
  return type == TYPE_BLACKHOLE || type == TYPE_UNREACHABLE || type == TYPE_PROHIBIT;
}

/** True when a route of class `routeClass` leaves by interface `device`. */
export function leavesBy(routeClass: u32, device: u32): bool {
  if (routeClass >= capacity) return false;
  const entry = entryOf(routeClass);
  const count = load<u32>(entry, 4);
  const devices = <usize>load<u32>(entry, 8);
  for (let i: u32 = 0; i < count; i++) if (load<u32>(devices + (<usize>i << 2)) == device) return true;
  return false;
}
