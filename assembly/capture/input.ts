// Reading one capture stream: pcap or pcapng framing, detected from the magic number, fed in
// chunks. Each complete record goes to countFrame; a record cut by the chunk's end waits for
// the next chunk (the host keeps the tail). Damage stops the input with a reason, the record
// number and the byte offset, and everything before it stays counted.

import { alloc, free, realloc, POOL_OTHER } from '../memory/alloc';
import { countBatch, Counters, countFrame } from '../count/counters';
import { MAX_INTERFACE_NAME, registerInterface, setCurrentInterface } from '../classify/interfaces';
import { applyDueSteps, nextStepTime } from '../updates/in-step';
import { clampTime, isTime, pcapTime, ticksToTime, tsresolSupported } from './time';
import {
  READ_BAD_BLOCK_LENGTH, READ_BAD_BLOCK_TRAILER, READ_BAD_BYTE_ORDER_MAGIC, READ_BLOCK_TOO_SHORT,
  READ_CAPLEN_BEYOND_BLOCK, READ_EMPTY, READ_NOT_A_CAPTURE, READ_RECORD_TOO_LONG,
  READ_TRUNCATED_FILE_HEADER, READ_TRUNCATED_RECORD, READ_TSRESOL_TOO_FINE, READ_UNDECLARED_INTERFACE,
} from './errors';

/** libpcap's limit for one record (MAXIMUM_SNAPLEN). */
export const MAX_RECORD: u32 = 262144;
/** The host's input buffer: any packet block fits, with room to spare. */
export const INPUT_BYTES: u32 = 1 << 20;

const FORMAT_UNKNOWN: i32 = 0;
const FORMAT_PCAP: i32 = 1;
const FORMAT_PCAPNG: i32 = 2;
const FORMAT_STOPPED: i32 = 3;

const MAX_LINK_TYPES: i32 = 16;
// pcapng interface: link type u32 @0, snaplen u32 @4, tsresol u32 @8 (the option's byte; 6 = µs),
// tsoffset i64 @12 (seconds added to every timestamp), the number of its if_name u32 @20
// (classify/interfaces.ts; 0 without one)
const INTERFACE_BYTES: usize = 24;

@unmanaged export class CaptureInput {
  format: i32;
  /** the file's (pcapng: the section's) byte order is big-endian */
  bigEndian: i32;
  /** 1 for pcap or pcapng once detected, for the report */
  detected: i32;
  pcapNanos: i32;
  pcapModified: i32;
  /** 0: never; 1: always (before 2.3); 2: when caplen > len (2.3) */
  pcapSwapLengths: i32;
  pcapLinkType: u32;
  /** file offset of the first byte the next feed sees */
  offset: u64;
  records: u64;
  error: i32;
  errorDetail: u32;
  errorRecord: u64;
  errorOffset: u64;
  interfaces: usize;
  interfaceCount: i32;
  interfaceCapacity: i32;
  /** bytes of an oversized non-packet block still to pass over */
  skip: u64;
  linkTypes: usize;
  linkTypeCount: i32;
  /** decimal digits of the timestamps (6 or 9) */
  precision: i32;
  /** records whose time fields were out of range (README "Timestamps"), and where the first was */
  badTimes: u64;
  badTimeRecord: u64;
  badTimeOffset: u64;
  /** a pcap input's interface number (classify/interfaces.ts), which the host sets */
  pcapInterface: u32;
  /**
   * A record at this time (capture/time.ts) or later stops the feed before it is counted, so
   * the host can act at that moment (apply route updates, close a time bin); u64 max: never
   */
  stopTime: u64;
  /** the time of the record that stopped the last feed, u64 max when the feed was not stopped so */
  stoppedAt: u64;
}

export function newInput(): CaptureInput {
  const size = offsetof<CaptureInput>();
  const input = changetype<CaptureInput>(alloc(size, POOL_OTHER));
  memory.fill(changetype<usize>(input), 0, size);
  input.linkTypes = alloc(<usize>MAX_LINK_TYPES << 2, POOL_OTHER);
  input.precision = 6;
  input.stopTime = u64.MAX_VALUE;
  input.stoppedAt = u64.MAX_VALUE;
  return input;
}

export function freeInput(input: CaptureInput): void {
  if (input.interfaceCapacity) free(input.interfaces, <usize>input.interfaceCapacity * INTERFACE_BYTES, POOL_OTHER);
  free(input.linkTypes, <usize>MAX_LINK_TYPES << 2, POOL_OTHER);
  free(changetype<usize>(input), offsetof<CaptureInput>(), POOL_OTHER);
}

@inline function u16At(input: CaptureInput, at: usize): u32 {
  const v = load<u16>(at);
  return input.bigEndian ? <u32>bswap<u16>(v) : <u32>v;
}

@inline function u32At(input: CaptureInput, at: usize): u32 {
  const v = load<u32>(at);
  return input.bigEndian ? bswap<u32>(v) : v;
}

function declareLinkType(input: CaptureInput, linkType: u32): void {
  for (let i = 0; i < input.linkTypeCount; i++) {
    if (load<u32>(input.linkTypes + (<usize>i << 2)) == linkType) return;
  }
  if (input.linkTypeCount < MAX_LINK_TYPES) {
    store<u32>(input.linkTypes + (<usize>input.linkTypeCount << 2), linkType);
    input.linkTypeCount++;
  }
}

function stop(input: CaptureInput, error: i32, at: u64, detail: u32): void {
  input.format = FORMAT_STOPPED;
  input.error = error;
  input.errorOffset = at;
  input.errorRecord = input.records + 1;
  input.errorDetail = detail;
}

/**
 * The time to count a record at: `time` when a report holds it, else the nearest end, with the
 * record counted among those whose times were out of range (`outOfRange` says the fields were,
 * even where the time they spell fits).
 */
function recordTime(input: CaptureInput, time: u64, outOfRange: bool, at: u64): u64 {
  const fits = isTime(time);
  if (fits && !outOfRange) return time;
  if (input.badTimes == 0) {
    input.badTimeRecord = input.records + 1;
    input.badTimeOffset = at;
  }
  input.badTimes++;
  return fits ? time : clampTime(time);
}

/**
 * Reads what it can of `length` bytes at `data` (the stream continues from where the last feed
 * stopped). Returns how many bytes it used; the host keeps the rest for the next feed. With
 * `final`, the stream ends here, so a record cut short is damage.
 */
export function feed(input: CaptureInput, counters: Counters, data: usize, length: u32, final: bool): u32 {
  let pos: u32 = 0;
  input.stoppedAt = u64.MAX_VALUE;
  if (input.format == FORMAT_UNKNOWN) {
    pos = readFileHeader(input, data, length, final);
    if (input.format == FORMAT_UNKNOWN || input.format == FORMAT_STOPPED) return pos;
  }
  if (input.format == FORMAT_PCAP) pos = readPcapRecords(input, counters, data, pos, length, final);
  else if (input.format == FORMAT_PCAPNG) pos = readPcapngBlocks(input, counters, data, pos, length, final);
  else pos = length; // stopped: the rest is not read
  countBatch(counters);
  input.offset += pos;
  return pos;
}

function readFileHeader(input: CaptureInput, data: usize, length: u32, final: bool): u32 {
  if (length < 4) {
    if (final) return readShortFile(input, data, length);
    return 0;
  }
  const magic = load<u32>(data);
  if (magic == 0x0a0d0d0a) {
    input.format = FORMAT_PCAPNG;
    input.detected = 2;
    return 0; // the section header block is read as a block
  }
  let nanos = 0, modified = 0, bigEndian = 0;
  if (magic == 0xa1b2c3d4) {} else if (magic == 0xd4c3b2a1) bigEndian = 1;
  else if (magic == 0xa1b23c4d) nanos = 1;
  else if (magic == 0x4d3cb2a1) { nanos = 1; bigEndian = 1; }
  else if (magic == 0xa1b2cd34) modified = 1;
  else if (magic == 0x34cdb2a1) { modified = 1; bigEndian = 1; }
  else {
    stop(input, READ_NOT_A_CAPTURE, 0, magic);
    return 0;
  }
  if (length < 24) {
    if (final) stop(input, READ_TRUNCATED_FILE_HEADER, 0, length);
    return 0;
  }
  input.format = FORMAT_PCAP;
  input.detected = 1;
  input.bigEndian = bigEndian;
  input.pcapNanos = nanos;
  input.pcapModified = modified;
  input.precision = nanos ? 9 : 6;
  const major = u16At(input, data + 4);
  const minor = u16At(input, data + 6);
  // before 2.3 the record header had captured and original lengths the other way round;
  // some 2.3 writers did too, which shows as a captured length above the original one
  input.pcapSwapLengths = major < 2 || (major == 2 && minor < 3) ? 1 : major == 2 && minor == 3 ? 2 : 0;
  // the upper bits of the link type field carry FCS information, not the link type
  input.pcapLinkType = u32At(input, data + 20) & 0x03ffffff;
  declareLinkType(input, input.pcapLinkType);
  return 24;
}

/** The pcap magic numbers readFileHeader knows, as a little-endian load of the file's first bytes. */
const PCAP_MAGICS = memory.data<u32>([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0xa1b2cd34, 0x34cdb2a1]);
const PCAP_MAGIC_COUNT: usize = 6;

/**
 * A whole file of 0-3 bytes. Two or three bytes that start a magic number are a capture cut
 * short, reported as a longer cut one would be; anything else is not a capture, with the bytes
 * it holds as the detail and their count as the offset (src/analyze/read-errors.ts).
 */
function readShortFile(input: CaptureInput, data: usize, length: u32): u32 {
  if (length == 0) {
    stop(input, READ_EMPTY, 0, 0);
    return 0;
  }
  let bytes: u32 = 0;
  for (let k: u32 = 0; k < length; k++) bytes |= <u32>load<u8>(data + <usize>k) << (k << 3);
  if (length >= 2) {
    // one byte tells nothing (a file holding a newline starts as pcapng does)
    const kept: u32 = (<u32>1 << (length << 3)) - 1;
    if (bytes == (0x0a0d0d0a & kept)) {
      input.format = FORMAT_PCAPNG; // the block reader finds the section header cut short
      input.detected = 2;
      return 0;
    }
    for (let m: usize = 0; m < PCAP_MAGIC_COUNT; m++) {
      if (bytes == (load<u32>(PCAP_MAGICS + (m << 2)) & kept)) {
        stop(input, READ_TRUNCATED_FILE_HEADER, 0, length);
        return 0;
      }
    }
  }
  stop(input, READ_NOT_A_CAPTURE, length, bytes);
  return 0;
}

function readPcapRecords(input: CaptureInput, counters: Counters, data: usize, pos: u32, length: u32, final: bool): u32 {
  const headerBytes: u32 = input.pcapModified ? 24 : 16;
  setCurrentInterface(input.pcapInterface);
  while (true) {
    const available = length - pos;
    if (available < headerBytes) {
      if (final && available > 0) stop(input, READ_TRUNCATED_RECORD, input.offset + pos, available);
      return pos;
    }
    const record = data + pos;
    const seconds = u32At(input, record);
    const fraction = u32At(input, record + 4);
    let caplen = u32At(input, record + 8);
    let origLen = u32At(input, record + 12);
    if (input.pcapSwapLengths == 1 || (input.pcapSwapLengths == 2 && caplen > origLen)) {
      const t = caplen;
      caplen = origLen;
      origLen = t;
    }
    if (caplen > MAX_RECORD) {
      stop(input, READ_RECORD_TOO_LONG, input.offset + pos, caplen);
      return pos;
    }
    if (available < headerBytes + caplen) {
      if (final) stop(input, READ_TRUNCATED_RECORD, input.offset + pos, available);
      return pos;
    }
    // a fraction of a second or more is out of range (wiretap takes it as a sign of a damaged
    // header, libpcap passes it on): counted, and read as the time the fields spell
    const outOfRange = fraction >= (input.pcapNanos ? <u32>1_000_000_000 : <u32>1_000_000);
    const spelled = pcapTime(seconds, fraction, input.pcapNanos != 0);
    if (reachesStopTime(input, counters, spelled)) return pos;
    const time = recordTime(input, spelled, outOfRange, input.offset + pos);
    countFrame(counters, input.pcapLinkType, record + headerBytes, caplen, origLen, time);
    input.records++;
    pos += headerBytes + caplen;
  }
}

const BLOCK_SHB: u32 = 0x0a0d0d0a;
const BLOCK_IDB: u32 = 1;
const BLOCK_PB: u32 = 2;
const BLOCK_SPB: u32 = 3;
const BLOCK_EPB: u32 = 6;

@inline function isPacketBlock(type: u32): bool {
  return type == BLOCK_EPB || type == BLOCK_SPB || type == BLOCK_PB;
}

function readPcapngBlocks(input: CaptureInput, counters: Counters, data: usize, pos: u32, length: u32, final: bool): u32 {
  while (true) {
    if (input.skip) {
      const n = <u32>min(<u64>(length - pos), input.skip);
      pos += n;
      input.skip -= n;
      if (input.skip) return pos;
    }
    const available = length - pos;
    const block = data + pos;
    const at = input.offset + pos;
    if (available < 12) {
      if (final && available > 0) stop(input, READ_TRUNCATED_RECORD, at, available);
      return pos;
    }
    const rawType = load<u32>(block);
    if (rawType == BLOCK_SHB) {
      const byteOrder = load<u32>(block, 8);
      if (byteOrder == 0x1a2b3c4d) input.bigEndian = 0;
      else if (byteOrder == 0x4d3c2b1a) input.bigEndian = 1;
      else {
        stop(input, READ_BAD_BYTE_ORDER_MAGIC, at, byteOrder);
        return pos;
      }
      input.interfaceCount = 0; // interfaces belong to their section
    }
    const type = u32At(input, block);
    const blockLength = u32At(input, block + 4);
    if (blockLength < 12 || (blockLength & 3) != 0) {
      stop(input, READ_BAD_BLOCK_LENGTH, at, blockLength);
      return pos;
    }
    if (blockLength > INPUT_BYTES) {
      if (isPacketBlock(type) || type == BLOCK_SHB || type == BLOCK_IDB) {
        stop(input, READ_RECORD_TOO_LONG, at, blockLength);
        return pos;
      }
      // a huge block of a kind we do not read: pass over it as it streams by
      input.skip = blockLength;
      continue;
    }
    if (available < blockLength) {
      if (final) stop(input, READ_TRUNCATED_RECORD, at, available);
      return pos;
    }
    if (u32At(input, block + blockLength - 4) != blockLength) {
      stop(input, READ_BAD_BLOCK_TRAILER, at, u32At(input, block + blockLength - 4));
      return pos;
    }
    let error = 0;
    if ((type == BLOCK_EPB || type == BLOCK_PB) && reachesStopTime(input, counters, packetBlockTime(input, block, blockLength, type == BLOCK_PB))) return pos;
    if (type == BLOCK_IDB) error = readInterface(input, block, blockLength);
    else if (type == BLOCK_EPB || type == BLOCK_PB) error = readPacketBlock(input, counters, block, blockLength, type == BLOCK_PB, at);
    else if (type == BLOCK_SPB) error = readSimplePacket(input, counters, block, blockLength);
    if (error) {
      stop(input, error, at, input.errorDetail);
      return pos;
    }
    pos += blockLength;
  }
}

/**
 * Whether a record at `time` (as its fields spell it) is at or past the stop time; then the
 * feed stops before it, and it is read again, from its first byte, by the next feed.
 */
@inline function reachesStopTime(input: CaptureInput, counters: Counters, time: u64): bool {
  const counted = isTime(time) ? time : clampTime(time);
  if (counted < input.stopTime && counted < nextStepTime) return false;
  return stopsOrSteps(input, counters, counted);
}

/** Past the fast test: route updates staged to apply in step (updates/in-step.ts), then the stop. */
function stopsOrSteps(input: CaptureInput, counters: Counters, counted: u64): bool {
  if (counted >= nextStepTime) applyDueSteps(changetype<usize>(input), counters, counted, input.stopTime);
  if (counted < input.stopTime) return false;
  input.stoppedAt = counted;
  return true;
}

/**
 * The time a packet block's fields spell, before any check of the block (a block too short or
 * of an undeclared interface reads as time 0: it is then read, and stops the input, at once).
 */
function packetBlockTime(input: CaptureInput, block: usize, blockLength: u32, obsolete: bool): u64 {
  if (blockLength < 32) return 0;
  const interfaceId = obsolete ? u16At(input, block + 8) : u32At(input, block + 8);
  if (interfaceId >= <u32>input.interfaceCount) return 0;
  const entry = input.interfaces + <usize>interfaceId * INTERFACE_BYTES;
  const ticks = (<u64>u32At(input, block + 12) << 32) | <u64>u32At(input, block + 16);
  return ticksToTime(ticks, load<u32>(entry, 8), load<i64>(entry, 12));
}

function readInterface(input: CaptureInput, block: usize, blockLength: u32): i32 {
  if (blockLength < 20) return READ_BLOCK_TOO_SHORT;
  if (input.interfaceCount == input.interfaceCapacity) {
    const next = max(4, input.interfaceCapacity * 2);
    input.interfaces = realloc(input.interfaces, <usize>input.interfaceCapacity * INTERFACE_BYTES, <usize>next * INTERFACE_BYTES, POOL_OTHER);
    input.interfaceCapacity = next;
  }
  const entry = input.interfaces + <usize>input.interfaceCount * INTERFACE_BYTES;
  const linkType = u16At(input, block + 8);
  store<u32>(entry, linkType);
  store<u32>(entry, u32At(input, block + 12), 4);
  let tsresol: u32 = 6;
  let tsoffset: u64 = 0;
  let name: u32 = 0;
  // options: code u16, length u16, value padded to 4 bytes; if_name is code 2, if_tsresol 9, if_tsoffset 14
  let option = block + 16;
  const end = block + blockLength - 4;
  while (option + 4 <= end) {
    const code = u16At(input, option);
    const size = u16At(input, option + 2);
    if (code == 0 || option + 4 + size > end) break;
    if (code == 2) name = registerInterface(option + 4, nameLength(option + 4, size));
    if (code == 9 && size >= 1) tsresol = load<u8>(option + 4);
    if (code == 14 && size >= 8) {
      const word = load<u64>(option + 4);
      tsoffset = input.bigEndian ? bswap<u64>(word) : word;
    }
    option += 4 + ((size + 3) & ~3);
  }
  // ticks finer than 10^-19 s (or 2^-63 s) do not fit 64 bits: libpcap and wiretap refuse such
  // an interface too
  if (!tsresolSupported(tsresol)) {
    input.errorDetail = tsresol;
    return READ_TSRESOL_TOO_FINE;
  }
  store<u32>(entry, tsresol, 8);
  store<u64>(entry, tsoffset, 12);
  store<u32>(entry, name, 20);
  input.interfaceCount++;
  declareLinkType(input, linkType);
  const digits = tsresol & 0x80 ? 9 : <i32>min(tsresol, 9);
  if (digits > input.precision) input.precision = digits;
  return 0;
}

/**
 * The bytes of an if_name of `size` bytes at `at` that name the interface: without the NULs some
 * writers end it with, and at most MAX_INTERFACE_NAME (a longer name is cut there).
 */
function nameLength(at: usize, size: u32): u32 {
  let length = min(size, MAX_INTERFACE_NAME);
  // a cut name ends on a whole UTF-8 character
  if (size > length) while (length > 0 && (load<u8>(at + length) & 0xc0) == 0x80) length--;
  while (length > 0 && load<u8>(at + length - 1) == 0) length--;
  return length;
}

function readPacketBlock(input: CaptureInput, counters: Counters, block: usize, blockLength: u32, obsolete: bool, at: u64): i32 {
  if (blockLength < 32) return READ_BLOCK_TOO_SHORT;
  const interfaceId = obsolete ? u16At(input, block + 8) : u32At(input, block + 8);
  if (interfaceId >= <u32>input.interfaceCount) {
    input.errorDetail = interfaceId;
    return READ_UNDECLARED_INTERFACE;
  }
  const caplen = u32At(input, block + 20);
  const origLen = u32At(input, block + 24);
  if (caplen > MAX_RECORD) {
    input.errorDetail = caplen;
    return READ_RECORD_TOO_LONG;
  }
  if (<u64>caplen + 32 > <u64>blockLength) {
    input.errorDetail = caplen;
    return READ_CAPLEN_BEYOND_BLOCK;
  }
  const entry = input.interfaces + <usize>interfaceId * INTERFACE_BYTES;
  const ticks = (<u64>u32At(input, block + 12) << 32) | <u64>u32At(input, block + 16);
  const time = recordTime(input, ticksToTime(ticks, load<u32>(entry, 8), load<i64>(entry, 12)), false, at);
  setCurrentInterface(load<u32>(entry, 20));
  countFrame(counters, load<u32>(entry), block + 28, caplen, origLen, time);
  input.records++;
  return 0;
}

function readSimplePacket(input: CaptureInput, counters: Counters, block: usize, blockLength: u32): i32 {
  if (blockLength < 16) return READ_BLOCK_TOO_SHORT;
  if (input.interfaceCount == 0) {
    input.errorDetail = 0;
    return READ_UNDECLARED_INTERFACE;
  }
  const origLen = u32At(input, block + 8);
  // the captured length is what the block holds, at most the original length and the snaplen
  let caplen = min(origLen, blockLength - 16);
  const snaplen = load<u32>(input.interfaces, 4);
  if (snaplen && caplen > snaplen) caplen = snaplen;
  if (caplen > MAX_RECORD) {
    input.errorDetail = caplen;
    return READ_RECORD_TOO_LONG;
  }
  // no timestamp in a simple packet block; it belongs to the first interface
  setCurrentInterface(load<u32>(input.interfaces, 20));
  countFrame(counters, load<u32>(input.interfaces), block + 12, caplen, origLen, 0);
  input.records++;
  return 0;
}
