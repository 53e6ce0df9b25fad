// The LINX update trace (/work/shared/data/routes/linx-2014-v4-updates.txt.gz):
//
//     1418774413 a 202.70.88.0/21 195.66.226.74     announcement: the prefix now goes via that next hop
//     1418774413 w 131.100.248.0/22 0.0.0.0         withdrawal (the next hop field is 0.0.0.0, or absent)
//
// An announcement replaces every route of the prefix; a withdrawal removes them.
import { UpdateFormatError } from '../errors.js';
import { createPrefixBuffer, PREFIX_OK, prefixErrorReason, scanAddress, scanPrefix } from '../net/address.js';
import { canonicalNextHop, Interner, PREFIX_EXAMPLE, quoteInput } from '../routes/scan.js';
import { columnStream, NO_ATTRIBUTES, OP_DEL, OP_REPLACE, UpdateColumns } from './columns.js';
import { forEachLine, wordsOf } from './lines.js';
import { parseUpdateTime } from './time.js';
import type { UpdateStream } from './types.js';

export function parseLinxUpdates(text: string, source: string): UpdateStream {
  const columns = new UpdateColumns(source);
  const prefix = createPrefixBuffer();
  const address = createPrefixBuffer();
  // one attributes object per next hop, numbered in the columns
  const nextHops = new Interner((hop) => columns.addAttributes({ nextHop: canonicalNextHop(hop) }));
  forEachLine(text, (line, content) => {
    const words = wordsOf(content);
    const fail = (message: string) => new UpdateFormatError(source, line, message);
    const [timeText, kind, prefixText, nextHop] = words;
    if (words.length < 3 || words.length > 4 || (kind !== 'a' && kind !== 'w')) {
      throw fail(`expected a LINX update line 'TIME a|w PREFIX NEXTHOP', found ${quoteInput(content)}`);
    }
    const time = parseUpdateTime(timeText);
    if (typeof time === 'string') throw fail(time);
    const status = scanPrefix(prefixText, 0, prefixText.length, prefix);
    if (status !== PREFIX_OK) throw fail(`expected ${PREFIX_EXAMPLE}, found ${quoteInput(prefixText)} (${prefixErrorReason(status, prefixText)})`);
    if (kind === 'w') {
      columns.push(time.seconds, time.nanoseconds, OP_DEL, prefix, NO_ATTRIBUTES, line);
      return;
    }
    if (nextHop === undefined || scanAddress(nextHop, 0, nextHop.length, address) === 0) {
      throw fail(`an announcement needs a next hop address after the prefix, found ${nextHop === undefined ? 'none' : quoteInput(nextHop)}`);
    }
    columns.push(time.seconds, time.nanoseconds, OP_REPLACE, prefix, nextHops.get(nextHop, 0, nextHop.length), line);
  });
  return columnStream(columns, { skipped: new Map() });
}
