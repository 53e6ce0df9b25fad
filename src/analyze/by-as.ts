/**
 * Traffic by origin AS: `--by as` from the report's routes, `--by src-as` from its source routes,
 * `--matrix src-as,as` from its route-pair matrix. Routes carry their origin AS when the routes
 * input had it (bgpdump -m, pfx2as; docs/route-formats.md "BGP attributes"). Sums are exact counts.
 */

import type { Fib } from '../fib/fib.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { Count, MatrixReport, RouteBgpFields } from './report.js';

/** What `byOriginAs` reads of a row: report.routes and report.sourceRoutes rows are such. */
export interface OriginAsRow extends RouteBgpFields {
  prefix: string;
  packets: Count;
  bytes: Count;
}

/** One origin AS (null: routes without AS data) and the traffic of its routes. */
export interface AsCounters {
  as: number | null;
  packets: Count;
  bytes: Count;
  /** Distinct prefixes of its routes among the rows. */
  prefixes: number;
}

/** The route-pair matrix by (source origin AS, destination origin AS); null: no route, or a route without AS data. */
export interface AsMatrixReport {
  cells: { from: number | null; to: number | null; packets: Count; bytes: Count }[];
  /** The route-pair matrix's `other` as it is: those pairs are summed already, their ASes unknown. */
  other: MatrixReport['other'];
  lost?: Count;
}

/**
 * Sums the rows by origin AS (a route with several origins counts under its `originAs`, the
 * first), busiest first; ties by AS number, `as: null` last among equals.
 */
export function byOriginAs(rows: readonly OriginAsRow[]): AsCounters[] {
  const groups = new Map<number | null, { counters: AsCounters; prefixes: Set<string> }>();
  for (const row of rows) {
    const as = row.originAs ?? null;
    let group = groups.get(as);
    if (!group) groups.set(as, (group = { counters: { as, packets: 0, bytes: 0, prefixes: 0 }, prefixes: new Set() }));
    group.counters.packets = addCounts(group.counters.packets, row.packets);
    group.counters.bytes = addCounts(group.counters.bytes, row.bytes);
    group.prefixes.add(row.prefix);
  }
  const out = [...groups.values()].map(({ counters, prefixes }) => ({ ...counters, prefixes: prefixes.size }));
  return out.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes) || compareAs(a.as, b.as));
}

/**
 * The cells of a route-pair matrix summed by AS pair, busiest first. Only the matrix's top cells
 * have routes to take ASes from: its `other` stays `other`, summed as before (and `lost` too).
 */
export function byOriginAsMatrix(matrix: MatrixReport): AsMatrixReport {
  const groups = new Map<string, AsMatrixReport['cells'][number]>();
  for (const cell of matrix.cells) {
    const from = cell.fromOriginAs ?? null;
    const to = cell.toOriginAs ?? null;
    const key = `${from} ${to}`;
    const group = groups.get(key);
    if (group) {
      group.packets = addCounts(group.packets, cell.packets);
      group.bytes = addCounts(group.bytes, cell.bytes);
    } else {
      groups.set(key, { from, to, packets: cell.packets, bytes: cell.bytes });
    }
  }
  const cells = [...groups.values()].sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes)
    || compareAs(a.from, b.from) || compareAs(a.to, b.to));
  return { cells, other: { ...matrix.other }, ...(matrix.lost !== undefined ? { lost: matrix.lost } : {}) };
}

/**
 * What to tell the user when `option` (`--by as`, `--by src-as`, `--matrix src-as,as`) cannot
 * work: no route of the table (a Fib), or none of the report's rows or matrix cells, has an
 * origin AS. Undefined when some has. With rows, an empty list is no evidence either way: undefined.
 */
export function missingAsData(option: string, source: Fib | readonly OriginAsRow[] | MatrixReport): string | undefined {
  const what = `${option} needs routes with AS data (bgpdump -m or pfx2as)`;
  if (Array.isArray(source)) {
    const rows = source as readonly OriginAsRow[];
    if (rows.length === 0 || rows.some((row) => row.originAs !== undefined)) return undefined;
    return `${what}: none of the ${rows.length} routes that carried traffic has an origin AS`;
  }
  if ('cells' in source) {
    const cells = source.cells;
    if (cells.length === 0 || cells.some((cell) => cell.fromOriginAs !== undefined || cell.toOriginAs !== undefined)) return undefined;
    return `${what}: none of the routes of the ${cells.length} busiest route pairs has an origin AS`;
  }
  return (source as Fib).hasOriginAs() ? undefined : `${what}: the routing table has no origin AS for any route`;
}

/** AS numbers ascending, null (no AS data) after them. */
function compareAs(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}
