// Record times as one u64: seconds since 1970 in the high half, nanoseconds in the low half.
// Ordered like the times themselves, and the host reads both halves as plain u32s, so a time
// holds 1970-01-01T00:00:00Z to 2106-02-07T06:28:15.999999999Z. The reader turns every time it
// reads into this form here; a time outside that range is never wrapped into a wrong date: the
// reader counts its record and reads it as the nearest end (README "Timestamps").

/** The latest second a packed time holds: 2106-02-07T06:28:15Z. */
export const MAX_SECONDS: u64 = 0xffffffff;

// Times that do not fit. Their low halves are at least 10^9, which no packed time has.
export const TIME_BEFORE_1970: u64 = u64.MAX_VALUE;
export const TIME_AFTER_2106: u64 = u64.MAX_VALUE - 1;

@inline export function packTime(seconds: u64, nanoseconds: u32): u64 {
  return (seconds << 32) | <u64>nanoseconds;
}

/** Whether `time` is a time rather than one of the out-of-range markers above. */
@inline export function isTime(time: u64): bool {
  return <u32>time < 1_000_000_000;
}

// 10^0 .. 10^19: 10^19 is the largest power of ten in a u64
const TEN_POWERS: StaticArray<u64> = [
  1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
  10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
  1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000,
  1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
];

/**
 * Whether ticks of an if_tsresol byte fit 64-bit arithmetic: 10^-n s for n ≤ 19 or 2^-n s for
 * n ≤ 63 (the top bit set). libpcap and wiretap refuse the interface otherwise, and so do we.
 */
export function tsresolSupported(tsresol: u32): bool {
  return tsresol & 0x80 ? (tsresol & 0x7f) <= 63 : tsresol <= 19;
}

/**
 * The time of pcapng `ticks` at a supported if_tsresol (10^-n s, or 2^-n s with the top bit),
 * plus `offset` seconds (if_tsoffset). The nanoseconds are the exact floor of the fraction;
 * seconds stay 64-bit until the range check, so 1 s ticks (if_tsresol 0) lose nothing.
 */
export function ticksToTime(ticks: u64, tsresol: u32, offset: i64): u64 {
  let seconds: u64;
  let nanoseconds: u32;
  if (tsresol & 0x80) {
    const shift = <u64>(tsresol & 0x7f);
    seconds = ticks >> shift;
    nanoseconds = binaryFractionToNanoseconds(ticks & ((<u64>1 << shift) - 1), shift);
  } else {
    const unit = TEN_POWERS[tsresol];
    seconds = ticks / unit;
    const fraction = ticks % unit;
    // fraction < 10^tsresol, so scaling up to 10^9 stays below 10^9
    nanoseconds = tsresol <= 9
      ? <u32>(fraction * TEN_POWERS[9 - tsresol])
      : <u32>(fraction / TEN_POWERS[tsresol - 9]);
  }
  return withOffset(seconds, nanoseconds, offset);
}

/** floor(fraction * 10^9 / 2^shift) for fraction < 2^shift ≤ 2^63, without a 128-bit product. */
function binaryFractionToNanoseconds(fraction: u64, shift: u64): u32 {
  if (shift <= 32) return <u32>((fraction * 1_000_000_000) >> shift); // < 2^32 * 10^9 < 2^62
  // fraction * 10^9 = high * 2^32 + (low mod 2^32); the part below 2^32 cannot carry past a
  // multiple of 2^(shift - 32), so high alone gives the floor
  const low = (fraction & 0xffffffff) * 1_000_000_000;
  const high = (fraction >> 32) * 1_000_000_000 + (low >> 32);
  return <u32>(high >> (shift - 32));
}

/** seconds + offset as a packed time, or a marker when that falls outside 1970 .. 2106. */
function withOffset(seconds: u64, nanoseconds: u32, offset: i64): u64 {
  if (offset >= 0) {
    if (seconds > MAX_SECONDS || <u64>offset > MAX_SECONDS - seconds) return TIME_AFTER_2106;
    return packTime(seconds + <u64>offset, nanoseconds);
  }
  const back = 0 - <u64>offset; // |offset|, exact for i64.MIN_VALUE too
  if (back > seconds) return TIME_BEFORE_1970;
  const shifted = seconds - back;
  return shifted > MAX_SECONDS ? TIME_AFTER_2106 : packTime(shifted, nanoseconds);
}

/** The nearest time a report holds to an out-of-range marker: the first or the last instant. */
export function clampTime(marker: u64): u64 {
  return marker == TIME_BEFORE_1970 ? packTime(0, 0) : packTime(MAX_SECONDS, 999_999_999);
}

/**
 * The time a classic pcap record's fields spell: seconds plus a fraction in 10^-6 s (10^-9 s
 * with the ns magic). A fraction of a second or more carries its whole seconds, in 64 bits
 * (multiplying it up in 32 would wrap); past 2106 it is the marker.
 */
export function pcapTime(seconds: u32, fraction: u32, nanosecond: bool): u64 {
  const perSecond: u32 = nanosecond ? 1_000_000_000 : 1_000_000;
  const whole = <u64>seconds + <u64>(fraction / perSecond);
  const rest = fraction % perSecond;
  if (whole > MAX_SECONDS) return TIME_AFTER_2106;
  return packTime(whole, nanosecond ? rest : rest * 1000);
}
