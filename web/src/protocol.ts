// The messages between the page and its analysis worker. Files travel as File objects (the
// worker reads them itself); reports travel as the JSON text of `fibscope analyze -f json`, in
// UTF-8 bytes whose buffer is handed over rather than copied.
import type { RouteFormat } from '../../src/index.js';
import type { RulesFormat } from '../../src/rules/index.js';
import type { TableView } from './tables.js';
import type { TimeSeries } from './timeseries.js';

/** A capture or routes file: one the user gave, or a sample the site ships. */
export type Source =
  | { kind: 'file'; file: File }
  | { kind: 'url'; url: string; name: string }
  | { kind: 'text'; text: string; name: string };

export type PageRequest =
  /** Replace the table with these routes files, loaded in order (all or nothing, as `-r`). */
  | { type: 'routes'; sources: Source[]; format: RouteFormat | 'auto' }
  /** Count from now on only what this pcap-filter expression accepts; '' for every record. */
  | { type: 'filter'; expression: string }
  /** Count by the rules of this file from now on (docs/rules.md); null for no rules. */
  | { type: 'rules'; source: Source | null; format: RulesFormatChoice }
  /**
   * Analyze one capture with the current table, filter and rules, with the checks when the table
   * has routes, and counting the source-side `view` too when given (as `analyze --by VIEW`).
   */
  | { type: 'analyze'; run: number; source: Source; view?: TableView }
  /** Stop the analysis (or time series) under way. */
  | { type: 'cancel' }
  /** The route of each address, as `fibscope lookup` prints it. */
  | { type: 'lookup'; id: number; addresses: string[] }
  /**
   * Count one capture by the current table and a proposed one at once (`fibscope compare`): the
   * proposed table is a change list applied to a copy of the current one, or routes files.
   */
  | { type: 'compare'; run: number; source: Source; proposed: ProposedTable };

/** What `compare` counts against the current table. */
export type ProposedTable =
  /** `add|del|replace ROUTE` lines in `ip route` syntax (docs/compare.md, "Change lists") */
  | { kind: 'changes'; text: string }
  | { kind: 'routes'; sources: Source[]; format: RouteFormat | 'auto' };

/** A rule file format (docs/rules.md), or 'auto' to detect it. */
export type RulesFormatChoice = 'auto' | RulesFormat;

/** The rule set the analyses count by. */
export interface RulesSummary {
  source: string;
  rules: { name: string; action: 'count' | 'alert' | 'drop' }[];
}

export interface RoutesSummary {
  sources: string[];
  ipv4Routes: number;
  ipv6Routes: number;
  duplicates: number;
}

export interface AnalysisTiming {
  run: number;
  /** capture bytes pushed into the Analyzer (after gunzip) */
  bytes: number;
  records: number;
  /** from the first read to `end()`: reading the file, framing, parsing, lookups, counting */
  analysisMs: number;
  /** the part of analysisMs spent inside `Analyzer.push` */
  pushMs: number;
  /** `report()` and its JSON text */
  reportMs: number;
}

export type WorkerReply =
  | { type: 'routes-loaded'; summary: RoutesSummary }
  /** `source` and `line` are set for a bad line (RouteFormatError) */
  | { type: 'routes-error'; message: string; source?: string; line?: number }
  /** `expression` null: no filter any more */
  | { type: 'filter-set'; expression: string | null; refusedLinkTypes: number[] }
  /** `column` (1-based) is set for a syntax error */
  | { type: 'filter-error'; expression: string; message: string; column?: number }
  | { type: 'rules-set'; summary: RulesSummary | null }
  /** `source` and `line` are set for a bad line (RulesError) */
  | { type: 'rules-error'; message: string; source?: string; line?: number }
  | { type: 'progress'; run: number; read: number; total: number | undefined }
  | { type: 'report'; run: number; json: Uint8Array<ArrayBuffer>; timing: AnalysisTiming }
  | { type: 'timeseries'; run: number; series: TimeSeries }
  | { type: 'timeseries-unavailable'; run: number; reason: string }
  | { type: 'cancelled'; run: number }
  | { type: 'analyze-error'; run: number; message: string }
  | { type: 'lookup'; id: number; text: string; error: boolean }
  /** `json`: the text of `fibscope compare -f json`, as UTF-8 */
  | { type: 'compare-report'; run: number; json: Uint8Array<ArrayBuffer> }
  | { type: 'compare-progress'; run: number; read: number; total: number | undefined }
  /** `source` and `line` are set for a bad line of a change list or routes file */
  | { type: 'compare-error'; run: number; message: string; source?: string; line?: number };
