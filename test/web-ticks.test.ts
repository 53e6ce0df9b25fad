// The browser demo's axis ticks (web/src/ticks.ts): round values of the unit they print in.
import { describe, expect, it } from 'vitest';
import { tickLabel, tickStep, type TickMetric } from '../web/src/ticks.js';
import { Random } from './helpers/random.js';

const UNIT = { bytes: 1024, packets: 1000 };
const SUFFIXES = { bytes: [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'], packets: ['', 'k', 'M', 'G', 'T', 'P'] };

/** Every round step, smallest first, listed the slow way: 1, 2 or 5 times a power of ten, of each unit. */
function roundSteps(metric: TickMetric): number[] {
  const steps = new Set<number>();
  for (let power = 0; power < 6; power++) {
    for (let ten = 1; ten < 1000; ten *= 10) for (const m of [1, 2, 5]) steps.add(m * ten * UNIT[metric] ** power);
  }
  return [...steps].sort((a, b) => a - b);
}

/** A label read back: "5 KiB" → 5120. */
function parse(label: string, metric: TickMetric): number {
  const suffixes = SUFFIXES[metric];
  for (let i = suffixes.length - 1; i >= 0; i--) {
    if (suffixes[i] !== '' && label.endsWith(suffixes[i])) return Number(label.slice(0, -suffixes[i].length)) * UNIT[metric] ** i;
  }
  return Number(label.replace(/ B$/, ''));
}

describe('axis ticks', () => {
  it.each(['bytes', 'packets'] as const)('steps by the smallest round %s step that covers the axis in 8 ticks', (metric) => {
    const random = new Random(3);
    const steps = roundSteps(metric);
    for (let i = 0; i < 2000; i++) {
      const max = i < 10 ? i : Math.floor(random.below(1 << 30) * 2 ** random.below(20) / 2 ** 10);
      const step = tickStep(max, metric);
      expect(steps, `max ${max}`).toContain(step);
      expect(max / step).toBeLessThanOrEqual(8);
      expect(steps.filter((s) => s < step && max / s <= 8)).toEqual([]);
    }
  });

  it.each(['bytes', 'packets'] as const)('labels every %s tick with a round number of one unit that reads back to its value', (metric) => {
    for (const max of [7, 999, 10_000, 123_456, 9_999_999, 3e9, 5e12]) {
      const step = tickStep(max, metric);
      const labels = Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => tickLabel(i * step, step, metric));
      for (const [i, label] of labels.entries()) {
        expect(parse(label, metric)).toBe(i * step);
        // no 9.77 KiB: a whole number of the unit, or a round decimal of it
        expect(label).toMatch(/^\d+(\.\d)? ?[A-Za-z]*$/);
      }
      // one unit along the axis
      expect(new Set(labels.slice(1).map((l) => l.replace(/^[\d.]+ ?/, ''))).size).toBe(1);
    }
    // the example of the issue: 10,000 bytes is not a tick, 10 KiB is
    expect(tickLabel(tickStep(40_000, 'bytes') * 2, tickStep(40_000, 'bytes'), 'bytes')).toBe('10 KiB');
  });
});
