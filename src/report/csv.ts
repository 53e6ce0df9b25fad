// `-f csv`: RFC 4180 text, one header row and one row per row of `by`.
import type { Report, TrackedAddress } from '../analyze/report.js';
import { reportRows, type RowsBy } from './aggregate.js';
import { REPORT_BYS, type ReportBy, type ReportOptions, type ReportViewKind } from './options.js';
import { asMatrixRows, viewRows, type AsMatrixRow, type AsRow, type ViewRowsBy } from './view-rows.js';
import { ruleRows, type RuleRow } from './rule-rows.js';

/** Counts may be bigints (above 2^53): String() prints them exactly. */
type Field = string | number | bigint | null;

/** Column names (the JSON member names) and values, per row kind. */
const COLUMNS: { [B in ReportBy]: readonly [string, (row: RowsBy[B]) => Field][] } = {
  route: [
    ['prefix', (r) => r.prefix],
    ['nextHop', (r) => r.nextHop],
    ['dev', (r) => r.dev],
    ['metric', (r) => r.metric],
    ['routeType', (r) => r.routeType],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
    ['destinations', (r) => r.destinations],
  ],
  destination: [
    ['address', (r) => r.address],
    ['prefix', (r) => r.prefix],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
    ['firstSeen', (r) => r.firstSeen],
    ['lastSeen', (r) => r.lastSeen],
  ],
  nexthop: [
    ['nextHop', (r) => r.nextHop],
    ['routes', (r) => r.routes],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
    ['destinations', (r) => r.destinations],
  ],
  dev: [
    ['dev', (r) => r.dev],
    ['routes', (r) => r.routes],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
    ['destinations', (r) => r.destinations],
  ],
};

/** Traffic by origin AS: `as` empty for routes without AS data. */
const AS_COLUMNS: readonly [string, (row: AsRow) => Field][] = [
  ['as', (r) => r.as],
  ['prefixes', (r) => r.prefixes],
  ['packets', (r) => r.packets],
  ['bytes', (r) => r.bytes],
];

/** The route matrix by AS pair (`--matrix src-as,as`), as the route pairs' columns. */
const AS_MATRIX_COLUMNS: readonly [string, (row: AsMatrixRow) => Field][] = [
  ['fromAs', (r) => r.fromAs],
  ['toAs', (r) => r.toAs],
  ['other', (r) => String(r.other)],
  ['cells', (r) => r.cells],
  ['packets', (r) => r.packets],
  ['bytes', (r) => r.bytes],
];

/** The best-tracked address of a list, or null: the whole lists are in json and ndjson. */
const first = (list: readonly TrackedAddress[]) => list[0]?.address ?? null;

/**
 * The columns of the source side and the checks. A matrix's `other` row (other true) sums the
 * cells past the top, `cells` of them; a class not checked has empty counts, never 0.
 */
const VIEW_COLUMNS: { [K in ReportViewKind]: readonly [string, (row: ViewRowsBy[K]) => Field][] } = {
  'src-route': [
    ['prefix', (r) => r.prefix],
    ['nextHop', (r) => r.nextHop],
    ['dev', (r) => r.dev],
    ['routeType', (r) => r.routeType],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
  ],
  source: [
    ['address', (r) => r.address],
    ['prefix', (r) => r.prefix],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
    ['firstSeen', (r) => r.firstSeen],
    ['lastSeen', (r) => r.lastSeen],
  ],
  interface: [
    ['name', (r) => r.name],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
  ],
  matrix: [
    ['from', (r) => r.from],
    ['to', (r) => r.to],
    ['other', (r) => String(r.other)],
    ['cells', (r) => r.cells],
    ['packets', (r) => r.packets],
    ['bytes', (r) => r.bytes],
  ],
  as: AS_COLUMNS,
  'src-as': AS_COLUMNS,
  anomaly: [
    ['class', (r) => r.class],
    ['checked', (r) => String(r.checked)],
    ['packets', (r) => (r.checked ? r.packets : null)],
    ['bytes', (r) => (r.checked ? r.bytes : null)],
    ['uncheckedPackets', (r) => r.unchecked?.packets ?? 0],
    ['uncheckedBytes', (r) => r.unchecked?.bytes ?? 0],
    ['topSource', (r) => first(r.topSources)],
    ['topDestination', (r) => first(r.topDestinations)],
  ],
};

/** The rule columns: a rule's top addresses are lists, which ndjson and json give. */
const RULE_COLUMNS: readonly [string, (row: RuleRow) => Field][] = [
  ['position', (r) => r.position],
  ['name', (r) => r.name],
  ['action', (r) => r.action],
  ['packets', (r) => r.packets],
  ['bytes', (r) => r.bytes],
  ['sources', (r) => r.sources],
  ['destinations', (r) => r.destinations],
  ['firstSeen', (r) => r.firstSeen],
  ['lastSeen', (r) => r.lastSeen],
];

/**
 * A header row, then every row of `by` in `sort` order (all of them, whatever `top` says, as
 * in ndjson). RFC 4180 quoting: a field with a comma, double quote, CR or LF is enclosed in
 * double quotes, its quotes doubled. Records end in LF (not the RFC's CRLF: every CSV reader
 * takes LF, and Unix tools expect it), the last one too. Null is an empty field; counts are
 * plain integers.
 */
export function formatCsv(report: Report, options: Pick<ReportOptions, 'by' | 'sort' | 'matrix'>): string {
  const by = options.by;
  if (by === 'rule') return csvText(RULE_COLUMNS, ruleRows(report, options.sort));
  if ((REPORT_BYS as readonly string[]).includes(by)) return csvFor(report, by as ReportBy, options);
  if (by === 'matrix' && options.matrix === 'as') return csvText(AS_MATRIX_COLUMNS, asMatrixRows(report, options.sort));
  return viewCsv(report, by as ReportViewKind, options);
}

function viewCsv<K extends ReportViewKind>(report: Report, kind: K, options: Pick<ReportOptions, 'sort'>): string {
  return csvText(VIEW_COLUMNS[kind] as readonly [string, (row: ViewRowsBy[K]) => Field][], viewRows(report, kind, options.sort));
}

function csvFor<B extends ReportBy>(report: Report, by: B, options: Pick<ReportOptions, 'sort'>): string {
  return csvText(COLUMNS[by] as readonly [string, (row: RowsBy[B]) => Field][], reportRows(report, by, options.sort));
}

function csvText<R>(columns: readonly [string, (row: R) => Field][], rows: readonly R[]): string {
  let text = `${columns.map(([name]) => csvField(name)).join(',')}\n`;
  for (const row of rows) text += `${columns.map(([, value]) => csvField(value(row))).join(',')}\n`;
  return text;
}

/** One field of RFC 4180. */
export function csvField(value: Field): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
