/**
 * Reading a routes file from disk (Node only; kept apart from `index.ts` so that browser bundles
 * do not pull in node:fs). Gzip- and bzip2-compressed files are recognised by their magic bytes
 * (1f 8b; `BZh`), whatever their name; text is decoded as UTF-8, MRT (binary) read as it is.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { FibscopeError } from '../errors.js';
import { parseMrtRoutes } from '../mrt/routes.js';
import { detectRouteFormatOfBytes } from './detect.js';
import type { ParseRoutesOptions } from './index.js';
import { parseRoutes } from './index.js';
import { RouteList } from './route-list.js';

const gunzipAsync = promisify(gunzip);

/** What is used of seek-bzip 2.0.0 (pure JavaScript, no types of its own), loaded when a bzip2 file comes. */
interface Bunzip {
  /** A whole bzip2 file; `multistream` reads the streams of a parallel bzip2 one after another. */
  decode(input: Uint8Array, output: undefined, multistream: boolean): Uint8Array;
}
const require = createRequire(import.meta.url);

export interface ReadRoutesOptions extends Omit<ParseRoutesOptions, 'source'> {
  /** MRT RIB dumps: only this peer's routes (`ADDRESS` or `AS`; docs/route-formats.md "MRT"). */
  peer?: string;
}

/**
 * Reads and parses a routes file; errors name `path` as the source. A file that cannot be read
 * or decompressed rejects with FibscopeError code 'ROUTES_UNREADABLE'; a bad line with
 * RouteFormatError, a bad MRT record with MrtFormatError. An MRT file cut short gives the routes
 * before the cut (fib.load says where it was cut).
 */
export async function readRoutesFile(path: string, options: ReadRoutesOptions = {},
  into: RouteList = new RouteList()): Promise<RouteList> {
  const bytes = await readRoutesBytes(path);
  const format = options.format ?? 'auto';
  if (format === 'mrt' || (format === 'auto' && detectRouteFormatOfBytes(bytes) === 'mrt')) {
    return parseMrtRoutes(bytes, { source: path, peer: options.peer }, into).routes;
  }
  return parseRoutes(decode(bytes), { format, source: path }, into);
}

/**
 * The bytes of a routes file, decompressed when they are gzip or bzip2: for `fib.load(bytes, { source })`,
 * which reads plain-format text without decoding it to a string first, and MRT. A file that cannot be
 * read or decompressed rejects with FibscopeError code 'ROUTES_UNREADABLE'.
 */
export async function readRoutesBytes(path: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (error) {
      throw unreadable(path, error, 'it starts like gzip but does not decompress');
    }
  } else if (isBzip2(bytes)) {
    try {
      bytes = (require('seek-bzip') as Bunzip).decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), undefined, true);
    } catch (error) {
      throw unreadable(path, error, 'it starts like bzip2 but does not decompress');
    }
  }
  return bytes;
}

/** `BZh` and a block size digit 1-9. */
function isBzip2(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68 && bytes[3] >= 0x31 && bytes[3] <= 0x39;
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function decode(bytes: Uint8Array): string {
  // Not fatal: invalid bytes become U+FFFD, which parseRoutes reports as a binary file near the
  // start, or as a bad line further down.
  return new TextDecoder('utf-8').decode(bytes);
}

/** "ENOENT: no such file or directory, open 'x'" → "no such file or directory (ENOENT)". */
function unreadable(path: string, error: unknown, context?: string): FibscopeError {
  if ((error as { code?: unknown } | null)?.code === 'EISDIR') {
    return new FibscopeError('ROUTES_UNREADABLE', `cannot read routes file ${path}: it is a directory, not a routes file`);
  }
  let reason = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (reason.startsWith(`${code}: `)) reason = reason.slice(code.length + 2);
    const comma = reason.lastIndexOf(', ');
    if (comma > 0 && /^, [a-z]+ '/.test(reason.slice(comma))) reason = reason.slice(0, comma);
    reason = `${reason} (${code})`;
  }
  const message = context
    ? `cannot read routes file ${path}: ${context}: ${reason}`
    : `cannot read routes file ${path}: ${reason}`;
  const result = new FibscopeError('ROUTES_UNREADABLE', message);
  (result as { cause?: unknown }).cause = error;
  return result;
}
