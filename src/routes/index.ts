/**
 * The front door to the route formats of SPEC section 3: `parseRoutes(text, { format })` picks
 * (or detects) the parser and appends the routes to a `RouteList`. Works in Node and browsers;
 * reading files lives in `read.ts`.
 */

import { FibscopeArgumentError, RouteFormatError } from '../errors.js';
import { parseBgpdumpRoutes } from './bgpdump.js';
import { detectRouteFormat } from './detect.js';
import { parseIpRoutes } from './ip.js';
import { parseIpJsonRoutes } from './ip-json.js';
import { parsePfx2asRoutes } from './pfx2as.js';
import { parsePlainRoutes } from './plain.js';
import { RouteList } from './route-list.js';

/** A route file format. */
export type RouteFormat = 'plain' | 'ip' | 'ip-json' | 'pfx2as' | 'bgpdump';
export const ROUTE_FORMATS: readonly RouteFormat[] = ['plain', 'ip', 'ip-json', 'pfx2as', 'bgpdump'];

export interface ParseRoutesOptions {
  /** The format, or 'auto' (the default) to detect it from the first lines. */
  format?: RouteFormat | 'auto';
  /** Names the input in error messages (a path); defaults to '<string>'. */
  source?: string;
}

const PARSERS: Record<RouteFormat, (text: string, source: string, into: RouteList) => RouteList> = {
  plain: parsePlainRoutes,
  ip: parseIpRoutes,
  'ip-json': parseIpJsonRoutes,
  pfx2as: parsePfx2asRoutes,
  bgpdump: parseBgpdumpRoutes,
};

/** How much of the start of a file is checked for signs of binary content. */
const BINARY_CHECK_CHARS = 4096;

/**
 * Parses routes from text in any format of SPEC section 3 and appends them to `into` (a new list
 * by default), which it returns. An empty input or one with only comments gives no routes; that
 * is not an error here. A bad line throws `RouteFormatError` naming the source, the line and what
 * was expected; text that looks binary (NUL bytes or U+FFFD from invalid UTF-8 near the start)
 * throws one at line 1. On an error, routes of the lines before it may already be in `into`.
 */
export function parseRoutes(text: string, options: ParseRoutesOptions = {}, into: RouteList = new RouteList()): RouteList {
  const source = options.source ?? '<string>';
  const requested = options.format ?? 'auto';
  if (requested !== 'auto' && !Object.hasOwn(PARSERS, requested)) {
    throw new FibscopeArgumentError(`unknown routes format '${String(requested)}' (expected auto, ${ROUTE_FORMATS.join(', ')})`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  checkNotBinary(text, source);
  const format = requested === 'auto' ? detectRouteFormat(text) : requested;
  return PARSERS[format](text, source, into);
}

function checkNotBinary(text: string, source: string): void {
  const stop = Math.min(text.length, BINARY_CHECK_CHARS);
  for (let i = 0; i < stop; i++) {
    const c = text.charCodeAt(i);
    if (c === 0 || c === 0xfffd) {
      const what = c === 0 ? 'NUL bytes' : 'bytes that are not UTF-8';
      const gzip = text.charCodeAt(0) === 0x1f && (text.charCodeAt(1) === 0x8b || text.charCodeAt(1) === 0xfffd);
      const hint = gzip ? ' (it is gzip-compressed: read it with readRoutesFile)' : '';
      throw new RouteFormatError(source, 1, `expected a text routes file, but it looks binary: ${what} near the start${hint}`);
    }
  }
}

export { detectRouteFormat } from './detect.js';
export { parseBgpdumpRoutes } from './bgpdump.js';
export { parseIpRoutes } from './ip.js';
export { parseIpJsonRoutes } from './ip-json.js';
export { parsePfx2asRoutes } from './pfx2as.js';
export { parsePlainRoutes } from './plain.js';
export { RouteList } from './route-list.js';
