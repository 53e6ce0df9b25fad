// The browser demo's summary (web/src/summary.ts): the time span of the counted traffic.
import { describe, expect, it } from 'vitest';
import { linkTypeName } from '../src/report/link-type-names.js';
import { formatDuration, implausibleTimes, isoTime, timeSpan } from '../web/src/summary.js';
import { analyzeBytes, testFib } from './helpers/analyze.js';
import { pcap } from './helpers/captures.js';
import { arpFrame, ETHERTYPE, ethernet, LINKTYPE, udp4 } from './helpers/packets.js';

describe('time span', () => {
  it('runs from the earliest firstSeen to the latest lastSeen of the destinations', () => {
    const span = timeSpan([
      { firstSeen: '2026-01-01T00:00:05.250000Z', lastSeen: '2026-01-01T00:00:06.000000Z' },
      { firstSeen: '2026-01-01T00:00:01.500000Z', lastSeen: '2026-01-01T00:00:02.000000Z' },
      { firstSeen: '2026-01-01T00:00:03.000000Z', lastSeen: '2026-01-01T00:01:00.000001Z' },
    ]);
    expect(span).toEqual({ first: '2026-01-01T00:00:01.500000Z', last: '2026-01-01T00:01:00.000001Z', seconds: 58.500001 });
    expect(timeSpan([])).toBeNull();
  });

  it('covers the counted packets of an analyzed capture, not the records around them', async () => {
    const ip = (dst: string) => ethernet({ etherType: ETHERTYPE.IPV4, payload: udp4('198.51.100.1', dst) });
    const bytes = pcap({ linkType: LINKTYPE.EN10MB, nanosecond: true, records: [
      { ts: { sec: 1_767_225_600, frac: 0 }, data: arpFrame() },
      { ts: { sec: 1_767_225_601, frac: 123_456_789 }, data: ip('10.1.2.3') },
      { ts: { sec: 1_767_225_603, frac: 5 }, data: ip('192.0.2.9') },
      { ts: { sec: 1_767_225_602, frac: 0 }, data: ip('10.1.2.3') },
      { ts: { sec: 1_767_225_609, frac: 0 }, data: arpFrame() },
    ] });
    const report = analyzeBytes(await testFib(), bytes);
    expect(timeSpan(report.destinations)).toEqual({
      first: '2026-01-01T00:00:01.123456789Z', last: '2026-01-01T00:00:03.000000005Z', seconds: 1.876543216,
    });
  });

  it('reads report times of any precision', () => {
    expect(isoTime('1970-01-01T00:00:00Z')).toEqual({ seconds: 0, nanoseconds: 0 });
    expect(isoTime('2026-01-01T00:00:00.000001Z')).toEqual({ seconds: 1_767_225_600, nanoseconds: 1000 });
    expect(() => isoTime('yesterday')).toThrow(/not a report time/);
  });

  it('says a duration in words that fit it', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.000042)).toBe('0.000042 s');
    expect(formatDuration(12.3456789)).toBe('12.345679 s');
    expect(formatDuration(184.5)).toBe('3 min 4.5 s');
    expect(formatDuration(7384)).toBe('2 h 3 min 4 s');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 5 * 60)).toBe('3 d 4 h 5 min');
  });
});

describe('times that look wrong', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const span = (first: string, last: string) => timeSpan([{ firstSeen: first, lastSeen: last }]);

  it('passes a capture of minutes, hours, a year; of 1970 too (a synthetic capture starts at 0)', () => {
    expect(implausibleTimes(span('2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z'), 0, now)).toBeNull();
    expect(implausibleTimes(span('2025-06-01T00:00:00Z', '2026-06-01T00:00:00Z'), 0, now)).toBeNull();
    expect(implausibleTimes(span('1970-01-01T00:00:00Z', '1970-01-01T00:00:09Z'), 0, now)).toBeNull();
    expect(implausibleTimes(null, 0, now)).toBeNull();
  });

  it('says why: a span of decades, times in the future, records with times out of range', () => {
    // the capture: "22611 d"
    const decades = span('1970-01-01T00:00:00Z', '2031-11-28T00:00:00Z');
    expect(decades!.seconds / 86400).toBe(22611);
    expect(implausibleTimes(decades, 0, now)).toBe('the counted packets span 22611 d 0 h 0 min');
    expect(implausibleTimes(span('2026-06-01T00:00:00Z', '2026-06-03T00:00:00Z'), 0, now)).toBe('the last counted packet is in the future (2026-06-03T00:00:00Z)');
    expect(implausibleTimes(span('2026-01-01T00:00:00Z', '2026-01-01T00:05:00Z'), 3, now)).toBe('3 records have times out of range');
  });
});

describe('link type names', () => {
  it('names every link type the test builders know by its LINKTYPE_ name, others by number', () => {
    for (const [name, value] of Object.entries(LINKTYPE)) {
      if (name === 'USER0') continue;
      expect(linkTypeName(value)).toBe(`${value} (${name.replace(/_1[24]$/, '')})`);
    }
    expect(linkTypeName(147)).toBe('147');
    expect(linkTypeName(9999)).toBe('9999');
  });
});
