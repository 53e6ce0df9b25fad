/**
 * Helpers shared by the route-file parsers: character classes, string interning and the wording
 * of error messages. Parsers walk a whole file as one string by char codes and only cut
 * substrings for values they keep, through an `Interner`, so a million routes with a handful of
 * distinct next hops hold a handful of strings.
 */

import { canonicalAddress, quoteInput } from '../net/address.js';

export const CH_TAB = 9;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_HASH = 35;
export const CH_COMMA = 44;
export const CH_DASH = 45;
export const CH_0 = 48;
export const CH_9 = 57;

/**
 * Space, tab, CR, vertical tab, form feed (and LF, which ends a line and never reaches the
 * tokenizers). One comparison for the common case of a printable character.
 */
export function isBlank(c: number): boolean {
  return c <= CH_SPACE && (c === CH_SPACE || (c >= CH_TAB && c <= CH_CR));
}

/**
 * Copies `text[start, end)` into a string of its own. `slice` may return a view that keeps the
 * whole (possibly many-megabyte) file alive for as long as a route holds the label.
 */
export function copyString(text: string, start: number, end: number): string {
  const length = end - start;
  if (length <= 0) return '';
  if (length > 4096) return text.slice(start, end);
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = text.charCodeAt(start + i);
  return String.fromCharCode.apply(null, codes);
}

/**
 * Turns repeated substrings of the input into one shared string each, without cutting a
 * substring when the value was seen before. `make` maps the raw text of a new key to the value
 * handed out (e.g. the canonical form of an address, or "AS" + number).
 */
export class Interner<T = string> {
  private keys: string[] = [];
  private values: T[] = [];
  private hashes = new Int32Array(128);
  /** The entry handed out last: sorted tables repeat it line after line, so try it first. */
  private last = -1;
  /** Open addressing: index + 1 into keys/values, 0 = empty. Size is a power of two. */
  private slots = new Int32Array(256);

  constructor(private readonly make: (key: string) => T = (key) => key as T) {}

  get(text: string, start: number, end: number): T {
    const length = end - start;
    if (this.last >= 0) {
      const key = this.keys[this.last];
      if (key.length === length) {
        let i = 0;
        while (i < length && key.charCodeAt(i) === text.charCodeAt(start + i)) i++;
        if (i === length) return this.values[this.last];
      }
    }
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      const index = entry - 1;
      if (this.hashes[index] === hash) {
        const key = this.keys[index];
        if (key.length === length) {
          let same = true;
          for (let i = 0; i < length; i++) {
            if (key.charCodeAt(i) !== text.charCodeAt(start + i)) { same = false; break; }
          }
          if (same) {
            this.last = index;
            return this.values[index];
          }
        }
      }
      slot = (slot + 1) & mask;
    }
    const key = copyString(text, start, end);
    const value = this.make(key);
    const index = this.keys.length;
    this.keys.push(key);
    this.values.push(value);
    if (index === this.hashes.length) {
      const hashes = new Int32Array(index * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.hashes[index] = hash;
    this.slots[slot] = index + 1;
    this.last = index;
    if (this.keys.length * 2 > this.slots.length) this.rehash();
    return value;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.keys.length; index++) {
      let slot = this.hashes[index] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
  }
}

/** Interner value maker for next hops: addresses become canonical text, labels stay as written. */
export function canonicalNextHop(key: string): string {
  return canonicalAddress(key) ?? key;
}

/** True when `text[start, end)` equals `word` (exactly, case-sensitive). */
export function tokenIs(text: string, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if (text.charCodeAt(start + i) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Parses unsigned decimal digits in `text[start, end)`; -1 when empty, not all digits, or
 * above `max`.
 */
export function parseUnsigned(text: string, start: number, end: number, max = 0xffffffff): number {
  if (start >= end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < CH_0 || c > CH_9) return -1;
    value = value * 10 + (c - CH_0);
    if (value > max) return -1;
  }
  return value;
}

export { quoteInput };

/** The example every "expected a prefix" message shows. */
export const PREFIX_EXAMPLE = 'a prefix like 10.0.0.0/8 or 2001:db8::/32';
