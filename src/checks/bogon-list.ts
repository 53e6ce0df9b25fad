// `--bogons FILE`: a list of prefixes to count as bogons, such as Team Cymru's full-bogons feed.
// One CIDR prefix (or a bare address: a host prefix) a line; `#` starts a comment, anywhere on a
// line; blank lines and surrounding spaces are ignored; CRLF line ends are fine. Anything else
// stops the load with the file and line, since a list half-read would count bogons as clean.

import { FibscopeError } from '../errors.js';
import { createPrefixBuffer, maskV4, maskV6, prefixErrorReason, quoteInput, scanPrefix, PREFIX_OK } from '../net/address.js';
import type { Prefix } from '../net/address.js';

/** A bad line in a bogon list: names the source, the 1-based line and what is wrong. */
export class BogonListError extends FibscopeError {
  readonly source: string;
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super('BOGONS', `${source}:${line}: ${message}`);
    this.source = source;
    this.line = line;
  }
}

export interface BogonList {
  /** Where the list came from (a file name), for messages. */
  readonly source: string;
  /** The prefixes in file order, host bits clear. */
  readonly prefixes: readonly Prefix[];
}

const CH_HASH = 0x23;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
}

/** Parses a bogon list. Throws BogonListError naming `source:line` at the first bad line. */
export function parseBogonList(text: string, source: string): BogonList {
  const prefixes: Prefix[] = [];
  const buffer = createPrefixBuffer();
  let lineNumber = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNumber++;
    // the comment mark within this line only: indexOf would scan the rest of the file every line
    let stop = start;
    while (stop < end && text.charCodeAt(stop) !== CH_HASH) stop++;
    let first = start;
    while (first < stop && isSpace(text.charCodeAt(first))) first++;
    let last = stop;
    while (last > first && isSpace(text.charCodeAt(last - 1))) last--;
    if (first < last) prefixes.push(parseLine(text, first, last, buffer, source, lineNumber));
    start = end + 1;
  }
  return { source, prefixes };
}

function parseLine(text: string, first: number, last: number, buffer: ReturnType<typeof createPrefixBuffer>, source: string, line: number): Prefix {
  for (let i = first; i < last; i++) {
    if (isSpace(text.charCodeAt(i))) {
      throw new BogonListError(source, line, `one prefix a line, got ${quoteInput(text, first, last)}`);
    }
  }
  const status = scanPrefix(text, first, last, buffer);
  if (status !== PREFIX_OK) throw new BogonListError(source, line, prefixErrorReason(status, text, first, last));
  // a prefix with host bits set is most likely a typo for another prefix: say so rather than guess
  if (buffer.family === 4) {
    const v4 = maskV4(buffer.v4, buffer.length);
    if (v4 !== buffer.v4) throw new BogonListError(source, line, hostBitsMessage(text, first, last));
    return { family: 4, length: buffer.length, v4 };
  }
  const v6 = buffer.v6.slice();
  maskV6(v6, 0, buffer.length);
  if (!v6.every((byte, i) => byte === buffer.v6[i])) throw new BogonListError(source, line, hostBitsMessage(text, first, last));
  return { family: 6, length: buffer.length, v6 };
}

function hostBitsMessage(text: string, first: number, last: number): string {
  return `${quoteInput(text, first, last)} has bits set past its prefix length`;
}
