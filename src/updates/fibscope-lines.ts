// fibscope's own update lines: a time, a verb, and a route in `ip route` syntax (src/routes/ip.ts):
//
//     1418774413.250 add 10.1.0.0/16 via 192.0.2.1 dev eth0 metric 10
//     2014-12-17T00:00:14Z replace 10.1.0.0/16 via 192.0.2.9
//     1418774415 del 10.1.0.0/16 via 192.0.2.9
//
// `add` adds beside the routes of the prefix, `replace` takes the place of all of them, `del`
// removes them (only those via that next hop and/or on that device, when given).
import { RouteFormatError, UpdateFormatError } from '../errors.js';
import { createPrefixBuffer, formatIPv4, formatIPv6, PREFIX_OK, prefixErrorReason, scanAddress, scanPrefix } from '../net/address.js';
import { parseIpRoutes } from '../routes/ip.js';
import { RouteList } from '../routes/route-list.js';
import { ROUTE_TYPES, type RouteAttributes } from '../routes/route.js';
import { canonicalNextHop, Interner, isBlank, PREFIX_EXAMPLE, quoteInput } from '../routes/scan.js';
import { forEachLine, updateOf, wordsOf } from './lines.js';
import { parseUpdateTime } from './time.js';
import type { RouteUpdate, UpdateStream } from './types.js';

export function parseFibscopeUpdates(text: string, source: string): UpdateStream {
  const updates: RouteUpdate[] = [];
  // the routes of add and replace lines, parsed together by the `ip route` parser: their texts,
  // updates and line numbers side by side
  const routeTexts: string[] = [];
  const routeUpdates: RouteUpdate[] = [];
  const routeLines: number[] = [];
  const prefix = createPrefixBuffer();
  const nextHops = new Interner(canonicalNextHop);
  const fail = (line: number, message: string) => new UpdateFormatError(source, line, message);
  forEachLine(text, (line, content) => {
    // TIME VERB REST, read by hand: this runs for every line of streams of millions
    const timeEnd = blankAt(content, 0);
    const verbStart = wordAt(content, timeEnd);
    const verbEnd = blankAt(content, verbStart);
    const verb = content.slice(verbStart, verbEnd);
    if (timeEnd === content.length || (verb !== 'add' && verb !== 'del' && verb !== 'replace')) {
      throw fail(line, `expected 'TIME add|del|replace ROUTE', found ${quoteInput(content)}`);
    }
    const time = parseUpdateTime(content.slice(0, timeEnd));
    if (typeof time === 'string') throw fail(line, time);
    const rest = content.slice(wordAt(content, verbEnd));
    const where = `${source}:${line}`;
    if (rest === '') {
      throw fail(line, `'${verb}' needs a route after it (${verb === 'del' ? 'PREFIX [via ADDRESS] [dev NAME]' : 'in ip route syntax: PREFIX via ADDRESS dev NAME …'})`);
    }
    if (verb === 'del') {
      const { prefix: deleted, attributes } = deletion(wordsOf(rest), prefix, nextHops, (message) => fail(line, message));
      updates.push(updateOf(time, 'del', deleted, attributes, where));
      return;
    }
    const update = updateOf(time, verb as 'add' | 'replace', '', undefined, where);
    updates.push(update);
    routeTexts.push(rest);
    routeUpdates.push(update);
    routeLines.push(line);
  });
  if (routeTexts.length > 0) fillRoutes(routeTexts, routeUpdates, routeLines, source);
  return { source, updates, notes: { skipped: new Map() } };
}

/** Where the word at or after `from` ends. */
function blankAt(text: string, from: number): number {
  let i = from;
  while (i < text.length && !isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** Where the next word starts, at or after `from`. */
function wordAt(text: string, from: number): number {
  let i = from;
  while (i < text.length && isBlank(text.charCodeAt(i))) i++;
  return i;
}

/** `PREFIX [via ADDRESS] [dev NAME]` of a del line. */
function deletion(words: string[], prefix: ReturnType<typeof createPrefixBuffer>, nextHops: Interner<string>,
  fail: (message: string) => UpdateFormatError): { prefix: string; attributes: RouteAttributes | undefined } {
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
    const via = attributes.nextHop;
    prefixText = via !== undefined && via !== null && scanAddress(via, 0, via.length, prefix) === 6 ? '::/0' : '0.0.0.0/0';
  }
  const status = scanPrefix(prefixText, 0, prefixText.length, prefix);
  if (status !== PREFIX_OK) throw fail(`expected ${PREFIX_EXAMPLE} or 'default' after del, found ${quoteInput(words[0])} (${prefixErrorReason(status, prefixText)})`);
  return { prefix: prefixText, attributes: words.length > 1 ? attributes : undefined };
}

/** Parses the routes of the add and replace lines with the `ip route` parser, one route a line. */
function fillRoutes(texts: string[], targets: RouteUpdate[], lines: number[], source: string): void {
  const list = new RouteList();
  try {
    parseIpRoutes(texts.join('\n'), '', list);
  } catch (error) {
    if (!(error instanceof RouteFormatError)) throw error;
    throw new UpdateFormatError(source, lines[error.line - 1] ?? 0, error.message.slice(`:${error.line}: `.length));
  }
  const seen = new Uint8Array(targets.length);
  for (let i = 0; i < list.count; i++) {
    const index = list.line[i] - 1;
    if (seen[index]) throw new UpdateFormatError(source, lines[index], 'a route of its own on each line: this one holds several');
    seen[index] = 1;
    const update = targets[index];
    update.prefix = list.family[i] === 4 ? `${formatIPv4(list.v4[i])}/${list.prefixLength[i]}` : `${formatIPv6(list.v6, i * 16)}/${list.prefixLength[i]}`;
    // one shape for every route (no spread: it is slow per line)
    update.attributes = { type: ROUTE_TYPES[list.type[i]], nextHop: list.nextHop[i], dev: list.dev[i], metric: list.metric[i], nextHops: list.nextHops.get(i) };
  }
  const missing = seen.indexOf(0);
  if (missing >= 0) throw new UpdateFormatError(source, lines[missing], `no route found in ${quoteInput(texts[missing])}`);
}
