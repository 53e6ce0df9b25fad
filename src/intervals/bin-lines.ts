// The lines of a bin in the line formats, written as the bin closes (docs/intervals.md):
// ndjson an `interval` line (times, totals, the rest summed) and a line per route or destination
// with the bin's `start` and `end`; csv a row per route or destination, `start` and `end` first.
import { jsonText } from '../report/exact-json.js';
import { csvField } from '../report/csv.js';
import type { Interval } from './interval.js';

/** The `--by` kinds whose rows a bin has: the others give the `interval` lines only. */
export const BINNED_BYS = ['route', 'destination'] as const;

export function binnedBy(by: string): by is (typeof BINNED_BYS)[number] {
  return (BINNED_BYS as readonly string[]).includes(by);
}

/** The bin's ndjson lines, each ending in "\n". */
export function binNdjson(bin: Interval, by: string): string {
  const times = { start: bin.start, end: bin.end };
  const lines = [jsonText({
    type: 'interval', ...times, bins: bin.bins, ...bin.totals, otherRoutes: bin.otherRoutes, otherDestinations: bin.otherDestinations,
  })];
  if (by === 'route') {
    for (const { prefix, nextHop, dev, metric, type, packets, bytes, ...bgp } of bin.routes) {
      // the fields of the whole report's route lines, in their order (a route's own type is routeType)
      lines.push(jsonText({ type: 'route', ...times, prefix, nextHop, dev, metric, routeType: type, packets, bytes, ...bgp }));
    }
  } else if (by === 'destination') {
    for (const destination of bin.destinations) lines.push(jsonText({ type: 'destination', ...times, ...destination }));
  }
  return `${lines.join('\n')}\n`;
}

/** The csv columns of `by`'s rows (as `-f csv` without bins), after `start` and `end`. */
const CSV_COLUMNS: Record<(typeof BINNED_BYS)[number], readonly string[]> = {
  route: ['prefix', 'nextHop', 'dev', 'metric', 'routeType', 'packets', 'bytes', 'destinations'],
  destination: ['address', 'prefix', 'packets', 'bytes', 'firstSeen', 'lastSeen'],
};

export function binCsvHeader(by: (typeof BINNED_BYS)[number]): string {
  return `${['start', 'end', ...CSV_COLUMNS[by]].join(',')}\n`;
}

/**
 * The bin's csv rows; the columns a bin has not (a route's destinations, a destination's first
 * and last seen) are empty.
 */
export function binCsv(bin: Interval, by: (typeof BINNED_BYS)[number]): string {
  let text = '';
  const row = (fields: (string | number | bigint | null)[]) => {
    text += `${[bin.start, bin.end, ...fields].map(csvField).join(',')}\n`;
  };
  if (by === 'route') for (const r of bin.routes) row([r.prefix, r.nextHop, r.dev, r.metric, r.type, r.packets, r.bytes, null]);
  else for (const d of bin.destinations) row([d.address, d.prefix, d.packets, d.bytes, null, null]);
  return text;
}

/** The whole report's csv rows under the bins' header: `start` and `end` empty. */
export function wholeCsvRows(csv: string): string {
  const body = csv.slice(csv.indexOf('\n') + 1);
  return body.split('\n').filter((line) => line !== '').map((line) => `,,${line}\n`).join('');
}
