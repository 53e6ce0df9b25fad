// Re-indents JSON text: `compare` nests whole reports one level deeper than `analyze` writes
// them, and their destinations (most of the text) come from report/destinations-json.ts.

/**
 * Copies `length` bytes from `from` to `to`, with `spaces` blanks after every line feed; returns
 * the bytes written (at most length + line feeds * spaces).
 */
export function indentLines(from: usize, length: usize, to: usize, spaces: u32): usize {
  const start = to;
  const end = from + length;
  while (from < end) {
    const byte = load<u8>(from++);
    store<u8>(to++, byte);
    if (byte == 0x0a) {
      memory.fill(to, 0x20, spaces);
      to += spaces;
    }
  }
  return to - start;
}
