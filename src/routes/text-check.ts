/**
 * What makes routes text unreadable as text, checked over the whole text before any parser sees
 * it: a NUL byte or another control character that text files do not hold (anything below 0x20
 * but tab, LF, vertical tab, form feed and CR; and DEL), or U+FFFD, which is what decoding turns
 * bytes that are not UTF-8 into. Routes files are small enough next to their parsing that one
 * regular-expression pass costs little (about 50 ms for 30 MB), and a bad byte on line 900,000
 * is refused as surely as one on line 1.
 *
 * The WebAssembly scanner of plain text (assembly/routes/plain.ts) gives up on the same bytes,
 * so the error comes from here, worded the same, whichever way the text was loaded.
 *
 * A run of byte order marks at the very start is skipped (an editor or a converter put it
 * there, maybe more than once); a BOM anywhere else is an ordinary character of the text.
 */

import { RouteFormatError } from '../errors.js';

const NOT_TEXT = /[\x00-\x08\x0e-\x1f\x7f\ufffd]/;
const BYTE_ORDER_MARK = 0xfeff;

/** `text` without the byte order marks it starts with. */
export function skipByteOrderMarks(text: string): string {
  let start = 0;
  while (text.charCodeAt(start) === BYTE_ORDER_MARK) start++;
  return start === 0 ? text : text.slice(start);
}

/** Throws a RouteFormatError naming the line (and column) of the first byte that is not text. */
export function checkIsText(text: string, source: string): void {
  const found = NOT_TEXT.exec(text);
  if (!found) return;
  const at = found.index;
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const c = text.charCodeAt(at);
  const what = c === 0 ? 'a NUL byte'
    : c === 0xfffd ? 'bytes that are not UTF-8'
      : `a control character (0x${c.toString(16).padStart(2, '0')})`;
  const gzip = text.charCodeAt(0) === 0x1f && (text.charCodeAt(1) === 0x8b || text.charCodeAt(1) === 0xfffd);
  const hint = gzip ? ' (it is gzip-compressed: read it with readRoutesFile)' : '';
  throw new RouteFormatError(source, line,
    `expected a text routes file, but it looks binary: ${what} at column ${at - lineStart + 1}${hint}`);
}
