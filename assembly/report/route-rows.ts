// The `routes` of a report, taken from the route counters in one call: every route that counted,
// busiest first, with its prefix text, in one self-contained block the host copies out. The JSON
// of the rows (report/routes-json.ts) and the host's row objects are both made from such a block.
//
// Order (docs/report.md): more packets first, then more bytes, then the prefix text (byte order,
// as JavaScript compares ASCII strings), then the lower route id: the order the host's stable sort
// gave when it sorted the rows it read by route id. A stable LSD radix sort on bytes and then
// packets (16 bits a pass, passes whose digit is the same everywhere skipped) over the rows in id
// order, then each run of equal packets and bytes sorted by prefix text, stably.
//
// Block layout (offsets from the block; every offset inside is relative to it, so a copy anywhere works):
//   @0  rows u32   @4 bytes u32 (the block's used length)   @8 slots u32 (highest route id + 1)
//   @12 the bytes the block needed u32   @16 where the prefix texts start u32
//   @HEADER        rows, ROW_BYTES each:
//                    @0 packets u64  @8 bytes u64  @16 id i32  @20 destinations u32
//                    @24 metric u32  @28 class u32 (the host's attribute class, fib/routes.ts)
//                    @32 text u32, @36 text length u32   the prefix text (no quotes)
//                    @40 paths u32, @44 path count u32   a multipath route's counters per next hop
//                                                        (packets u64, bytes u64 each), 0 when none
//   then the path counters, then the prefix texts.

import { scratchRegion, SCRATCH_ROUTE_ROWS, SCRATCH_ROUTE_SORT } from './scratch';
import { Counters, ROUTE_COUNTER_BYTES } from '../count/counters';
import { routeClass, routeExists, routeFamily, routeHi, routeLength, routeLo, routeMetric } from '../fib/routes';
import { writeByte, writeDecimal32, writeIPv4, writeIPv6 } from './text';

export const ROW_BYTES: usize = 48;
export const ROWS_HEADER: usize = 24;
/** The longest prefix text: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128. */
export const MAX_ROUTE_PREFIX: usize = 43;
const PATH_BYTES: usize = 16;
/** Runs of equal counts this short are sorted by insertion; longer ones by merging. */
const SHORT_RUN: u32 = 24;

// a radix sort's digit counts
const counts: usize = memory.data(65536 * 4);

@inline function rowAt(rows: usize, i: u32): usize {
  return rows + <usize>i * ROW_BYTES;
}

/**
 * The rows of every route of `counters` that counted a packet (and still exists) into a block
 * (layout above), busiest first; none without `withRoutes`; 0 when memory is too short. The block
 * is a report scratch region (scratch.ts): the host copies it before the next report.
 */
export function routeRowsTake(counters: usize, withRoutes: bool): usize {
  const c = changetype<Counters>(counters);
  return routeRowsOf(c.routes, withRoutes ? c.routeCapacity : 0);
}

/**
 * routeRowsTake over `capacity` route counters at `routes` (ROUTE_COUNTER_BYTES each, by route
 * id, as Counters keeps them): `compare` sums an overlay's counters into each table's this way.
 */
export function routeRowsOf(routes: usize, capacity: i32): usize {
  let n: u32 = 0, pathCounters: u32 = 0, slots: i32 = 0;
  for (let id: i32 = 0; id < capacity; id++) {
    const at = routes + <usize>id * ROUTE_COUNTER_BYTES;
    if (load<u64>(at) == 0 || !routeExists(id)) continue;
    n++;
    slots = id + 1;
    if (load<u32>(at, 24)) pathCounters += load<u32>(at, 28);
  }
  const size = <u64>ROWS_HEADER + <u64>n * (ROW_BYTES + MAX_ROUTE_PREFIX) + <u64>pathCounters * PATH_BYTES;
  const block = scratchRegion(SCRATCH_ROUTE_ROWS, size);
  if (!block) return 0;
  const unsortedBytes = <u64>max(n, 1) * ROW_BYTES;
  const orderBytes = <u64>max(n, 1) << 2;
  const unsorted = scratchRegion(SCRATCH_ROUTE_SORT, unsortedBytes + 2 * orderBytes);
  if (!unsorted) return 0;
  const order = unsorted + <usize>unsortedBytes;
  const spare = order + <usize>orderBytes;
  // the rows in id order, their path counters and texts straight into the block
  const rowsEnd = ROWS_HEADER + <usize>n * ROW_BYTES;
  let paths = rowsEnd;
  const textStart = rowsEnd + <usize>pathCounters * PATH_BYTES;
  let text = textStart;
  let i: u32 = 0;
  for (let id: i32 = 0; id < slots; id++) {
    const at = routes + <usize>id * ROUTE_COUNTER_BYTES;
    if (load<u64>(at) == 0 || !routeExists(id)) continue;
    const row = rowAt(unsorted, i++);
    store<u64>(row, load<u64>(at));
    store<u64>(row, load<u64>(at, 8), 8);
    store<i32>(row, id, 16);
    store<u32>(row, load<u32>(at, 16), 20);
    store<u32>(row, routeMetric(id), 24);
    store<u32>(row, routeClass(id), 28);
    const end = writePrefix(block + text, id);
    store<u32>(row, <u32>text, 32);
    store<u32>(row, <u32>(end - block - text), 36);
    text = end - block;
    const counted = load<u32>(at, 24) ? load<u32>(at, 28) : 0;
    store<u32>(row, counted ? <u32>paths : 0, 40);
    store<u32>(row, counted, 44);
    if (counted) {
      memory.copy(block + paths, <usize>load<u32>(at, 24), <usize>counted * PATH_BYTES);
      paths += <usize>counted * PATH_BYTES;
    }
  }
  sortRows(block, unsorted, n, order, spare);
  for (let k: u32 = 0; k < n; k++) {
    memory.copy(block + ROWS_HEADER + <usize>k * ROW_BYTES, rowAt(unsorted, load<u32>(order + (<usize>k << 2))), ROW_BYTES);
  }
  store<u32>(block, n);
  store<u32>(block, <u32>text, 4);
  store<u32>(block, <u32>slots, 8);
  store<u32>(block, <u32>size, 12);
  store<u32>(block, <u32>textStart, 16);
  return block;
}


/** Route `id`'s prefix as the host writes it (a.b.c.d/len, RFC 5952 text/len); returns its end. */
function writePrefix(out: usize, id: i32): usize {
  out = routeFamily(id) == 4 ? writeIPv4(out, <u32>(routeHi(id) >> 32)) : writeIPv6(out, routeHi(id), routeLo(id));
  out = writeByte(out, 0x2f);
  return writeDecimal32(out, <u32>routeLength(id));
}

/** The row order into `order` (n row numbers of `rows`), with `spare` as scratch of the same size. */
function sortRows(block: usize, rows: usize, n: u32, order: usize, spare: usize): void {
  for (let i: u32 = 0; i < n; i++) store<u32>(order + (<usize>i << 2), i);
  let from = order, to = spare;
  // least significant first: bytes, then packets (the stable passes keep the earlier ones' order)
  for (let field: usize = 8; ; field -= 8) {
    for (let shift: u64 = 0; shift < 64; shift += 16) {
      if (radixPass(rows, n, field, shift, from, to)) {
        const swap = from;
        from = to;
        to = swap;
      }
    }
    if (field == 0) break;
  }
  if (from != order) memory.copy(order, from, <usize>n << 2);
  // runs of equal packets and bytes: by prefix text
  let start: u32 = 0;
  while (start < n) {
    let end = start + 1;
    const first = rowAt(rows, load<u32>(order + (<usize>start << 2)));
    while (end < n) {
      const row = rowAt(rows, load<u32>(order + (<usize>end << 2)));
      if (load<u64>(row) != load<u64>(first) || load<u64>(row, 8) != load<u64>(first, 8)) break;
      end++;
    }
    if (end - start > 1) sortByText(block, rows, order + (<usize>start << 2), end - start, spare);
    start = end;
  }
}

/**
 * One stable pass on the 16-bit digit at `shift` of the u64 at `field` of each row, descending,
 * from `from` into `to`. False (and nothing moved) when every row has the same digit.
 */
function radixPass(rows: usize, n: u32, field: usize, shift: u64, from: usize, to: usize): bool {
  if (n < 2) return false;
  memory.fill(counts, 0, 65536 * 4);
  for (let i: u32 = 0; i < n; i++) {
    const digit = descendingDigit(rows, load<u32>(from + (<usize>i << 2)), field, shift);
    store<u32>(counts + (digit << 2), load<u32>(counts + (digit << 2)) + 1);
  }
  if (load<u32>(counts + (descendingDigit(rows, load<u32>(from), field, shift) << 2)) == n) return false;
  let total: u32 = 0;
  for (let digit: usize = 0; digit < 65536; digit++) {
    const c = load<u32>(counts + (digit << 2));
    store<u32>(counts + (digit << 2), total);
    total += c;
  }
  for (let i: u32 = 0; i < n; i++) {
    const index = load<u32>(from + (<usize>i << 2));
    const digit = descendingDigit(rows, index, field, shift);
    const place = load<u32>(counts + (digit << 2));
    store<u32>(counts + (digit << 2), place + 1);
    store<u32>(to + (<usize>place << 2), index);
  }
  return true;
}

@inline function descendingDigit(rows: usize, index: u32, field: usize, shift: u64): usize {
  return <usize>(0xffff - ((load<u64>(rowAt(rows, index) + field) >> shift) & 0xffff));
}

/** Whether row `a`'s prefix text sorts before row `b`'s (byte order, a prefix of the other first). */
function textBefore(block: usize, rows: usize, a: u32, b: u32): bool {
  const ra = rowAt(rows, a), rb = rowAt(rows, b);
  const ta = block + <usize>load<u32>(ra, 32), tb = block + <usize>load<u32>(rb, 32);
  const la = load<u32>(ra, 36), lb = load<u32>(rb, 36);
  const common = min(la, lb);
  for (let i: u32 = 0; i < common; i++) {
    const x = load<u8>(ta + <usize>i), y = load<u8>(tb + <usize>i);
    if (x != y) return x < y;
  }
  return la < lb;
}

/** Sorts `count` row numbers at `list` by prefix text, stably, with `spare` (count u32s at least) as scratch. */
function sortByText(block: usize, rows: usize, list: usize, count: u32, spare: usize): void {
  if (count <= SHORT_RUN) {
    for (let i: u32 = 1; i < count; i++) {
      const value = load<u32>(list + (<usize>i << 2));
      let j = i;
      while (j > 0 && textBefore(block, rows, value, load<u32>(list + (<usize>(j - 1) << 2)))) {
        store<u32>(list + (<usize>j << 2), load<u32>(list + (<usize>(j - 1) << 2)));
        j--;
      }
      store<u32>(list + (<usize>j << 2), value);
    }
    return;
  }
  const half = count >>> 1;
  sortByText(block, rows, list, half, spare);
  sortByText(block, rows, list + (<usize>half << 2), count - half, spare);
  // merge the halves through `spare`; on equal text the left (lower id) first
  memory.copy(spare, list, <usize>count << 2);
  let left: u32 = 0, right = half, out: u32 = 0;
  while (left < half || right < count) {
    // the right one only when it sorts strictly before: equal texts keep their order
    const takeRight = left >= half || (right < count
      && textBefore(block, rows, load<u32>(spare + (<usize>right << 2)), load<u32>(spare + (<usize>left << 2))));
    store<u32>(list + (<usize>out << 2), load<u32>(spare + (<usize>(takeRight ? right : left) << 2)));
    out++;
    if (takeRight) right++;
    else left++;
  }
}
