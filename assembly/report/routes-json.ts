// The `routes` of the JSON report as text, byte for byte what JSON.stringify(report, null, 2)
// writes for the row objects, from a block of route rows (report/route-rows.ts). What only the
// host knows (next hop, device, type, a multipath route's next hops) is text the host writes
// once per attribute class (fib/routes.ts: routes of one class share all of it), kept here for
// every later report; a route's BGP attributes, when the table has any, come as text per row.

import { free, tryAlloc, tryRealloc, POOL_OTHER } from '../memory/alloc';
import { MAX_ROUTE_PREFIX, ROW_BYTES, ROWS_HEADER } from './route-rows';
import { indentLines } from '../compare/indent';
import { ascii, Text, writeBytes, writeDecimal, writeDecimal32 } from './text';

// Attribute class text, one block per class, written by the host (routeClassCreate):
//   @0 head length u32    the JSON after `"nextHop": `: next hop, `,\n      "dev": ` and device
//   @4 type length u32    the JSON of the type, quoted
//   @8 hops u32           next hops listed under `nextHops` (0 for a single path)
//   @12 hops u32s         each next hop's text length: `        {\n          "via": …` up to and
//                         with `"packets": `
//   then the texts: head, type, each next hop's
const CLASS_HEADER: usize = 12;

/** Class blocks by class number; 0: not written yet. */
let classes: usize = 0;
let classCapacity: u32 = 0;
const OPEN = ascii('    {\n      "prefix": "');
const NEXT_HOP = ascii('",\n      "nextHop": ');
const METRIC = ascii(',\n      "metric": ');
const TYPE = ascii(',\n      "type": ');
const PACKETS = ascii(',\n      "packets": ');
const BYTES = ascii(',\n      "bytes": ');
const DESTINATIONS = ascii(',\n      "destinations": ');
const NEXT_HOPS_OPEN = ascii(',\n      "nextHops": [\n');
const HOP_BYTES = ascii(',\n          "bytes": ');
const HOP_CLOSE = ascii('\n        }');
const NEXT_HOPS_CLOSE = ascii('\n      ]');
const CLOSE = ascii('\n    }');
const SEPARATOR = ascii(',\n');

/** Bytes of a row's text besides its prefix, class and BGP texts, and per next hop besides its own. */
const ROW_FIXED: usize = 256;
const HOP_FIXED: usize = 96;

@inline function classAt(routeClass: u32): usize {
  return routeClass < classCapacity ? <usize>load<u32>(classes + (<usize>routeClass << 2)) : 0;
}

function ensureClassCapacity(count: u32): bool {
  if (count <= classCapacity) return true;
  let next = max(classCapacity * 2, 1024);
  while (next < count) next *= 2;
  const grown = classes ? tryRealloc(classes, <u64>classCapacity << 2, <u64>next << 2, POOL_OTHER) : tryAlloc(<u64>next << 2, POOL_OTHER);
  if (!grown) return false;
  memory.fill(grown + (<usize>classCapacity << 2), 0, <usize>(next - classCapacity) << 2);
  classes = grown;
  classCapacity = next;
  return true;
}

/**
 * Room for class `routeClass`'s text block of `bytes` bytes (layout above), for the host to fill;
 * 0 when memory is too short. It is kept for every later report: a class never changes.
 */
export function routeClassCreate(routeClass: u32, bytes: u32): usize {
  if (!ensureClassCapacity(routeClass + 1)) return 0;
  const old = classAt(routeClass);
  if (old) free(old, <u64>classBytes(old), POOL_OTHER);
  const block = tryAlloc(<u64>max(bytes, <u32>CLASS_HEADER) + 4, POOL_OTHER);
  if (!block) return 0;
  // its size first, for a later free; the host sees the block after it
  store<u32>(block, max(bytes, <u32>CLASS_HEADER));
  store<u32>(classes + (<usize>routeClass << 2), <u32>(block + 4));
  return block + 4;
}

@inline function classBytes(text: usize): u32 {
  return load<u32>(text - 4) + 4;
}

/** An upper bound of row `i`'s JSON text, its separator included, with `indent` blanks after each line feed. */
function rowBound(rows: usize, i: u32, bgp: usize, indent: u32): usize {
  const row = rows + ROWS_HEADER + <usize>i * ROW_BYTES;
  const text = classAt(load<u32>(row, 28));
  let bound = ROW_FIXED + MAX_ROUTE_PREFIX + <usize>classBytes(text);
  bound += <usize>load<u32>(text, 8) * HOP_FIXED;
  if (bgp) bound += <usize>load<u32>(bgp + (<usize>i << 3), 4);
  // at most every byte a line feed, each followed by `indent` blanks
  return bound * (1 + <usize>indent);
}

let lastWritten: usize = 0;

// blanks after each line feed of the text being written (`compare` nests reports a level deeper)
let spaces: u32 = 0;

/** Writes `text`, indented. */
@inline function put(out: usize, text: Text): usize {
  return putBytes(out, text.at, text.length);
}

/** Copies `length` bytes of text from `from`, indented. */
function putBytes(out: usize, from: usize, length: usize): usize {
  if (spaces == 0) return writeBytes(out, from, length);
  return out + indentLines(from, length, out, spaces);
}

/**
 * JSON text of rows `from`.. of the route-rows block `rows` into `out` (`outBytes` of room), as
 * many as fit, at most `count`: each preceded by ",\n" but the block's first. `bgp`, when not 0,
 * holds per row (offset from `bgp`, length) of its BGP attributes' text (`,\n      "originAs": …`).
 * Every row's class must have its text (routeClassCreate). Returns the rows
 * written; routesJsonBytes() the bytes.
 */
export function routesJson(rows: usize, from: u32, count: u32, bgp: usize, out: usize, outBytes: u32, indent: u32): u32 {
  spaces = indent;
  const start = out;
  const end = out + <usize>outBytes;
  let written: u32 = 0;
  for (let i = from; i < from + count; i++) {
    if (out + rowBound(rows, i, bgp, indent) > end) break;
    if (i > 0) out = put(out, SEPARATOR);
    out = writeRow(rows, i, bgp, out);
    written++;
  }
  lastWritten = out - start;
  return written;
}

export function routesJsonBytes(): u32 {
  return <u32>lastWritten;
}

/** The longest text routesJson may need for row `i` (the host grows its buffer to it when one row does not fit). */
export function routeJsonBound(rows: usize, i: u32, bgp: usize, indent: u32): u32 {
  return <u32>rowBound(rows, i, bgp, indent);
}

function writeRow(rows: usize, i: u32, bgp: usize, out: usize): usize {
  const row = rows + ROWS_HEADER + <usize>i * ROW_BYTES;
  const text = classAt(load<u32>(row, 28));
  const headLength = <usize>load<u32>(text);
  const typeLength = <usize>load<u32>(text, 4);
  const hops = load<u32>(text, 8);
  let at = text + CLASS_HEADER + (<usize>hops << 2);
  out = put(out, OPEN);
  out = writeBytes(out, rows + <usize>load<u32>(row, 32), <usize>load<u32>(row, 36));
  out = put(out, NEXT_HOP);
  out = putBytes(out, at, headLength);
  at += headLength;
  out = put(out, METRIC);
  out = writeDecimal32(out, load<u32>(row, 24));
  out = put(out, TYPE);
  out = writeBytes(out, at, typeLength);
  at += typeLength;
  out = put(out, PACKETS);
  out = writeDecimal(out, load<u64>(row));
  out = put(out, BYTES);
  out = writeDecimal(out, load<u64>(row, 8));
  out = put(out, DESTINATIONS);
  out = writeDecimal32(out, load<u32>(row, 20));
  if (bgp) {
    const slot = bgp + (<usize>i << 3);
    const length = <usize>load<u32>(slot, 4);
    out = putBytes(out, bgp + <usize>load<u32>(slot), length);
  }
  if (hops > 1) {
    // what each next hop carried; hops the counters have not reached yet carried nothing
    const paths = rows + <usize>load<u32>(row, 40);
    const counted = load<u32>(row, 40) ? min(load<u32>(row, 44), hops) : 0;
    out = put(out, NEXT_HOPS_OPEN);
    for (let h: u32 = 0; h < hops; h++) {
      if (h > 0) out = put(out, SEPARATOR);
      const length = <usize>load<u32>(text + CLASS_HEADER + (<usize>h << 2));
      out = putBytes(out, at, length);
      at += length;
      out = writeDecimal(out, h < counted ? load<u64>(paths + (<usize>h << 4)) : 0);
      out = put(out, HOP_BYTES);
      out = writeDecimal(out, h < counted ? load<u64>(paths + (<usize>h << 4), 8) : 0);
      out = put(out, HOP_CLOSE);
    }
    out = put(out, NEXT_HOPS_CLOSE);
  }
  return put(out, CLOSE);
}

/**
 * The destinations' prefix table (report/destinations-json.ts) from a route-rows block, into
 * `out`: `slots` (the block's) pairs of u32 (offset from `out`, length) by route id, then the
 * quoted prefix texts; a route id with no row has length 0 (null). Needs slots * 8 + rows *
 * (MAX_ROUTE_PREFIX + 2) bytes; returns the bytes used.
 */
export function routeRowsPrefixTable(rows: usize, out: usize): u32 {
  const n = load<u32>(rows);
  const slots = load<u32>(rows, 8);
  memory.fill(out, 0, <usize>slots << 3);
  let at = <usize>slots << 3;
  for (let i: u32 = 0; i < n; i++) {
    const row = rows + ROWS_HEADER + <usize>i * ROW_BYTES;
    const length = <usize>load<u32>(row, 36);
    const slot = out + (<usize>load<i32>(row, 16) << 3);
    store<u32>(slot, <u32>at);
    store<u32>(slot, <u32>(length + 2), 4);
    store<u8>(out + at, 0x22);
    writeBytes(out + at + 1, rows + <usize>load<u32>(row, 32), length);
    store<u8>(out + at + 1 + length, 0x22);
    at += length + 2;
  }
  return <u32>at;
}
