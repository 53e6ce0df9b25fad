// Human units for counts in tables: the terminal table and the browser demo print them alike.
// Three significant digits need no exactness: a bigint count (above 2^53) is scaled as a number.
import type { Count } from '../analyze/report.js';

const PACKET_SUFFIXES = ['', 'k', 'M', 'G', 'T', 'P'];
const BYTE_UNITS = [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'];

/** Packets with decimal suffixes and three significant digits: 999, 1.00k, 12.3k, 1.23M. */
export function humanPackets(n: Count): string {
  return scaled(Number(n), 1000, PACKET_SUFFIXES);
}

/** Bytes in binary units with three significant digits: 512 B, 1.50 KiB, 3.40 GiB. */
export function humanBytes(n: Count): string {
  return scaled(Number(n), 1024, BYTE_UNITS);
}

function scaled(n: number, base: number, units: string[]): string {
  if (n < base) return `${n}${units[0]}`;
  let value = n;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  // three significant digits, deciding the decimals on the rounded value (9.996 → 10.0)
  let decimals = value < 9.995 ? 2 : value < 99.95 ? 1 : 0;
  if (value >= 999.5 && unit < units.length - 1) {
    // rounds up to the next unit: 1023.9 KiB → 1.00 MiB
    value /= base;
    unit++;
    decimals = 2;
  }
  return `${value.toFixed(decimals)}${units[unit]}`;
}
