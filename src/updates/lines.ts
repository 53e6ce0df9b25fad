// Walking the lines of an update stream: 1-based numbers, blanks trimmed, blank lines and `#`
// comments passed over.
import type { Moment } from '../analyze/capture-clock.js';
import type { RouteAttributes } from '../routes/route.js';
import { CH_HASH, isBlank } from '../routes/scan.js';
import type { RouteUpdate } from './types.js';

/** Calls `each` with every meaningful line, its number and its trimmed text, until `each` returns false. */
export function forEachLine(text: string, each: (line: number, content: string) => boolean | void): void {
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
    if (each(line, text.slice(i, end)) === false) return;
  }
}

/** Splits a line into blank-separated words. */
export function wordsOf(content: string): string[] {
  return content.split(/[ \t\v\f\r]+/);
}

/** A RouteUpdate with its members always in one order: one object shape for the applier to read. */
export function updateOf(time: Moment, kind: RouteUpdate['kind'], prefix: string, attributes: RouteAttributes | undefined, where: string): RouteUpdate {
  return { seconds: time.seconds, nanoseconds: time.nanoseconds, kind, prefix, attributes, where };
}
