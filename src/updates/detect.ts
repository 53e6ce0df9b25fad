// Which update format a text is, from its first meaningful line, and parsing it as that.
import { RouteFormatError, UpdateFormatError } from '../errors.js';
import { quoteInput } from '../routes/scan.js';
import { checkIsText, skipByteOrderMarks } from '../routes/text-check.js';
import { parseBgpdumpUpdates, type BgpdumpUpdateOptions } from './bgpdump.js';
import { parseFibscopeUpdates } from './fibscope-lines.js';
import { parseLinxUpdates } from './linx.js';
import { forEachLine, wordsOf } from './lines.js';
import type { UpdateStream } from './types.js';

export type UpdateFormat = 'bgpdump' | 'linx' | 'fibscope';

/** The format of the first meaningful line, or undefined for a text without one. */
export function detectUpdateFormat(text: string, source: string): UpdateFormat | undefined {
  let format: UpdateFormat | undefined;
  forEachLine(text, (line, content) => {
    if (content.startsWith('BGP4MP') || content.startsWith('TABLE_DUMP')) format = 'bgpdump';
    else {
      const verb = wordsOf(content)[1];
      if (verb === 'a' || verb === 'w') format = 'linx';
      else if (verb === 'add' || verb === 'del' || verb === 'replace') format = 'fibscope';
      else {
        throw new UpdateFormatError(source, line, `not a route update stream: expected bgpdump -m lines (BGP4MP|TIME|A|…), `
          + `LINX lines (TIME a|w PREFIX NEXTHOP) or fibscope lines (TIME add|del|replace ROUTE), found ${quoteInput(content)}`);
      }
    }
    return false;
  });
  return format;
}

/** `peer` chooses among the peers of a bgpdump -m stream; the LINX and fibscope formats name none and ignore it. */
export interface ParseUpdatesOptions extends BgpdumpUpdateOptions {
  /** Names the stream in errors and in the report; '<string>' by default. */
  source?: string;
}

/**
 * Reads an update stream of any format of docs/updates.md. A bad line throws UpdateFormatError
 * naming the source and line; a text with no update in it is a stream with none.
 */
export function parseUpdates(text: string, options: ParseUpdatesOptions = {}): UpdateStream {
  const source = options.source ?? '<string>';
  text = skipByteOrderMarks(text);
  try {
    checkIsText(text, source);
  } catch (error) {
    if (!(error instanceof RouteFormatError)) throw error;
    // binary, and not MRT (readUpdatesFile reads MRT before this)
    throw new UpdateFormatError(source, error.line, error.message.slice(`${source}:${error.line}: `.length)
      .replace('expected a text routes file, but', 'expected an update stream (MRT, or bgpdump -m, LINX or fibscope lines), but it is not MRT and'));
  }
  const format = detectUpdateFormat(text, source);
  if (format === 'bgpdump') return parseBgpdumpUpdates(text, source, options);
  if (format === 'linx') return parseLinxUpdates(text, source);
  if (format === 'fibscope') return parseFibscopeUpdates(text, source);
  return { source, updates: [], notes: { skipped: new Map() } };
}
