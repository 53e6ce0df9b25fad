// `analyze --interval`: how each format gets the time bins (docs/intervals.md). json keeps them
// in the report; ndjson and csv write each bin's lines as it closes, so they are not kept; the
// table sums them into sparklines of at most 60 columns.
import type { Report } from '../analyze/report.js';
import type { Fib } from '../fib/fib.js';
import type { AnalyzeOptions } from '../analyze/analyze-file.js';
import type { ReportFormat } from '../report/index.js';
import type { ReportSort } from '../report/options.js';
import type { ReportSink } from './sink.js';
import { binCsv, binCsvHeader, binNdjson, binnedBy, wholeCsvRows } from '../intervals/bin-lines.js';
import { Sparklines } from '../intervals/sparkline.js';
import { overTimeTable } from '../intervals/over-time-table.js';

export interface IntervalOutput {
  /** What analyzeFiles takes: undefined when the format has no bins. */
  interval: AnalyzeOptions['interval'];
  /** The whole report's text in the format, given its text without bins. */
  finish(report: Report, text: string): string;
  /** Warnings for stderr. */
  warnings: string[];
}

export function intervalOutput(width: bigint, format: ReportFormat, options: { by: string; top: number; sort: ReportSort }, sink: ReportSink,
  fib: Fib): IntervalOutput {
  const warnings: string[] = [];
  const { by, top } = options;
  switch (format) {
    case 'json':
      return { interval: { binNanoseconds: width, top }, finish: (_, text) => text, warnings };
    case 'ndjson':
      if (!binnedBy(by)) warnings.push(`--interval with --by ${by}: each bin has an interval line with its totals; bins have rows by route and destination only`);
      return { interval: { binNanoseconds: width, top, onBin: (bin) => sink.write(binNdjson(bin, by)) }, finish: (_, text) => text, warnings };
    case 'csv': {
      if (!binnedBy(by)) {
        return { interval: { binNanoseconds: width, top }, finish: (_, text) => text, warnings: [`--interval is ignored with -f csv --by ${by}: bins have rows by route and destination only`] };
      }
      sink.write(binCsvHeader(by));
      return { interval: { binNanoseconds: width, top, onBin: (bin) => sink.write(binCsv(bin, by)) }, finish: (_, text) => wholeCsvRows(text), warnings };
    }
    case 'table': {
      const sparklines = new Sparklines(width, options.sort);
      let first: string | undefined;
      return {
        // every route of each bin, by id: the table's rows are known only at the end
        interval: {
          binNanoseconds: width, top: 0, destinations: false, describeRoutes: false,
          onBin: (bin, detail) => {
            first ??= bin.start;
            sparklines.add(bin, detail.startNanoseconds, detail.routes);
          },
        },
        finish: (report, text) => `${text}\n${overTimeTable(report, fib, sparklines, width, options, first)}\n`,
        warnings,
      };
    }
    default:
      warnings.push(`--interval is ignored with -f ${format}: its series are the whole capture's (use json, ndjson, csv or table)`);
      return { interval: undefined, finish: (_, text) => text, warnings };
  }
}
