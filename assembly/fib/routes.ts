// Route records, indexed by route id. The host owns the attributes a lookup never needs
// (next-hop text, device, type); this side keeps what ordering and rebuilding need.
//
// Record layout, 32 bytes:
//   @0  hi   u64   key, most significant half (IPv4: address in the top 32 bits)
//   @8  lo   u64   key, least significant half
//   @16 metric u32 lower wins among routes for one prefix
//   @20 next i32   next route of the same prefix (list ordered best first), -1 ends
//   @24 family u8  4 or 6; 0 = no such route
//   @25 length u8  prefix length
//   @28 class u32  the host's number for the route's other attributes (type, next hops,
//                  device): two routes of one prefix with equal metric and class are the same route

import { alloc, realloc, POOL_RIB } from '../memory/alloc';

export const ROUTE_RECORD: usize = 32;

let table: usize = 0;
let capacity: i32 = 0;

@inline export function routeRecord(id: i32): usize {
  return table + (<usize>id << 5);
}

export function routeExists(id: i32): bool {
  return id >= 0 && id < capacity && load<u8>(routeRecord(id), 24) != 0;
}

/** Makes room for ids below `count`. */
export function ensureRouteCapacity(count: i32): void {
  if (count <= capacity) return;
  let next = max(capacity * 2, 1024);
  while (next < count) next *= 2;
  table = realloc(table, <usize>capacity << 5, <usize>next << 5, POOL_RIB);
  // family 0 marks an id with no route
  memory.fill(table + (<usize>capacity << 5), 0, <usize>(next - capacity) << 5);
  capacity = next;
}

export function routeTableInit(): void {
  capacity = 1024;
  table = alloc(<usize>capacity << 5, POOL_RIB);
  memory.fill(table, 0, <usize>capacity << 5);
}

@inline export function routeHi(id: i32): u64 { return load<u64>(routeRecord(id)); }
@inline export function routeLo(id: i32): u64 { return load<u64>(routeRecord(id), 8); }
@inline export function routeMetric(id: i32): u32 { return load<u32>(routeRecord(id), 16); }
@inline export function routeNext(id: i32): i32 { return load<i32>(routeRecord(id), 20); }
@inline export function setRouteNext(id: i32, next: i32): void { store<i32>(routeRecord(id), next, 20); }
@inline export function routeFamily(id: i32): i32 { return load<u8>(routeRecord(id), 24); }
@inline export function routeLength(id: i32): i32 { return load<u8>(routeRecord(id), 25); }
@inline export function routeClass(id: i32): u32 { return load<u32>(routeRecord(id), 28); }

export function writeRoute(id: i32, family: i32, hi: u64, lo: u64, length: i32, metric: u32, attributeClass: u32): void {
  const record = routeRecord(id);
  store<u64>(record, hi);
  store<u64>(record, lo, 8);
  store<u32>(record, metric, 16);
  store<i32>(record, -1, 20);
  store<u8>(record, <u8>family, 24);
  store<u8>(record, <u8>length, 25);
  store<u32>(record, attributeClass, 28);
}

export function clearRoute(id: i32): void {
  memory.fill(routeRecord(id), 0, ROUTE_RECORD);
}
