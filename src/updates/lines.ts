// Walking the lines of an update stream: 1-based numbers, blanks trimmed, blank lines and `#`
// comments passed over.
import { CH_HASH, isBlank } from '../routes/scan.js';

/** Calls `each` with every meaningful line, its number and its trimmed text, until `each` returns false. */
export function forEachLine(text: string, each: (line: number, content: string) => boolean | void): void {
  forEachLineRange(text, (line, start, end) => each(line, text.slice(start, end)));
}

/** forEachLine giving where the trimmed line lies in `text` instead of a string of it. */
export function forEachLineRange(text: string, each: (line: number, start: number, end: number) => boolean | void): void {
  let pos = 0;
  let line = 0;
  const length = text.length;
  while (pos < length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    let i = pos;
    pos = end + 1;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
    while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
    if (i === end || text.charCodeAt(i) === CH_HASH) continue;
    if (each(line, i, end) === false) return;
  }
}

/** Splits a line into blank-separated words. */
export function wordsOf(content: string): string[] {
  return content.split(/[ \t\v\f\r]+/);
}
