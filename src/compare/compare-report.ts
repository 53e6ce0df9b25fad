// The comparison report (docs/compare.md): both sides' reports, the move matrix, what moves.
import { VERSION } from '../analyze/build-report.js';
import type { InputReport, Report } from '../analyze/report.js';
import type { Fib } from '../fib/fib.js';
import { changeSummary, changedTraffic, type ChangedTraffic, type ChangeSummary } from './changed.js';
import { moveMatrix, type Move } from './moves.js';
import type { Overlay } from './overlay.js';
import { rowPairs, sideReport } from './side-report.js';

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
}

export interface CompareReportOptions {
  /** Prefixes, and destinations, in `changed` (0: all); default 20. */
  top?: number;
}

export const DEFAULT_CHANGED_TOP = 20;

/** The comparison from the report of an analysis by the overlay table. */
export function compareReport(overlay: Overlay, tables: { before: Fib; after: Fib }, report: Report, options: CompareReportOptions = {}): CompareReport {
  const pairs = rowPairs(overlay, report);
  return {
    fibscope: { version: VERSION },
    inputs: report.inputs,
    ...changeSummary(overlay, report, pairs),
    moves: moveMatrix(overlay, report, pairs),
    changed: changedTraffic(overlay, report, options.top ?? DEFAULT_CHANGED_TOP, pairs),
    before: sideReport(overlay, report, 'before', tables.before, pairs),
    after: sideReport(overlay, report, 'after', tables.after, pairs),
  };
}
