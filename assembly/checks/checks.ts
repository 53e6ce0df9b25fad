// Security checks by route (docs/checks.md): each counted packet is tested for the anomaly
// classes below, by its source and destination, their routes and its capture interface. A
// packet can fall in several classes; each class counts it once, with its bytes, and tracks its
// busiest sources and destinations in bounded memory (count/top-tracker.ts): anomalies are often
// floods of forged, all-different sources, where an exact table would cost a miss per packet.

import { alloc, free, realloc, POOL_OTHER } from '../memory/alloc';
import { TRACKER_BYTES, trackTop } from '../count/top-tracker';
import { anomalyLogOn, appendAnomaly } from '../threads/anomaly-log';
import { routeClass } from '../fib/routes';
import { bogonClasses4, bogonClasses6, BOGON_DESTINATION, BOGON_SOURCE, PRIVATE } from './bogons';
import { classType, dropsTraffic, leavesBy, TYPE_UNICAST } from './route-classes';

// The classes, in report order (src/checks/anomalies.ts names them).
export const CLASS_BOGON_SOURCE: u32 = 0;
export const CLASS_BOGON_DESTINATION: u32 = 1;
export const CLASS_PRIVATE_SOURCE: u32 = 2;
export const CLASS_URPF_LOOSE: u32 = 3;
export const CLASS_URPF_STRICT: u32 = 4;
export const CLASS_DROPPED: u32 = 5;
export const CLASS_UNROUTED: u32 = 6;
export const CLASS_LAND: u32 = 7;
export const CLASS_TTL_EXPIRING: u32 = 8;
export const CLASS_COUNT: u32 = 9;

@unmanaged export class Checks {
  on: bool;
  /** packets u64 and bytes u64 per class */
  classes: usize;
  /** per class, a tracker of its busiest sources, then one of its destinations */
  trackers: usize;
  /** packets, and bytes, that strict uRPF could not check: their capture interface has no name */
  strictUncheckedPackets: u64;
  strictUncheckedBytes: u64;
  /** per capture interface number: the route device number it stands for (--interface-map), 0 itself */
  aliases: usize;
  aliasCount: u32;
}

export function newChecks(): Checks {
  const checks = changetype<Checks>(alloc(offsetof<Checks>(), POOL_OTHER));
  memory.fill(changetype<usize>(checks), 0, offsetof<Checks>());
  checks.classes = alloc(<usize>CLASS_COUNT << 4, POOL_OTHER);
  checks.trackers = alloc(<usize>CLASS_COUNT * 2 * TRACKER_BYTES, POOL_OTHER);
  clearChecks(checks);
  return checks;
}

export function clearChecks(checks: Checks): void {
  memory.fill(checks.classes, 0, <usize>CLASS_COUNT << 4);
  memory.fill(checks.trackers, 0, <usize>CLASS_COUNT * 2 * TRACKER_BYTES);
  checks.strictUncheckedPackets = checks.strictUncheckedBytes = 0;
}

export function freeChecks(checks: Checks): void {
  free(checks.classes, <usize>CLASS_COUNT << 4, POOL_OTHER);
  free(checks.trackers, <usize>CLASS_COUNT * 2 * TRACKER_BYTES, POOL_OTHER);
  if (checks.aliasCount) free(checks.aliases, <usize>checks.aliasCount << 2, POOL_OTHER);
  free(changetype<usize>(checks), offsetof<Checks>(), POOL_OTHER);
}

/** Capture interface `from` stands for route device `to` in strict uRPF (both interface numbers). */
export function mapInterface(checks: Checks, from: u32, to: u32): void {
  if (from >= checks.aliasCount) {
    const next = max(from + 1, checks.aliasCount * 2);
    checks.aliases = realloc(checks.aliases, <usize>checks.aliasCount << 2, <usize>next << 2, POOL_OTHER);
    memory.fill(checks.aliases + (<usize>checks.aliasCount << 2), 0, <usize>(next - checks.aliasCount) << 2);
    checks.aliasCount = next;
  }
  store<u32>(checks.aliases + (<usize>from << 2), to);
}

@inline function deviceOf(checks: Checks, capture: u32): u32 {
  if (capture < checks.aliasCount) {
    const alias = load<u32>(checks.aliases + (<usize>capture << 2));
    if (alias) return alias;
  }
  return capture;
}

/** The classes of one counted packet, as a bit per class. */
export function packetClasses(checks: Checks, v6: bool, srcHi: u64, srcLo: u64, dstHi: u64, dstLo: u64, ttl: u32,
  dstRoute: i32, srcRoute: i32, capture: u32, wire: u64): u32 {
  let classes: u32 = 0;
  const source = v6 ? bogonClasses6(srcHi, srcLo) : bogonClasses4(<u32>srcHi);
  if (source & BOGON_SOURCE) classes |= 1 << CLASS_BOGON_SOURCE;
  if (source & PRIVATE) classes |= 1 << CLASS_PRIVATE_SOURCE;
  const destination = v6 ? bogonClasses6(dstHi, dstLo) : bogonClasses4(<u32>dstHi);
  if (destination & BOGON_DESTINATION) classes |= 1 << CLASS_BOGON_DESTINATION;
  // RFC 3704: loose, a usable route back to the source; strict, one that leaves by the ingress
  const sourceClass = srcRoute >= 0 ? routeClass(srcRoute) : 0;
  const sourceRouted = srcRoute >= 0 && !dropsTraffic(classType(sourceClass));
  if (!sourceRouted) classes |= 1 << CLASS_URPF_LOOSE;
  if (capture == 0) {
    checks.strictUncheckedPackets++;
    checks.strictUncheckedBytes += wire;
  } else if (!sourceRouted || !leavesBy(sourceClass, deviceOf(checks, capture))) {
    classes |= 1 << CLASS_URPF_STRICT;
  }
  if (dstRoute < 0) {
    classes |= 1 << CLASS_UNROUTED;
  } else {
    const type = classType(routeClass(dstRoute));
    if (dropsTraffic(type)) classes |= 1 << CLASS_DROPPED;
    else if (type == TYPE_UNICAST && ttl <= 1) classes |= 1 << CLASS_TTL_EXPIRING;
  }
  if (srcHi == dstHi && srcLo == dstLo) classes |= 1 << CLASS_LAND;
  return classes;
}

/** Counts a packet in each of its classes, with its source and destination. */
export function countClasses(checks: Checks, classes: u32, v6: bool, srcHi: u64, srcLo: u64, dstHi: u64, dstLo: u64, wire: u64): void {
  const family: u32 = v6 ? 6 : 4;
  // the reader of an `analyze --threads` piece past the first stretch logs them for the main
  // thread, whose trackers replay them (threads/anomaly-log.ts): its own would be thrown away
  const logging = anomalyLogOn();
  if (logging) appendAnomaly(classes, v6, srcHi, srcLo, dstHi, dstLo, wire);
  while (classes) {
    const index = <u32>ctz(classes);
    classes &= classes - 1;
    const at = checks.classes + (<usize>index << 4);
    store<u64>(at, load<u64>(at) + 1);
    store<u64>(at, load<u64>(at, 8) + wire, 8);
    if (logging) continue;
    const trackers = checks.trackers + <usize>index * 2 * TRACKER_BYTES;
    trackTop(trackers, family, srcHi, srcLo, wire);
    trackTop(trackers + TRACKER_BYTES, family, dstHi, dstLo, wire);
  }
}
