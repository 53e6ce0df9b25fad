// Traffic per route over the capture, in equal time bins (Wireshark's io,stat). The Analyzer has
// no per-time counters, so this follows the pcap/pcapng framing in JavaScript (record headers
// only, the way assembly/capture/input.ts reads them), groups the records by bin, and hands each
// bin's records to a fresh Analyzer on the same table: a packet counts in its bin exactly as the
// whole analysis counts it. That is per-record JavaScript work, so the worker does it only for
// small captures; the bins must add up to the whole analysis's totals or nothing is shown.
import { Analyzer, type Fib } from '../../src/index.js';

export interface TimeSeries {
  /** width of every bin */
  binSeconds: number;
  /** the first bin starts at the capture's earliest record: ISO 8601 UTC, as the report writes times */
  start: string;
  /** one per charted route, in the order asked for; one value per bin */
  series: { prefix: string; packets: number[]; bytes: number[] }[];
}

/** A route to chart, with what the whole analysis counted for it. */
export interface SeriesRoute {
  prefix: string;
  packets: number;
  bytes: number;
}

export interface TimeSeriesOptions {
  routes: readonly SeriesRoute[];
  /** records the whole analysis read (its input's `records`): fewer than the file's when it is damaged */
  records: number;
  /** at most this many bins (a bin width rounding can make it one more); default 100 */
  maxBins?: number;
  /** stops the work between bins */
  signal?: AbortSignal;
}

/** Limits of assembly/capture/input.ts, so the walk stops where the WebAssembly reader stops. */
const MAX_RECORD = 262144;
const INPUT_BYTES = 1 << 20;

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;

/** Where a capture's records are and when they were taken, from the framing alone. */
export interface CaptureFraming {
  format: 'pcap' | 'pcapng';
  /**
   * Per section, the bytes a stream needs before that section's records: pcap's file header, or
   * pcapng's section header and every interface description of the section (interface ids count
   * in declaration order, so all of them up front keeps every id).
   */
  preambles: Uint8Array[];
  /** Per record, in file order: byte range, section, and time as the WebAssembly reader packs it. */
  start: number[];
  end: number[];
  section: number[];
  seconds: number[];
  nanoseconds: number[];
  /** decimal digits of the times (6 or 9), as in the report */
  precision: number;
}

/**
 * The records of a pcap or pcapng capture, at most `maxRecords` of them. Stops quietly where the
 * framing is damaged or the bytes end; the caller compares the count with the analysis's.
 */
export function readFraming(bytes: Uint8Array, maxRecords = Infinity): CaptureFraming | null {
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic === BLOCK_SHB) return readPcapng(bytes, view, maxRecords);
  return readPcap(bytes, view, magic, maxRecords);
}

function emptyFraming(format: 'pcap' | 'pcapng'): CaptureFraming {
  return { format, preambles: [], start: [], end: [], section: [], seconds: [], nanoseconds: [], precision: 6 };
}

function readPcap(bytes: Uint8Array, view: DataView, magic: number, maxRecords: number): CaptureFraming | null {
  const kinds: Record<number, [nanos: boolean, modified: boolean, littleEndian: boolean]> = {
    0xa1b2c3d4: [false, false, true], 0xd4c3b2a1: [false, false, false],
    0xa1b23c4d: [true, false, true], 0x4d3cb2a1: [true, false, false],
    0xa1b2cd34: [false, true, true], 0x34cdb2a1: [false, true, false],
  };
  const kind = kinds[magic];
  if (kind === undefined || bytes.length < 24) return null;
  const [nanos, modified, le] = kind;
  const framing = emptyFraming('pcap');
  framing.preambles.push(bytes.slice(0, 24));
  framing.precision = nanos ? 9 : 6;
  const major = view.getUint16(4, le);
  const minor = view.getUint16(6, le);
  // as libpcap: before 2.3 the two lengths were swapped; in 2.3 when caplen > len
  const swap = major < 2 || (major === 2 && minor < 3) ? 1 : major === 2 && minor === 3 ? 2 : 0;
  const headerBytes = modified ? 24 : 16;
  let pos = 24;
  while (framing.start.length < maxRecords && bytes.length - pos >= headerBytes) {
    const seconds = view.getUint32(pos, le);
    const fraction = view.getUint32(pos + 4, le);
    let caplen = view.getUint32(pos + 8, le);
    const origLen = view.getUint32(pos + 12, le);
    if (swap === 1 || (swap === 2 && caplen > origLen)) caplen = origLen;
    if (caplen > MAX_RECORD || bytes.length - pos < headerBytes + caplen) break;
    // µs to ns in u32 arithmetic, as the WebAssembly reader does
    addRecord(framing, pos, pos + headerBytes + caplen, 0, seconds, nanos ? fraction : Math.imul(fraction, 1000) >>> 0);
    pos += headerBytes + caplen;
  }
  return framing;
}

interface Interface {
  snaplen: number;
  tsresol: number;
  tsoffset: bigint;
}

function readPcapng(bytes: Uint8Array, view: DataView, maxRecords: number): CaptureFraming {
  const framing = emptyFraming('pcapng');
  const parts: Uint8Array[][] = [];
  let le = true;
  let interfaces: Interface[] = [];
  let pos = 0;
  while (framing.start.length < maxRecords && bytes.length - pos >= 12) {
    if (view.getUint32(pos, true) === BLOCK_SHB) {
      const byteOrder = view.getUint32(pos + 8, true);
      if (byteOrder === 0x1a2b3c4d) le = true;
      else if (byteOrder === 0x4d3c2b1a) le = false;
      else break;
      interfaces = [];
      parts.push([]);
    }
    const type = view.getUint32(pos, le);
    const length = view.getUint32(pos + 4, le);
    if (length < 12 || (length & 3) !== 0) break;
    const packet = type === BLOCK_EPB || type === BLOCK_PB || type === BLOCK_SPB;
    if (length > INPUT_BYTES) {
      if (packet || type === BLOCK_SHB || type === BLOCK_IDB) break;
      pos += length; // the reader passes over huge blocks of other kinds
      continue;
    }
    if (bytes.length - pos < length || view.getUint32(pos + length - 4, le) !== length) break;
    const block = bytes.subarray(pos, pos + length);
    const section = parts.length - 1;
    if (type === BLOCK_SHB) {
      parts[section].push(block);
    } else if (type === BLOCK_IDB) {
      if (length < 20) break;
      const found = readInterface(view, pos, length, le);
      interfaces.push(found);
      parts[section].push(block);
      const digits = found.tsresol & 0x80 ? 9 : Math.min(found.tsresol, 9);
      framing.precision = Math.max(framing.precision, digits);
    } else if (type === BLOCK_EPB || type === BLOCK_PB) {
      if (length < 32) break;
      const id = type === BLOCK_PB ? view.getUint16(pos + 8, le) : view.getUint32(pos + 8, le);
      const caplen = view.getUint32(pos + 20, le);
      if (id >= interfaces.length || caplen > MAX_RECORD || caplen + 32 > length) break;
      const ticks = (BigInt(view.getUint32(pos + 12, le)) << 32n) | BigInt(view.getUint32(pos + 16, le));
      const [seconds, nanoseconds] = ticksToTime(ticks, interfaces[id].tsresol);
      // if_tsoffset moves whole seconds, in the high (seconds) half of the packed u64 time
      addRecord(framing, pos, pos + length, section, Number(BigInt.asUintN(32, seconds + interfaces[id].tsoffset)), nanoseconds);
    } else if (type === BLOCK_SPB) {
      if (length < 16 || interfaces.length === 0) break;
      // the captured length is what the block holds, at most the original length and the
      // first interface's snaplen
      const snaplen = interfaces[0].snaplen;
      let caplen = Math.min(view.getUint32(pos + 8, le), length - 16);
      if (snaplen && caplen > snaplen) caplen = snaplen;
      if (caplen > MAX_RECORD) break;
      addRecord(framing, pos, pos + length, section, 0, 0); // a simple packet block has no time
    }
    pos += length;
  }
  framing.preambles = parts.map(joinBytes);
  return framing;
}

function readInterface(view: DataView, pos: number, length: number, le: boolean): Interface {
  let tsresol = 6;
  let tsoffset = 0n;
  // options: code u16, length u16, value padded to 4; if_tsresol is 9, if_tsoffset 14
  let option = pos + 16;
  const end = pos + length - 4;
  while (option + 4 <= end) {
    const code = view.getUint16(option, le);
    const size = view.getUint16(option + 2, le);
    if (code === 0 || option + 4 + size > end) break;
    if (code === 9 && size >= 1) tsresol = view.getUint8(option + 4);
    if (code === 14 && size >= 8) tsoffset = view.getBigUint64(option + 4, le);
    option += 4 + ((size + 3) & ~3);
  }
  return { snaplen: view.getUint32(pos + 12, le), tsresol, tsoffset };
}

/** pcapng ticks at an interface's if_tsresol to seconds and nanoseconds (assembly/capture/time.ts). */
export function ticksToTime(ticks: bigint, tsresol: number): [seconds: bigint, nanoseconds: number] {
  if (tsresol & 0x80) {
    const shift = BigInt(tsresol & 0x7f);
    if (shift === 0n) return [ticks, 0];
    if (shift > 63n) return [0n, 0];
    const fraction = ticks & ((1n << shift) - 1n);
    const drop = shift > 32n ? shift - 32n : 0n;
    return [ticks >> shift, Number(((fraction >> drop) * 1_000_000_000n) >> (shift - drop))];
  }
  let unit = 1n;
  for (let i = 0; i < tsresol && i < 19; i++) unit *= 10n;
  let fraction = ticks % unit;
  for (let exponent = tsresol; exponent < 9; exponent++) fraction *= 10n;
  for (let exponent = tsresol; exponent > 9; exponent--) fraction /= 10n;
  return [ticks / unit, Number(BigInt.asUintN(32, fraction))];
}

function addRecord(framing: CaptureFraming, start: number, end: number, section: number, seconds: number, nanoseconds: number): void {
  framing.start.push(start);
  framing.end.push(end);
  framing.section.push(section);
  // a pcap µs field of a million or more is a later second
  framing.seconds.push(seconds + Math.floor(nanoseconds / 1e9));
  framing.nanoseconds.push(nanoseconds % 1e9);
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// ---------------------------------------------------------------- bins

const DAY = 86400;
/** Bin widths in seconds, as io,stat users pick them: 1-2-5 steps, then minutes, hours, days. */
export const BIN_SECONDS: readonly number[] = [
  1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 3 * 3600, 6 * 3600, 12 * 3600,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY, 730 * DAY, 1825 * DAY, 3650 * DAY, 36500 * DAY,
];

/** The narrowest width that cuts `spanSeconds` into at most `maxBins` bins. */
export function chooseBinSeconds(spanSeconds: number, maxBins: number): number {
  for (const width of BIN_SECONDS) if (Math.floor(spanSeconds / width) + 1 <= maxBins) return width;
  return BIN_SECONDS[BIN_SECONDS.length - 1];
}

/**
 * The bin of a time `dSeconds` s + `dNanoseconds` ns after the start (dNanoseconds may be
 * negative), in exact integer arithmetic: whole-second widths divide whole seconds (the
 * sub-second part cannot cross a boundary of a whole-second width), sub-second widths divide
 * nanoseconds (a span of at most maxBins × 0.5 s keeps them far below 2^53).
 */
export function binOf(dSeconds: number, dNanoseconds: number, binSeconds: number): number {
  if (binSeconds >= 1) return Math.floor((dSeconds - (dNanoseconds < 0 ? 1 : 0)) / binSeconds);
  const width = Math.round(binSeconds * 1e9);
  const at = dSeconds * 1e9 + dNanoseconds;
  let bin = Math.floor(at / width);
  // floating division can round a quotient just below an integer up to it
  if (bin * width > at) bin--;
  else if ((bin + 1) * width <= at) bin++;
  return bin;
}

/** ISO 8601 UTC with `digits` decimals, as the report writes times. */
export function formatTime(seconds: number, nanoseconds: number, digits: number): string {
  const fraction = String(Math.floor(nanoseconds / 10 ** (9 - digits))).padStart(digits, '0');
  return `${new Date(seconds * 1000).toISOString().slice(0, 20)}${fraction}Z`;
}

/**
 * The time series of `options.routes` over the capture `bytes`, which the whole analysis read
 * `options.records` records of. Throws when the framing cannot be followed as far as the
 * analysis went, or when the bins do not add up to the analysis's totals.
 */
export async function captureTimeSeries(fib: Fib, bytes: Uint8Array, options: TimeSeriesOptions): Promise<TimeSeries> {
  const framing = readFraming(bytes, options.records);
  const count = framing?.start.length ?? 0;
  if (framing === null || count !== options.records) {
    throw new Error(`the capture's framing could be followed for ${count} of the ${options.records} records the analysis read`);
  }
  const series = options.routes.map((route) => ({ prefix: route.prefix, packets: [] as number[], bytes: [] as number[] }));
  if (count === 0) return { binSeconds: 1, start: formatTime(0, 0, framing.precision), series };

  let first = 0;
  let last = 0;
  for (let i = 1; i < count; i++) {
    if (before(framing, i, first)) first = i;
    if (before(framing, last, i)) last = i;
  }
  const startSeconds = framing.seconds[first];
  const startNanoseconds = framing.nanoseconds[first];
  const span = framing.seconds[last] - startSeconds + (framing.nanoseconds[last] - startNanoseconds) / 1e9;
  const binSeconds = chooseBinSeconds(span, options.maxBins ?? 100);
  const binAt = (i: number) => binOf(framing.seconds[i] - startSeconds, framing.nanoseconds[i] - startNanoseconds, binSeconds);
  const bins = binAt(last) + 1;
  for (const s of series) {
    s.packets = new Array<number>(bins).fill(0);
    s.bytes = new Array<number>(bins).fill(0);
  }

  const runs = binRuns(framing, binAt);
  const index = new Map(series.map((s, i) => [s.prefix, i]));
  let paused = performance.now();
  for (const [bin, binRunList] of runs) {
    if (options.signal && performance.now() - paused > 50) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // lets a cancel message in
      paused = performance.now();
    }
    options.signal?.throwIfAborted();
    const analyzer = new Analyzer({ fib, name: `bin ${bin}` });
    try {
      let section = -1;
      for (const run of binRunList) {
        if (run.section !== section) {
          section = run.section;
          analyzer.push(framing.preambles[section]);
        }
        analyzer.push(bytes.subarray(run.start, run.end));
      }
      analyzer.end();
      const report = analyzer.report();
      const error = report.inputs[0]?.error;
      if (error) throw new Error(`bin ${bin} of the time series did not read: ${error}`);
      for (const route of report.routes) {
        const at = index.get(route.prefix);
        if (at === undefined) continue;
        series[at].packets[bin] += route.packets;
        series[at].bytes[bin] += route.bytes;
      }
    } finally {
      analyzer.dispose();
    }
  }

  for (const [i, route] of options.routes.entries()) {
    const packets = series[i].packets.reduce((a, b) => a + b, 0);
    const sum = series[i].bytes.reduce((a, b) => a + b, 0);
    if (packets !== route.packets || sum !== route.bytes) {
      throw new Error(`the bins of ${route.prefix} add up to ${packets} packets and ${sum} bytes, ` +
        `not the ${route.packets} packets and ${route.bytes} bytes of the analysis`);
    }
  }
  return { binSeconds, start: formatTime(startSeconds, startNanoseconds, framing.precision), series };
}

function before(framing: CaptureFraming, a: number, b: number): boolean {
  return framing.seconds[a] < framing.seconds[b]
    || (framing.seconds[a] === framing.seconds[b] && framing.nanoseconds[a] < framing.nanoseconds[b]);
}

interface Run {
  start: number;
  end: number;
  section: number;
}

/**
 * Each bin's records as runs of adjacent bytes, bins in ascending order, runs in file order. A
 * capture in time order gives one run per bin and section; records out of order give more.
 */
function binRuns(framing: CaptureFraming, binAt: (record: number) => number): Map<number, Run[]> {
  const byBin = new Map<number, Run[]>();
  let current: Run | undefined;
  let currentBin = -1;
  for (let i = 0; i < framing.start.length; i++) {
    const bin = binAt(i);
    if (current && bin === currentBin && framing.section[i] === current.section && framing.start[i] === current.end) {
      current.end = framing.end[i];
      continue;
    }
    current = { start: framing.start[i], end: framing.end[i], section: framing.section[i] };
    currentBin = bin;
    let list = byBin.get(bin);
    if (list === undefined) byBin.set(bin, (list = []));
    list.push(current);
  }
  return new Map([...byBin].sort(([a], [b]) => a - b));
}
