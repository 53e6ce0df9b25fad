// The flow of a counted packet, for choosing among the next hops of a multipath route: its
// addresses, protocol and, for TCP, UDP and SCTP, its ports (as Linux's L4 multipath hash).
// Fragments after the first carry no ports, so every fragment hashes on the addresses alone.

const PROTO_TCP: u32 = 6;
const PROTO_UDP: u32 = 17;
const PROTO_SCTP: u32 = 132;

@inline function hasPorts(protocol: u32): bool {
  return protocol == PROTO_TCP || protocol == PROTO_UDP || protocol == PROTO_SCTP;
}

@inline function mix(x: u64): u64 {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccd;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53;
  return x ^ (x >> 33);
}

/**
 * A hash of the flow of the IP header at `header`, of which `available` bytes were captured
 * (at least the fixed header: the packet was counted). The same on every run and machine.
 */
export function flowHash(header: usize, available: u32, v6: bool): u32 {
  let protocol: u32, ports: u32 = 0, x: u64;
  if (v6) {
    protocol = load<u8>(header, 6);
    if (hasPorts(protocol) && available >= 44) ports = load<u32>(header, 40);
    x = mix(load<u64>(header, 8) ^ mix(load<u64>(header, 16) ^ mix(load<u64>(header, 24) ^ mix(load<u64>(header, 32)))));
  } else {
    protocol = load<u8>(header, 9);
    const headerBytes = (<u32>load<u8>(header) & 15) << 2;
    const laterFragment = (bswap<u16>(load<u16>(header, 6)) & 0x1fff) != 0;
    if (hasPorts(protocol) && !laterFragment && available >= headerBytes + 4) ports = load<u32>(header + headerBytes);
    x = mix(load<u64>(header, 12));
  }
  return <u32>(mix(x ^ (<u64>ports << 8) ^ <u64>protocol) >> 32);
}
