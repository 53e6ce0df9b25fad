// The library entry of `compare`: a table now and a table proposed, one analysis for both.
import { Analyzer, type AnalyzerOptions } from '../analyze/analyzer.js';
import type { Report } from '../analyze/report.js';
import type { Fib } from '../fib/fib.js';
import { compareReport, type CompareReport, type CompareReportOptions } from './compare-report.js';
import { buildOverlay, type Overlay, type OverlayOptions } from './overlay.js';

/**
 * What-if analysis (docs/compare.md): `Comparison.create(current, proposed)` builds the overlay
 * table of the two; an analyzer of it counts each packet once, and `report` gives both sides'
 * reports (each what an Analyzer of that table alone gives), the move matrix and what moves.
 * The two tables must not change while the comparison is in use.
 */
export class Comparison {
  readonly before: Fib;
  readonly after: Fib;
  /** The overlay table: a route per prefix of either table, standing for the pair of routes that cover it. */
  readonly overlay: Overlay;

  private constructor(before: Fib, after: Fib, overlay: Overlay) {
    this.before = before;
    this.after = after;
    this.overlay = overlay;
  }

  static async create(before: Fib, after: Fib, options: OverlayOptions = {}): Promise<Comparison> {
    return new Comparison(before, after, await buildOverlay(before, after, options));
  }

  /** An analyzer that counts by the overlay table; push captures into it, then pass its report to `report`. */
  analyzer(options: Omit<AnalyzerOptions, 'fib' | 'rules' | 'checks' | 'views'> = {}): Analyzer {
    return new Analyzer({ ...options, fib: this.overlay.fib });
  }

  /** The comparison from the report of `analyzer()`. */
  report(overlayReport: Report, options: CompareReportOptions = {}): CompareReport {
    return compareReport(this.overlay, this, overlayReport, options);
  }
}
