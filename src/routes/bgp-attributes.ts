/**
 * BGP attributes: AS paths as `bgpdump -m` prints them, and the origin AS numbers of pfx2as, into the
 * `AsAttributes` routes share (docs/route-formats.md "BGP attributes"); communities. Each distinct value is
 * parsed once: the parsers intern them, so these functions work on whole strings.
 *
 * Path syntax (bgpdump's): segments separated by blanks; an AS_SEQUENCE is bare AS numbers
 * (`3356 1299`), an AS_SET `{1,2}`, an AS_CONFED_SEQUENCE `(1 2)`, an AS_CONFED_SET `[1,2]`.
 * AS numbers are asplain (`4200000000`) or asdot (`64086.59904`, RFC 5396).
 */

import type { AsAttributes } from './route.js';
import { CH_0, CH_9, isBlank } from './scan.js';

const CH_DOT = 46;
const CH_UNDERSCORE = 95;
const CH_COMMA = 44;
const OPENERS = '{([';
const CLOSERS = '})]';

/**
 * The attributes of an AS path: the path itself, its origin (the last AS), and for a path that
 * ends in a set (`{64500,64501}` or `[…]`), every member in `originAsSet` with the first as
 * `originAs`. An empty path (a route of the local AS) has no origin AS. Returns the reason as a
 * string when `path` is not an AS path.
 */
export function asAttributesOfPath(path: string): AsAttributes | string {
  const numbers: number[] = [];
  let lastSegmentStart = 0;
  let lastSegmentIsSet = false;
  let i = 0;
  const end = path.length;
  while (i < end) {
    const c = path.charCodeAt(i);
    if (isBlank(c)) { i++; continue; }
    const opener = OPENERS.indexOf(path[i]);
    if (opener >= 0) {
      const close = path.indexOf(CLOSERS[opener], i + 1);
      if (close < 0) return `'${path[i]}' at column ${i + 1} is not closed by '${CLOSERS[opener]}'`;
      const isSet = opener !== 1; // { } and [ ] are sets, ( ) is a sequence
      lastSegmentStart = numbers.length;
      lastSegmentIsSet = isSet;
      const reason = readMembers(path, i + 1, close, isSet ? CH_COMMA : -1, numbers);
      if (reason) return reason;
      if (numbers.length === lastSegmentStart) return `empty segment '${path.slice(i, close + 1)}' at column ${i + 1}`;
      i = close + 1;
      continue;
    }
    // a bare AS number: one member of an AS_SEQUENCE
    let j = i;
    while (j < end && !isBlank(path.charCodeAt(j)) && OPENERS.indexOf(path[j]) < 0) j++;
    const asn = parseAsNumber(path, i, j);
    if (asn < 0) return `expected an AS number, found '${path.slice(i, j)}' at column ${i + 1}`;
    lastSegmentStart = numbers.length;
    lastSegmentIsSet = false;
    numbers.push(asn);
    i = j;
  }
  if (numbers.length === 0) return Object.freeze({ asPath: '' });
  if (!lastSegmentIsSet || numbers.length - lastSegmentStart === 1) return Object.freeze({ asPath: path, originAs: numbers[numbers.length - 1] });
  const set = Object.freeze(numbers.slice(lastSegmentStart));
  return Object.freeze({ asPath: path, originAs: set[0], originAsSet: set });
}

/** The members of a segment, `text[start, end)`, separated by `separator` (a set) or blanks (-1: a sequence). */
function readMembers(text: string, start: number, end: number, separator: number, into: number[]): string | undefined {
  let i = start;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (isBlank(c) || c === separator) { i++; continue; }
    let j = i;
    while (j < end && !isBlank(text.charCodeAt(j)) && text.charCodeAt(j) !== separator) j++;
    const asn = parseAsNumber(text, i, j);
    if (asn < 0) return `expected an AS number, found '${text.slice(i, j)}' at column ${i + 1}`;
    into.push(asn);
    i = j;
  }
  return undefined;
}

/**
 * The origin of a pfx2as line's third field: one AS (`15169`), several origins seen for the prefix
 * (`701_702`) or an AS set (`701,702`), both given in `originAsSet` with the first as `originAs`.
 * No `asPath`: pfx2as has none. Returns the reason as a string when it is not that.
 */
export function asAttributesOfOrigins(text: string): AsAttributes | string {
  const numbers: number[] = [];
  let i = 0;
  while (i <= text.length) {
    let j = i;
    while (j < text.length && text.charCodeAt(j) !== CH_UNDERSCORE && text.charCodeAt(j) !== CH_COMMA) j++;
    const asn = parseAsNumber(text, i, j);
    if (asn < 0) return `expected an AS number (or several joined by '_' or ','), found '${text}'`;
    numbers.push(asn);
    i = j + 1;
  }
  return Object.freeze(numbers.length === 1 ? { originAs: numbers[0] } : { originAs: numbers[0], originAsSet: Object.freeze(numbers) });
}

/** An asplain (0..4294967295) or asdot (0..65535.0..65535) AS number in `text[start, end)`, or -1. */
export function parseAsNumber(text: string, start: number, end: number): number {
  let value = 0;
  let high = -1;
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === CH_DOT && high < 0 && digits > 0) {
      if (value > 0xffff) return -1;
      high = value;
      value = 0;
      digits = 0;
      continue;
    }
    if (c < CH_0 || c > CH_9) return -1;
    value = value * 10 + (c - CH_0);
    digits++;
    if (value > 0xffffffff) return -1;
  }
  if (digits === 0) return -1;
  if (high < 0) return value;
  return value > 0xffff ? -1 : high * 0x10000 + value;
}

/** The communities field of a `bgpdump -m` line (`3356:100 3356:2001 no-export`), word by word; undefined when empty. */
export function communitiesOf(text: string): readonly string[] | undefined {
  const words = text.split(/[ \t\v\f\r]+/).filter((word) => word !== '');
  return words.length === 0 ? undefined : Object.freeze(words);
}
