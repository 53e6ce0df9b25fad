// Captures with as many distinct destinations as a soak or a test wants, made fast: raw IPv4
// records (link type 101) of a bare 20-byte header each, written straight into one buffer.

const RECORD = 16 + 20;

/** The pcap file header for raw IP (link type 101). */
export function rawPcapHeader(): Uint8Array {
  const header = new Uint8Array(24);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, 101, true);
  return header;
}

/**
 * Records of one packet each to `addresses[i]` (host-order IPv4), with wire length `wire(i)`
 * and time `i` seconds after `firstSecond`.
 */
export function rawRecords(addresses: ArrayLike<number>, wire: (i: number) => number = () => 20, firstSecond = 1_600_000_000): Uint8Array {
  const bytes = new Uint8Array(addresses.length * RECORD);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < addresses.length; i++) {
    const at = i * RECORD;
    view.setUint32(at, firstSecond + i, true);
    view.setUint32(at + 8, 20, true);
    view.setUint32(at + 12, Math.max(20, wire(i)), true);
    bytes[at + 16] = 0x45;
    view.setUint16(at + 18, 20);
    bytes[at + 24] = 64;
    bytes[at + 25] = 17;
    view.setUint32(at + 28, 0xc0000201);
    view.setUint32(at + 32, addresses[i] >>> 0);
  }
  return bytes;
}

/** `count` distinct addresses from `first` up, spread by a fixed odd stride so they are not all in one prefix. */
export function distinctAddresses(count: number, first = 0x0a000000, stride = 0x9e3779b1): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = (first + Math.imul(i, stride)) >>> 0;
  return out;
}
