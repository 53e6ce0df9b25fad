// The sources and destinations of each rule's records, for a rule's distinct counts and its
// busiest addresses: entries keyed by (rule, side, family, address), stored densely and found
// through an open-addressing index, as count/destinations.ts keeps destinations.
//
// Entry layout, 48 bytes:
//   @0 hi u64 / @8 lo u64   the address (IPv4: hi = address, lo = 0)
//   @16 packets u64         @24 bytes u64
//   @32 rule u32            the rule's index (its count of rules for records no rule matched)
//   @36 kind u32            family (4 or 6) | SIDE_DESTINATION
//
// Like the destination table it stops growing, rather than fail, when memory runs short; the
// records it could not take still count in their rule, and in `overflowPackets`.

import { alloc, free, tryAlloc, POOL_OTHER } from '../memory/alloc';

export const RULE_ADDRESS_BYTES: usize = 48;
export const SIDE_DESTINATION: u32 = 16;
const FIRST_CAPACITY: u32 = 256;

@unmanaged export class RuleAddresses {
  entries: usize;
  capacity: u32;
  count: u32;
  index: usize;
  mask: u32;
  overflowPackets: u64;
}

export function newRuleAddresses(): RuleAddresses {
  const t = changetype<RuleAddresses>(alloc(offsetof<RuleAddresses>(), POOL_OTHER));
  t.capacity = FIRST_CAPACITY;
  t.entries = alloc(<usize>FIRST_CAPACITY * RULE_ADDRESS_BYTES, POOL_OTHER);
  t.mask = FIRST_CAPACITY * 2 - 1;
  t.index = alloc((<usize>t.mask + 1) << 3, POOL_OTHER);
  clearRuleAddresses(t);
  return t;
}

export function clearRuleAddresses(t: RuleAddresses): void {
  t.count = 0;
  t.overflowPackets = 0;
  memory.fill(t.index, 0, (<usize>t.mask + 1) << 3);
}

export function freeRuleAddresses(t: RuleAddresses): void {
  free(t.entries, <usize>t.capacity * RULE_ADDRESS_BYTES, POOL_OTHER);
  free(t.index, (<usize>t.mask + 1) << 3, POOL_OTHER);
  free(changetype<usize>(t), offsetof<RuleAddresses>(), POOL_OTHER);
}

@inline function hashOf(hi: u64, lo: u64, rule: u32, kind: u32): u64 {
  let x = hi ^ (lo * 0xff51afd7ed558ccd) ^ (<u64>rule << 8 | <u64>kind);
  x *= 0x9e3779b97f4a7c15;
  return x ^ (x >> 29);
}

/** Counts a record of `wire` bytes of `rule` under the address; false when the table is full. */
export function countRuleAddress(t: RuleAddresses, rule: u32, kind: u32, hi: u64, lo: u64, wire: u64): bool {
  const hash = hashOf(hi, lo, rule, kind);
  const tag = hash << 32;
  let slot = <u32>(hash >> 32) & t.mask;
  while (true) {
    const value = load<u64>(t.index + (<usize>slot << 3));
    if (value == 0) break;
    if ((value & 0xffffffff00000000) == tag) {
      const entry = t.entries + <usize>(<u32>value - 1) * RULE_ADDRESS_BYTES;
      if (load<u64>(entry) == hi && load<u64>(entry, 8) == lo && load<u32>(entry, 32) == rule && load<u32>(entry, 36) == kind) {
        store<u64>(entry, load<u64>(entry, 16) + 1, 16);
        store<u64>(entry, load<u64>(entry, 24) + wire, 24);
        return true;
      }
    }
    slot = (slot + 1) & t.mask;
  }
  if (t.count == t.capacity && !growEntries(t)) return overflow(t);
  if (<u64>(t.count + 1) * 4 > (<u64>t.mask + 1) * 3) {
    if (!growIndex(t)) return overflow(t);
    slot = <u32>(hash >> 32) & t.mask;
    while (load<u64>(t.index + (<usize>slot << 3))) slot = (slot + 1) & t.mask;
  }
  const n = t.count++;
  store<u64>(t.index + (<usize>slot << 3), tag | <u64>(n + 1));
  const entry = t.entries + <usize>n * RULE_ADDRESS_BYTES;
  store<u64>(entry, hi);
  store<u64>(entry, lo, 8);
  store<u64>(entry, 1, 16);
  store<u64>(entry, wire, 24);
  store<u32>(entry, rule, 32);
  store<u32>(entry, kind, 36);
  return true;
}

function overflow(t: RuleAddresses): bool {
  t.overflowPackets++;
  return false;
}

function growEntries(t: RuleAddresses): bool {
  const capacity = <u64>t.capacity * 2;
  if (capacity > <u64>u32.MAX_VALUE) return false;
  const entries = tryAlloc(capacity * RULE_ADDRESS_BYTES, POOL_OTHER);
  if (!entries) return false;
  memory.copy(entries, t.entries, <usize>t.count * RULE_ADDRESS_BYTES);
  free(t.entries, <usize>t.capacity * RULE_ADDRESS_BYTES, POOL_OTHER);
  t.entries = entries;
  t.capacity = <u32>capacity;
  return true;
}

function growIndex(t: RuleAddresses): bool {
  const slots = (<u64>t.mask + 1) * 2;
  if (slots > <u64>u32.MAX_VALUE) return false;
  const index = tryAlloc(slots << 3, POOL_OTHER);
  if (!index) return false;
  memory.fill(index, 0, <usize>(slots << 3));
  free(t.index, (<usize>t.mask + 1) << 3, POOL_OTHER);
  t.index = index;
  t.mask = <u32>(slots - 1);
  for (let n: u32 = 0; n < t.count; n++) {
    const entry = t.entries + <usize>n * RULE_ADDRESS_BYTES;
    const hash = hashOf(load<u64>(entry), load<u64>(entry, 8), load<u32>(entry, 32), load<u32>(entry, 36));
    let slot = <u32>(hash >> 32) & t.mask;
    while (load<u64>(t.index + (<usize>slot << 3))) slot = (slot + 1) & t.mask;
    store<u64>(t.index + (<usize>slot << 3), (hash << 32) | <u64>(n + 1));
  }
  return true;
}
