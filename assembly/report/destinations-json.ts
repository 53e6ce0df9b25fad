// The `destinations` of the JSON report as text, byte for byte what JSON.stringify(report, null, 2)
// writes for them: the bulk of a `-f json` report, written here so that a million destinations
// never become a million objects and strings in JavaScript.

import { ENTRY_BYTES } from '../count/destinations';
import { alloc, POOL_OTHER } from '../memory/alloc';
import { indentLines } from '../compare/indent';
import { ascii, Text, writeBytes, writeDecimal, writeIPv4, writeIPv6, writeIsoTime, writeText } from './text';

/**
 * Most bytes one destination's text takes, with a route prefix text of at most
 * MAX_PREFIX_TEXT bytes: the host sizes its output by it.
 */
export const MAX_DESTINATION_JSON: u32 = 640;
export const MAX_PREFIX_TEXT: u32 = 256;

// The texts between the values, in the order written; a destination's text holds 8 line feeds.
const OPEN_TEXT = ascii('    {\n      "address": "');
const PREFIX_TEXT = ascii('",\n      "prefix": ');
const PACKETS_TEXT = ascii(',\n      "packets": ');
const BYTES_TEXT = ascii(',\n      "bytes": ');
const FIRST_SEEN_TEXT = ascii(',\n      "firstSeen": "');
const LAST_SEEN_TEXT = ascii('",\n      "lastSeen": "');
const CLOSE_TEXT = ascii('"\n    }');
const SEPARATOR_TEXT = ascii(',\n');
const NULL = ascii('null');
const OPEN = 0, PREFIX = 1, PACKETS = 2, BYTES = 3, FIRST_SEEN = 4, LAST_SEEN = 5, CLOSE = 6, SEPARATOR = 7, TEXTS = 8;
export const DESTINATION_LINE_FEEDS: u32 = 8;

// Two sets of those texts (pointers to Text, by the numbers above): as written, and with blanks
// after each line feed for the last indent asked (`compare` nests reports one level deeper).
const plainTexts: usize = memory.data(TEXTS * 4);
const indentedTexts: usize = memory.data(TEXTS * 4);
let indentedSpaces: u32 = 0;

@inline function textAt(set: usize, k: i32): Text {
  return changetype<Text>(<usize>load<u32>(set + (<usize>k << 2)));
}

@inline function setText(set: usize, k: i32, text: Text): void {
  store<u32>(set + (<usize>k << 2), <u32>changetype<usize>(text));
}

/** The set of texts for `spaces` blanks of indent after each line feed. */
function textsFor(spaces: u32): usize {
  if (!load<u32>(plainTexts)) {
    // no arrays: memory is the host's allocator's (memory/alloc.ts), not a managed heap
    setText(plainTexts, OPEN, OPEN_TEXT);
    setText(plainTexts, PREFIX, PREFIX_TEXT);
    setText(plainTexts, PACKETS, PACKETS_TEXT);
    setText(plainTexts, BYTES, BYTES_TEXT);
    setText(plainTexts, FIRST_SEEN, FIRST_SEEN_TEXT);
    setText(plainTexts, LAST_SEEN, LAST_SEEN_TEXT);
    setText(plainTexts, CLOSE, CLOSE_TEXT);
    setText(plainTexts, SEPARATOR, SEPARATOR_TEXT);
  }
  if (spaces == 0) return plainTexts;
  if (indentedSpaces == spaces) return indentedTexts;
  // an earlier indent's texts are left: one set a process, in practice (compare's 2)
  for (let k = 0; k < TEXTS; k++) {
    const plain = textAt(plainTexts, k);
    let feeds: usize = 0;
    for (let i: usize = 0; i < plain.length; i++) if (load<u8>(plain.at + i) == 0x0a) feeds++;
    const text = changetype<Text>(alloc(offsetof<Text>(), POOL_OTHER));
    text.length = plain.length + feeds * <usize>spaces;
    text.at = alloc(text.length, POOL_OTHER);
    indentLines(plain.at, plain.length, text.at, spaces);
    setText(indentedTexts, k, text);
  }
  indentedSpaces = spaces;
  return indentedTexts;
}

/**
 * Writes `count` destination entries (layout in count/destinations.ts) from `entries` to `out`,
 * each preceded by ",\n" unless `first`. A route id's prefix is the JSON text the host put in
 * the prefix table: `prefixSlots` pairs of u32 (offset from `prefixes`, length) by route id, a
 * length of 0 meaning `null`. Times get `digits` decimals. With `indent`, each line feed is
 * followed by that many blanks more (a report nested in another document). Returns the bytes
 * written, at most count * (MAX_DESTINATION_JSON + DESTINATION_LINE_FEEDS * indent).
 */
export function writeDestinationsJson(entries: usize, count: u32, first: bool, prefixes: usize,
  prefixSlots: u32, digits: i32, out: usize, indent: u32 = 0): usize {
  const start = out;
  const texts = textsFor(indent);
  for (let i: u32 = 0; i < count; i++) {
    const entry = entries + <usize>i * ENTRY_BYTES;
    if (i > 0 || !first) out = writeText(out, textAt(texts, SEPARATOR));
    out = writeText(out, textAt(texts, OPEN));
    if (load<u8>(entry, 52) == 4) out = writeIPv4(out, <u32>load<u64>(entry));
    else out = writeIPv6(out, load<u64>(entry), load<u64>(entry, 8));
    out = writeText(out, textAt(texts, PREFIX));
    out = writePrefix(out, load<i32>(entry, 48), prefixes, prefixSlots);
    out = writeText(out, textAt(texts, PACKETS));
    out = writeDecimal(out, load<u64>(entry, 16));
    out = writeText(out, textAt(texts, BYTES));
    out = writeDecimal(out, load<u64>(entry, 24));
    out = writeText(out, textAt(texts, FIRST_SEEN));
    out = writeIsoTime(out, load<u32>(entry, 36), load<u32>(entry, 32), digits);
    out = writeText(out, textAt(texts, LAST_SEEN));
    out = writeIsoTime(out, load<u32>(entry, 44), load<u32>(entry, 40), digits);
    out = writeText(out, textAt(texts, CLOSE));
  }
  return out - start;
}

function writePrefix(out: usize, route: i32, prefixes: usize, prefixSlots: u32): usize {
  if (route < 0 || <u32>route >= prefixSlots) return writeText(out, NULL);
  const slot = prefixes + (<usize>route << 3);
  const length = <usize>min(load<u32>(slot, 4), MAX_PREFIX_TEXT);
  if (length == 0) return writeText(out, NULL);
  return writeBytes(out, prefixes + <usize>load<u32>(slot), length);
}
