// Seeded synthetic captures for the benchmarks, and the BGP-like routing table their
// destinations are drawn from.
//
// A capture is an EN10MB pcap (µs, little-endian, snaplen 256 by default) of `packets` frames:
// 75% IPv4, 24% IPv6, 1% ARP; TCP 80% / UDP 17% / ICMP 3% inside IP; 15% with one 802.1Q
// tag and 3% QinQ (0x88a8 outer + 0x8100 inner); the untagged frame length drawn from a
// bimodal mix over 64..1514 (tags add 4 or 8 bytes, as on the wire). Destinations: a pool
// of ~190,000 addresses, Zipf-like popular (exponent 0.9), of which 90% lie inside a prefix
// of `bgpLikeTable(seed, 85_000, 15_000)` and 10% in space that table never covers
// (10/8, 172.16/12, 192.168/16, fd00::/8).
//
// CLI: node build/bench/capture-gen.js OUT.pcap [packets] [--seed N] [--routes ROUTES.txt]
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { seeded } from './tables.js';

export const DEFAULT_SEED = 1;
export const DEFAULT_PACKETS = 1_000_000;
export const DEFAULT_DESTINATIONS = 190_000;
export const DEFAULT_V4_PREFIXES = 85_000;
export const DEFAULT_V6_PREFIXES = 15_000;
export const DEFAULT_SNAPLEN = 256;

// ---------------------------------------------------------------- the routing table

type Mix = readonly (readonly [number, number])[];

/** IPv4 prefix lengths of a global table; the last 0.3% spread over short prefixes. */
const V4_LENGTHS: Mix = [
  [24, 63.1], [22, 10.9], [23, 10.4], [21, 5.0], [20, 4.4], [19, 2.5], [16, 1.3], [18, 1.3], [17, 0.8],
  [15, 0.1], [14, 0.1], [13, 0.05], [12, 0.05],
];
/** IPv6 prefix lengths of a global table; the last 16.8% spread over the other common lengths. */
const V6_LENGTHS: Mix = [
  [48, 45.4], [32, 10.9], [44, 10.1], [40, 9.4], [36, 3.8], [47, 3.6],
  [29, 3.0], [46, 2.5], [45, 1.5], [42, 1.5], [33, 1.0], [34, 1.0], [35, 0.8], [38, 0.8], [41, 0.8], [43, 0.8],
  [28, 0.6], [56, 1.0], [64, 0.5], [30, 0.5], [31, 0.5],
];

/** First octets the IPv4 table never uses, so that 10/8, 172.16/12 and 192.168/16 stay unrouted. */
const V4_UNROUTED_FIRST_OCTETS = new Set([0, 10, 127, 172, 192]);
const NEXT_HOPS = 16;

interface Table {
  v4Addr: Uint32Array;
  v4Len: Uint8Array;
  /** the upper 64 bits of each IPv6 prefix, as two u32 (every length is at most 64) */
  v6Hi: Uint32Array;
  v6Lo: Uint32Array;
  v6Len: Uint8Array;
  v4NextHop: Uint8Array;
  v6NextHop: Uint8Array;
}

type Rng = () => number;
const unit = (rng: Rng) => rng() / 0x100000000;

function picker(mix: Mix): (rng: Rng) => number {
  const total = mix.reduce((s, [, w]) => s + w, 0);
  return (rng) => {
    let x = unit(rng) * total;
    for (const [value, weight] of mix) if ((x -= weight) < 0) return value;
    return mix[0][0];
  };
}
const pickV4Length = picker(V4_LENGTHS);
const pickV6Length = picker(V6_LENGTHS);

/** Mask of the upper `bits` bits of a u32 (bits in 0..32). */
const mask32 = (bits: number) => (bits <= 0 ? 0 : bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0);

function buildTable(seed: number, v4Count: number, v6Count: number): Table {
  const rng = seeded(seed);
  const t: Table = {
    v4Addr: new Uint32Array(v4Count), v4Len: new Uint8Array(v4Count), v4NextHop: new Uint8Array(v4Count),
    v6Hi: new Uint32Array(v6Count), v6Lo: new Uint32Array(v6Count), v6Len: new Uint8Array(v6Count), v6NextHop: new Uint8Array(v6Count),
  };
  const seen4 = new Set<number>();
  for (let n = 0; n < v4Count;) {
    const length = pickV4Length(rng);
    const addr = (rng() & mask32(length)) >>> 0;
    const first = addr >>> 24;
    if (first >= 224 || V4_UNROUTED_FIRST_OCTETS.has(first)) continue;
    const key = addr * 64 + length;
    if (seen4.has(key)) continue;
    seen4.add(key);
    t.v4Addr[n] = addr;
    t.v4Len[n] = length;
    t.v4NextHop[n++] = rng() % NEXT_HOPS;
  }
  const seen6 = new Set<string>();
  for (let n = 0; n < v6Count;) {
    const length = pickV6Length(rng);
    // global unicast as allocated: 2001:: to 2c0f::
    const top = 0x2001 + (rng() % (0x2c10 - 0x2001));
    const hi = (((top << 16) | (rng() & 0xffff)) & mask32(length)) >>> 0;
    const lo = (rng() & mask32(length - 32)) >>> 0;
    const key = `${hi}:${lo}:${length}`;
    if (seen6.has(key)) continue;
    seen6.add(key);
    t.v6Hi[n] = hi;
    t.v6Lo[n] = lo;
    t.v6Len[n] = length;
    t.v6NextHop[n++] = rng() % NEXT_HOPS;
  }
  return t;
}

const v4Text = (a: number) => `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;

/** RFC 5952 text of eight 16-bit groups. */
function v6Text(groups: readonly number[]): string {
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (from: number, to: number) => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  return bestAt < 0 ? hex(0, 8) : `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

const v6PrefixText = (hi: number, lo: number) => v6Text([hi >>> 16, hi & 0xffff, lo >>> 16, lo & 0xffff, 0, 0, 0, 0]);

/**
 * A plain-format routing table (`PREFIX NEXTHOP` lines) of `v4Count` IPv4 and `v6Count` IPv6
 * distinct prefixes with a 2026 global BGP table's prefix-length mix, next hops from 16 peers
 * (192.0.2.1–16, 2001:db8::1–10). It never covers 10/8, 172.16/12, 192.168/16 or fd00::/8.
 * Deterministic for a seed; generateCapture draws its destinations from the same table.
 */
export function bgpLikeTable(seed: number, v4Count: number, v6Count: number): string {
  const t = buildTable(seed, v4Count, v6Count);
  const lines: string[] = new Array(v4Count + v6Count);
  for (let i = 0; i < v4Count; i++) lines[i] = `${v4Text(t.v4Addr[i])}/${t.v4Len[i]} 192.0.2.${t.v4NextHop[i] + 1}`;
  for (let i = 0; i < v6Count; i++) {
    lines[v4Count + i] = `${v6PrefixText(t.v6Hi[i], t.v6Lo[i])}/${t.v6Len[i]} 2001:db8::${(t.v6NextHop[i] + 1).toString(16)}`;
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- the capture

export interface CaptureGenOptions {
  /** default 1,000,000 */
  packets?: number;
  /** seeds both the table and the packets (default 1) */
  seed?: number;
  /** size of the destination pool (default 190,000) */
  destinations?: number;
  /** the table destinations are drawn from: bgpLikeTable(seed, v4Prefixes, v6Prefixes) */
  v4Prefixes?: number;
  v6Prefixes?: number;
  /** default 256 */
  snaplen?: number;
  /** Zipf exponent of destination popularity (default 0.9) */
  zipf?: number;
  /** first timestamp, Unix seconds (default 2026-01-01T00:00:00Z) */
  startSec?: number;
}

export interface CaptureGenStats {
  packets: number;
  ipv4: number;
  ipv6: number;
  arp: number;
  /** frames with exactly one 0x8100 tag */
  vlan: number;
  /** frames with 0x88a8 + 0x8100 */
  qinq: number;
  tcp: number;
  udp: number;
  icmp: number;
  /** IP packets whose destination lies outside every prefix of the table */
  outsideTable: number;
  /** distinct destinations that occur in the capture */
  destinationsSeen: number;
  /** sum of original lengths */
  origBytes: number;
  /** size of the pcap file */
  fileBytes: number;
}

const CHUNK = 8 << 20;

interface Pool {
  /** IPv4 destinations, host order */
  v4: Uint32Array;
  /** IPv6 destinations, 16 bytes each */
  v6: Uint8Array;
  v4Outside: Uint8Array;
  v6Outside: Uint8Array;
}

function destinationPool(t: Table, count: number, rng: Rng): Pool {
  const v4Count = Math.round((count * 75) / 99);
  const v6Count = count - v4Count;
  const pool: Pool = { v4: new Uint32Array(v4Count), v6: new Uint8Array(v6Count * 16), v4Outside: new Uint8Array(v4Count), v6Outside: new Uint8Array(v6Count) };
  const seen4 = new Set<number>();
  for (let n = 0; n < v4Count;) {
    let addr: number;
    const outside = unit(rng) < 0.1;
    if (outside) {
      const r = unit(rng);
      addr = r < 0.5 ? 0x0a000000 | (rng() & 0x00ffffff) : r < 0.75 ? 0xac100000 | (rng() & 0x000fffff) : 0xc0a80000 | (rng() & 0xffff);
    } else {
      const i = rng() % t.v4Addr.length;
      addr = t.v4Addr[i] | (rng() & ~mask32(t.v4Len[i]));
    }
    addr >>>= 0;
    if (seen4.has(addr)) continue;
    seen4.add(addr);
    pool.v4Outside[n] = outside ? 1 : 0;
    pool.v4[n++] = addr;
  }
  const seen6 = new Set<string>();
  const view = new DataView(pool.v6.buffer);
  for (let n = 0; n < v6Count;) {
    const outside = unit(rng) < 0.1;
    let hi: number;
    let lo: number;
    if (outside) {
      hi = (0xfd000000 | (rng() & 0x00ffffff)) >>> 0;
      lo = rng();
    } else {
      const i = rng() % t.v6Hi.length;
      const len = t.v6Len[i];
      hi = (t.v6Hi[i] | (rng() & ~mask32(len))) >>> 0;
      lo = (t.v6Lo[i] | (rng() & ~mask32(len - 32))) >>> 0;
    }
    const low1 = rng();
    const low2 = rng() | 1;
    const key = `${hi}:${lo}:${low1}:${low2}`;
    if (seen6.has(key)) continue;
    seen6.add(key);
    view.setUint32(n * 16, hi);
    view.setUint32(n * 16 + 4, lo);
    view.setUint32(n * 16 + 8, low1);
    view.setUint32(n * 16 + 12, low2);
    pool.v6Outside[n++] = outside ? 1 : 0;
  }
  return pool;
}

/** Cumulative Zipf weights over `n` ranks, for picking by binary search. */
function zipfCdf(n: number, exponent: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cdf[r] = sum += 1 / Math.pow(r + 1, exponent);
  for (let r = 0; r < n; r++) cdf[r] /= sum;
  return cdf;
}

function pickRank(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An untagged Ethernet frame length: many small (ACKs, DNS), many full-size, some between. */
function frameLength(rng: Rng): number {
  const r = unit(rng);
  if (r < 0.4) return 64 + (rng() % 27); // 64..90
  if (r < 0.55) return 91 + (rng() % 210); // 91..300
  if (r < 0.65) return 301 + (rng() % 700); // 301..1000
  if (r < 0.7) return 1001 + (rng() % 499); // 1001..1499
  if (r < 0.72) return 1500 + (rng() % 14); // 1500..1513
  return 1514;
}

const TCP_PORTS = [443, 443, 443, 80, 80, 22, 8080, 993, 5222, 3389];
const UDP_PORTS = [53, 53, 443, 123, 500, 4500, 1194, 5353];

/**
 * Writes the capture as a stream of large chunks to `sink` (each chunk is only valid during
 * the call) and returns the statistics. The bytes are identical for identical options.
 */
export function generateCaptureChunks(options: CaptureGenOptions, sink: (chunk: Uint8Array) => void): CaptureGenStats {
  const packets = options.packets ?? DEFAULT_PACKETS;
  const seed = options.seed ?? DEFAULT_SEED;
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  const table = buildTable(seed, options.v4Prefixes ?? DEFAULT_V4_PREFIXES, options.v6Prefixes ?? DEFAULT_V6_PREFIXES);
  const rng = seeded((seed * 0x9e3779b1) ^ 0x5bd1e995);
  const pool = destinationPool(table, options.destinations ?? DEFAULT_DESTINATIONS, rng);
  const exponent = options.zipf ?? 0.9;
  const cdf4 = zipfCdf(pool.v4.length, exponent);
  const cdf6 = zipfCdf(pool.v6Outside.length, exponent);
  const seen4 = new Uint8Array(pool.v4.length);
  const seen6 = new Uint8Array(pool.v6Outside.length);

  const stats: CaptureGenStats = {
    packets, ipv4: 0, ipv6: 0, arp: 0, vlan: 0, qinq: 0, tcp: 0, udp: 0, icmp: 0,
    outsideTable: 0, destinationsSeen: 0, origBytes: 0, fileBytes: 0,
  };
  const buf = new Uint8Array(CHUNK);
  const view = new DataView(buf.buffer);
  let p = 0;
  const flush = () => {
    if (p > 0) sink(buf.subarray(0, p));
    stats.fileBytes += p;
    p = 0;
  };

  // global header
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, snaplen, true);
  view.setUint32(20, 1, true);
  p = 24;

  let sec = options.startSec ?? 1_767_225_600;
  let usec = 0;
  for (let n = 0; n < packets; n++) {
    const kind = unit(rng);
    const isArp = kind >= 0.99;
    const isV6 = !isArp && kind >= 0.75;
    const tagRoll = unit(rng);
    const tags = tagRoll < 0.15 ? 1 : tagRoll < 0.18 ? 2 : 0;
    const l2 = 14 + 4 * tags;
    const l4Roll = unit(rng);
    const proto = l4Roll < 0.8 ? 6 : l4Roll < 0.97 ? 17 : isV6 ? 58 : 1;
    const l3 = isArp ? 28 : isV6 ? 40 : 20;
    const l4 = isArp ? 0 : proto === 6 ? 20 : 8;
    const headers = l2 + l3 + l4;
    const origLen = isArp ? 60 + 4 * tags : Math.max(frameLength(rng) + 4 * tags, headers);
    const caplen = Math.min(origLen, snaplen);
    if (p + 16 + Math.max(caplen, headers) > CHUNK) flush();

    // record header; inter-arrival ~ exponential, mean 40 µs
    usec += 1 + Math.floor(-Math.log(1 - unit(rng)) * 40);
    if (usec >= 1_000_000) {
      sec += Math.floor(usec / 1_000_000);
      usec %= 1_000_000;
    }
    view.setUint32(p, sec, true);
    view.setUint32(p + 4, usec, true);
    view.setUint32(p + 8, caplen, true);
    view.setUint32(p + 12, origLen, true);
    p += 16;
    const f = p;
    stats.origBytes += origLen;

    // Ethernet: dst, src, tags, type
    if (isArp) {
      view.setUint32(f, 0xffffffff);
      view.setUint16(f + 4, 0xffff);
    } else {
      view.setUint32(f, 0x001b21aa);
      view.setUint16(f + 4, 0xbb01);
    }
    view.setUint32(f + 6, 0x02005e10);
    view.setUint16(f + 10, 0x0001 + (n & 7));
    let at = f + 12;
    if (tags === 2) {
      view.setUint16(at, 0x88a8);
      view.setUint16(at + 2, 100 + (rng() % 32));
      at += 4;
      stats.qinq++;
    } else if (tags === 1) {
      stats.vlan++;
    }
    if (tags > 0) {
      view.setUint16(at, 0x8100);
      view.setUint16(at + 2, 1 + (rng() % 4094));
      at += 4;
    }
    view.setUint16(at, isArp ? 0x0806 : isV6 ? 0x86dd : 0x0800);
    at += 2;

    if (isArp) {
      stats.arp++;
      view.setUint32(at, 0x00010800);
      view.setUint32(at + 4, 0x06040001);
      view.setUint32(at + 8, 0x02005e10);
      view.setUint16(at + 12, 0x0001);
      view.setUint32(at + 14, (0x0a000000 | (rng() & 0xffff)) >>> 0);
      view.setUint32(at + 18, 0);
      view.setUint16(at + 22, 0);
      view.setUint32(at + 24, (0x0a000000 | (rng() & 0xffff)) >>> 0);
      at += 28;
    } else if (isV6) {
      stats.ipv6++;
      const d = pickRank(cdf6, unit(rng));
      if (!seen6[d]) { seen6[d] = 1; stats.destinationsSeen++; }
      if (pool.v6Outside[d]) stats.outsideTable++;
      view.setUint32(at, 0x60000000);
      view.setUint16(at + 4, origLen - l2 - 40);
      buf[at + 6] = proto;
      buf[at + 7] = 64;
      view.setUint32(at + 8, 0x20010db8);
      view.setUint32(at + 12, 0x00010000 | (rng() & 0xffff));
      view.setUint32(at + 16, 0);
      view.setUint32(at + 20, rng());
      buf.set(pool.v6.subarray(d * 16, d * 16 + 16), at + 24);
      at += 40;
    } else {
      stats.ipv4++;
      const d = pickRank(cdf4, unit(rng));
      if (!seen4[d]) { seen4[d] = 1; stats.destinationsSeen++; }
      if (pool.v4Outside[d]) stats.outsideTable++;
      view.setUint32(at, 0x45000000 | (origLen - l2));
      view.setUint32(at + 4, ((rng() & 0xffff) << 16 | 0x4000) >>> 0);
      view.setUint32(at + 8, (64 << 24) | (proto << 16));
      view.setUint32(at + 12, (0x64400000 | (rng() & 0x3fffff)) >>> 0); // 100.64.0.0/10 clients
      view.setUint32(at + 16, pool.v4[d]);
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += view.getUint16(at + i);
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      view.setUint16(at + 10, ~sum & 0xffff);
      at += 20;
    }

    if (!isArp) {
      const l4At = at;
      if (proto === 6) {
        stats.tcp++;
        view.setUint16(at, 32768 + (rng() % 28232));
        view.setUint16(at + 2, TCP_PORTS[rng() % TCP_PORTS.length]);
        view.setUint32(at + 4, rng());
        view.setUint32(at + 8, rng());
        view.setUint32(at + 12, 0x50100000 | (origLen > headers ? 0x00080000 : 0) | 0xffff);
        view.setUint32(at + 16, 0);
        at += 20;
      } else if (proto === 17) {
        stats.udp++;
        view.setUint16(at, 32768 + (rng() % 28232));
        view.setUint16(at + 2, UDP_PORTS[rng() % UDP_PORTS.length]);
        view.setUint16(at + 4, origLen - l2 - l3);
        view.setUint16(at + 6, 0);
        at += 8;
      } else {
        stats.icmp++;
        view.setUint32(at, isV6 ? 0x80000000 : 0x08000000);
        view.setUint32(at + 4, (n & 0xffff) | 0x10000);
        at += 8;
      }
      // a valid transport checksum: the payload is all zeros, so the header and the
      // pseudo-header (except for ICMPv4, which has none) are all it covers
      let sum = 0;
      for (let i = l4At; i < at; i += 2) sum += view.getUint16(i);
      if (proto !== 1) {
        const l3At = l4At - l3;
        for (let i = l3At + (isV6 ? 8 : 12); i < l4At; i += 2) sum += view.getUint16(i); // source and destination
        sum += proto + (origLen - l2 - l3);
      }
      sum = (sum & 0xffff) + (sum >>> 16);
      sum = (sum & 0xffff) + (sum >>> 16);
      const checksum = ~sum & 0xffff;
      view.setUint16(l4At + (proto === 6 ? 16 : proto === 17 ? 6 : 2), checksum === 0 && proto === 17 ? 0xffff : checksum);
    }
    // the rest of the captured bytes: zero payload (or, when snaplen cut the headers, the
    // next record simply overwrites what lies beyond caplen)
    if (at < f + caplen) buf.fill(0, at, f + caplen);
    p = f + caplen;
  }
  flush();
  return stats;
}

/** The whole capture in memory. */
export function generateCapture(options: CaptureGenOptions = {}): { bytes: Uint8Array; stats: CaptureGenStats } {
  const parts: Uint8Array[] = [];
  const stats = generateCaptureChunks(options, (chunk) => parts.push(chunk.slice()));
  const bytes = new Uint8Array(stats.fileBytes);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  return { bytes, stats };
}

/** Streams the capture to `path` in 8 MiB writes. */
export function writeCapture(path: string, options: CaptureGenOptions = {}): CaptureGenStats & { ms: number } {
  const start = performance.now();
  const fd = openSync(path, 'w');
  try {
    const stats = generateCaptureChunks(options, (chunk) => {
      for (let done = 0; done < chunk.length;) done += writeSync(fd, chunk, done, chunk.length - done);
    });
    return { ...stats, ms: performance.now() - start };
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------- CLI

function main(argv: string[]): void {
  const usage = 'usage: node build/bench/capture-gen.js OUT.pcap [packets] [--seed N] [--routes ROUTES.txt]';
  const positional: string[] = [];
  let seed = DEFAULT_SEED;
  let routes: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seed') seed = Number(argv[++i]);
    else if (argv[i] === '--routes') routes = argv[++i];
    else positional.push(argv[i]);
  }
  const [out, count] = positional;
  const packets = count === undefined ? DEFAULT_PACKETS : Number(count);
  if (!out || !Number.isInteger(packets) || packets < 0 || !Number.isInteger(seed) || (routes === undefined && argv.includes('--routes'))) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const stats = writeCapture(out, { packets, seed });
  process.stderr.write(`${out}: ${stats.packets} packets, ${(stats.fileBytes / 2 ** 20).toFixed(1)} MiB in ${stats.ms.toFixed(0)} ms ` +
    `(IPv4 ${stats.ipv4}, IPv6 ${stats.ipv6}, ARP ${stats.arp}, VLAN ${stats.vlan}, QinQ ${stats.qinq}, ` +
    `outside the table ${stats.outsideTable}, ${stats.destinationsSeen} destinations)\n`);
  if (routes) {
    writeFileSync(routes, bgpLikeTable(seed, DEFAULT_V4_PREFIXES, DEFAULT_V6_PREFIXES));
    process.stderr.write(`${routes}: ${DEFAULT_V4_PREFIXES + DEFAULT_V6_PREFIXES} prefixes\n`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
