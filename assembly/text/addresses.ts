// IPv4 and IPv6 address text read from bytes, as the host reads it (src/net/address.ts): what the
// plain route scanner (routes/plain.ts) and the update-line scanner (updates/update-lines.ts) share.

const CH_DOT: u32 = 46, CH_COLON: u32 = 58;

@inline function byteAt(text: usize, at: u32): u32 {
  return <u32>load<u8>(text + <usize>at);
}

/** Four decimal parts of 1-3 digits, each 0..255, filling `text[start, end)` exactly; -1 otherwise. */
export function parseIPv4Text(text: usize, start: u32, end: u32): i64 {
  let i = start;
  let address: u32 = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || byteAt(text, i) != CH_DOT) return -1;
      i++;
    }
    const first = i;
    let value: u32 = 0;
    while (i < end) {
      const c = byteAt(text, i);
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

/** RFC 4291 text in `text[start, end)` (one `::`, 1-4 hex digits a group, a dotted IPv4 tail) into 16 bytes at `out`, network order. */
export function parseIPv6Text(text: usize, start: u32, end: u32, out: usize): bool {
  if (end - start < 2) return false;
  let i = start;
  let groups: u32 = 0;
  let gap: i32 = -1;
  if (byteAt(text, i) == CH_COLON) {
    if (byteAt(text, i + 1) != CH_COLON) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (groups == 8) return false;
    const groupStart = i;
    let value: u32 = 0;
    while (i < end) {
      const h = hexValue(byteAt(text, i));
      if (h < 0) break;
      value = (value << 4) + <u32>h;
      i++;
      if (i - groupStart > 4) break;
    }
    const digits = i - groupStart;
    if (i < end && byteAt(text, i) == CH_DOT) {
      // a dotted IPv4 tail: the last two groups, and the end of the text
      if (groups > 6) return false;
      const v4 = parseIPv4Text(text, groupStart, end);
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
    if (byteAt(text, i) != CH_COLON) return false;
    i++;
    if (i < end && byteAt(text, i) == CH_COLON) {
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
