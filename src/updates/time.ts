// The times of update lines: seconds since 1970 with an optional fraction (`1418774413.250`, as
// bgpdump and the LINX trace print them) or RFC 3339 (`2014-12-17T00:00:13.25Z`, `…+01:00`).
import type { Moment } from '../analyze/capture-clock.js';

const SECONDS = /^(\d{1,10})(?:\.(\d{1,9}))?$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const MAX_SECONDS = 0xffffffff;

/** The moment `text` names, or why it is not a time (capture times: seconds 0..2^32-1, nanoseconds). */
export function parseUpdateTime(text: string): Moment | string {
  const fast = plainSeconds(text);
  if (fast !== undefined) return fast;
  const plain = SECONDS.exec(text);
  if (plain) {
    const seconds = Number(plain[1]);
    if (seconds > MAX_SECONDS) return `${text} is past the last second a capture can hold (${MAX_SECONDS})`;
    return { seconds, nanoseconds: nanosecondsOf(plain[2]) };
  }
  const dated = RFC3339.exec(text);
  if (dated) {
    const [, year, month, day, hour, minute, second, fraction, zone] = dated;
    const offset = zone === 'Z' || zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    const ms = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second));
    const check = new Date(ms);
    if (Number.isNaN(ms) || check.getUTCDate() !== Number(day) || check.getUTCHours() !== Number(hour) || Number(second) > 59) {
      return `${text} is not a date and time that exists`;
    }
    const seconds = ms / 1000 - offset * 60;
    if (seconds < 0 || seconds > MAX_SECONDS) return `${text} is outside the times a capture can hold (1970 to 2106)`;
    return { seconds, nanoseconds: nanosecondsOf(fraction) };
  }
  return `expected a time as seconds since 1970 (1418774413 or 1418774413.25) or RFC 3339 (2014-12-17T00:00:13Z), found '${text.slice(0, 40)}'`;
}

/**
 * parseUpdateTime of `text[start, end)` into `out`: undefined when it is a time, else why not.
 * The common form, seconds with a fraction, is read in place, without a string or an object.
 */
export function parseUpdateTimeInto(text: string, start: number, end: number, out: Moment): string | undefined {
  if (plainSecondsInto(text, start, end, out)) return undefined;
  const time = parseUpdateTime(text.slice(start, end));
  if (typeof time === 'string') return time;
  out.seconds = time.seconds;
  out.nanoseconds = time.nanoseconds;
  return undefined;
}

function plainSecondsInto(text: string, start: number, end: number, out: Moment): boolean {
  let seconds = 0;
  let i = start;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seconds = seconds * 10 + c;
  }
  if (i === start || i - start > 10 || seconds > MAX_SECONDS) return false;
  let nanoseconds = 0;
  if (i < end) {
    const digits = end - i - 1;
    if (text.charCodeAt(i) !== 46 || digits < 1 || digits > 9) return false;
    for (let j = i + 1; j < end; j++) {
      const c = text.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return false;
      nanoseconds = nanoseconds * 10 + c;
    }
    for (let j = digits; j < 9; j++) nanoseconds *= 10;
  }
  out.seconds = seconds;
  out.nanoseconds = nanoseconds;
  return true;
}

/** `SECONDS[.FRACTION]` read by character codes: the time of nearly every line, so no regular expression. */
function plainSeconds(text: string): Moment | undefined {
  let seconds = 0;
  let i = 0;
  const length = text.length;
  for (; i < length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    seconds = seconds * 10 + c;
  }
  if (i === 0 || i > 10 || seconds > MAX_SECONDS) return undefined;
  if (i === length) return { seconds, nanoseconds: 0 };
  if (text.charCodeAt(i) !== 46 || length - i - 1 < 1 || length - i - 1 > 9) return undefined;
  let nanoseconds = 0;
  for (let j = i + 1; j < length; j++) {
    const c = text.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return undefined;
    nanoseconds = nanoseconds * 10 + c;
  }
  for (let j = length - i - 1; j < 9; j++) nanoseconds *= 10;
  return { seconds, nanoseconds };
}

function nanosecondsOf(fraction: string | undefined): number {
  return fraction === undefined ? 0 : Number(fraction.padEnd(9, '0'));
}

/** `1418774413.25 (2014-12-17T00:00:13.25Z)`: as written in streams, and readable. */
export function describeMoment(moment: Moment): string {
  const fraction = moment.nanoseconds === 0 ? '' : `.${String(moment.nanoseconds).padStart(9, '0').replace(/0+$/, '')}`;
  const iso = new Date(moment.seconds * 1000).toISOString().replace(/\.000Z$/, `${fraction}Z`);
  return `${moment.seconds}${fraction} (${iso})`;
}
