// The covering walk of the overlay table (src/compare/covering.ts): the union of two tables'
// prefixes, sorted by the host, walked once with a stack of the prefixes containing the current
// one, so that each gets the route of the longest prefix of each table containing it.

/** A prefix and the prefixes containing it: at most one per length of a family, and a switch. */
const stack: usize = memory.data(132 * 4);

/**
 * Walks `n` items at `order` (u32 each: table << 25 | index, the host's sort of both tables'
 * prefixes: by family and address, then length, `before` first) into the union columns, `n`
 * long at most. `tables` holds, for `before` then `after`, the addresses of its family (u8),
 * length (u8), words (4 u32 each, most significant first) and route ids (i32) columns; `out` the
 * addresses of the union's family, length, words, before (i32), after (i32), ownBefore (u8) and
 * ownAfter (u8) columns. Returns how many prefixes the union has.
 */
export function coveringWalk(order: usize, n: u32, tables: usize, out: usize): u32 {
  const outFamily = <usize>load<u32>(out);
  const outLength = <usize>load<u32>(out, 4);
  const outWords = <usize>load<u32>(out, 8);
  const outBefore = <usize>load<u32>(out, 12);
  const outAfter = <usize>load<u32>(out, 16);
  const ownBefore = <usize>load<u32>(out, 20);
  const ownAfter = <usize>load<u32>(out, 24);
  let count: i32 = 0;
  let depth: i32 = 0;
  for (let k: u32 = 0; k < n; k++) {
    const item = load<u32>(order + (<usize>k << 2));
    const side = <usize>(item >>> 25);
    const i = <usize>(item & 0x1ffffff);
    const table = tables + side * 16;
    const family = load<u8>(<usize>load<u32>(table) + i);
    const length = load<u8>(<usize>load<u32>(table, 4) + i);
    const words = <usize>load<u32>(table, 8) + (i << 4);
    let at = count - 1;
    // the same prefix in the other table: one entry for both
    if (at < 0 || load<u8>(outFamily + <usize>at) != family || load<u8>(outLength + <usize>at) != length
      || !sameWords(outWords + (<usize>at << 4), words)) {
      at = count++;
      store<u8>(outFamily + <usize>at, family);
      store<u8>(outLength + <usize>at, length);
      memory.copy(outWords + (<usize>at << 4), words, 16);
      while (depth > 0 && !contains(outFamily, outLength, outWords, load<i32>(stack + (<usize>(depth - 1) << 2)), at)) depth--;
      const parent = depth > 0 ? load<i32>(stack + (<usize>(depth - 1) << 2)) : -1;
      store<i32>(outBefore + (<usize>at << 2), parent < 0 ? -1 : load<i32>(outBefore + (<usize>parent << 2)));
      store<i32>(outAfter + (<usize>at << 2), parent < 0 ? -1 : load<i32>(outAfter + (<usize>parent << 2)));
      store<u8>(ownBefore + <usize>at, 0);
      store<u8>(ownAfter + <usize>at, 0);
      store<i32>(stack + (<usize>depth << 2), at);
      depth++;
    }
    const id = load<i32>(<usize>load<u32>(table, 12) + (i << 2));
    if (side == 0) {
      store<i32>(outBefore + (<usize>at << 2), id);
      store<u8>(ownBefore + <usize>at, 1);
    } else {
      store<i32>(outAfter + (<usize>at << 2), id);
      store<u8>(ownAfter + <usize>at, 1);
    }
  }
  return <u32>count;
}

@inline function sameWords(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}

/** Whether union entry `outer` contains entry `inner`: same family, no longer, same leading bits. */
function contains(family: usize, length: usize, words: usize, outer: i32, inner: i32): bool {
  if (load<u8>(family + <usize>outer) != load<u8>(family + <usize>inner)) return false;
  let bits = <i32>load<u8>(length + <usize>outer);
  if (bits > <i32>load<u8>(length + <usize>inner)) return false;
  const a = words + (<usize>outer << 4);
  const b = words + (<usize>inner << 4);
  for (let w: usize = 0; bits > 0; w++, bits -= 32) {
    const x = load<u32>(a + (w << 2)) ^ load<u32>(b + (w << 2));
    if (bits >= 32 ? x != 0 : (x >>> (32 - bits)) != 0) return false;
  }
  return true;
}

// a radix pass's digit counts
const counts: usize = memory.data(65537 * 4);

/**
 * Sorts the `n` IPv6 items at `items` (table << 25 | index, columns at `tables` as coveringWalk
 * reads them) by address, then length, then table (`before` first): a stable LSD radix sort, 16
 * bits a pass from the least significant (length and table, then each word from the last),
 * passes whose digit is the same everywhere skipped. `spare` and `digits` hold n u32s each.
 */
export function coveringSortV6(items: usize, n: u32, tables: usize, spare: usize, digits: usize): void {
  let from = items, to = spare;
  for (let pass: i32 = -1; pass < 8; pass++) {
    const word = <usize>(3 - (pass >> 1));
    const shift: u32 = (pass & 1) == 0 ? 0 : 16;
    let same = true;
    for (let j: u32 = 0; j < n; j++) {
      const item = load<u32>(from + (<usize>j << 2));
      const side = item >>> 25;
      const i = <usize>(item & 0x1ffffff);
      const table = tables + <usize>side * 16;
      const digit = pass < 0
        ? (<u32>load<u8>(<usize>load<u32>(table, 4) + i) << 1) | side
        : (load<u32>(<usize>load<u32>(table, 8) + (i << 4) + (word << 2)) >>> shift) & 0xffff;
      store<u32>(digits + (<usize>j << 2), digit);
      if (digit != load<u32>(digits)) same = false;
    }
    if (n == 0 || same) continue;
    memory.fill(counts, 0, 65537 * 4);
    for (let j: u32 = 0; j < n; j++) {
      const at = counts + ((<usize>load<u32>(digits + (<usize>j << 2)) + 1) << 2);
      store<u32>(at, load<u32>(at) + 1);
    }
    for (let d: usize = 1; d < 65537; d++) store<u32>(counts + (d << 2), load<u32>(counts + (d << 2)) + load<u32>(counts + ((d - 1) << 2)));
    for (let j: u32 = 0; j < n; j++) {
      const at = counts + (<usize>load<u32>(digits + (<usize>j << 2)) << 2);
      const place = load<u32>(at);
      store<u32>(at, place + 1);
      store<u32>(to + (<usize>place << 2), load<u32>(from + (<usize>j << 2)));
    }
    const swap = from;
    from = to;
    to = swap;
  }
  if (from != items) memory.copy(items, from, <usize>n << 2);
}
