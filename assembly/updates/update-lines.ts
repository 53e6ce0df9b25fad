// Update streams in fibscope's own lines (`TIME add|del|replace ROUTE`, docs/updates.md), scanned
// from bytes into the columns of src/updates/columns.ts. The route text after each prefix is
// numbered once per distinct text (per family), in the order texts first appear; the host parses
// each of those once with its `ip route` reader. The scan takes the common lines only: a time of
// seconds and fraction, a prefix it reads, a del of a whole prefix. At any other line (an RFC 3339
// time, `default`, a del narrowed to a next hop, anything wrong) it stops and says which, and the
// host reads the whole stream itself, wording any error as it always has.

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';
import { parseIPv4Text, parseIPv6Text } from '../text/addresses';
import { lineEnd } from '../text/lines';

const OP_ADD: u8 = 0;
const OP_REPLACE: u8 = 1;
const OP_DEL: u8 = 2;
const MAX_SECONDS: u64 = 0xffffffff;

// the columns, an entry per line of the text (reserve): no more updates than lines
let count: u32 = 0;
let seconds: usize = 0;
let nanoseconds: usize = 0;
let ops: usize = 0;
let families: usize = 0;
let lengths: usize = 0;
let v4s: usize = 0;
let v6s: usize = 0;
let attributes: usize = 0;
let lines: usize = 0;

// the distinct route texts: where each lies (from the prefix to the line's end) and its line
let texts: u32 = 0;
let textStarts: usize = 0;
let textEnds: usize = 0;
let textLines: usize = 0;
let textHashes: usize = 0;
let restStarts: usize = 0;
/** Open addressing over the texts: number + 1, 0 = empty; a power of two, at least twice the lines. */
let slots: usize = 0;
let slotMask: u32 = 0;

/** The prefix of the line being read. */
let keyFamily: u8 = 0;
let keyLength: u32 = 0;
let keyV4: u32 = 0;
const keyV6: usize = memory.data(16);

@inline function isBlank(c: u32): bool {
  return c <= 32 && (c == 32 || (c >= 9 && c <= 13));
}

@inline function digit(c: u32): bool {
  return c - 48 < 10;
}

/**
 * Scans `length` bytes of text at `text`. Returns how many updates it read into the columns, or
 * -LINE for the first line it does not take (nothing is kept then), or -0x7fffffff when memory is
 * short. The columns and texts stay until updateLinesFree().
 */
export function updateLinesScan(text: usize, length: u32): i32 {
  updateLinesFree();
  // in pieces, each a call: V8 moves a function to optimized code only between its calls (the
  // first piece is called apart, so that Binaryen keeps the function rather than inline it)
  let lineCount: u32 = 1 + countLines(text, 0, min(length, PIECE_BYTES));
  for (let from = PIECE_BYTES; from < length; from += PIECE_BYTES) lineCount += countLines(text, from, min(length, from + PIECE_BYTES));
  if (!reserve(lineCount)) return -0x7fffffff;
  line = 0;
  let pos = scanPiece(text, 0, length);
  while (pos < length) pos = scanPiece(text, pos, length);
  if (pos == FAILED) {
    const failed = line;
    updateLinesFree();
    return -<i32>failed;
  }
  return <i32>count;
}

const PIECE_BYTES: u32 = 1 << 16;
const PIECE_LINES: u32 = 2048;
const FAILED: u32 = u32.MAX_VALUE;
/** The line last read (from 1). */
let line: u32 = 0;

function countLines(text: usize, from: u32, to: u32): u32 {
  const newline = i8x16.splat(10);
  let n: u32 = 0;
  let i = from;
  for (; i + 16 <= to; i += 16) n += popcnt(i8x16.bitmask(i8x16.eq(v128.load(text + i), newline)));
  for (; i < to; i++) n += <u32>(load<u8>(text + i) == 10);
  return n;
}

/** Reads up to PIECE_LINES lines from `pos`; returns where the next starts, or FAILED at a line not taken (`line`). */
function scanPiece(text: usize, pos: u32, length: u32): u32 {
  for (let n: u32 = 0; n < PIECE_LINES && pos < length; n++) {
    line++;
    let end = lineEnd(text, pos, length);
    let start = pos;
    pos = end + 1;
    while (start < end && isBlank(load<u8>(text + start))) start++;
    while (end > start && isBlank(load<u8>(text + end - 1))) end--;
    if (start == end || load<u8>(text + start) == 35) continue; // blank, or a # comment
    if (!scanLine(text, start, end, line)) return FAILED;
  }
  return pos;
}

function scanLine(text: usize, start: u32, end: u32, line: u32): bool {
  // TIME: seconds, and a fraction of 1-9 digits
  const timeEnd = wordEnd(text, start, end);
  let value: u64 = 0;
  let i = start;
  for (; i < timeEnd && digit(load<u8>(text + i)); i++) value = value * 10 + <u64>(<u32>load<u8>(text + i) - 48);
  if (i == start || i - start > 10 || value > MAX_SECONDS) return false;
  let fraction: u32 = 0;
  if (i < timeEnd) {
    const digits = timeEnd - i - 1;
    if (load<u8>(text + i) != 46 || digits < 1 || digits > 9) return false;
    for (let j = i + 1; j < timeEnd; j++) {
      const c = <u32>load<u8>(text + j);
      if (!digit(c)) return false;
      fraction = fraction * 10 + (c - 48);
    }
    for (let j = digits; j < 9; j++) fraction *= 10;
  }
  // VERB
  const verbStart = wordStart(text, timeEnd, end);
  const verbEnd = wordEnd(text, verbStart, end);
  const op = verbOf(text, verbStart, verbEnd);
  if (timeEnd == end || op < 0) return false;
  // ROUTE: the prefix, and for add and replace what follows it
  const routeStart = wordStart(text, verbEnd, end);
  if (routeStart == end) return false;
  const prefixEnd = wordEnd(text, routeStart, end);
  if (!scanPrefix(text, routeStart, prefixEnd)) return false;
  let number: u32 = 0;
  if (<u8>op == OP_DEL) {
    if (prefixEnd != end) return false; // narrowed to a next hop or device
  } else {
    number = textNumber(text, routeStart, wordStart(text, prefixEnd, end), end, line);
  }
  const n = count++;
  store<u32>(seconds + (<usize>n << 2), <u32>value);
  store<u32>(nanoseconds + (<usize>n << 2), fraction);
  store<u8>(ops + n, <u8>op);
  store<u8>(families + n, keyFamily);
  store<u8>(lengths + n, <u8>keyLength);
  store<u32>(attributes + (<usize>n << 2), number);
  store<u32>(lines + (<usize>n << 2), line);
  if (keyFamily == 4) {
    store<u32>(v4s + (<usize>n << 2), keyLength == 0 ? 0 : keyV4 & (u32.MAX_VALUE << (32 - keyLength)));
  } else {
    const at = v6s + (<usize>n << 4);
    memory.copy(at, keyV6, 16);
    // host bits cleared, byte by byte past the prefix
    for (let b: u32 = 0; b < 16; b++) {
      const kept = <i32>keyLength - <i32>(b << 3);
      if (kept >= 8) continue;
      store<u8>(at + b, kept <= 0 ? 0 : load<u8>(at + b) & <u8>(<u32>0xff << <u32>(8 - kept)));
    }
  }
  return true;
}

@inline function wordEnd(text: usize, from: u32, end: u32): u32 {
  let i = from;
  while (i < end && !isBlank(load<u8>(text + i))) i++;
  return i;
}

@inline function wordStart(text: usize, from: u32, end: u32): u32 {
  let i = from;
  while (i < end && isBlank(load<u8>(text + i))) i++;
  return i;
}

function verbOf(text: usize, start: u32, end: u32): i32 {
  const length = end - start;
  if (length == 3) {
    const a = load<u8>(text + start), b = load<u8>(text + start + 1), c = load<u8>(text + start + 2);
    if (a == 97 && b == 100 && c == 100) return OP_ADD; // add
    if (a == 100 && b == 101 && c == 108) return OP_DEL; // del
    return -1;
  }
  if (length == 7 && load<u32>(text + start) == 0x6c706572 && load<u16>(text + start + 4) == 0x6361 && load<u8>(text + start + 6) == 101) {
    return OP_REPLACE; // "repl" "ac" "e"
  }
  return -1;
}

/** `ADDRESS[/LENGTH]` into the key, as src/net/address.ts scanPrefix reads it. */
function scanPrefix(text: usize, start: u32, end: u32): bool {
  let slash = start;
  while (slash < end && load<u8>(text + slash) != 47) slash++;
  let max: u32;
  const v4 = parseIPv4Text(text, start, slash);
  if (v4 >= 0) {
    keyFamily = 4;
    keyV4 = <u32>v4;
    max = 32;
  } else if (parseIPv6Text(text, start, slash, keyV6)) {
    keyFamily = 6;
    max = 128;
  } else {
    return false;
  }
  if (slash == end) {
    keyLength = max;
    return true;
  }
  let i = slash + 1;
  if (i == end) return false;
  let value: u32 = 0;
  for (; i < end; i++) {
    const c = <u32>load<u8>(text + i);
    if (!digit(c)) return false;
    if (value <= max) value = value * 10 + (c - 48);
  }
  if (value > max) return false;
  keyLength = value;
  return true;
}

/**
 * The number (from 1) of the route text `[restStart, end)` after the prefix, for the key's family:
 * a new text is numbered next, and remembered from the prefix at `routeStart` on its line.
 */
function textNumber(text: usize, routeStart: u32, restStart: u32, end: u32, line: u32): u32 {
  // FNV-1a over four bytes a step, then the last few
  let hash: u32 = 0x811c9dc5 ^ <u32>keyFamily;
  let i = restStart;
  for (; i + 4 <= end; i += 4) hash = (hash ^ load<u32>(text + i)) * 0x01000193;
  for (; i < end; i++) hash = (hash ^ <u32>load<u8>(text + i)) * 0x01000193;
  const length = end - restStart;
  let slot = hash & slotMask;
  while (true) {
    const entry = load<u32>(slots + (<usize>slot << 2));
    if (entry == 0) break;
    const k = entry - 1;
    if (load<u32>(textHashes + (<usize>k << 2)) == hash) {
      const otherStart = load<u32>(restStarts + (<usize>k << 2));
      const otherEnd = load<u32>(textEnds + (<usize>k << 2));
      if (otherEnd - otherStart == length && memory.compare(text + otherStart, text + restStart, length) == 0
        && load<u8>(families + load<u32>(firstUse + (<usize>k << 2))) == keyFamily) {
        return entry;
      }
    }
    slot = (slot + 1) & slotMask;
  }
  const k = texts++;
  store<u32>(slots + (<usize>slot << 2), k + 1);
  store<u32>(textHashes + (<usize>k << 2), hash);
  store<u32>(textStarts + (<usize>k << 2), routeStart);
  store<u32>(restStarts + (<usize>k << 2), restStart);
  store<u32>(textEnds + (<usize>k << 2), end);
  store<u32>(textLines + (<usize>k << 2), line);
  store<u32>(firstUse + (<usize>k << 2), count);
  return k + 1;
}

/** The update that first used each text: its family is the text's. */
let firstUse: usize = 0;

/** Bytes an entry takes across the columns and the texts' columns: eleven u32s, three u8s and a 16-byte key. */
const ENTRY_BYTES: u64 = 11 * 4 + 3 + 16;
/** The one block all the columns are cut from, and its size. */
let block: usize = 0;
let blockBytes: u64 = 0;

function reserve(n: u32): bool {
  let slotCount: u32 = 16;
  while (slotCount < n * 2) slotCount <<= 1;
  blockBytes = <u64>n * ENTRY_BYTES + (<u64>slotCount << 2);
  block = tryAlloc(blockBytes, POOL_OTHER);
  if (!block) return false;
  slotMask = slotCount - 1;
  // the u32 columns first (aligned), then the 16-byte keys, the slots, the u8 columns
  let at = block;
  const words = <usize>n << 2;
  seconds = at; at += words;
  nanoseconds = at; at += words;
  v4s = at; at += words;
  attributes = at; at += words;
  lines = at; at += words;
  textStarts = at; at += words;
  restStarts = at; at += words;
  textEnds = at; at += words;
  textLines = at; at += words;
  textHashes = at; at += words;
  firstUse = at; at += words;
  v6s = at; at += <usize>n << 4;
  slots = at; at += <usize>slotCount << 2;
  ops = at; at += n;
  families = at; at += n;
  lengths = at;
  // what not every entry writes: the other family's key, and the empty slots
  memory.fill(v4s, 0, words);
  memory.fill(v6s, 0, (<usize>n << 4) + (<usize>slotCount << 2));
  return true;
}

/** Where column `which` lies: 0 seconds, 1 nanoseconds, 2 op, 3 family, 4 length, 5 v4, 6 v6, 7 attributes, 8 line; 9-11 the texts' starts, ends and lines. */
export function updateLinesColumn(which: i32): usize {
  switch (which) {
    case 0: return seconds;
    case 1: return nanoseconds;
    case 2: return ops;
    case 3: return families;
    case 4: return lengths;
    case 5: return v4s;
    case 6: return v6s;
    case 7: return attributes;
    case 8: return lines;
    case 9: return textStarts;
    case 10: return textEnds;
    case 11: return textLines;
    default: return 0;
  }
}

/** How many distinct route texts the last scan numbered. */
export function updateLinesTexts(): u32 {
  return texts;
}

export function updateLinesFree(): void {
  if (block) free(block, blockBytes, POOL_OTHER);
  block = 0;
  count = texts = 0;
}
