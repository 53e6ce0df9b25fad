// Words for why reading a capture stopped (codes from assembly/capture/errors.ts).

/** libpcap's largest record (assembly/capture/input.ts MAX_RECORD). */
export const MAX_RECORD = 262144;

export interface ReadStop {
  code: number;
  detail: number;
  record: number;
  offset: number;
}

/** The reason, naming the record number and byte offset where they mean something. */
export function describeReadStop(stop: ReadStop): string {
  const where = `record ${stop.record} at byte offset ${stop.offset}`;
  switch (stop.code) {
    // a file under 4 bytes gives its length as the offset (assembly/capture/input.ts readShortFile)
    case 1: return stop.offset > 0 && stop.offset < 4
      ? `not a pcap or pcapng capture: byte offset 0 holds ${firstBytes(stop.detail, stop.offset)}, the whole file (${stop.offset} byte${stop.offset === 1 ? '' : 's'})`
      : `not a pcap or pcapng capture: byte offset 0 holds ${firstBytes(stop.detail)}`;
    case 2: return 'empty file: not a capture';
    case 3: return `the file header is cut short: ${stop.detail} of 24 bytes`;
    case 4: return `${where} is cut short: the capture ends ${stop.detail} bytes into it`;
    case 5: return `${where} claims ${stop.detail} captured bytes, over the ${MAX_RECORD}-byte limit`;
    case 6: return `block at byte offset ${stop.offset} has length ${stop.detail}: not a multiple of 4 of at least 12`;
    case 7: return `block at byte offset ${stop.offset} ends with length ${stop.detail}, not the one it starts with`;
    case 8: return `${where} belongs to interface ${stop.detail}, which no interface description block declared`;
    case 9: return `block at byte offset ${stop.offset} is too short for its kind`;
    case 10: return `section header at byte offset ${stop.offset} has a bad byte-order magic 0x${(stop.detail >>> 0).toString(16)}`;
    case 11: return `${where} claims ${stop.detail} captured bytes, more than its block holds`;
    case 12: return `interface description block at byte offset ${stop.offset} has if_tsresol ${tsresolText(stop.detail)}: ticks that fine do not fit in 64 bits`;
    default: return `reading stopped (code ${stop.code}) at byte offset ${stop.offset}`;
  }
}

/** The range of times a report holds: u32 seconds and nanoseconds (assembly/capture/time.ts). */
export const EARLIEST_TIME = '1970-01-01T00:00:00Z';
export const LATEST_TIME = '2106-02-07T06:28:15.999999999Z';

/** Records whose time fields were out of range, counted and clamped rather than damage. */
export interface BadTimes {
  records: number;
  /** the first of them */
  record: number;
  offset: number;
}

/** Why some times in the report are not the ones the capture's fields spell (README "Timestamps"). */
export function describeBadTimes(bad: BadTimes): string {
  const many = bad.records === 1 ? '1 record has a timestamp' : `${bad.records} records have timestamps`;
  return `${many} out of range, the first record ${bad.record} at byte offset ${bad.offset}: a fraction of `
    + `a second or more is read with its whole seconds carried, a time before ${EARLIEST_TIME} or after `
    + `${LATEST_TIME} as that end of the range`;
}

/** An if_tsresol byte as the tick it means: 10^-n s, or 2^-n s with the top bit set. */
function tsresolText(tsresol: number): string {
  return `${tsresol} (${tsresol & 0x80 ? `2^-${tsresol & 0x7f}` : `10^-${tsresol}`} s)`;
}

/** The first `count` (up to four) bytes of a file, in file order, from the little-endian u32 WebAssembly read. */
function firstBytes(word: number, count = 4): string {
  return [0, 8, 16, 24].slice(0, count).map((shift) => ((word >>> shift) & 0xff).toString(16).padStart(2, '0')).join(' ');
}
