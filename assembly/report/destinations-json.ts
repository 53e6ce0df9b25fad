// The `destinations` of the JSON report as text, byte for byte what JSON.stringify(report, null, 2)
// writes for them: the bulk of a `-f json` report, written here so that a million destinations
// never become a million objects and strings in JavaScript.

import { ENTRY_BYTES } from '../count/destinations';
import { ascii, writeDecimal, writeIPv4, writeIPv6, writeIsoTime, writeText } from './text';

/**
 * Most bytes one destination's text takes, with a route prefix text of at most
 * MAX_PREFIX_TEXT bytes: the host sizes its output by it.
 */
export const MAX_DESTINATION_JSON: u32 = 640;
export const MAX_PREFIX_TEXT: u32 = 256;

const OPEN = ascii('    {\n      "address": "');
const PREFIX = ascii('",\n      "prefix": ');
const PACKETS = ascii(',\n      "packets": ');
const BYTES = ascii(',\n      "bytes": ');
const FIRST_SEEN = ascii(',\n      "firstSeen": "');
const LAST_SEEN = ascii('",\n      "lastSeen": "');
const CLOSE = ascii('"\n    }');
const SEPARATOR = ascii(',\n');
const NULL = ascii('null');

/**
 * Writes `count` destination entries (layout in count/destinations.ts) from `entries` to `out`,
 * each preceded by ",\n" unless `first`. A route id's prefix is the JSON text the host put in
 * the prefix table: `prefixSlots` pairs of u32 (offset from `prefixes`, length) by route id, a
 * length of 0 meaning `null`. Times get `digits` decimals. Returns the bytes written, at most
 * count * MAX_DESTINATION_JSON.
 */
export function writeDestinationsJson(entries: usize, count: u32, first: bool, prefixes: usize,
  prefixSlots: u32, digits: i32, out: usize): usize {
  const start = out;
  for (let i: u32 = 0; i < count; i++) {
    const entry = entries + <usize>i * ENTRY_BYTES;
    if (i > 0 || !first) out = writeText(out, SEPARATOR);
    out = writeText(out, OPEN);
    if (load<u8>(entry, 52) == 4) out = writeIPv4(out, <u32>load<u64>(entry));
    else out = writeIPv6(out, load<u64>(entry), load<u64>(entry, 8));
    out = writeText(out, PREFIX);
    out = writePrefix(out, load<i32>(entry, 48), prefixes, prefixSlots);
    out = writeText(out, PACKETS);
    out = writeDecimal(out, load<u64>(entry, 16));
    out = writeText(out, BYTES);
    out = writeDecimal(out, load<u64>(entry, 24));
    out = writeText(out, FIRST_SEEN);
    out = writeIsoTime(out, load<u32>(entry, 36), load<u32>(entry, 32), digits);
    out = writeText(out, LAST_SEEN);
    out = writeIsoTime(out, load<u32>(entry, 44), load<u32>(entry, 40), digits);
    out = writeText(out, CLOSE);
  }
  return out - start;
}

function writePrefix(out: usize, route: i32, prefixes: usize, prefixSlots: u32): usize {
  if (route < 0 || <u32>route >= prefixSlots) return writeText(out, NULL);
  const slot = prefixes + (<usize>route << 3);
  const length = <usize>min(load<u32>(slot, 4), MAX_PREFIX_TEXT);
  if (length == 0) return writeText(out, NULL);
  memory.copy(out, prefixes + <usize>load<u32>(slot), length);
  return out + length;
}
