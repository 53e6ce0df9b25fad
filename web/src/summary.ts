// The summary block: the report's totals, its inputs, and the time span of the counted traffic.
import type { DestinationCounters, Report } from '../../src/index.js';
import { linkTypeName } from '../../src/report/link-type-names.js';
import { exact } from './format.js';

export interface TimeSpan {
  /** the earliest firstSeen and the latest lastSeen, as the report writes them */
  first: string;
  last: string;
  seconds: number;
}

/**
 * From the first to the last counted packet, from the destinations' firstSeen and lastSeen. The
 * times of one report share one format and precision, so text order is time order.
 */
export function timeSpan(destinations: readonly Pick<DestinationCounters, 'firstSeen' | 'lastSeen'>[]): TimeSpan | null {
  if (destinations.length === 0) return null;
  let first = destinations[0].firstSeen;
  let last = destinations[0].lastSeen;
  for (const d of destinations) {
    if (d.firstSeen < first) first = d.firstSeen;
    if (d.lastSeen > last) last = d.lastSeen;
  }
  const a = isoTime(first);
  const b = isoTime(last);
  return { first, last, seconds: b.seconds - a.seconds + (b.nanoseconds - a.nanoseconds) / 1e9 };
}

/** "2026-01-01T00:00:00.123456Z" as whole seconds since 1970 and nanoseconds. */
export function isoTime(text: string): { seconds: number; nanoseconds: number } {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw new Error(`not a report time: ${text}`);
  return { seconds: Date.parse(`${match[1]}Z`) / 1000, nanoseconds: Number((match[2] ?? '').padEnd(9, '0')) };
}

/** Longer than a year of capture, or later than tomorrow: no capture runs so, a clock did. */
const LONGEST_PLAUSIBLE_SPAN = 366 * 86400;
const LATEST_PLAUSIBLE_AHEAD = 86400;

/**
 * Why the capture's times look wrong, or null: records the reader clamped, a span longer than a
 * year, or times in the future. Durations and bins of such times mean nothing.
 */
export function implausibleTimes(span: TimeSpan | null, badTimes: number, now: Date): string | null {
  if (badTimes > 0) return `${exact(badTimes)} records have times out of range`;
  if (!span) return null;
  if (span.seconds > LONGEST_PLAUSIBLE_SPAN) return `the counted packets span ${formatDuration(span.seconds)}`;
  if (isoTime(span.last).seconds > now.getTime() / 1000 + LATEST_PLAUSIBLE_AHEAD) return `the last counted packet is in the future (${span.last})`;
  return null;
}

/** implausibleTimes of a report's counted packets and inputs. */
export function reportTimesWarning(report: Report, now = new Date()): string | null {
  const badTimes = report.inputs.reduce((sum, input) => sum + (input.badTimes?.records ?? 0), 0);
  return implausibleTimes(timeSpan(report.destinations), badTimes, now);
}

/** 0.000042 s, 12.345678 s, 3 min 4.5 s, 2 h 3 min 4 s, 3 d 4 h 5 min. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(6).replace(/\.?0+$/, '') || '0'} s`;
  const whole = Math.floor(seconds);
  const d = Math.floor(whole / 86400);
  const h = Math.floor((whole % 86400) / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = seconds - d * 86400 - h * 3600 - m * 60;
  if (d > 0) return `${d} d ${h} h ${m} min`;
  if (h > 0) return `${h} h ${m} min ${Math.floor(s)} s`;
  return `${m} min ${s.toFixed(1)} s`;
}

/** Fills the summary list and the inputs table. */
export function renderSummary(list: HTMLElement, inputs: HTMLTableSectionElement, report: Report, now = new Date()): void {
  const t = report.totals;
  const span = timeSpan(report.destinations);
  const wrongTimes = reportTimesWarning(report, now);
  const reasons = Object.entries(t.malformedReasons).map(([reason, n]) => `${reason}: ${exact(n)}`).join(', ');
  const items: [label: string, value: string, testId?: string, detail?: string][] = [
    ['Records', exact(t.records), 'records'],
    ['Bytes', exact(t.bytes), 'bytes'],
    ['Counted', exact(t.counted), 'counted', share(t.counted, t.records, 'of records')],
    ['IPv4 / IPv6', `${exact(t.ipv4)} / ${exact(t.ipv6)}`],
    ['Non-IP', exact(t.nonIp), 'non-ip'],
    ['Malformed', exact(t.malformed), 'malformed', reasons || undefined],
    ['Unsupported link', exact(t.unsupportedLink), 'unsupported-link'],
    ['No route', exact(t.noRoute.packets), 'no-route', `packets, ${exact(t.noRoute.bytes)} bytes`],
    ['Time span', span ? formatDuration(span.seconds) : '–', 'time-span', span ? `from ${span.first} to ${span.last}` : 'no counted packets'],
  ];
  // only with a filter: its rejected records are in Records and nowhere else
  if (t.filtered !== undefined) items.splice(1, 0, ['Filtered out', exact(t.filtered), 'filtered', share(t.filtered, t.records, 'of records, by the filter')]);
  if (wrongTimes) items.push(['Timestamps', 'look wrong', 'timestamps', `${wrongTimes}: durations and the time series mean little`]);
  list.replaceChildren(...items.flatMap(([label, value, testId, detail]) => {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    const number = document.createElement('span');
    number.className = 'value';
    number.textContent = value;
    if (testId) number.dataset.testid = testId;
    dd.append(number);
    if (detail) {
      const small = document.createElement('small');
      small.textContent = ` ${detail}`;
      if (testId === 'time-span' || testId === 'timestamps') small.className = 'block';
      if (testId === 'timestamps') dd.className = 'error-text';
      dd.append(small);
    }
    return [dt, dd];
  }));

  inputs.replaceChildren(...report.inputs.map((input) => {
    const row = document.createElement('tr');
    const cells = [input.path, input.format ?? 'not a capture', input.linkTypes.map(linkTypeName).join(', ') || '–', exact(input.records), input.error ?? 'none'];
    for (const [i, text] of cells.entries()) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) cell.scope = 'row';
      cell.textContent = text;
      if (i === 3) cell.className = 'number';
      if (i === 4 && input.error) cell.className = 'error-text';
      row.append(cell);
    }
    return row;
  }));
}

function share(part: number | bigint, whole: number | bigint, of: string): string | undefined {
  return whole > 0 ? `${((100 * Number(part)) / Number(whole)).toFixed(1)}% ${of}` : undefined;
}
