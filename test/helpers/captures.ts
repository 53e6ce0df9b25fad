// Capture-file builders for tests: classic pcap (every variant a reader meets in the wild)
// and pcapng (sections of either byte order, every common block), plus helpers that damage
// a built file in one precise place. Builders return a fresh Uint8Array; damage helpers
// return a patched copy and never change their input.
//
// Layouts follow the libpcap file format (draft-ietf-opsawg-pcap) and the pcapng format
// (draft-ietf-opsawg-pcapng).

import { ipv4Bytes, ipv6Bytes } from './packets.js';

export { LINKTYPE } from './packets.js';

export const PCAP_MAGIC = {
  /** µs timestamps */
  MICRO: 0xa1b2c3d4,
  /** ns timestamps */
  NANO: 0xa1b23c4d,
  /** Alexey Kuznetzov's patched libpcap: 24-byte record headers, µs timestamps */
  MODIFIED: 0xa1b2cd34,
} as const;

export const PCAPNG_BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 0x00000001,
  /** obsolete Packet Block */
  PB: 0x00000002,
  SPB: 0x00000003,
  NRB: 0x00000004,
  ISB: 0x00000005,
  EPB: 0x00000006,
  DSB: 0x0000000a,
  /** Custom Block that rewriters may copy */
  CB_COPY: 0x00000bad,
  /** Custom Block that rewriters should not copy */
  CB_NO_COPY: 0x40000bad,
} as const;

export const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Little- or big-endian byte sink that grows as needed. */
class Writer {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  length = 0;
  constructor(private readonly bigEndian: boolean) {}

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, at + n));
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return at;
  }
  // room() may replace the buffer, so each call makes room before it looks at bytes or view
  u8(v: number): this {
    const at = this.room(1);
    this.bytes[at] = v;
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v & 0xffff, !this.bigEndian);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.view.setUint32(at, v >>> 0, !this.bigEndian);
    return this;
  }
  i32(v: number): this {
    const at = this.room(4);
    this.view.setInt32(at, v | 0, !this.bigEndian);
    return this;
  }
  u64(v: bigint): this {
    const at = this.room(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, v), !this.bigEndian);
    return this;
  }
  /** 64-bit timestamp as pcapng writes it: upper 32 bits, then lower 32 bits, each in section order. */
  ts64(v: bigint): this {
    const t = BigInt.asUintN(64, v);
    return this.u32(Number(t >> 32n)).u32(Number(t & 0xffffffffn));
  }
  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.bytes.set(b, at);
    return this;
  }
  /** Zero bytes up to the next multiple of 4. */
  pad4(): this {
    this.room((4 - (this.length & 3)) & 3);
    return this;
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

// ---------------------------------------------------------------- pcap

export interface PcapTimestamp {
  sec: number;
  /** µs, or ns when the file is nanosecond */
  frac: number;
}

export interface PcapRecord {
  ts: PcapTimestamp;
  data: Uint8Array;
  /** original (wire) length; default data.length */
  origLen?: number;
  /** the caplen field to write; default data.length (set it larger to describe bytes that are missing) */
  caplen?: number;
  /** modified pcap only: interface index (default 0) */
  ifindex?: number;
  /** modified pcap only: protocol, an EtherType (default 0x0800) */
  protocol?: number;
  /** modified pcap only: packet type (default 0, to us) */
  pktType?: number;
}

export interface PcapOptions {
  /** the link type (low 16 bits of the LinkType field) */
  linkType: number;
  records: readonly PcapRecord[];
  /** magic 0xa1b23c4d, fractions in ns */
  nanosecond?: boolean;
  /** write the file big-endian (default little-endian, as x86 writers do) */
  bigEndian?: boolean;
  /** [major, minor], default [2, 4] */
  version?: readonly [number, number];
  /** Kuznetzov's format: magic 0xa1b2cd34 and 24-byte record headers (ifindex, protocol, pkt_type, pad) */
  modified?: boolean;
  /** default 262144 */
  snaplen?: number;
  /**
   * The 4-bit FCS length field of the LinkType word, in 16-bit units (2 = a 4-byte FCS): writes
   * `linkType | fcsBits << 28 | 0x04000000` (the P bit says the FCS length is present).
   */
  fcsBits?: number;
  /** writes the whole 32-bit LinkType field as given (wins over linkType and fcsBits) */
  linkTypeField?: number;
  /**
   * Write each record's origLen where caplen belongs and caplen where origLen belongs, as writers
   * of format 2.0–2.2 did (libpcap swaps them back for versions < 2.3, and for 2.3 when caplen > len).
   * Pair it with `version: [2, 2]` (or [2, 3]).
   */
  swappedLengths?: boolean;
  /** the magic to write instead of the one the options imply (written in the file's byte order) */
  magic?: number;
  thiszone?: number;
  sigfigs?: number;
}

/** A classic pcap file. */
export function pcap(o: PcapOptions): Uint8Array {
  if (o.modified && o.nanosecond) throw new Error('modified pcap has µs timestamps only');
  const w = new Writer(o.bigEndian ?? false);
  const magic = o.magic ?? (o.modified ? PCAP_MAGIC.MODIFIED : o.nanosecond ? PCAP_MAGIC.NANO : PCAP_MAGIC.MICRO);
  const [major, minor] = o.version ?? [2, 4];
  const field = o.linkTypeField ?? (o.fcsBits === undefined
    ? o.linkType
    : (((o.linkType & 0xffff) | ((o.fcsBits & 0xf) << 28) | 0x04000000) >>> 0));
  w.u32(magic).u16(major).u16(minor).i32(o.thiszone ?? 0).u32(o.sigfigs ?? 0).u32(o.snaplen ?? 262144).u32(field);
  for (const r of o.records) {
    const caplen = r.caplen ?? r.data.length;
    const origLen = r.origLen ?? r.data.length;
    w.u32(r.ts.sec).u32(r.ts.frac);
    if (o.swappedLengths) w.u32(origLen).u32(caplen);
    else w.u32(caplen).u32(origLen);
    if (o.modified) w.i32(r.ifindex ?? 0).u16(r.protocol ?? 0x0800).u8(r.pktType ?? 0).u8(0);
    w.raw(r.data);
  }
  return w.done();
}

export interface PcapLayout {
  bigEndian: boolean;
  magic: number;
  /** 16, or 24 for modified pcap */
  recordHeaderLength: number;
  /** records whose header is complete; `dataEnd` may lie beyond the file when the data is cut */
  records: { offset: number; caplen: number; origLen: number; dataOffset: number; dataEnd: number }[];
}

/** Where the records of a (possibly cut) pcap file are, read as the file's header says. */
export function pcapLayout(bytes: Uint8Array): PcapLayout {
  if (bytes.length < 24) throw new Error('pcap header cut');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = view.getUint32(0, false);
  const known = [PCAP_MAGIC.MICRO, PCAP_MAGIC.NANO, PCAP_MAGIC.MODIFIED] as number[];
  let bigEndian: boolean;
  if (known.includes(be)) bigEndian = true;
  else if (known.includes(view.getUint32(0, true))) bigEndian = false;
  else throw new Error(`not a pcap magic: 0x${be.toString(16)}`);
  const magic = view.getUint32(0, !bigEndian);
  const recordHeaderLength = magic === PCAP_MAGIC.MODIFIED ? 24 : 16;
  const records: PcapLayout['records'] = [];
  for (let at = 24; at + recordHeaderLength <= bytes.length;) {
    const caplen = view.getUint32(at + 8, !bigEndian);
    const origLen = view.getUint32(at + 12, !bigEndian);
    const dataOffset = at + recordHeaderLength;
    records.push({ offset: at, caplen, origLen, dataOffset, dataEnd: dataOffset + caplen });
    at = dataOffset + caplen;
  }
  return { bigEndian, magic, recordHeaderLength, records };
}

/** Rewrites the caplen and/or origLen field of pcap record `index` (the data is left as it is). */
export function setRecordLength(bytes: Uint8Array, index: number, lengths: { caplen?: number; origLen?: number }): Uint8Array {
  const layout = pcapLayout(bytes);
  const record = layout.records[index];
  if (!record) throw new Error(`no record ${index}`);
  let out = bytes;
  if (lengths.caplen !== undefined) out = patchU32(out, record.offset + 8, lengths.caplen, layout.bigEndian);
  if (lengths.origLen !== undefined) out = patchU32(out, record.offset + 12, lengths.origLen, layout.bigEndian);
  return out;
}

// ---------------------------------------------------------------- pcapng

export interface PcapngOption {
  code: number;
  /** bytes, or text written as UTF-8 */
  value: Uint8Array | string;
}

export interface PcapngInterface {
  linkType: number;
  /** default 0 (no limit) */
  snaplen?: number;
  /** the raw if_tsresol option byte: 6 = µs (the default when absent), 9 = ns, 0x80|n = 2^-n s */
  tsresol?: number;
  /** if_tsoffset: seconds added to every timestamp of the interface */
  tsoffset?: bigint;
  /** if_fcslen: bytes of FCS at the end of each frame */
  fcslen?: number;
  /** if_name */
  name?: string;
  /** more options, written after the ones above */
  options?: readonly PcapngOption[];
}

export interface PcapngEpb {
  kind: 'epb';
  interface: number;
  /** timestamp in the interface's ticks (tsresol units) */
  ts: bigint;
  data: Uint8Array;
  /** default data.length */
  origLen?: number;
  /** the captured-length field to write; default data.length */
  caplen?: number;
  /** epb_flags (inbound 1 / outbound 2 in the low bits) */
  flags?: number;
  /** opt_comment */
  comment?: string;
  options?: readonly PcapngOption[];
}

/**
 * A Simple Packet Block: it belongs to interface 0 and its captured length is
 * min(origLen, the interface's snaplen), so an origLen above data.length is only valid
 * when interface 0's snaplen is at most data.length (Wireshark rejects it otherwise).
 */
export interface PcapngSpb {
  kind: 'spb';
  data: Uint8Array;
  /** default data.length */
  origLen?: number;
}

/** The obsolete Packet Block (type 2). */
export interface PcapngPb {
  kind: 'pb';
  interface: number;
  ts: bigint;
  data: Uint8Array;
  origLen?: number;
  caplen?: number;
  /** drops count field (default 0) */
  drops?: number;
  options?: readonly PcapngOption[];
}

/** An Interface Description Block among the other blocks (after the section's `interfaces`). */
export interface PcapngIdb extends PcapngInterface {
  kind: 'idb';
}

export interface PcapngIsb {
  kind: 'isb';
  interface: number;
  ts: bigint;
  /** isb_ifrecv */
  received?: bigint;
  /** isb_ifdrop */
  dropped?: bigint;
  options?: readonly PcapngOption[];
}

export interface PcapngNrb {
  kind: 'nrb';
  records: readonly ({ ipv4: string; names: readonly string[] } | { ipv6: string; names: readonly string[] })[];
  options?: readonly PcapngOption[];
}

export interface PcapngCustom {
  kind: 'custom';
  /** 0x00000BAD (default, may be copied) or 0x40000BAD (not to be copied) */
  type?: 0x00000bad | 0x40000bad;
  /** IANA Private Enterprise Number */
  pen: number;
  data: Uint8Array;
  options?: readonly PcapngOption[];
}

/** Any block type with a body as given (zero-padded to 4): unknown types, DSB, hand-made blocks. */
export interface PcapngUnknown {
  kind: 'unknown';
  type: number;
  body: Uint8Array;
}

export type PcapngBlock = PcapngEpb | PcapngSpb | PcapngPb | PcapngIdb | PcapngIsb | PcapngNrb | PcapngCustom | PcapngUnknown;

export interface PcapngSection {
  /** default little-endian */
  bigEndian?: boolean;
  /** [major, minor], default [1, 0] */
  version?: readonly [number, number];
  /** the section length field: default -1 (unknown); 'auto' writes the real byte count */
  sectionLength?: bigint | 'auto';
  /** SHB options (shb_hardware 2, shb_os 3, shb_userappl 4, opt_comment 1) */
  options?: readonly PcapngOption[];
  /** IDBs written right after the SHB, numbered 0, 1, … */
  interfaces: readonly PcapngInterface[];
  blocks: readonly PcapngBlock[];
}

export interface PcapngOptions {
  sections: readonly PcapngSection[];
}

function writeOptions(w: Writer, options: readonly PcapngOption[]): void {
  if (options.length === 0) return;
  for (const o of options) {
    const value = typeof o.value === 'string' ? utf8.encode(o.value) : o.value;
    w.u16(o.code).u16(value.length).raw(value).pad4();
  }
  w.u16(0).u16(0);
}

function optionU8(code: number, value: number): PcapngOption {
  return { code, value: Uint8Array.of(value) };
}

function optionU32(code: number, value: number, bigEndian: boolean): PcapngOption {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value >>> 0, !bigEndian);
  return { code, value: bytes };
}

function optionU64(code: number, value: bigint, bigEndian: boolean): PcapngOption {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt.asUintN(64, value), !bigEndian);
  return { code, value: bytes };
}

/** One block: type, total length, body (padded to 4), total length again. */
function block(type: number, bigEndian: boolean, body: (w: Writer) => void): Uint8Array {
  const inner = new Writer(bigEndian);
  body(inner);
  inner.pad4();
  const content = inner.done();
  const total = 12 + content.length;
  return new Writer(bigEndian).u32(type).u32(total).raw(content).u32(total).done();
}

function interfaceBlock(i: PcapngInterface, be: boolean): Uint8Array {
  return block(PCAPNG_BLOCK.IDB, be, (w) => {
    w.u16(i.linkType).u16(0).u32(i.snaplen ?? 0);
    const options: PcapngOption[] = [];
    if (i.name !== undefined) options.push({ code: 2, value: i.name });
    if (i.tsresol !== undefined) options.push(optionU8(9, i.tsresol));
    if (i.fcslen !== undefined) options.push(optionU8(13, i.fcslen));
    if (i.tsoffset !== undefined) options.push(optionU64(14, i.tsoffset, be));
    writeOptions(w, [...options, ...(i.options ?? [])]);
  });
}

function otherBlock(b: PcapngBlock, be: boolean): Uint8Array {
  switch (b.kind) {
    case 'idb':
      return interfaceBlock(b, be);
    case 'epb':
      return block(PCAPNG_BLOCK.EPB, be, (w) => {
        w.u32(b.interface).ts64(b.ts).u32(b.caplen ?? b.data.length).u32(b.origLen ?? b.data.length).raw(b.data).pad4();
        const options: PcapngOption[] = [];
        if (b.comment !== undefined) options.push({ code: 1, value: b.comment });
        if (b.flags !== undefined) options.push(optionU32(2, b.flags, be));
        writeOptions(w, [...options, ...(b.options ?? [])]);
      });
    case 'spb':
      return block(PCAPNG_BLOCK.SPB, be, (w) => {
        w.u32(b.origLen ?? b.data.length).raw(b.data);
      });
    case 'pb':
      return block(PCAPNG_BLOCK.PB, be, (w) => {
        w.u16(b.interface).u16(b.drops ?? 0).ts64(b.ts).u32(b.caplen ?? b.data.length).u32(b.origLen ?? b.data.length).raw(b.data).pad4();
        writeOptions(w, b.options ?? []);
      });
    case 'isb':
      return block(PCAPNG_BLOCK.ISB, be, (w) => {
        w.u32(b.interface).ts64(b.ts);
        const options: PcapngOption[] = [];
        if (b.received !== undefined) options.push(optionU64(4, b.received, be));
        if (b.dropped !== undefined) options.push(optionU64(5, b.dropped, be));
        writeOptions(w, [...options, ...(b.options ?? [])]);
      });
    case 'nrb':
      return block(PCAPNG_BLOCK.NRB, be, (w) => {
        for (const r of b.records) {
          const [type, address] = 'ipv4' in r ? [1, ipv4Bytes(r.ipv4)] : [2, ipv6Bytes(r.ipv6)];
          const names = r.names.map((n) => [...utf8.encode(n), 0]).flat();
          w.u16(type).u16(address.length + names.length).raw(address).raw(Uint8Array.from(names)).pad4();
        }
        w.u16(0).u16(0);
        writeOptions(w, b.options ?? []);
      });
    case 'custom':
      return block(b.type ?? PCAPNG_BLOCK.CB_COPY, be, (w) => {
        w.u32(b.pen).raw(b.data).pad4();
        writeOptions(w, b.options ?? []);
      });
    case 'unknown':
      return block(b.type, be, (w) => {
        w.raw(b.body);
      });
  }
}

/** A pcapng file: for each section an SHB, its interfaces' IDBs, then its blocks in order. */
export function pcapng(o: PcapngOptions): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of o.sections) {
    const be = s.bigEndian ?? false;
    const rest = [...s.interfaces.map((i) => interfaceBlock(i, be)), ...s.blocks.map((b) => otherBlock(b, be))];
    const restLength = rest.reduce((n, p) => n + p.length, 0);
    const [major, minor] = s.version ?? [1, 0];
    parts.push(block(PCAPNG_BLOCK.SHB, be, (w) => {
      w.u32(PCAPNG_BYTE_ORDER_MAGIC).u16(major).u16(minor);
      w.u64(s.sectionLength === 'auto' ? BigInt(restLength) : s.sectionLength ?? -1n);
      writeOptions(w, s.options ?? []);
    }));
    parts.push(...rest);
  }
  return join(parts);
}

export interface PcapngBlockAt {
  /** byte offset of the block's type field */
  offset: number;
  type: number;
  /** the leading block total length */
  length: number;
  bigEndian: boolean;
  /** index of the section the block belongs to */
  section: number;
}

/** The blocks of a well-formed pcapng file, each section read in its own byte order. */
export function pcapngLayout(bytes: Uint8Array): PcapngBlockAt[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: PcapngBlockAt[] = [];
  let bigEndian = false;
  let section = -1;
  for (let at = 0; at + 12 <= bytes.length;) {
    const typeBE = view.getUint32(at, false);
    if (typeBE === PCAPNG_BLOCK.SHB) {
      bigEndian = view.getUint32(at + 8, false) === PCAPNG_BYTE_ORDER_MAGIC;
      section++;
    }
    const type = view.getUint32(at, !bigEndian);
    const length = view.getUint32(at + 4, !bigEndian);
    blocks.push({ offset: at, type, length, bigEndian, section });
    if (length < 12) break;
    at += length;
  }
  return blocks;
}

function blockAt(bytes: Uint8Array, index: number): PcapngBlockAt {
  const b = pcapngLayout(bytes)[index];
  if (!b) throw new Error(`no block ${index}`);
  return b;
}

/**
 * Rewrites the total length of block `index`: the leading field, the trailing one (at the
 * block's real end) or both (default), leaving the bytes in between as they are.
 */
export function corruptBlockLength(bytes: Uint8Array, index: number, length: number, which: 'both' | 'leading' | 'trailing' = 'both'): Uint8Array {
  const b = blockAt(bytes, index);
  let out = bytes;
  if (which !== 'trailing') out = patchU32(out, b.offset + 4, length, b.bigEndian);
  if (which !== 'leading') out = patchU32(out, b.offset + b.length - 4, length, b.bigEndian);
  return out;
}

/** Rewrites the trailing total length of block `index` only. */
export function setBlockTrailer(bytes: Uint8Array, index: number, value: number): Uint8Array {
  return corruptBlockLength(bytes, index, value, 'trailing');
}

/** Rewrites the type of block `index` (in its section's byte order). */
export function setBlockType(bytes: Uint8Array, index: number, type: number): Uint8Array {
  const b = blockAt(bytes, index);
  return patchU32(bytes, b.offset, type, b.bigEndian);
}

/** Rewrites a 32-bit field `bodyOffset` bytes into the body of block `index` (after type and length). */
export function patchBlockU32(bytes: Uint8Array, index: number, bodyOffset: number, value: number): Uint8Array {
  const b = blockAt(bytes, index);
  return patchU32(bytes, b.offset + 8 + bodyOffset, value, b.bigEndian);
}

/** Rewrites a 16-bit field `bodyOffset` bytes into the body of block `index`. */
export function patchBlockU16(bytes: Uint8Array, index: number, bodyOffset: number, value: number): Uint8Array {
  const b = blockAt(bytes, index);
  return patchU16(bytes, b.offset + 8 + bodyOffset, value, b.bigEndian);
}

/** Body offsets of EPB fields, for patchBlockU32. */
export const EPB_FIELD = { interfaceId: 0, tsHigh: 4, tsLow: 8, caplen: 12, origLen: 16, data: 20 } as const;

// ---------------------------------------------------------------- generic damage

/** The first `length` bytes (a copy); a negative length drops that many bytes from the end. */
export function truncate(bytes: Uint8Array, length: number): Uint8Array {
  return bytes.slice(0, length < 0 ? Math.max(0, bytes.length + length) : length);
}

/** A copy with the 32-bit `value` written at `offset`. */
export function patchU32(bytes: Uint8Array, offset: number, value: number, bigEndian = false): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint32(offset, value >>> 0, !bigEndian);
  return out;
}

/** A copy with the 16-bit `value` written at `offset`. */
export function patchU16(bytes: Uint8Array, offset: number, value: number, bigEndian = false): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setUint16(offset, value & 0xffff, !bigEndian);
  return out;
}

/** A copy whose first four bytes are `magic`, written big-endian (so 0xdeadbeef gives de ad be ef). */
export function setMagic(bytes: Uint8Array, magic: number): Uint8Array {
  return patchU32(bytes, 0, magic, true);
}

/** Joins byte arrays into one (e.g. a pcapng file followed by garbage). */
export function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Splits `bytes` into pieces of `size` bytes (the last may be shorter), for streaming tests. */
export function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}
