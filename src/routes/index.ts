/**
 * The front door to the route formats of docs/route-formats.md: `parseRoutes(text, { format })` picks
 * (or detects) the parser and appends the routes to a `RouteList`. Works in Node and browsers;
 * reading files lives in `read.ts`.
 */

import { FibscopeArgumentError } from '../errors.js';
import { parseBgpdumpRoutes } from './bgpdump.js';
import { detectRouteFormat } from './detect.js';
import { parseIpRoutes } from './ip.js';
import { parseIpJsonRoutes } from './ip-json.js';
import { parsePfx2asRoutes } from './pfx2as.js';
import { parsePlainRoutes } from './plain.js';
import { RouteList } from './route-list.js';
import { checkIsText, skipByteOrderMarks } from './text-check.js';

/** A route file format: text ones, and MRT (binary: read from bytes, by `fib.load` and `readRoutesFile`). */
export type RouteFormat = TextRouteFormat | 'mrt';
export type TextRouteFormat = 'plain' | 'ip' | 'ip-json' | 'pfx2as' | 'bgpdump';
export const ROUTE_FORMATS: readonly RouteFormat[] = ['plain', 'ip', 'ip-json', 'pfx2as', 'bgpdump', 'mrt'];

export interface ParseRoutesOptions {
  /** The format, or 'auto' (the default) to detect it from the first lines. */
  format?: RouteFormat | 'auto';
  /** Names the input in error messages (a path); defaults to '<string>'. */
  source?: string;
}

const PARSERS: Record<TextRouteFormat, (text: string, source: string, into: RouteList) => RouteList> = {
  plain: parsePlainRoutes,
  ip: parseIpRoutes,
  'ip-json': parseIpJsonRoutes,
  pfx2as: parsePfx2asRoutes,
  bgpdump: parseBgpdumpRoutes,
};

/**
 * Parses routes from text in any format of docs/route-formats.md and appends them to `into` (a new list
 * by default), which it returns. An empty input or one with only comments gives no routes; that
 * is not an error here. A bad line throws `RouteFormatError` naming the source, the line and what
 * was expected; text that looks binary (a NUL byte, another control character, or U+FFFD from
 * bytes that are not UTF-8, anywhere) throws one naming that line (see `text-check.ts`). Byte
 * order marks at the start are skipped. On an error, routes of the lines before it may already
 * be in `into`.
 */
export function parseRoutes(text: string, options: ParseRoutesOptions = {}, into: RouteList = new RouteList()): RouteList {
  const source = options.source ?? '<string>';
  const requested = options.format ?? 'auto';
  if (requested === 'mrt') {
    throw new FibscopeArgumentError(`MRT is a binary format: give its bytes to fib.load or its file to readRoutesFile, not text (${source})`);
  }
  if (requested !== 'auto' && !Object.hasOwn(PARSERS, requested)) {
    throw new FibscopeArgumentError(`unknown routes format '${String(requested)}' (expected auto, ${ROUTE_FORMATS.join(', ')})`);
  }
  text = skipByteOrderMarks(text);
  checkIsText(text, source);
  const format = requested === 'auto' ? detectRouteFormat(text) : requested;
  return PARSERS[format](text, source, into);
}

export { detectRouteFormat, detectRouteFormatOfBytes } from './detect.js';
export { parseBgpdumpRoutes } from './bgpdump.js';
export { parseIpRoutes } from './ip.js';
export { parseIpJsonRoutes } from './ip-json.js';
export { parsePfx2asRoutes } from './pfx2as.js';
export { parsePlainRoutes } from './plain.js';
export { RouteList } from './route-list.js';
export { asAttributesOfOrigins, asAttributesOfPath, communitiesOf } from './bgp-attributes.js';
