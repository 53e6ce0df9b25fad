// The plain route format (src/routes/plain.ts has the grammar) read from UTF-8 bytes, for tables
// of a million lines. It produces addRoutes records (index.ts) with the next hop and device of
// each route as numbers of distinct labels, which the host turns into strings once each.
//
// This is the fast path only. Anything it does not read exactly as the host's parser would (a
// bad line, a column header, an `ADDRESS NETMASK` line, bytes that are not text anywhere, a byte
// order mark past the start) makes it give up, and the host parses the text itself, with its
// error messages.

import { parseIPv4Text, parseIPv6Text } from '../text/addresses';
import { lineEnd } from '../text/lines';
import { prefixOrder } from '../fib/bulk-order';
import { alloc, free, tryAlloc, POOL_OTHER } from '../memory/alloc';

export const RECORD_BYTES: usize = 32;
/** Scanning gave up: the host's parser decides. */
export const SCAN_UNSURE: i32 = -1;

const MAX_FIELDS = 4;
const CH_TAB: u32 = 9, CH_CR: u32 = 13, CH_SPACE: u32 = 32, CH_HASH: u32 = 35, CH_COMMA: u32 = 44;
const CH_DASH: u32 = 45, CH_DOT: u32 = 46, CH_SLASH: u32 = 47, CH_COLON: u32 = 58;

// What a scan leaves for the host: records, the label pair of each, distinct labels and pairs.
export let records: usize = 0;
let recordCapacity: u32 = 0;
/** per record, u32: the number of its (next hop, device) pair */
export let recordPairs: usize = 0;
/** per label, u32 offset and u32 length in the text */
export let labels: usize = 0;
export let labelCount: u32 = 0;
let labelCapacity: u32 = 0;
/** per pair, i32 next-hop label and i32 device label (-1: none), then u32 for the host's class */
export let pairs: usize = 0;
export let pairCount: u32 = 0;
let pairCapacity: u32 = 0;
// open-addressing indexes (u32 number + 1; 0 = empty) of labels and pairs
let labelIndex: usize = 0;
let labelMask: u32 = 0;
let pairIndex: usize = 0;
let pairMask: u32 = 0;
let text: usize = 0;
// where a scan stands between calls: long single calls would stay in the baseline compiler's
// code (V8 moves a function to optimized code only between calls), so the host calls again
let scanLength: u32 = 0;
let scanPos: u32 = 0;
let scanCount: u32 = 0;
let seenRoute = false;
let scanning = false;
/** scanPlain's answer when it stopped after `lines` lines: call it again. */
export const SCAN_MORE: i32 = -2;
/** scanPlain's answer when memory is too short for a record per line: nothing was read. */
export const SCAN_NO_MEMORY: i32 = -3;

@inline function isBlank(c: u32): bool {
  return c <= CH_SPACE && (c == CH_SPACE || (c >= CH_TAB && c <= CH_CR));
}

@inline function byteAt(at: u32): u32 {
  return <u32>load<u8>(text + <usize>at);
}

/**
 * Reads the plain-format routes of `length` bytes at `textAt` into records, at most `lines`
 * lines a call: SCAN_MORE asks for another call with the same text. Returns how many routes
 * once done, SCAN_UNSURE, or SCAN_NO_MEMORY. The records stay until freeScan().
 */
export function scanPlain(textAt: usize, length: u32, lines: u32): i32 {
  if (!scanning) {
    const started = startScan(textAt, length);
    if (started != 0) return started;
  }
  let pos = scanPos;
  let count = scanCount;
  const starts = memory.data(MAX_FIELDS * 4);
  const ends = memory.data(MAX_FIELDS * 4);
  for (let line: u32 = 0; pos < length; line++) {
    if (line == lines) {
      scanPos = pos;
      scanCount = count;
      return SCAN_MORE;
    }
    let end = lineEnd(text, pos, length);
    let i = pos;
    pos = end + 1;
    while (i < end && isBlank(byteAt(i))) i++;
    while (end > i && isBlank(byteAt(end - 1))) end--;
    if (i == end || byteAt(i) == CH_HASH) continue;

    // the prefix field ends at a blank or a comma
    const p0 = i;
    const record = records + <usize>count * RECORD_BYTES;
    let p1 = scanIPv4Prefix(p0, end, record);
    if (p1 != 0) {
      i = p1;
    } else {
      while (i < end && byteAt(i) != CH_COMMA && !isBlank(byteAt(i))) i++;
      p1 = i;
      if (!seenRoute && isWordPrefix(p0, p1)) return unsure(); // a column header: the host skips it
      if (!scanPrefix(p0, p1, record)) return unsure();
    }
    seenRoute = true;

    let fields = 1;
    while (i < end) {
      while (i < end && isBlank(byteAt(i))) i++;
      if (i == end) break;
      let c = byteAt(i);
      if (c == CH_COMMA) {
        i++;
        while (i < end && isBlank(byteAt(i))) i++;
        if (i < end) c = byteAt(i);
      }
      if (c == CH_HASH) break; // a trailing comment
      const fieldStart = i;
      while (i < end) {
        c = byteAt(i);
        if (c == CH_COMMA || isBlank(c)) break;
        i++;
      }
      if (fields == MAX_FIELDS) return unsure();
      store<u32>(starts + (<usize>fields << 2), fieldStart);
      store<u32>(ends + (<usize>fields << 2), i);
      fields++;
    }
    // `ADDRESS NETMASK ...`: the host's parser reads (or refuses) the mask, with its words
    if (fields > 1 && isHostRouteV4(record) && !hasSlash(p0, p1)
      && looksLikeNetmask(parseIPv4Text(text, load<u32>(starts, 4), load<u32>(ends, 4)))) return unsure();
    let hop = -1, dev = -1;
    let metric: u64 = 0;
    if (fields > 1 && !isNone(load<u32>(starts, 4), load<u32>(ends, 4))) hop = internLabel(load<u32>(starts, 4), load<u32>(ends, 4));
    if (fields > 2 && !isNone(load<u32>(starts, 8), load<u32>(ends, 8))) dev = internLabel(load<u32>(starts, 8), load<u32>(ends, 8));
    if (fields > 3 && !isNone(load<u32>(starts, 12), load<u32>(ends, 12))) {
      metric = parseMetric(load<u32>(starts, 12), load<u32>(ends, 12));
      if (metric > 0xffffffff) return unsure();
    }
    store<u32>(record, <u32>metric, 20);
    store<u8>(record, 0, 26);
    store<u32>(recordPairs + (<usize>count << 2), internPair(hop, dev));
    count++;
  }
  scanning = false;
  return <i32>count;
}

function unsure(): i32 {
  scanning = false;
  return SCAN_UNSURE;
}

/** 0 when the scan can start, else SCAN_UNSURE or SCAN_NO_MEMORY. */
function startScan(textAt: usize, length: u32): i32 {
  freeScan();
  text = textAt;
  scanLength = length;
  let pos: u32 = 0;
  // byte order marks at the start, as the host's parser skips them (src/routes/text-check.ts)
  while (pos + 3 <= length && isByteOrderMark(pos)) pos += 3;
  const lines = countTextLines(pos, length);
  if (lines == 0) return SCAN_UNSURE;
  // a record per line is optional growth: a table too big for what is left is refused whole
  records = tryAlloc(<u64>lines * RECORD_BYTES, POOL_OTHER);
  recordPairs = records ? tryAlloc(<u64>lines << 2, POOL_OTHER) : 0;
  if (!recordPairs) {
    if (records) free(records, <u64>lines * RECORD_BYTES, POOL_OTHER);
    return SCAN_NO_MEMORY;
  }
  recordCapacity = lines;
  growLabels(64);
  growPairs(64);
  lastPair = -1;
  scanPos = pos;
  scanCount = 0;
  seenRoute = false;
  scanning = true;
  return 0;
}

/**
 * The lines of `text[start, end)`, or 0 when it holds anything the host's parser refuses as not
 * text or reads differently from these bytes, so the host decides: a control character other
 * than the blanks (a NUL: a binary file), bytes that are not UTF-8, U+FFFD (what the host's
 * decoder makes of such bytes, so the host refuses it as them), or a byte order mark (the host
 * decodes each label with a decoder that drops one at its start).
 */
function countTextLines(start: u32, end: u32): u32 {
  // in pieces: V8 runs a WebAssembly function in its baseline code until it has been called
  // often enough, so one call over a whole table would run there from start to end
  linesCounted = 1;
  let i = start;
  while (i < end) {
    i = countLinesFrom(i, min(end, i + COUNT_PIECE), end);
    if (i == NOT_TEXT) return 0;
  }
  return linesCounted;
}

const COUNT_PIECE: u32 = 1 << 16;
const NOT_TEXT: u32 = U32.MAX_VALUE;
let linesCounted: u32 = 0;

/**
 * Adds the newlines from `i` to about `stop` (a UTF-8 sequence may run past it, not past `end`)
 * to linesCounted; returns where it stopped, or NOT_TEXT.
 */
function countLinesFrom(i: u32, stop: u32, end: u32): u32 {
  let lines: u32 = 0;
  const newline = i8x16.splat(10);
  while (i < stop) {
    // 64 bytes a step while they are printable ASCII and blanks (nearly all of a table), the
    // newlines of up to RUN_STEPS steps summed in eight bits a lane (4 a step at most)
    const runStart = i;
    let sums = i32x4.splat(0);
    let unusual = i32x4.splat(0);
    for (let steps: u32 = 0; steps < RUN_STEPS && i + 64 <= stop; steps++) {
      const a = v128.load(text + <usize>i);
      const b = v128.load(text + <usize>i, 16);
      const c = v128.load(text + <usize>i, 32);
      const d = v128.load(text + <usize>i, 48);
      unusual = v128.or(unusual, v128.or(v128.or(unusualBytes(a), unusualBytes(b)), v128.or(unusualBytes(c), unusualBytes(d))));
      // each newline lane is -1: subtracting counts it
      sums = i8x16.sub(sums, i8x16.eq(a, newline));
      sums = i8x16.sub(sums, i8x16.eq(b, newline));
      sums = i8x16.sub(sums, i8x16.eq(c, newline));
      sums = i8x16.sub(sums, i8x16.eq(d, newline));
      i += 64;
    }
    if (!v128.any_true(unusual) && i > runStart) {
      lines += laneSum(sums);
      continue;
    }
    // byte by byte: a run that holds something else, or the last bytes
    i = runStart;
    const runStop = min(stop, runStart + RUN_STEPS * 64);
    while (i < runStop) {
      const c = byteAt(i);
      if (c < 0x80) {
        if (c == 10) lines++;
        else if (c < CH_SPACE ? c < CH_TAB || c > CH_CR : c == 0x7f) return NOT_TEXT;
        i++;
        continue;
      }
      const size = utf8SequenceSize(c, i, end);
      if (size == 0) return NOT_TEXT;
      if (c == 0xef && ((byteAt(i + 1) == 0xbb && byteAt(i + 2) == 0xbf) || (byteAt(i + 1) == 0xbf && byteAt(i + 2) == 0xbd))) return NOT_TEXT;
      i += size;
    }
  }
  linesCounted += lines;
  return i;
}

const RUN_STEPS: u32 = 63;

/**
 * Lanes of bytes other than printable ASCII and the blanks TAB to CR (line ends, and the CR of
 * files written with CRLF, which real tables often are).
 */
@inline function unusualBytes(bytes: v128): v128 {
  const control = i8x16.lt_u(bytes, i8x16.splat(<i8>CH_SPACE));
  const blank = v128.and(i8x16.ge_u(bytes, i8x16.splat(<i8>CH_TAB)), i8x16.le_u(bytes, i8x16.splat(<i8>CH_CR)));
  return v128.or(v128.andnot(control, blank), i8x16.gt_u(bytes, i8x16.splat(0x7e)));
}

/** The sum of sixteen unsigned byte lanes. */
@inline function laneSum(bytes: v128): u32 {
  const pairs = i16x8.extadd_pairwise_i8x16_u(bytes);
  const quads = i32x4.extadd_pairwise_i16x8_u(pairs);
  return <u32>(i32x4.extract_lane(quads, 0) + i32x4.extract_lane(quads, 1) + i32x4.extract_lane(quads, 2) + i32x4.extract_lane(quads, 3));
}

@inline function isByteOrderMark(at: u32): bool {
  return byteAt(at) == 0xef && byteAt(at + 1) == 0xbb && byteAt(at + 2) == 0xbf;
}

@inline function isContinuation(at: u32, end: u32, low: u32 = 0x80, high: u32 = 0xbf): bool {
  if (at >= end) return false;
  const c = byteAt(at);
  return c >= low && c <= high;
}

/** The bytes of the well-formed UTF-8 sequence that starts with `c` at `at` (Unicode table 3-7), or 0. */
function utf8SequenceSize(c: u32, at: u32, end: u32): u32 {
  if (c >= 0xc2 && c <= 0xdf) return isContinuation(at + 1, end) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const low: u32 = c == 0xe0 ? 0xa0 : 0x80;
    const high: u32 = c == 0xed ? 0x9f : 0xbf;
    return isContinuation(at + 1, end, low, high) && isContinuation(at + 2, end) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const low: u32 = c == 0xf0 ? 0x90 : 0x80;
    const high: u32 = c == 0xf4 ? 0x8f : 0xbf;
    return isContinuation(at + 1, end, low, high) && isContinuation(at + 2, end) && isContinuation(at + 3, end) ? 4 : 0;
  }
  return 0;
}

/**
 * Reorders the first `count` records (and their pairs) by prefix, stably (fib/bulk-order.ts), for
 * a bulk load; records already in order stay where they are, and so do all when memory is short.
 */
export function sortScannedByPrefix(count: u32): void {
  const order = prefixOrder(records, count, RECORD_BYTES);
  if (!order) return;
  const sorted = tryAlloc(<u64>recordCapacity * RECORD_BYTES, POOL_OTHER);
  const sortedPairs = sorted ? tryAlloc(<u64>recordCapacity << 2, POOL_OTHER) : 0;
  if (!sortedPairs) {
    // short of memory: the order is only for speed
    if (sorted) free(sorted, <usize>recordCapacity * RECORD_BYTES, POOL_OTHER);
    free(order, <usize>count << 2, POOL_OTHER);
    return;
  }
  // in pieces, as countTextLines
  for (let start: u32 = 0; start < count; start += PACK_PIECE) {
    copyInOrder(order, sorted, sortedPairs, start, min(count, start + PACK_PIECE));
  }
  free(order, <usize>count << 2, POOL_OTHER);
  free(records, <usize>recordCapacity * RECORD_BYTES, POOL_OTHER);
  free(recordPairs, <usize>recordCapacity << 2, POOL_OTHER);
  records = sorted;
  recordPairs = sortedPairs;
}

/** Records (and pairs) `order[from]` … `order[to - 1]` to places `from` … `to` - 1 of the blocks given. */
function copyInOrder(order: usize, sorted: usize, sortedPairs: usize, from: u32, to: u32): void {
  for (let i = from; i < to; i++) {
    const index = <usize>load<u32>(order + (<usize>i << 2));
    const source = records + index * RECORD_BYTES;
    const target = sorted + <usize>i * RECORD_BYTES;
    v128.store(target, v128.load(source));
    v128.store(target, v128.load(source, 16), 16);
    store<u32>(sortedPairs + (<usize>i << 2), load<u32>(recordPairs + (index << 2)));
  }
}

// The host's columns of the scanned routes, packed for one copy each when their ids are one run
// (a fresh table's): family u8s, prefix length u8s, then metric u32s and attribute class u32s.
let packed: usize = 0;
let packedBytes: usize = 0;
export let packedMetrics: usize = 0;
export let packedClasses: usize = 0;
export let packedIPv4: u32 = 0;

/**
 * Numbers the first `count` scanned routes `firstId`, `firstId` + 1, … in their records, gives
 * each record the attribute class the host set for its pair, and packs the host's columns: the
 * block, or 0 when memory is short (the host then fills its columns route by route).
 */
export function packColumns(count: u32, firstId: i32): usize {
  freePacked();
  const metricsAt = (<usize>count * 2 + 3) & ~3;
  const bytes = metricsAt + (<usize>count << 3);
  const block = tryAlloc(<u64>bytes, POOL_OTHER);
  if (!block) return 0;
  packed = block;
  packedBytes = bytes;
  packedMetrics = block + metricsAt;
  packedClasses = packedMetrics + (<usize>count << 2);
  packedIPv4 = 0;
  // in pieces, as countTextLines
  for (let from: u32 = 0; from < count; from += PACK_PIECE) packRange(from, min(count, from + PACK_PIECE), count, firstId);
  return block;
}

const PACK_PIECE: u32 = 16384;

function packRange(from: u32, to: u32, count: u32, firstId: i32): void {
  let ipv4: u32 = 0;
  for (let i = from; i < to; i++) {
    const record = records + <usize>i * RECORD_BYTES;
    const family = load<u8>(record, 24);
    const attributeClass = load<u32>(pairs + <usize>load<u32>(recordPairs + (<usize>i << 2)) * 12, 8);
    store<i32>(record, firstId + <i32>i, 16);
    store<u32>(record, attributeClass, 28);
    if (family == 4) ipv4++;
    store<u8>(packed + <usize>i, family);
    store<u8>(packed + <usize>count + <usize>i, load<u8>(record, 25));
    store<u32>(packedMetrics + (<usize>i << 2), load<u32>(record, 20));
    store<u32>(packedClasses + (<usize>i << 2), attributeClass);
  }
  packedIPv4 += ipv4;
}

function freePacked(): void {
  if (packed) free(packed, packedBytes, POOL_OTHER);
  packed = packedBytes = packedMetrics = packedClasses = 0;
  packedIPv4 = 0;
}

export function freeScan(): void {
  freePacked();
  scanning = false;
  if (recordCapacity) {
    free(records, <usize>recordCapacity * RECORD_BYTES, POOL_OTHER);
    free(recordPairs, <usize>recordCapacity << 2, POOL_OTHER);
    recordCapacity = 0;
  }
  if (labelCapacity) {
    free(labels, <usize>labelCapacity << 3, POOL_OTHER);
    free(labelIndex, (<usize>labelMask + 1) << 2, POOL_OTHER);
    labelCapacity = labelCount = 0;
  }
  if (pairCapacity) {
    free(pairs, <usize>pairCapacity * 12, POOL_OTHER);
    free(pairIndex, (<usize>pairMask + 1) << 2, POOL_OTHER);
    pairCapacity = pairCount = 0;
  }
}

@inline function isHostRouteV4(record: usize): bool {
  return load<u8>(record, 24) == 4 && load<u8>(record, 25) == 32;
}

function hasSlash(start: u32, end: u32): bool {
  for (let i = start; i < end; i++) if (byteAt(i) == CH_SLASH) return true;
  return false;
}

/**
 * A dotted quad (or -1) that the host reads as a netmask (src/routes/netmask.ts): contiguous, or
 * starting 0. or 255.
 */
function looksLikeNetmask(value: i64): bool {
  if (value < 0) return false;
  const mask = <u32>value;
  const top = mask >>> 24;
  const hostBits = ~mask;
  return top == 0 || top == 255 || (hostBits & (hostBits + 1)) == 0;
}

/** "prefix" in any case: the column header the host skips before the first route. */
function isWordPrefix(start: u32, end: u32): bool {
  if (end - start != 6) return false;
  const word = 'prefix';
  for (let k: u32 = 0; k < 6; k++) {
    if ((byteAt(start + k) | 0x20) != <u32>word.charCodeAt(k)) return false;
  }
  return true;
}

@inline function isNone(start: u32, end: u32): bool {
  return start == end || (end - start == 1 && byteAt(start) == CH_DASH);
}

/** Decimal digits; above 2^32 - 1 (or not digits) gives a value above it. */
function parseMetric(start: u32, end: u32): u64 {
  let value: u64 = 0;
  for (let i = start; i < end; i++) {
    const c = byteAt(i);
    if (c < 0x30 || c > 0x39) return <u64>0x100000000;
    value = value * 10 + <u64>(c - 0x30);
    if (value > 0xffffffff) return value;
  }
  return value;
}

// ------------------------------------------------------------------ prefixes, as net/address.ts

/**
 * The common prefix, `A.B.C.D/L` followed by a blank, a comma or the line's end, read in one pass
 * into `record` as scanPrefix reads it: where the prefix ends, or 0 for anything else (leading
 * zeros in the length, a host route without `/L`, IPv6...), which scanPrefix then reads.
 */
@inline function scanIPv4Prefix(start: u32, end: u32, record: usize): u32 {
  let i = start;
  let address: u32 = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || byteAt(i) != CH_DOT) return 0;
      i++;
    }
    const first = i;
    let value: u32 = 0;
    while (i < end) {
      const digit = byteAt(i) - 0x30; // wraps past 9 for anything below '0'
      if (digit > 9 || i - first == 3) break;
      value = value * 10 + digit;
      i++;
    }
    if (i == first || value > 255) return 0;
    address = (address << 8) | value;
  }
  if (i >= end || byteAt(i) != CH_SLASH) return 0;
  i++;
  const lengthStart = i;
  let length: u32 = 0;
  while (i < end && i - lengthStart < 2) {
    const digit = byteAt(i) - 0x30;
    if (digit > 9) break;
    length = length * 10 + digit;
    i++;
  }
  if (i == lengthStart || length > 32 || (i - lengthStart == 2 && byteAt(lengthStart) == 0x30)) return 0;
  if (i < end) {
    const c = byteAt(i);
    if (c != CH_COMMA && !isBlank(c)) return 0;
  }
  const mask: u32 = length == 0 ? 0 : U32.MAX_VALUE << (32 - length);
  store<u64>(record, <u64>bswap<u32>(address & mask));
  store<u64>(record, 0, 8);
  store<u8>(record, 4, 24);
  store<u8>(record, <u8>length, 25);
  return i;
}

/** Writes the key (network order), family and masked length of the prefix text into `record`. */
function scanPrefix(start: u32, end: u32, record: usize): bool {
  if (end - start == 7 && isDefault(start)) {
    store<u64>(record, 0);
    store<u64>(record, 0, 8);
    store<u8>(record, 4, 24);
    store<u8>(record, 0, 25);
    return true;
  }
  let slash = start;
  while (slash < end && byteAt(slash) != CH_SLASH) slash++;
  // two stores, not memory.fill: V8 makes a call of every memory.fill, small or not
  store<u64>(record, 0);
  store<u64>(record, 0, 8);
  let family: u32;
  const v4 = parseIPv4Text(text, start, slash);
  if (v4 >= 0) {
    family = 4;
    store<u32>(record, bswap<u32>(<u32>v4));
  } else if (parseIPv6Text(text, start, slash, record)) {
    family = 6;
  } else {
    return false;
  }
  const max: u32 = family == 4 ? 32 : 128;
  let length = max;
  if (slash < end) {
    let i = slash + 1;
    if (i == end) return false;
    let value: u32 = 0;
    for (; i < end; i++) {
      const c = byteAt(i);
      if (c < 0x30 || c > 0x39) return false;
      if (value <= max) value = value * 10 + (c - 0x30);
    }
    if (value > max) return false;
    length = value;
  }
  maskKey(record, length);
  store<u8>(record, <u8>family, 24);
  store<u8>(record, <u8>length, 25);
  return true;
}

function isDefault(start: u32): bool {
  const word = 'default';
  for (let k: u32 = 0; k < 7; k++) if (byteAt(start + k) != <u32>word.charCodeAt(k)) return false;
  return true;
}

/** Clears the key's bits past `length` (the key is in network order: a u64 load is byte-swapped). */
@inline function maskKey(record: usize, length: u32): void {
  store<u64>(record, load<u64>(record) & bswap<u64>(leadingOnes(length)));
  store<u64>(record, load<u64>(record, 8) & bswap<u64>(leadingOnes(length > 64 ? length - 64 : 0)), 8);
}

/** A u64 whose top `bits` bits are set (all of them from 64 on). */
@inline function leadingOnes(bits: u32): u64 {
  return bits == 0 ? 0 : bits >= 64 ? U64.MAX_VALUE : U64.MAX_VALUE << <u64>(64 - bits);
}

// ------------------------------------------------------------------ labels and pairs

/** Puts entry `number` in an index at the first free slot from its hash. */
function place(index: usize, mask: u32, hash: u32, number: u32): void {
  let slot = hash & mask;
  while (load<u32>(index + (<usize>slot << 2))) slot = (slot + 1) & mask;
  store<u32>(index + (<usize>slot << 2), number + 1);
}

/** FNV-1a of the text's bytes from `start` to `end`. */
function labelHash(start: u32, end: u32): u32 {
  let hash: u32 = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = (hash ^ byteAt(i)) * 0x01000193;
  return hash;
}

function internLabel(start: u32, end: u32): i32 {
  const hash = labelHash(start, end);
  let slot = hash & labelMask;
  while (true) {
    const entry = load<u32>(labelIndex + (<usize>slot << 2));
    if (entry == 0) break;
    const label = labels + (<usize>(entry - 1) << 3);
    if (load<u32>(label, 4) == end - start && memory.compare(text + <usize>load<u32>(label), text + <usize>start, <usize>(end - start)) == 0) {
      return <i32>(entry - 1);
    }
    slot = (slot + 1) & labelMask;
  }
  if (labelCount == labelCapacity) growLabels(labelCapacity * 2);
  const number = labelCount++;
  store<u32>(labels + (<usize>number << 3), start);
  store<u32>(labels + (<usize>number << 3), end - start, 4);
  // the index may have been rebuilt: find the free slot again
  place(labelIndex, labelMask, hash, number);
  return <i32>number;
}

function growLabels(capacity: u32): void {
  labels = regrow(labels, labelCapacity, labelCount, 8, capacity);
  if (labelCapacity) free(labelIndex, (<usize>labelMask + 1) << 2, POOL_OTHER);
  labelCapacity = capacity;
  labelMask = capacity * 2 - 1;
  labelIndex = zeroed((<usize>labelMask + 1) << 2);
  for (let n: u32 = 0; n < labelCount; n++) {
    const label = labels + (<usize>n << 3);
    place(labelIndex, labelMask, labelHash(load<u32>(label), load<u32>(label) + load<u32>(label, 4)), n);
  }
}

/** A block for `capacity` entries of `entryBytes` holding the `count` of `array` (freed, if any). */
function regrow(array: usize, oldCapacity: u32, count: u32, entryBytes: usize, capacity: u32): usize {
  const next = alloc(<usize>capacity * entryBytes, POOL_OTHER);
  if (oldCapacity) {
    memory.copy(next, array, <usize>count * entryBytes);
    free(array, <usize>oldCapacity * entryBytes, POOL_OTHER);
  }
  return next;
}

function zeroed(bytes: usize): usize {
  const block = alloc(bytes, POOL_OTHER);
  memory.fill(block, 0, bytes);
  return block;
}

@inline function pairHash(hop: i32, dev: i32): u32 {
  return (<u32>(hop + 1) * 0x9e3779b1) ^ (<u32>(dev + 1) * 0x85ebca6b);
}

// the pair of the line before: a table's lines run in long stretches of one next hop (or none)
let lastPair: i32 = -1;
let lastPairHop: i32 = 0;
let lastPairDev: i32 = 0;

function internPair(hop: i32, dev: i32): u32 {
  if (lastPair >= 0 && hop == lastPairHop && dev == lastPairDev) return <u32>lastPair;
  const number = findOrAddPair(hop, dev);
  lastPair = <i32>number;
  lastPairHop = hop;
  lastPairDev = dev;
  return number;
}

function findOrAddPair(hop: i32, dev: i32): u32 {
  let slot = pairHash(hop, dev) & pairMask;
  while (true) {
    const entry = load<u32>(pairIndex + (<usize>slot << 2));
    if (entry == 0) break;
    const pair = pairs + <usize>(entry - 1) * 12;
    if (load<i32>(pair) == hop && load<i32>(pair, 4) == dev) return entry - 1;
    slot = (slot + 1) & pairMask;
  }
  if (pairCount == pairCapacity) growPairs(pairCapacity * 2);
  const number = pairCount++;
  const pair = pairs + <usize>number * 12;
  store<i32>(pair, hop);
  store<i32>(pair, dev, 4);
  store<u32>(pair, 0, 8);
  place(pairIndex, pairMask, pairHash(hop, dev), number);
  return number;
}

function growPairs(capacity: u32): void {
  pairs = regrow(pairs, pairCapacity, pairCount, 12, capacity);
  if (pairCapacity) free(pairIndex, (<usize>pairMask + 1) << 2, POOL_OTHER);
  pairCapacity = capacity;
  pairMask = capacity * 2 - 1;
  pairIndex = zeroed((<usize>pairMask + 1) << 2);
  for (let n: u32 = 0; n < pairCount; n++) {
    const pair = pairs + <usize>n * 12;
    place(pairIndex, pairMask, pairHash(load<i32>(pair), load<i32>(pair, 4)), n);
  }
}
