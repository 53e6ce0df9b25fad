// ASCII text written straight into linear memory: decimal numbers, IPv4 and IPv6 addresses
// (RFC 5952, as the host's formatIPv6 writes them) and ISO 8601 UTC times. Each writer takes
// where to write and returns where the text ends. No bounds checks: callers size the output.

import { alloc, POOL_OTHER } from '../memory/alloc';

/** Bytes of a string literal (ASCII only), written once at start-up, and their length. */
@unmanaged export class Text {
  at: usize;
  length: usize;
}

export function ascii(text: string): Text {
  const t = changetype<Text>(alloc(offsetof<Text>(), POOL_OTHER));
  t.length = <usize>text.length;
  t.at = alloc(t.length, POOL_OTHER);
  for (let i = 0; i < text.length; i++) store<u8>(t.at + <usize>i, <u8>text.charCodeAt(i));
  return t;
}

@inline export function writeText(out: usize, text: Text): usize {
  return writeBytes(out, text.at, text.length);
}

/**
 * Copies `length` bytes from `from` to `out` (not overlapping); returns the end. A report writes
 * a dozen short pieces a row: memory.copy with a length not known when compiled is a call out of
 * the compiled code (a tenth of the time of a destination row), eight bytes a store is not.
 */
@inline export function writeBytes(out: usize, from: usize, length: usize): usize {
  if (length > 64) {
    memory.copy(out, from, length);
    return out + length;
  }
  const end = out + length;
  for (; out + 8 <= end; out += 8, from += 8) store<u64>(out, load<u64>(from));
  if (out + 4 <= end) { store<u32>(out, load<u32>(from)); out += 4; from += 4; }
  if (out + 2 <= end) { store<u16>(out, load<u16>(from)); out += 2; from += 2; }
  if (out < end) store<u8>(out, load<u8>(from));
  return end;
}

@inline export function writeByte(out: usize, byte: u32): usize {
  store<u8>(out, <u8>byte);
  return out + 1;
}

/** "00" to "99": two digits a step, so a number takes half the divisions. */
const DIGIT_PAIRS: usize = digitPairs();

function digitPairs(): usize {
  const pairs = alloc(200, POOL_OTHER);
  for (let i: u32 = 0; i < 100; i++) {
    store<u8>(pairs + (<usize>i << 1), <u8>(0x30 + i / 10));
    store<u8>(pairs + (<usize>i << 1) + 1, <u8>(0x30 + i % 10));
  }
  return pairs;
}

@inline function decimalDigits(value: u32): i32 {
  return value < 100000
    ? value < 100 ? (value < 10 ? 1 : 2) : value < 1000 ? 3 : value < 10000 ? 4 : 5
    : value < 10000000 ? (value < 1000000 ? 6 : 7) : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
}

/** `value` in decimal, at least `width` digits (zero-padded). */
export function writeDecimal(out: usize, value: u64, width: i32 = 1): usize {
  if (value <= <u64>u32.MAX_VALUE) return writeDecimal32(out, <u32>value, width);
  // above 2^32 - 1: the low nine digits, zero-padded, after the rest (u64 division is slow, and rare here)
  const high = value / 1000000000;
  out = writeDecimal(out, high, width - 9);
  return writeDecimal32(out, <u32>(value - high * 1000000000), 9);
}

/** u32 arithmetic only: divisions by constants compile to multiplications. */
export function writeDecimal32(out: usize, value: u32, width: i32 = 1): usize {
  const length = max(decimalDigits(value), width);
  let at = out + <usize>length;
  while (value >= 100) {
    const rest = value / 100;
    at -= 2;
    store<u16>(at, load<u16>(DIGIT_PAIRS + (<usize>(value - rest * 100) << 1)));
    value = rest;
  }
  if (value >= 10) {
    at -= 2;
    store<u16>(at, load<u16>(DIGIT_PAIRS + (<usize>value << 1)));
  } else {
    at--;
    store<u8>(at, <u8>(0x30 + value));
  }
  while (at > out) {
    at--;
    store<u8>(at, 0x30);
  }
  return out + <usize>length;
}

@inline function writeHex16(out: usize, group: u32): usize {
  let shift: i32 = group >= 0x1000 ? 12 : group >= 0x100 ? 8 : group >= 0x10 ? 4 : 0;
  for (; shift >= 0; shift -= 4) {
    const nibble = (group >> <u32>shift) & 15;
    store<u8>(out, <u8>(nibble < 10 ? 0x30 + nibble : 0x57 + nibble));
    out++;
  }
  return out;
}

/** A host-order IPv4 address as a.b.c.d. */
export function writeIPv4(out: usize, address: u32): usize {
  out = writeDecimal32(out, address >>> 24);
  out = writeByte(out, 0x2e);
  out = writeDecimal32(out, (address >>> 16) & 0xff);
  out = writeByte(out, 0x2e);
  out = writeDecimal32(out, (address >>> 8) & 0xff);
  out = writeByte(out, 0x2e);
  return writeDecimal32(out, address & 0xff);
}

/**
 * An IPv6 address (its halves, most significant first) in RFC 5952 text: lowercase, no leading
 * zeros, the longest run of two or more zero groups as `::` (the first on a tie), and an
 * IPv4-mapped address (::ffff:0:0/96) with a dotted tail.
 */
export function writeIPv6(out: usize, hi: u64, lo: u64): usize {
  if (hi == 0 && (lo >> 32) == 0xffff) {
    out = writeByte(out, 0x3a);
    out = writeByte(out, 0x3a);
    out = writeText(out, FFFF_COLON);
    return writeIPv4(out, <u32>lo);
  }
  let bestStart = -1, bestLength = 1, runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && group(hi, lo, g) == 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      if (g - runStart > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart;
      }
      runStart = -1;
    }
  }
  const start = out;
  for (let g = 0; g < 8; g++) {
    if (g == bestStart) {
      out = writeByte(out, 0x3a);
      out = writeByte(out, 0x3a);
      g += bestLength - 1;
      continue;
    }
    if (out != start && load<u8>(out - 1) != 0x3a) out = writeByte(out, 0x3a);
    out = writeHex16(out, group(hi, lo, g));
  }
  return out;
}

@inline function group(hi: u64, lo: u64, index: i32): u32 {
  const half = index < 4 ? hi : lo;
  return <u32>((half >> (<u64>(3 - (index & 3)) << 4)) & 0xffff);
}

const FFFF_COLON = ascii('ffff:');

function tenPower(exponent: i32): u32 {
  let value: u32 = 1;
  for (let i = 0; i < exponent; i++) value *= 10;
  return value;
}

/** Two digits of `value` (< 100). */
@inline function writePair(out: usize, value: u32): usize {
  store<u16>(out, load<u16>(DIGIT_PAIRS + (<usize>value << 1)));
  return out + 2;
}

// The date text of the day last written, "YYYY-MM-DDT": a report's times mostly fall on a few
// days, and the civil date takes a dozen divisions (a report of 145,000 destinations writes
// 290,000 times).
const DATE_BYTES: usize = 11;
const dateText: usize = memory.data(16);
let dateTextDay: u32 = u32.MAX_VALUE;

/** "YYYY-MM-DDT" of `days` since 1970-01-01 into dateText (Howard Hinnant's days_from_civil, inverted). */
function makeDateText(days: u32): void {
  const z = days + 719468;
  const era = z / 146097;
  const dayOfEra = z - era * 146097;
  const yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const shiftedMonth = (5 * dayOfYear + 2) / 153;
  const day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  let out = writeDecimal32(dateText, year, 4);
  out = writeByte(out, 0x2d);
  out = writePair(out, month);
  out = writeByte(out, 0x2d);
  out = writePair(out, day);
  writeByte(out, 0x54);
  dateTextDay = days;
}

/**
 * `seconds` since 1970 and `nanoseconds` as ISO 8601 UTC with `digits` decimals, like
 * `new Date(seconds * 1000).toISOString()` with the fraction widened: 2021-02-03T04:05:06.123456Z.
 * The fraction is nanoseconds / 10^(9 - digits), zero-padded to at least `digits`.
 */
export function writeIsoTime(out: usize, seconds: u32, nanoseconds: u32, digits: i32): usize {
  const days = seconds / 86400;
  if (days != dateTextDay) makeDateText(days);
  out = writeBytes(out, dateText, DATE_BYTES);
  const ofDay = seconds - days * 86400;
  const hours = ofDay / 3600;
  const ofHour = ofDay - hours * 3600;
  const minutes = ofHour / 60;
  out = writePair(out, hours);
  out = writeByte(out, 0x3a);
  out = writePair(out, minutes);
  out = writeByte(out, 0x3a);
  out = writePair(out, ofHour - minutes * 60);
  out = writeByte(out, 0x2e);
  if (digits == 6 && nanoseconds < 1000000000) {
    // microseconds, the usual precision: three pairs
    const micro = nanoseconds / 1000;
    const high = micro / 10000;
    const middle = micro / 100 - high * 100;
    out = writePair(out, high);
    out = writePair(out, middle);
    out = writePair(out, micro - (micro / 100) * 100);
  } else {
    out = writeDecimal32(out, digits == 9 ? nanoseconds : nanoseconds / tenPower(9 - digits), digits);
  }
  return writeByte(out, 0x5a);
}
