// `compare -f table|ndjson|csv|prom`: the comparison in every other format of `analyze`, each
// side's part written by analyze's own writers.
import type { Count, Report } from '../analyze/report.js';
import { FibscopeArgumentError } from '../errors.js';
import { formatCsv, csvField } from '../report/csv.js';
import { formatNdjson } from '../report/ndjson.js';
import { formatPromFamilies, promFamilies, type PromFamily } from '../report/prom.js';
import { plain, render, share, type Column, type CountText } from '../report/table-parts.js';
import { humanBytes, humanPackets } from '../report/units.js';
import { jsonText } from '../report/exact-json.js';
import type { ReportSort } from '../report/options.js';
import { topRows } from '../report/aggregate.js';
import type { CompareReport } from './compare-report.js';
import { changedRows, moveRows, type ChangedRow, type CompareBy, type MoveRow } from './compare-rows.js';
import { differenceRows, type DifferenceRow } from './differences.js';

export interface CompareTextOptions {
  by: CompareBy;
  /** Rows per table (0: all); csv and ndjson give every row. */
  top: number;
  /** The order of the sides' rows (the moves and changes come busiest by packets). */
  sort: ReportSort;
  humanUnits: boolean;
}

const SIDES = ['before', 'after'] as const;

export function formatCompare(report: CompareReport, format: 'table' | 'ndjson' | 'csv' | 'prom', options: CompareTextOptions): string {
  switch (format) {
    case 'table': return compareTable(report, options);
    case 'ndjson': return compareNdjson(report, options);
    case 'csv': return compareCsv(report, options);
    case 'prom': return compareProm(report);
    default: throw new FibscopeArgumentError(`compare format ${JSON.stringify(format)}: expected table, json, ndjson, csv or prom`);
  }
}

const isSideRows = (by: CompareBy): by is 'route' | 'destination' | 'nexthop' | 'dev' | 'as' => by !== 'move' && by !== 'changed';
const end = (routed: boolean, nextHop: string | null, dev: string | null) =>
  (!routed ? '(no route)' : `${nextHop ?? '-'}${dev !== null ? ` dev ${dev}` : ''}`);
const routeText = (prefix: string | null, nextHop: string | null, dev: string | null, type: string | null) =>
  (prefix === null ? '(no route)' : `${prefix} ${type !== 'unicast' ? `${type} ` : ''}${end(true, nextHop, dev)}`);

function compareTable(report: CompareReport, options: CompareTextOptions): string {
  const packets: CountText = options.humanUnits ? humanPackets : plain;
  const bytes: CountText = options.humanUnits ? humanBytes : plain;
  const counted = report.before.totals.counted;
  const summary = render([
    ['moves to another route', report.moved],
    ['becomes unrouted', report.becomesUnrouted],
    ['becomes dropped (blackhole, unreachable, prohibit)', report.becomesDropped],
    ['becomes routed', report.becomesRouted],
  ] as [string, { packets: Count; bytes: Count }][], [
    ['traffic', 'left', ([what]) => what],
    ['packets', 'right', ([, c]) => packets(c.packets)],
    ['bytes', 'right', ([, c]) => bytes(c.bytes)],
    ['share', 'right', ([, c]) => share(c.packets, counted)],
  ]);
  const parts = [`compare: ${packets(counted)} packets counted by both tables\n${summary}`];
  if (isSideRows(options.by)) {
    const rows = differenceRows(report.before, report.after, options.by, options.sort);
    const signed = (text: CountText) => (n: Count) => (n > 0 ? `+${text(n)}` : n < 0 ? `-${text(-n as Count)}` : '0');
    const columns: Column<DifferenceRow>[] = options.sort === 'packets' ? [
      [options.by, 'left', (row) => row.key ?? '-'],
      ['packets before', 'right', (row) => packets(row.packetsBefore)],
      ['packets after', 'right', (row) => packets(row.packetsAfter)],
      ['difference', 'right', (row) => signed(packets)(row.packetsDifference)],
      ['bytes after', 'right', (row) => bytes(row.bytesAfter)],
    ] : [
      [options.by, 'left', (row) => row.key ?? '-'],
      ['bytes before', 'right', (row) => bytes(row.bytesBefore)],
      ['bytes after', 'right', (row) => bytes(row.bytesAfter)],
      ['difference', 'right', (row) => signed(bytes)(row.bytesDifference)],
      ['packets after', 'right', (row) => packets(row.packetsAfter)],
    ];
    parts.push(`by ${options.by}, the largest changes first (${rows.length} rows${options.top > 0 && rows.length > options.top ? `, the top ${options.top}` : ''}):\n`
      + render(topRows(rows, options.top), columns));
  } else {
    const moves = moveRows(report);
    const changed = changedRows(report);
    const moveColumns: Column<MoveRow>[] = [
      ['next hop before', 'left', (row) => end(row.fromRouted, row.fromNextHop, row.fromDev)],
      ['next hop after', 'left', (row) => end(row.toRouted, row.toNextHop, row.toDev)],
      ['packets', 'right', (row) => packets(row.packets)],
      ['bytes', 'right', (row) => bytes(row.bytes)],
      ['share', 'right', (row) => share(row.packets, counted)],
    ];
    const changedColumns: Column<ChangedRow>[] = [
      ['moves', 'left', (row) => row.key ?? '(unrouted)'],
      ['route before', 'left', (row) => routeText(row.fromPrefix, row.fromNextHop, row.fromDev, row.fromType)],
      ['route after', 'left', (row) => routeText(row.toPrefix, row.toNextHop, row.toDev, row.toType)],
      ['packets', 'right', (row) => packets(row.packets)],
      ['bytes', 'right', (row) => bytes(row.bytes)],
    ];
    const movesPart = `moves (next hop before -> after, ${moves.length} cells${options.top > 0 && moves.length > options.top ? `, the top ${options.top}` : ''}):\n`
      + render(topRows(moves, options.top), moveColumns);
    const prefixes = changed.filter((row) => row.kind === 'prefix');
    const destinations = changed.filter((row) => row.kind === 'destination');
    const changedPart = [
      prefixes.length === 0 ? 'no traffic changes route' : `prefixes whose traffic moves, busiest first:\n${render(prefixes, changedColumns)}`,
      ...(destinations.length === 0 ? [] : [`destinations whose traffic moves, busiest first:\n${render(destinations, changedColumns)}`]),
    ].join('\n\n');
    parts.push(...(options.by === 'move' ? [movesPart, changedPart] : [changedPart, movesPart]));
  }
  return `${parts.join('\n\n')}\n`;
}

/** One JSON object a line: the summary, then the rows of --by (each side's marked with `side`). */
function compareNdjson(report: CompareReport, options: CompareTextOptions): string {
  const { before, after, moves: _moves, changed: _changed, ...head } = report;
  const lines = [jsonText({ type: 'compare', version: head.fibscope.version, moved: head.moved, becomesUnrouted: head.becomesUnrouted,
    becomesDropped: head.becomesDropped, becomesRouted: head.becomesRouted, inputs: head.inputs })];
  if (options.by === 'move') lines.push(...moveRows(report).map((row) => jsonText(row)));
  else if (options.by === 'changed') lines.push(...changedRows(report).map((row) => jsonText(row)));
  else {
    for (const [side, sideReport] of [['before', before], ['after', after]] as [string, Report][]) {
      for (const line of formatNdjson(sideReport, { by: options.by, sort: options.sort }).split('\n')) {
        if (line !== '') lines.push(`{"side":${JSON.stringify(side)},${line.slice(1)}`);
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

const MOVE_COLUMNS: readonly [string, (row: MoveRow) => string | number | bigint | null][] = [
  ['fromRouted', (row) => String(row.fromRouted)], ['fromNextHop', (row) => row.fromNextHop], ['fromDev', (row) => row.fromDev],
  ['toRouted', (row) => String(row.toRouted)], ['toNextHop', (row) => row.toNextHop], ['toDev', (row) => row.toDev],
  ['packets', (row) => row.packets], ['bytes', (row) => row.bytes],
];
const CHANGED_COLUMNS: readonly [string, (row: ChangedRow) => string | number | bigint | null][] = [
  ['kind', (row) => row.kind], ['key', (row) => row.key],
  ['fromPrefix', (row) => row.fromPrefix], ['fromNextHop', (row) => row.fromNextHop], ['fromDev', (row) => row.fromDev], ['fromType', (row) => row.fromType],
  ['toPrefix', (row) => row.toPrefix], ['toNextHop', (row) => row.toNextHop], ['toDev', (row) => row.toDev], ['toType', (row) => row.toType],
  ['packets', (row) => row.packets], ['bytes', (row) => row.bytes],
];

function csvRows<R>(columns: readonly [string, (row: R) => string | number | bigint | null][], rows: readonly R[]): string {
  let text = `${columns.map(([name]) => csvField(name)).join(',')}\n`;
  for (const row of rows) text += `${columns.map(([, value]) => csvField(value(row))).join(',')}\n`;
  return text;
}

/** Every row of --by; each side's rows as analyze writes them, after a `side` column. */
function compareCsv(report: CompareReport, options: CompareTextOptions): string {
  if (options.by === 'move') return csvRows(MOVE_COLUMNS, moveRows(report));
  if (options.by === 'changed') return csvRows(CHANGED_COLUMNS, changedRows(report));
  let text = '';
  for (const side of SIDES) {
    const lines = formatCsv(report[side], { by: options.by, sort: options.sort }).split('\n').filter((line) => line !== '');
    if (text === '') text += `side,${lines[0]}\n`;
    for (const line of lines.slice(1)) text += `${side},${line}\n`;
  }
  return text;
}

/**
 * Prometheus text: the moves and the summary as their own families, then every family of
 * analyze's metrics once, with each side's samples labelled side="before" or side="after".
 */
function compareProm(report: CompareReport): string {
  const summary = (name: string, help: string, counts: { packets: Count; bytes: Count }): PromFamily[] => [
    { name: `fibscope_compare_${name}_packets_total`, help: `Counted packets that ${help}.`, type: 'counter', labelNames: [], samples: [{ value: counts.packets }] },
    { name: `fibscope_compare_${name}_bytes_total`, help: `Wire bytes of counted packets that ${help}.`, type: 'counter', labelNames: [], samples: [{ value: counts.bytes }] },
  ];
  const moveLabels = (row: MoveRow) => ({
    from_next_hop: row.fromRouted ? row.fromNextHop ?? '' : 'none', from_dev: row.fromDev ?? '',
    to_next_hop: row.toRouted ? row.toNextHop ?? '' : 'none', to_dev: row.toDev ?? '',
  });
  const labelNames = ['from_next_hop', 'from_dev', 'to_next_hop', 'to_dev'];
  const rows = moveRows(report);
  const families: PromFamily[] = [
    ...summary('moved', 'take another route with the proposed table', report.moved),
    ...summary('becomes_unrouted', 'have a route now and none with the proposed table', report.becomesUnrouted),
    ...summary('becomes_dropped', 'a blackhole, unreachable or prohibit route drops only with the proposed table', report.becomesDropped),
    ...summary('becomes_routed', 'have no route now and one with the proposed table', report.becomesRouted),
    { name: 'fibscope_compare_move_packets_total', help: 'Counted packets by next hop now (from_) and with the proposed table (to_); next hop "none": no route.',
      type: 'counter', labelNames, samples: rows.map((row) => ({ labels: moveLabels(row), value: row.packets })) },
    { name: 'fibscope_compare_move_bytes_total', help: 'Wire bytes of counted packets by next hop now and with the proposed table.',
      type: 'counter', labelNames, samples: rows.map((row) => ({ labels: moveLabels(row), value: row.bytes })) },
  ];
  const byName = new Map<string, PromFamily>();
  for (const side of SIDES) {
    for (const family of promFamilies(report[side])) {
      let merged = byName.get(family.name);
      if (!merged) {
        byName.set(family.name, (merged = { ...family, labelNames: ['side', ...family.labelNames], samples: [] }));
        families.push(merged);
      }
      for (const sample of family.samples) {
        const labelText = sample.labelText ?? (sample.labels ? undefined : '');
        merged.samples.push(labelText === undefined
          ? { labels: { side, ...sample.labels }, value: sample.value }
          : { labelText: labelText === '' ? `{side="${side}"}` : `{side="${side}",${labelText.slice(1)}`, value: sample.value });
      }
    }
  }
  return formatPromFamilies(families);
}
