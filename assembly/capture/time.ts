// Record times as one u64: seconds since 1970 in the high half, nanoseconds in the low half.
// Ordered like the times themselves, and the host reads both halves as plain u32s.

@inline export function packTime(seconds: u64, nanoseconds: u32): u64 {
  return (seconds << 32) | <u64>nanoseconds;
}

/** The time of pcapng ticks at an interface's resolution (if_tsresol: 10^-n, or 2^-n with the top bit). */
export function ticksToTime(ticks: u64, tsresol: u32): u64 {
  if (tsresol & 0x80) {
    const shift = <u64>(tsresol & 0x7f);
    if (shift == 0) return packTime(ticks, 0);
    if (shift > 63) return 0;
    const fraction = ticks & ((<u64>1 << shift) - 1);
    // scale the fraction to nanoseconds without overflowing: drop the bits below 2^-32 s first
    const drop = shift > 32 ? shift - 32 : 0;
    return packTime(ticks >> shift, <u32>(((fraction >> drop) * 1_000_000_000) >> (shift - drop)));
  }
  let unit: u64 = 1;
  for (let i: u32 = 0; i < tsresol && i < 19; i++) unit *= 10;
  const seconds = ticks / unit;
  let fraction = ticks % unit;
  // to nanoseconds: scale up for coarser units, down for finer ones
  let exponent = <i32>tsresol;
  while (exponent < 9) { fraction *= 10; exponent++; }
  while (exponent > 9) { fraction /= 10; exponent--; }
  return packTime(seconds, <u32>fraction);
}
