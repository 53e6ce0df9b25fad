// The report as files: the JSON the worker wrote with writeJson (as the CLI's `-f json` is
// written), and CSV made here with the writer behind `fibscope analyze -f csv`.
import type { Report } from '../../src/index.js';
import { formatCsv } from '../../src/report/csv.js';
import type { ReportSort } from '../../src/report/options.js';
import type { ReportBy } from './tables.js';

/** `fibscope analyze -f csv --by BY --sort SORT`, for the same report. */
export function csvText(report: Report, by: ReportBy, sort: ReportSort): string {
  return formatCsv(report, { by, sort });
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
