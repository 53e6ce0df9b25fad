// The network header: checks that it is the one the link announced and that the destination
// address was captured, then reads the destination (docs/counting.md). Nothing else of the header
// is interpreted for counting.

import {
  FRAME_IPV4, FRAME_IPV6, FRAME_MALFORMED, REASON_IPV4_HEADER_TRUNCATED, REASON_IPV4_IHL_LT_5,
  REASON_IPV6_HEADER_TRUNCATED, REASON_VERSION_FOR_IPV4, REASON_VERSION_FOR_IPV6,
} from './status';

/** The destination of the last IPv4 frame (host order), or of the last IPv6 frame (two halves). */
export let destination4: u32 = 0;
export let destinationHi: u64 = 0;
export let destinationLo: u64 = 0;
export let ipReason: i32 = 0;

/** Checks the IPv4 header at `offset`; FRAME_IPV4 with `destination4` set, or FRAME_MALFORMED. */
export function decodeIPv4(data: usize, caplen: u32, offset: u32): i32 {
  if (offset >= caplen) return malformed(REASON_IPV4_HEADER_TRUNCATED);
  const first = <u32>load<u8>(data + offset);
  const version = first >> 4;
  if (version != 4) return malformed(REASON_VERSION_FOR_IPV4 + <i32>version);
  if ((first & 15) < 5) return malformed(REASON_IPV4_IHL_LT_5);
  if (offset + 20 > caplen) return malformed(REASON_IPV4_HEADER_TRUNCATED);
  destination4 = bswap<u32>(load<u32>(data + offset + 16));
  return FRAME_IPV4;
}

/** Checks the IPv6 header at `offset`; FRAME_IPV6 with the destination set, or FRAME_MALFORMED. */
export function decodeIPv6(data: usize, caplen: u32, offset: u32): i32 {
  if (offset >= caplen) return malformed(REASON_IPV6_HEADER_TRUNCATED);
  const version = <u32>load<u8>(data + offset) >> 4;
  if (version != 6) return malformed(REASON_VERSION_FOR_IPV6 + <i32>version);
  if (offset + 40 > caplen) return malformed(REASON_IPV6_HEADER_TRUNCATED);
  destinationHi = bswap<u64>(load<u64>(data + offset + 24));
  destinationLo = bswap<u64>(load<u64>(data + offset + 32));
  return FRAME_IPV6;
}

function malformed(reason: i32): i32 {
  ipReason = reason;
  return FRAME_MALFORMED;
}
