// fibscope's own update lines: a time, a verb, and a route in `ip route` syntax (src/routes/ip.ts):
//
//     1418774413.250 add 10.1.0.0/16 via 192.0.2.1 dev eth0 metric 10
//     2014-12-17T00:00:14Z replace 10.1.0.0/16 via 192.0.2.9
//     1418774415 del 10.1.0.0/16 via 192.0.2.9
//
// `add` adds beside the routes of the prefix, `replace` takes the place of all of them, `del`
// removes them (only those via that next hop and/or on that device, when given).
import { RouteFormatError, UpdateFormatError } from '../errors.js';
import { createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanAddress, scanPrefix, type PrefixBuffer } from '../net/address.js';
import { parseIpRoutes } from '../routes/ip.js';
import { RouteList } from '../routes/route-list.js';
import { ROUTE_TYPES, type RouteAttributes } from '../routes/route.js';
import { canonicalNextHop, CH_HASH, Interner, isBlank, PREFIX_EXAMPLE, quoteInput } from '../routes/scan.js';
import type { Moment } from '../analyze/capture-clock.js';
import { columnStream, NO_ATTRIBUTES, OP_ADD, OP_DEL, OP_REPLACE, UpdateColumns } from './columns.js';
import { wordsOf } from './lines.js';
import { parseUpdateTimeInto } from './time.js';
import { scanUpdateLinesInWasm } from './update-lines-wasm.js';
import type { UpdateStream } from './types.js';

/**
 * Reads the lines into columns. The route of an add or replace line that starts with its prefix
 * (nearly every one) is parsed by the `ip route` parser once per distinct text after the prefix,
 * per family: a stream of 100,000 `replace PREFIX via ADDRESS` lines names a few dozen next hops.
 * Routes that start otherwise (a type, `default`) are parsed together at the end, as a routes
 * file of those lines is.
 */
export function parseFibscopeUpdates(text: string, source: string): UpdateStream {
  // the common lines of a long stream are read in WebAssembly when it is at hand (update-lines-wasm.ts)
  const scanned = scanUpdateLinesInWasm(text, source, (route, line) => routeOfLine(route, source, line));
  return scanned ? columnStream(scanned, { skipped: new Map() }) : readFibscopeLines(text, source);
}

/** parseFibscopeUpdates in JavaScript alone: every line, and every error's wording. */
export function readFibscopeLines(text: string, source: string): UpdateStream {
  const columns = new UpdateColumns(source);
  const key = createPrefixBuffer();
  const via = createPrefixBuffer();
  const time: Moment = { seconds: 0, nanoseconds: 0 };
  const nextHops = new Interner(canonicalNextHop);
  // the attributes number of each route text after the prefix, by family: a new text is parsed
  // with the prefix of the line it was first seen on (`current`)
  const current = { route: 0, end: 0, line: 0 };
  const routeOfCurrent = () => columns.addAttributes(routeOfLine(text.slice(current.route, current.end), source, current.line));
  const routesAfter = { 4: new Interner<number>(routeOfCurrent), 6: new Interner<number>(routeOfCurrent) };
  const families = { 4: false, 6: false };
  // the routes that do not start with a prefix: their texts, update numbers and lines side by side
  const otherTexts: string[] = [];
  const otherUpdates: number[] = [];
  const otherLines: number[] = [];
  const fail = (line: number, message: string) => new UpdateFormatError(source, line, message);
  // the lines as lines.ts walks them, in one loop here: this runs for every line of streams of
  // millions, and a loop gets optimized code sooner than a function called per line
  let pos = 0;
  let line = 0;
  const length = text.length;
  while (pos < length) {
    line++;
    let end = text.indexOf('\n', pos);
    if (end < 0) end = length;
    let start = pos;
    pos = end + 1;
    while (start < end && isBlank(text.charCodeAt(start))) start++;
    while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
    if (start === end || text.charCodeAt(start) === CH_HASH) continue;
    // TIME VERB ROUTE, read in place
    const timeEnd = blankAt(text, start, end);
    const verbStart = wordAt(text, timeEnd, end);
    const verbEnd = blankAt(text, verbStart, end);
    const op = verbOf(text, verbStart, verbEnd);
    if (timeEnd === end || op < 0) {
      throw fail(line, `expected 'TIME add|del|replace ROUTE', found ${quoteInput(text, start, end)}`);
    }
    const problem = parseUpdateTimeInto(text, start, timeEnd, time);
    if (problem !== undefined) throw fail(line, problem);
    const routeStart = wordAt(text, verbEnd, end);
    if (routeStart === end) {
      const verb = text.slice(verbStart, verbEnd);
      throw fail(line, `'${verb}' needs a route after it (${op === OP_DEL ? 'PREFIX [via ADDRESS] [dev NAME]' : 'in ip route syntax: PREFIX via ADDRESS dev NAME …'})`);
    }
    const prefixEnd = blankAt(text, routeStart, end);
    if (op === OP_DEL) {
      // `del PREFIX`, the common one, read in place
      if (prefixEnd === end && scanPrefix(text, routeStart, end, key) === PREFIX_OK) {
        columns.push(time.seconds, time.nanoseconds, OP_DEL, key, NO_ATTRIBUTES, line);
        continue;
      }
      const attributes = deletion(wordsOf(text.slice(routeStart, end)), key, via, nextHops, (message) => fail(line, message));
      columns.push(time.seconds, time.nanoseconds, OP_DEL, key, columns.addAttributes(attributes), line);
      continue;
    }
    if (scanPrefix(text, routeStart, prefixEnd, key) === PREFIX_OK) {
      const family = key.family as 4 | 6;
      families[family] = true;
      current.route = routeStart;
      current.end = end;
      current.line = line;
      const attributes = routesAfter[family].get(text, wordAt(text, prefixEnd, end), end);
      columns.push(time.seconds, time.nanoseconds, op, key, attributes, line);
      continue;
    }
    // a placeholder, filled below
    otherUpdates.push(columns.count);
    otherTexts.push(text.slice(routeStart, end));
    otherLines.push(line);
    key.family = 4;
    key.length = 0;
    key.v4 = 0;
    columns.push(time.seconds, time.nanoseconds, op, key, NO_ATTRIBUTES, line);
  }
  if (otherTexts.length > 0) fillOtherRoutes(columns, otherTexts, otherUpdates, otherLines, families, source);
  return columnStream(columns, { skipped: new Map() });
}

/** OP_ADD, OP_REPLACE or OP_DEL for the verb at `text[start, end)`, or -1. */
function verbOf(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 3 && text.startsWith('add', start)) return OP_ADD;
  if (length === 3 && text.startsWith('del', start)) return OP_DEL;
  if (length === 7 && text.startsWith('replace', start)) return OP_REPLACE;
  return -1;
}

/** Where the word at or after `from` ends. */
function blankAt(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && !isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** Where the next word starts, at or after `from`. */
function wordAt(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** The attributes of one route in `ip route` syntax (one line's, which must hold one route). */
function routeOfLine(route: string, source: string, line: number): RouteAttributes {
  const list = new RouteList();
  try {
    parseIpRoutes(route, '', list);
  } catch (error) {
    if (!(error instanceof RouteFormatError)) throw error;
    throw new UpdateFormatError(source, line, error.message.slice(`:${error.line}: `.length));
  }
  if (list.count !== 1) {
    throw new UpdateFormatError(source, line, list.count === 0 ? `no route found in ${quoteInput(route)}` : 'a route of its own on each line: this one holds several');
  }
  return attributesOf(list, 0);
}

/** Route `i` of `list` as attributes: one shape for every route (no spread: it is slow per line). */
function attributesOf(list: RouteList, i: number): RouteAttributes {
  return { type: ROUTE_TYPES[list.type[i]], nextHop: list.nextHop[i], dev: list.dev[i], metric: list.metric[i], nextHops: list.nextHops.get(i) };
}

/**
 * Sets `attributes` (and, for del, `key`) from `PREFIX [via ADDRESS] [dev NAME]` of a del line;
 * returns the attributes that narrow what is removed, or undefined.
 */
function deletion(words: string[], key: PrefixBuffer, via: PrefixBuffer, nextHops: Interner<string>,
  fail: (message: string) => UpdateFormatError): RouteAttributes | undefined {
  const attributes: RouteAttributes = {};
  for (let i = 1; i < words.length; i += 2) {
    const [word, value] = [words[i], words[i + 1]];
    if ((word !== 'via' && word !== 'dev') || value === undefined || (word === 'via' ? 'nextHop' : 'dev') in attributes) {
      throw fail(`del takes PREFIX [via ADDRESS] [dev NAME], found ${quoteInput(words.join(' '))}`);
    }
    if (word === 'via') attributes.nextHop = nextHops.get(value, 0, value.length);
    else attributes.dev = value;
  }
  let prefixText = words[0];
  if (prefixText === 'default') {
    const hop = attributes.nextHop;
    prefixText = hop !== undefined && hop !== null && scanAddress(hop, 0, hop.length, via) === 6 ? '::/0' : '0.0.0.0/0';
  }
  const status = scanPrefix(prefixText, 0, prefixText.length, key);
  if (status !== PREFIX_OK) throw fail(`expected ${PREFIX_EXAMPLE} or 'default' after del, found ${quoteInput(words[0])} (${prefixErrorReason(status, prefixText)})`);
  return words.length > 1 ? attributes : undefined;
}

/**
 * Parses the routes that do not start with a prefix with the `ip route` parser, one route a line,
 * into their placeholders. A `default` without a family of its own takes the file's (rule 4 of
 * src/routes/ip.ts): one line of each family the other routes had stands in for them.
 */
function fillOtherRoutes(columns: UpdateColumns, texts: string[], targets: number[], lines: number[],
  families: { 4: boolean; 6: boolean }, source: string): void {
  const list = new RouteList();
  const hints = `${families[4] ? '\n0.0.0.0/0' : ''}${families[6] ? '\n::/0' : ''}`;
  try {
    parseIpRoutes(texts.join('\n') + hints, '', list);
  } catch (error) {
    if (!(error instanceof RouteFormatError)) throw error;
    throw new UpdateFormatError(source, lines[error.line - 1] ?? 0, error.message.slice(`:${error.line}: `.length));
  }
  const seen = new Uint8Array(targets.length);
  const key = createPrefixBuffer();
  for (let i = 0; i < list.count; i++) {
    const index = list.line[i] - 1;
    if (index >= targets.length) continue; // a hint's route
    if (seen[index]) throw new UpdateFormatError(source, lines[index], 'a route of its own on each line: this one holds several');
    seen[index] = 1;
    key.family = list.family[i] as 4 | 6;
    key.length = list.prefixLength[i];
    if (key.family === 4) key.v4 = list.v4[i];
    else key.v6.set(list.v6.subarray(i * 16, i * 16 + 16));
    columns.setRoute(targets[index], key, columns.addAttributes(attributesOf(list, i)));
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new UpdateFormatError(source, lines[missing], `no route found in ${quoteInput(texts[missing])}`);
}
