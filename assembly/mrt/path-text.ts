// The bgpdump text of a RIB dump's distinct AS paths ("3356 1299 64500"), written as each is
// first seen (its bytes are then in cache) into one buffer the host decodes at once and slices
// per path: a full table has some 300 000 of them, and building each from numbers on the host
// costs more than the rest of its load. Only the common path, one AS_SEQUENCE of 4-octet AS
// numbers filling the value (as sequencePathOf in src/mrt/attributes.ts); the host decodes any
// other itself.

import { free, tryAlloc, POOL_OTHER } from '../memory/alloc';

const AS_SEQUENCE: u32 = 2;
/** Per path, 3 u32: start and end of its text (start 0xffffffff: the host decodes it), and its origin AS. */
export const PATH_TEXT_BYTES: usize = 12;
/** A 4-byte AS number takes at most 10 digits and a blank. */
const MOST_CHARS_PER_AS: u32 = 11;

export let pathTexts: usize = 0;
let pathCapacity: u32 = 0;
export let text: usize = 0;
export let textLength: u32 = 0;
let textCapacity: u32 = 0;

/** Writes the text of path number `path` (the next one), whose value is `[at, at + length)`; false when memory is too short. */
export function addPathText(path: i32, at: usize, length: u32): bool {
  const n = <u32>path;
  if (n >= pathCapacity && !growPaths(max<u32>(4096, n * 2))) return false;
  const entry = pathTexts + <usize>n * PATH_TEXT_BYTES;
  const asns = length >= 2 ? <u32>load<u8>(at, 1) : 0;
  if (length < 2 || <u32>load<u8>(at) != AS_SEQUENCE || asns == 0 || length != 2 + asns * 4) {
    store<u32>(entry, 0xffffffff);
    return true;
  }
  const most = asns * MOST_CHARS_PER_AS;
  if (textLength + most > textCapacity && !growText(max<u32>(1 << 16, (textLength + most) * 2))) return false;
  let out = text + <usize>textLength;
  let asn: u32 = 0;
  for (let k: u32 = 0; k < asns; k++) {
    if (k) store<u8>(out++, 0x20);
    asn = bswap<u32>(load<u32>(at + 2 + (<usize>k << 2)));
    out = writeDecimal(out, asn);
  }
  store<u32>(entry, textLength);
  textLength = <u32>(out - text);
  store<u32>(entry, textLength, 4);
  store<u32>(entry, asn, 8);
  return true;
}

// "00" to "99": two digits a division
const DIGIT_PAIRS = memory.data<u8>([
  48,48,48,49,48,50,48,51,48,52,48,53,48,54,48,55,48,56,48,57, 49,48,49,49,49,50,49,51,49,52,49,53,49,54,49,55,49,56,49,57,
  50,48,50,49,50,50,50,51,50,52,50,53,50,54,50,55,50,56,50,57, 51,48,51,49,51,50,51,51,51,52,51,53,51,54,51,55,51,56,51,57,
  52,48,52,49,52,50,52,51,52,52,52,53,52,54,52,55,52,56,52,57, 53,48,53,49,53,50,53,51,53,52,53,53,53,54,53,55,53,56,53,57,
  54,48,54,49,54,50,54,51,54,52,54,53,54,54,54,55,54,56,54,57, 55,48,55,49,55,50,55,51,55,52,55,53,55,54,55,55,55,56,55,57,
  56,48,56,49,56,50,56,51,56,52,56,53,56,54,56,55,56,56,56,57, 57,48,57,49,57,50,57,51,57,52,57,53,57,54,57,55,57,56,57,57,
]);

/** The decimal digits of `value` at `out`; returns the address after them. */
function writeDecimal(out: usize, value: u32): usize {
  let digits: usize;
  if (value >= 100000) {
    digits = value >= 1000000000 ? 10 : value >= 100000000 ? 9 : value >= 10000000 ? 8 : value >= 1000000 ? 7 : 6;
  } else {
    digits = value >= 10000 ? 5 : value >= 1000 ? 4 : value >= 100 ? 3 : value >= 10 ? 2 : 1;
  }
  let at = out + digits;
  while (value >= 100) {
    const pair = value % 100;
    value /= 100;
    at -= 2;
    store<u16>(at, load<u16>(DIGIT_PAIRS + (<usize>pair << 1)));
  }
  if (value >= 10) {
    at -= 2;
    store<u16>(at, load<u16>(DIGIT_PAIRS + (<usize>value << 1)));
  } else {
    store<u8>(at - 1, <u8>(0x30 + value));
  }
  return out + digits;
}

function growPaths(capacity: u32): bool {
  const grown = tryAlloc(<usize>capacity * PATH_TEXT_BYTES, POOL_OTHER);
  if (!grown) return false;
  if (pathCapacity) {
    memory.copy(grown, pathTexts, <usize>pathCapacity * PATH_TEXT_BYTES);
    free(pathTexts, <usize>pathCapacity * PATH_TEXT_BYTES, POOL_OTHER);
  }
  pathTexts = grown;
  pathCapacity = capacity;
  return true;
}

function growText(capacity: u32): bool {
  const grown = tryAlloc(capacity, POOL_OTHER);
  if (!grown) return false;
  if (textCapacity) {
    memory.copy(grown, text, textLength);
    free(text, textCapacity, POOL_OTHER);
  }
  text = grown;
  textCapacity = capacity;
  return true;
}

export function freePathTexts(): void {
  if (pathCapacity) free(pathTexts, <usize>pathCapacity * PATH_TEXT_BYTES, POOL_OTHER);
  if (textCapacity) free(text, textCapacity, POOL_OTHER);
  pathTexts = text = 0;
  pathCapacity = textCapacity = textLength = 0;
}
