// The busiest addresses of a stream, in bounded memory: the Space-Saving algorithm (Metwally,
// Agrawal and El Abbadi, 2005) with TOP_SLOTS counters. An address already tracked counts exactly
// from then on; a new one takes the slot of a least-counted address and starts from that count,
// which it may overstate by at most that much (its `error`). Any address with more than
// total/TOP_SLOTS packets is always tracked. Exact while no slot has been taken over.
//
// Floods of all-different forged sources are the common case here, so a miss must be cheap:
// - a count per bucket of the fingerprints' top 8 bits says when no slot can hold the address
//   (with 64 slots over 256 buckets, about 4 misses in 5 end there, at one load);
// - otherwise the slots' fingerprints, together in four cache lines, are compared sixteen at a
//   time (SIMD);
// - the least-counted slot is kept at hand (a takeover looks for the next slot of the same count
//   from there; a whole scan only once all have passed it).
//
// Tracker layout: @0 evictions u64  @8 least u32 (a slot of the smallest count)  @12 used u32
//   @16 fingerprints u32 × TOP_SLOTS, then BUCKETS u8 counts (slots whose fingerprint's top 8
//   bits are the bucket's), then TOP_SLOTS slots of SLOT_BYTES:
//   @0 hi u64  @8 lo u64  @16 packets u64  @24 bytes u64  @32 error u64 (packets it may overstate)
//   @40 family u32

export const TOP_SLOTS: u32 = 64;
export const SLOT_BYTES: usize = 48;
const FINGERPRINTS: usize = 16;
const BUCKETS_AT: usize = FINGERPRINTS + (<usize>TOP_SLOTS << 2);
const BUCKETS: usize = 256;
export const SLOTS_AT: usize = BUCKETS_AT + BUCKETS;
export const TRACKER_BYTES: usize = SLOTS_AT + <usize>TOP_SLOTS * SLOT_BYTES;

@inline function fingerprintOf(family: u32, hi: u64, lo: u64): u32 {
  let x = hi ^ (lo * 0xff51afd7ed558ccd) ^ <u64>family;
  x *= 0x9e3779b97f4a7c15;
  return <u32>(x >> 32) | 1;
}

@inline function slotAt(tracker: usize, i: u32): usize {
  return tracker + SLOTS_AT + <usize>i * SLOT_BYTES;
}

/** Counts a packet of `wire` bytes from/to the address in the tracker at `tracker`. */
export function trackTop(tracker: usize, family: u32, hi: u64, lo: u64, wire: u64): void {
  const fingerprint = fingerprintOf(family, hi, lo);
  const used = load<u32>(tracker, 12);
  // no slot's fingerprint in its bucket: not tracked, no need to compare
  if (load<u8>(tracker + BUCKETS_AT + (<usize>fingerprint >> 24)) != 0) {
    if (countIfTracked(tracker, used, fingerprint, family, hi, lo, wire)) return;
  }
  if (used < TOP_SLOTS) {
    take(tracker, used, fingerprint, family, hi, lo, 0, 0, wire);
    store<u32>(tracker, used + 1, 12);
    // a new slot counts 1: the least there is
    store<u32>(tracker, used, 8);
    return;
  }
  // take over a least-counted slot: the newcomer may have had up to that many packets unseen
  store<u64>(tracker, load<u64>(tracker) + 1);
  const least = load<u32>(tracker, 8);
  const slot = slotAt(tracker, least);
  const floor = load<u64>(slot, 16);
  take(tracker, least, fingerprint, family, hi, lo, floor, load<u64>(slot, 24), wire);
  // in a flood the next slot is most often at the same count: found here without a call
  const following = (least + 1) & (TOP_SLOTS - 1);
  store<u32>(tracker, load<u64>(slotAt(tracker, following), 16) == floor ? following : nextLeast(tracker, least, floor), 8);
}

/** Counts the packet in the slot of the address, if one holds it (true), comparing fingerprints sixteen at a time. */
@inline function countIfTracked(tracker: usize, used: u32, fingerprint: u32, family: u32, hi: u64, lo: u64, wire: u64): bool {
  const fingerprints = tracker + FINGERPRINTS;
  // free slots hold fingerprint 0, which no address has
  const needle = i32x4.splat(<i32>fingerprint);
  // sixteen fingerprints a test: most addresses of a flood are in no slot, and a test per four
  // was a branch per four (slots past `used` hold 0, which matches nothing)
  for (let group: u32 = 0; group < used; group += 16) {
    const at = fingerprints + (<usize>group << 2);
    const a = i32x4.eq(v128.load(at), needle);
    const b = i32x4.eq(v128.load(at, 16), needle);
    const c = i32x4.eq(v128.load(at, 32), needle);
    const d = i32x4.eq(v128.load(at, 48), needle);
    if (!v128.any_true(v128.or(v128.or(a, b), v128.or(c, d)))) continue;
    let lanes = i32x4.bitmask(a) | (i32x4.bitmask(b) << 4) | (i32x4.bitmask(c) << 8) | (i32x4.bitmask(d) << 12);
    while (lanes) {
      const i = group + <u32>ctz(lanes);
      lanes &= lanes - 1;
      const slot = slotAt(tracker, i);
      if (load<u64>(slot) == hi && load<u64>(slot, 8) == lo && load<u32>(slot, 40) == family) {
        const packets = load<u64>(slot, 16);
        store<u64>(slot, packets + 1, 16);
        store<u64>(slot, load<u64>(slot, 24) + wire, 24);
        // the least-counted slot went up: the next takeover needs a smallest one again
        if (i == load<u32>(tracker, 8) && used == TOP_SLOTS) store<u32>(tracker, nextLeast(tracker, i, packets), 8);
        return true;
      }
    }
  }
  return false;
}

@inline function take(tracker: usize, i: u32, fingerprint: u32, family: u32, hi: u64, lo: u64, floor: u64, bytes: u64, wire: u64): void {
  const at = tracker + FINGERPRINTS + (<usize>i << 2);
  const old = load<u32>(at);
  if (old) bucketAdd(tracker, old, -1);
  bucketAdd(tracker, fingerprint, 1);
  store<u32>(at, fingerprint);
  const slot = slotAt(tracker, i);
  store<u64>(slot, hi);
  store<u64>(slot, lo, 8);
  store<u64>(slot, floor + 1, 16);
  store<u64>(slot, bytes + wire, 24);
  store<u64>(slot, floor, 32);
  store<u32>(slot, family, 40);
}

@inline function bucketAdd(tracker: usize, fingerprint: u32, change: i32): void {
  const at = tracker + BUCKETS_AT + (<usize>fingerprint >> 24);
  store<u8>(at, <u8>(<i32>load<u8>(at) + change));
}

/** A slot of the smallest count after slot `taken` (which counted `floor`) went up by one. */
function nextLeast(tracker: usize, taken: u32, floor: u64): u32 {
  // another slot still at the old smallest count is a smallest one
  for (let step: u32 = 1; step < TOP_SLOTS; step++) {
    const i = (taken + step) % TOP_SLOTS;
    if (load<u64>(slotAt(tracker, i), 16) == floor) return i;
  }
  let least = taken;
  let smallest = load<u64>(slotAt(tracker, taken), 16);
  for (let i: u32 = 0; i < TOP_SLOTS; i++) {
    const packets = load<u64>(slotAt(tracker, i), 16);
    if (packets < smallest) {
      smallest = packets;
      least = i;
    }
  }
  return least;
}
