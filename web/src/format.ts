// Numbers as the page prints them: exact, with thousands separators (the tests read them back).
export { humanBytes, humanPackets } from '../../src/report/units.js';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 → "1,234,567" (every digit of a bigint count too) */
export function exact(n: number | bigint): string {
  return GROUPED.format(n);
}
