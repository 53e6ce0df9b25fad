// Node: compare two tables over capture files, as analyzeFiles analyses them by one.
import { readCapture, type ProgressListener } from '../analyze/analyze-file.js';
import type { Fib } from '../fib/fib.js';
import { FibscopeArgumentError } from '../errors.js';
import type { CompareReport } from './compare-report.js';
import { Comparison } from './comparison.js';
import { trackCompareIntervals, type CompareInterval } from './intervals.js';

export interface CompareOptions {
  /** The current table: the report's `before`. */
  fib: Fib;
  /** The proposed table: the report's `after`. */
  compareWith: Fib;
  /** Prefixes, and destinations, in `changed` (0: all); default 20. */
  top?: number;
  /** A pcap-filter expression, as analyzeFiles takes it: both sides count only what it accepts. */
  filter?: string;
  interfaceName?: string;
  onInput?: (path: string) => void;
  onProgress?: ProgressListener;
  /** The memory limit of the overlay table's WebAssembly instance (Fib.create). */
  memoryLimit?: number;
  /**
   * Time bins of the comparison (docs/compare.md, "Over time"): each bin to `onBin` as it closes,
   * or, without it, kept in the report's `intervals`.
   */
  interval?: { binNanoseconds: bigint | number; top?: number; onBin?: (bin: CompareInterval) => void };
}

/** The comparison report of the two tables over captures read one after another. */
export async function compareFiles(paths: string[], options: CompareOptions): Promise<CompareReport> {
  if (!options?.fib || !options.compareWith) throw new FibscopeArgumentError('compareFiles needs { fib, compareWith }: the current and the proposed table');
  const comparison = await Comparison.create(options.fib, options.compareWith, { memoryLimit: options.memoryLimit });
  const analyzer = comparison.analyzer({ name: paths[0], filter: options.filter, interfaceName: options.interfaceName });
  const kept: CompareInterval[] = [];
  const interval = options.interval;
  const bins = interval && trackCompareIntervals(comparison.overlay, analyzer, {
    binNanoseconds: interval.binNanoseconds, top: interval.top, onBin: interval.onBin ?? ((bin) => kept.push(bin)),
  });
  let finished = false;
  try {
    for (const [index, path] of paths.entries()) {
      if (index > 0) analyzer.nextInput(path);
      options.onInput?.(path);
      await readCapture(analyzer, path, options.onProgress);
      analyzer.end();
    }
    bins?.finish();
    finished = true;
    const report = comparison.report(analyzer.report(), { top: options.top });
    if (interval && !interval.onBin) report.intervals = kept;
    return report;
  } finally {
    if (!finished) bins?.cancel();
    analyzer.dispose();
  }
}
