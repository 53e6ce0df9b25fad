// Where a plain capture file can be cut into ranges that workers read apart. A pcap record
// header carries no marker, so a cut is a guess: an offset from which a run of consecutive record
// headers is plausible. The guess is checked afterwards (merge-pieces.ts): the range before it
// must end exactly on the cut, its last record whole; any doubt and the file is read on one thread.
import { closeSync, openSync, readSync } from 'node:fs';
import { MAX_RECORD } from '../analyze/read-errors.js';

/** Bytes [start, end) of a file, read after `head`. */
export interface CaptureRange {
  start: number;
  end: number;
  head: Uint8Array;
}

const PCAP_HEADER = 24;
/** Record headers a cut must be followed by (or the end of the file), each plausible. */
const RUN = 16;
/** How far past a guessed offset a cut is looked for. */
const SEARCH = 4 << 20;

interface PcapLayout {
  littleEndian: boolean;
  recordHeader: number;
  /** the largest valid fraction of a second */
  fractionLimit: number;
}

/** The pcap layout from the file's first four bytes, or undefined for anything else. */
function pcapLayout(head: Uint8Array): PcapLayout | undefined {
  if (head.length < PCAP_HEADER) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === 0xa1b2c3d4) return { littleEndian, recordHeader: 16, fractionLimit: 1_000_000 };
    if (magic === 0xa1b23c4d) return { littleEndian, recordHeader: 16, fractionLimit: 1_000_000_000 };
    if (magic === 0xa1b2cd34) return { littleEndian, recordHeader: 24, fractionLimit: 1_000_000 };
  }
  return undefined;
}

/**
 * Up to `pieces` ranges of the file at `path` (`size` bytes) covering it in order: one range
 * (the whole file) when it is not a pcap or no cut is found. The first range is `firstShare`
 * of the size of each other one (its worker has other work after it).
 */
export function splitCapture(path: string, size: number, pieces: number, firstShare = 1): CaptureRange[] {
  const whole: CaptureRange[] = [{ start: 0, end: size, head: new Uint8Array(0) }];
  if (pieces < 2) return whole;
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(PCAP_HEADER);
    if (readSync(fd, header, 0, PCAP_HEADER, 0) < PCAP_HEADER) return whole;
    const layout = pcapLayout(header);
    if (!layout) return whole;
    const cuts: number[] = [];
    const window = new Uint8Array(SEARCH + RUN * (layout.recordHeader + MAX_RECORD));
    for (let piece = 1; piece < pieces; piece++) {
      const guess = Math.max(PCAP_HEADER, Math.floor((size * (piece - 1 + firstShare)) / (pieces - 1 + firstShare)), (cuts.at(-1) ?? 0) + 1);
      const read = readSync(fd, window, 0, Math.min(window.length, size - guess), guess);
      const cut = findRecordStart(window.subarray(0, read), guess, size, layout);
      if (cut !== undefined && cut > (cuts.at(-1) ?? PCAP_HEADER) && cut < size) cuts.push(cut);
    }
    if (cuts.length === 0) return whole;
    const bounds = [0, ...cuts, size];
    return bounds.slice(1).map((end, i) => ({ start: bounds[i], end, head: i === 0 ? new Uint8Array(0) : header }));
  } finally {
    closeSync(fd);
  }
}

/** The first offset in `bytes` (file offset `base`) where RUN plausible record headers follow one another. */
function findRecordStart(bytes: Uint8Array, base: number, size: number, layout: PcapLayout): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const limit = Math.min(bytes.length, SEARCH);
  for (let at = 0; at < limit; at++) {
    if (plausibleRun(view, at, base, size, layout)) return base + at;
  }
  return undefined;
}

function plausibleRun(view: DataView, from: number, base: number, size: number, layout: PcapLayout): boolean {
  const { littleEndian, recordHeader, fractionLimit } = layout;
  let at = from;
  let firstSeconds = -1;
  for (let run = 0; run < RUN; run++) {
    // a run that reaches the end of the file exactly is as good as a full one
    if (base + at === size) return true;
    if (at + recordHeader > view.byteLength) return false;
    const seconds = view.getUint32(at, littleEndian);
    const fraction = view.getUint32(at + 4, littleEndian);
    const captured = view.getUint32(at + 8, littleEndian);
    const original = view.getUint32(at + 12, littleEndian);
    if (fraction >= fractionLimit || captured > MAX_RECORD || original < captured || original > 0x40000000) return false;
    // records of one capture lie within a day of each other
    if (firstSeconds < 0) firstSeconds = seconds;
    else if (Math.abs(seconds - firstSeconds) > 86_400) return false;
    at += recordHeader + captured;
  }
  return true;
}
