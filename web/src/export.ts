// The report as files: the JSON the worker wrote with writeJson (as the CLI's `-f json` is
// written), and CSV made here with the writer behind `fibscope analyze -f csv`.
import type { Report } from '../../src/index.js';
import { formatCsv } from '../../src/report/csv.js';
import type { ReportSort } from '../../src/report/options.js';
import { csvBy, MATRIX_TOP, type ReportBy } from './tables.js';

/** `fibscope analyze -f csv --by BY --sort SORT` (the AS-pair matrix: `--by matrix --matrix src-as,as`), for the same report. */
export function csvText(report: Report, by: ReportBy, sort: ReportSort): string {
  return formatCsv(report, { ...csvBy(by), sort });
}

/** The options of `fibscope analyze` that make the rows of `by` (the matrix's with its top). */
export function csvArguments(by: ReportBy): string {
  if (by === 'matrix' || by === 'as-matrix') {
    return `--by matrix --matrix ${by === 'matrix' ? 'src-route,route' : 'src-as,as'} --top ${MATRIX_TOP}`;
  }
  return `--by ${by}`;
}

/** "edge.pcap" → "edge.fibscope.csv" */
export function exportName(capture: string, extension: 'json' | 'csv', by?: ReportBy): string {
  const base = capture.replace(/\.(pcapng|pcap|cap)(\.gz)?$/i, '').replace(/\.gz$/i, '') || 'capture';
  return `${base}.fibscope${by ? `.${by}` : ''}.${extension}`;
}

/** Hands `content` to the browser as a downloaded file. */
export function download(content: string | Uint8Array<ArrayBuffer>, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // the download has taken its copy once the click is handled
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
