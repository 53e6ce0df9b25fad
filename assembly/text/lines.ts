// Lines of text in memory, found 16 bytes a step: what the plain route scan (routes/plain.ts) and
// the update-line scan (updates/update-lines.ts) share.

/** Where the line from `pos` of `text` ends (its newline, or `length`), 16 bytes a step. */
@inline export function lineEnd(text: usize, pos: u32, length: u32): u32 {
  const newline = i8x16.splat(10);
  let i = pos;
  while (i + 16 <= length) {
    const found = i8x16.bitmask(i8x16.eq(v128.load(text + i), newline));
    if (found) return i + ctz(found);
    i += 16;
  }
  while (i < length && load<u8>(text + i) != 10) i++;
  return i;
}
