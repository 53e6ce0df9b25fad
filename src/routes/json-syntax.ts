/**
 * Where JSON text stops being JSON, for ip-json's error messages. V8's SyntaxError says where
 * for most errors ("... in JSON at position 12", from Node 22 also "(line 2 column 5)"), but not
 * for all ("Unexpected token '}', "[{"a":}]" is not valid JSON" on Node 20, "Unexpected end of
 * JSON input"), and its wording changes between versions. So the position is read from the
 * message when it is there and otherwise found by `findJsonSyntaxError`, a small validator of
 * RFC 8259 that walks the text once with an explicit stack (no recursion, so no depth limit of
 * its own) and stops where V8 does.
 */

/** The offset into the parsed text that V8's message names, or -1 when it names none. */
export function offsetInJsonMessage(message: string, json: string): number {
  const found = / in JSON at position (\d+)(?: \(line (\d+) column (\d+)\))?$/.exec(message);
  if (!found) return -1;
  if (found[2] !== undefined) {
    // Node 22+: line and column are 1-based, counted in the parsed text
    let lineStart = 0;
    for (let line = 1; line < Number(found[2]); line++) {
      const newline = json.indexOf('\n', lineStart);
      if (newline < 0) return Math.min(Number(found[1]), json.length);
      lineStart = newline + 1;
    }
    return Math.min(lineStart + Number(found[3]) - 1, json.length);
  }
  return Math.min(Number(found[1]), json.length);
}

const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const QUOTE = 34;
const BACKSLASH = 92;

/** What may come next. */
const enum Expect { Value, ValueOrEnd, Key, KeyOrEnd, AfterValue }

/** The offset of the first character that makes `json` not JSON (its length: it ends too soon), or -1. */
export function findJsonSyntaxError(json: string): number {
  const length = json.length;
  const open: number[] = [];
  let expect = Expect.Value;
  let i = 0;
  for (;;) {
    i = skipWhitespace(json, i);
    if (expect === Expect.AfterValue && open.length === 0) return i < length ? i : -1;
    if (i >= length) return length;
    const c = json.charCodeAt(i);
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrEnd:
        if (expect === Expect.ValueOrEnd && c === CLOSE_ARRAY) {
          open.pop();
          i++;
          expect = Expect.AfterValue;
        } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
          open.push(c);
          i++;
          expect = c === OPEN_ARRAY ? Expect.ValueOrEnd : Expect.KeyOrEnd;
        } else {
          const end = scanScalar(json, i);
          if (end < 0) return ~end;
          i = end;
          expect = Expect.AfterValue;
        }
        break;
      case Expect.Key:
      case Expect.KeyOrEnd: {
        if (expect === Expect.KeyOrEnd && c === CLOSE_OBJECT) {
          open.pop();
          i++;
          expect = Expect.AfterValue;
          break;
        }
        if (c !== QUOTE) return i;
        const end = scanString(json, i);
        if (end < 0) return ~end;
        i = skipWhitespace(json, end);
        if (i >= length) return length;
        if (json.charCodeAt(i) !== 58 /* : */) return i;
        i++;
        expect = Expect.Value;
        break;
      }
      case Expect.AfterValue: {
        const container = open[open.length - 1];
        if (c === 44 /* , */) {
          i++;
          expect = container === OPEN_ARRAY ? Expect.Value : Expect.Key;
        } else if ((container === OPEN_ARRAY && c === CLOSE_ARRAY) || (container === OPEN_OBJECT && c === CLOSE_OBJECT)) {
          open.pop();
          i++;
        } else {
          return i;
        }
        break;
      }
    }
  }
}

function skipWhitespace(json: string, i: number): number {
  for (;;) {
    const c = json.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return i;
    i++;
  }
}

/** The end of the string, number or literal at `start`, or ~offset of what is wrong in it. */
function scanScalar(json: string, start: number): number {
  const c = json.charCodeAt(start);
  if (c === QUOTE) return scanString(json, start);
  if (c === 45 /* - */ || isDigit(c)) return scanNumber(json, start);
  for (const word of ['true', 'false', 'null']) {
    if (c !== word.charCodeAt(0)) continue;
    for (let k = 1; k < word.length; k++) {
      if (json.charCodeAt(start + k) !== word.charCodeAt(k)) return ~Math.min(start + k, json.length);
    }
    return start + word.length;
  }
  return ~start;
}

function scanString(json: string, start: number): number {
  let i = start + 1;
  for (;;) {
    if (i >= json.length) return ~json.length;
    const c = json.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return ~i;
    if (c === BACKSLASH) {
      const escaped = json.charCodeAt(i + 1);
      if (escaped === 117 /* u */) {
        for (let k = 2; k < 6; k++) if (!isHexDigit(json.charCodeAt(i + k))) return ~Math.min(i + k, json.length);
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(json[i + 1] ?? '')) return ~Math.min(i + 1, json.length);
      i += 2;
      continue;
    }
    i++;
  }
}

/** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
function scanNumber(json: string, start: number): number {
  let i = start;
  if (json.charCodeAt(i) === 45) i++;
  if (!isDigit(json.charCodeAt(i))) return ~Math.min(i, json.length);
  if (json.charCodeAt(i) === 48) i++;
  else while (isDigit(json.charCodeAt(i))) i++;
  if (json.charCodeAt(i) === 46 /* . */) {
    i++;
    if (!isDigit(json.charCodeAt(i))) return ~Math.min(i, json.length);
    while (isDigit(json.charCodeAt(i))) i++;
  }
  if ((json.charCodeAt(i) | 0x20) === 101 /* e */) {
    i++;
    if (json.charCodeAt(i) === 43 || json.charCodeAt(i) === 45) i++;
    if (!isDigit(json.charCodeAt(i))) return ~Math.min(i, json.length);
    while (isDigit(json.charCodeAt(i))) i++;
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}
