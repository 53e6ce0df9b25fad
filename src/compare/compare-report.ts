// The comparison report (docs/compare.md): both sides' reports, the move matrix, what moves.
import { VERSION } from '../analyze/build-report.js';
import type { InputReport, Report } from '../analyze/report.js';
import type { Fib } from '../fib/fib.js';
import { changeSummary, changedTraffic, type ChangedTraffic, type ChangeSummary } from './changed.js';
import { moveMatrix, type Move } from './moves.js';
import type { Overlay } from './overlay.js';
import { rowPairs, sideReport, sideReportOfRows } from './side-report.js';
import { RELABEL_DESTINATIONS, type DestinationReaders } from '../analyze/build-report.js';
import { ROUTE_ROWS, type RouteRows } from '../analyze/route-rows.js';
import { pairTraffic } from './pair-traffic.js';
import { sideRouteRows } from './side-rows.js';
import type { CompareInterval } from './intervals.js';

export interface CompareReport extends ChangeSummary {
  fibscope: { version: string };
  inputs: InputReport[];
  /** Every (next hop before, next hop after) cell with traffic, busiest first. */
  moves: Move[];
  /** The busiest prefixes whose traffic moves, then the busiest destinations (`top` each). */
  changed: ChangedTraffic[];
  /** What `analyze` with the current table gives on the same captures, exactly. */
  before: Report;
  /** What `analyze` with the proposed table gives. */
  after: Report;
  /** With `--interval` (compareFiles' `interval` without onBin): the comparison bin by bin. */
  intervals?: CompareInterval[];
}

export interface CompareReportOptions {
  /** Prefixes, and destinations, in `changed` (0: all); default 20. */
  top?: number;
}

export const DEFAULT_CHANGED_TOP = 20;

/** The comparison from the report of an analysis by the overlay table. */
export function compareReport(overlay: Overlay, tables: { before: Fib; after: Fib }, report: Report, options: CompareReportOptions = {}): CompareReport {
  const top = options.top ?? DEFAULT_CHANGED_TOP;
  const overlayRows = (report as { [ROUTE_ROWS]?: RouteRows })[ROUTE_ROWS];
  const readers = (report as { [RELABEL_DESTINATIONS]?: DestinationReaders })[RELABEL_DESTINATIONS];
  if (overlayRows && readers) {
    // an Analyzer's report: each side summed in WebAssembly, what moves from typed rows
    const before = sideRouteRows(overlay, tables.before, 'before', overlayRows);
    const after = sideRouteRows(overlay, tables.after, 'after', overlayRows);
    const { moves, changed, ...summary } = pairTraffic(overlay, overlayRows, before.rows, after.rows, report.totals.noRoute, readers, top);
    return {
      fibscope: { version: VERSION },
      inputs: report.inputs,
      ...summary,
      moves,
      changed,
      before: sideReportOfRows(overlay, report, 'before', before, overlayRows, readers),
      after: sideReportOfRows(overlay, report, 'after', after, overlayRows, readers),
    };
  }
  const pairs = rowPairs(overlay, report);
  return {
    fibscope: { version: VERSION },
    inputs: report.inputs,
    ...changeSummary(overlay, report, pairs),
    moves: moveMatrix(overlay, report, pairs),
    changed: changedTraffic(overlay, report, top, pairs),
    before: sideReport(overlay, report, 'before', tables.before, pairs),
    after: sideReport(overlay, report, 'after', tables.after, pairs),
  };
}
