// The DURATION of `--interval`: `1s`, `500ms`, `5m`, `1h`, `250us`, `100ns`, or plain seconds (`10`, `0.5`).
import { FibscopeError } from '../errors.js';

const UNIT_NANOSECONDS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n, d: 86_400_000_000_000n,
};

/** Longest bin: a capture's clock spans 2^32 seconds. */
const MAX_NANOSECONDS = 2n ** 32n * 1_000_000_000n;

/**
 * The nanoseconds of `text`; a bad one throws a FibscopeError that names `flag`. A fraction
 * is allowed where it comes to whole nanoseconds (`1.5s`, `0.25ms`).
 */
export function parseDuration(text: string, flag = '--interval'): bigint {
  const match = /^(\d+)(?:\.(\d+))?(ns|us|µs|ms|s|m|h|d)?$/.exec(text.trim());
  const bad = (why: string) => new FibscopeError('BAD_ARGUMENT',
    `${flag} takes a duration such as 1s, 500ms, 5m, 1h or plain seconds (10), not '${text}'${why}`);
  if (!match) throw bad('');
  const unit = UNIT_NANOSECONDS[match[3] ?? 's'];
  const fraction = match[2] ?? '';
  const scaled = BigInt(match[1] + fraction) * unit;
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) throw bad(': not a whole number of nanoseconds');
  const nanoseconds = scaled / divisor;
  if (nanoseconds === 0n) throw bad(': it must be longer than zero');
  if (nanoseconds > MAX_NANOSECONDS) throw bad(': at most 2^32 seconds');
  return nanoseconds;
}

/** `1s`, `500ms`, `5m`: the largest unit that divides it. */
export function formatDuration(nanoseconds: bigint): string {
  for (const unit of ['d', 'h', 'm', 's', 'ms', 'us'] as const) {
    const size = UNIT_NANOSECONDS[unit];
    if (nanoseconds % size === 0n) return `${nanoseconds / size}${unit}`;
  }
  return `${nanoseconds}ns`;
}
