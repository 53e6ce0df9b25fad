// What every table of `-f table` is drawn with: the style, the columns, the counts and shares.
import Table from 'cli-table3';
import type { Count } from '../analyze/report.js';

// no colours (the output goes to files and pipes as often as to terminals), no rule between rows
export const STYLE = { head: [], border: [], compact: true };

/** The text of a count: human units, or its exact digits. */
export type CountText = (n: Count) => string;

/** A column: heading, alignment, the cell text of a row. */
export type Column<R> = [string, 'left' | 'right', (row: R) => string];

export function render<R>(rows: R[], columns: Column<R>[]): string {
  const table = new Table({
    head: columns.map(([head]) => head),
    colAligns: columns.map(([, align]) => align),
    style: STYLE,
  });
  for (const row of rows) table.push(columns.map(([, , cell]) => cell(row)));
  return table.toString();
}

/** `text (12.3% of what)`, or just `text` when `whole` is 0. */
export function withShare(text: string, part: Count, whole: Count, what: string): string {
  return whole > 0 ? `${text} (${share(part, whole)} of ${what})` : text;
}

/** Every digit, at any size. */
export function plain(n: Count): string {
  return String(n);
}

/** `part` as a percentage of `whole` with one decimal, or '-' when `whole` is 0 (a ratio: rounding is fine). */
export function share(part: Count, whole: Count): string {
  return whole > 0 ? `${((100 * Number(part)) / Number(whole)).toFixed(1)}%` : '-';
}
