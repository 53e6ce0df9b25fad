// Keys are 128-bit, as two u64 halves with the most significant bit first. An IPv4 address
// sits in the top 32 bits of `hi` so one trie and one builder serve both families.

export const FAMILY_V4: i32 = 4;
export const FAMILY_V6: i32 = 6;

/** Bit `depth` (0 = most significant) of the key. */
@inline export function keyBit(hi: u64, lo: u64, depth: i32): u32 {
  return depth < 64 ? <u32>(hi >> (63 - depth)) & 1 : <u32>(lo >> (127 - depth)) & 1;
}

/** The 6 key bits starting at `depth`, zero-padded past the end of the key. */
@inline export function keyChunk(hi: u64, lo: u64, depth: i32): u32 {
  if (depth <= 58) return <u32>((hi << <u64>depth) >> 58);
  if (depth >= 64) return <u32>((lo << <u64>(depth - 64)) >> 58);
  // straddles the halves
  return <u32>(((hi << <u64>depth) | (lo >> <u64>(64 - depth))) >> 58);
}

/** Reads a 16-byte network-order IPv6 address as its high half. */
@inline export function loadHi(ptr: usize): u64 {
  return bswap<u64>(load<u64>(ptr));
}

@inline export function loadLo(ptr: usize): u64 {
  return bswap<u64>(load<u64>(ptr, 8));
}
