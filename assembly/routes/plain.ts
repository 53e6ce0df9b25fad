// The plain route format (src/routes/plain.ts has the grammar) read from UTF-8 bytes, for tables
// of a million lines. It produces addRoutes records (index.ts) with the next hop and device of
// each route as numbers of distinct labels, which the host turns into strings once each.
//
// This is the fast path only. Anything it does not read exactly as the host's parser would (a
// bad line, a column header, an `ADDRESS NETMASK` line, bytes that are not text anywhere, a byte
// order mark past the start) makes it give up, and the host parses the text itself, with its
// error messages.

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
    let end = pos;
    while (end < length && byteAt(end) != 10) end++;
    let i = pos;
    pos = end + 1;
    while (i < end && isBlank(byteAt(i))) i++;
    while (end > i && isBlank(byteAt(end - 1))) end--;
    if (i == end || byteAt(i) == CH_HASH) continue;

    // the prefix field ends at a blank or a comma
    const p0 = i;
    while (i < end && byteAt(i) != CH_COMMA && !isBlank(byteAt(i))) i++;
    const p1 = i;
    if (!seenRoute && isWordPrefix(p0, p1)) return unsure(); // a column header: the host skips it
    seenRoute = true;
    const record = records + <usize>count * RECORD_BYTES;
    if (!scanPrefix(p0, p1, record)) return unsure();

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
      && looksLikeNetmask(parseIPv4(load<u32>(starts, 4), load<u32>(ends, 4)))) return unsure();
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
  let lines: u32 = 1;
  let i = start;
  // 16 bytes at a time while they are printable ASCII and line ends (nearly all of a table)
  const newline = i8x16.splat(10);
  const space = i8x16.splat(<i8>CH_SPACE);
  const tilde = i8x16.splat(0x7e);
  while (i < end) {
    if (i + 16 <= end) {
      const bytes = v128.load(text + <usize>i);
      const isNewline = i8x16.eq(bytes, newline);
      const printable = v128.and(i8x16.ge_u(bytes, space), i8x16.le_u(bytes, tilde));
      if (v128.all_true<i8>(v128.or(printable, isNewline))) {
        lines += <u32>popcnt(i8x16.bitmask(isNewline));
        i += 16;
        continue;
      }
    }
    const c = byteAt(i);
    if (c < 0x80) {
      if (c == 10) lines++;
      else if (c < CH_SPACE ? c < CH_TAB || c > CH_CR : c == 0x7f) return 0;
      i++;
      continue;
    }
    const size = utf8SequenceSize(c, i, end);
    if (size == 0) return 0;
    if (c == 0xef && ((byteAt(i + 1) == 0xbb && byteAt(i + 2) == 0xbf) || (byteAt(i + 1) == 0xbf && byteAt(i + 2) == 0xbd))) return 0;
    i += size;
  }
  return lines;
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

export function freeScan(): void {
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

/** Writes the key (network order), family and masked length of the prefix text into `record`. */
function scanPrefix(start: u32, end: u32, record: usize): bool {
  if (end - start == 7 && isDefault(start)) {
    memory.fill(record, 0, 16);
    store<u8>(record, 4, 24);
    store<u8>(record, 0, 25);
    return true;
  }
  let slash = start;
  while (slash < end && byteAt(slash) != CH_SLASH) slash++;
  memory.fill(record, 0, 16);
  let family: u32;
  const v4 = parseIPv4(start, slash);
  if (v4 >= 0) {
    family = 4;
    store<u32>(record, bswap<u32>(<u32>v4));
  } else if (parseIPv6(start, slash, record)) {
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

/** Clears the key's bits past `length`. */
function maskKey(record: usize, length: u32): void {
  for (let b: u32 = 0; b < 16; b++) {
    const keep = <i32>length - <i32>(b << 3);
    if (keep >= 8) continue;
    const at = record + <usize>b;
    const mask: u32 = keep <= 0 ? 0 : (<u32>0xff << <u32>(8 - keep)) & 0xff;
    store<u8>(at, <u8>(<u32>load<u8>(at) & mask));
  }
}

/** Four decimal parts of 1-3 digits, each 0..255, filling the text exactly; -1 otherwise. */
function parseIPv4(start: u32, end: u32): i64 {
  let i = start;
  let address: u32 = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || byteAt(i) != CH_DOT) return -1;
      i++;
    }
    const first = i;
    let value: u32 = 0;
    while (i < end) {
      const c = byteAt(i);
      if (c < 0x30 || c > 0x39) break;
      value = value * 10 + (c - 0x30);
      i++;
      if (i - first > 3) return -1;
    }
    if (i == first || value > 255) return -1;
    address = (address << 8) | value;
  }
  return i == end ? <i64>address : -1;
}

@inline function hexValue(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return <i32>(lower - 0x61 + 10);
  return -1;
}

/** RFC 4291 text (one `::`, 1-4 hex digits a group, a dotted IPv4 tail) into 16 bytes at `out`. */
function parseIPv6(start: u32, end: u32, out: usize): bool {
  if (end - start < 2) return false;
  let i = start;
  let groups: u32 = 0;
  let gap: i32 = -1;
  if (byteAt(i) == CH_COLON) {
    if (byteAt(i + 1) != CH_COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (groups == 8) return false;
    const groupStart = i;
    let value: u32 = 0;
    while (i < end) {
      const h = hexValue(byteAt(i));
      if (h < 0) break;
      value = (value << 4) + <u32>h;
      i++;
      if (i - groupStart > 4) break;
    }
    const digits = i - groupStart;
    if (i < end && byteAt(i) == CH_DOT) {
      // a dotted IPv4 tail: the last two groups, and the end of the text
      if (groups > 6) return false;
      const v4 = parseIPv4(groupStart, end);
      if (v4 < 0) return false;
      store<u32>(out + (<usize>groups << 1), bswap<u32>(<u32>v4));
      groups += 2;
      i = end;
      break;
    }
    if (digits == 0 || digits > 4) return false;
    store<u16>(out + (<usize>groups << 1), bswap<u16>(<u16>value));
    groups++;
    if (i == end) break;
    if (byteAt(i) != CH_COLON) return false;
    i++;
    if (i < end && byteAt(i) == CH_COLON) {
      if (gap >= 0) return false;
      gap = <i32>groups;
      i++;
    } else if (i == end) {
      return false;
    }
  }
  if (gap < 0) return groups == 8;
  if (groups > 7) return false;
  const tail = groups - <u32>gap;
  memory.copy(out + <usize>((8 - tail) << 1), out + <usize>(<u32>gap << 1), <usize>tail << 1);
  memory.fill(out + <usize>(<u32>gap << 1), 0, <usize>((8 - tail - <u32>gap) << 1));
  return true;
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

function internPair(hop: i32, dev: i32): u32 {
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
