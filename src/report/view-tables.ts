// `-f table`'s sections of the source side and the checks: the rows of `--by src-route`,
// `source`, `interface` and `matrix`, and the anomaly classes (docs/checks.md).
import type { Count, Report, TrackedAddress } from '../analyze/report.js';
import { topRows } from './aggregate.js';
import { subtractCounts, sumCounts } from './count.js';
import type { ReportOptions, ReportViewKind } from './options.js';
import { render, share, type Column, type CountText } from './table-parts.js';
import {
  asMatrixRows, hasView, viewRows, type AnomalyRow, type AsMatrixRow, type AsRow, type InterfaceRow, type MatrixRow, type SourceRouteRow, type SourceRow,
} from './view-rows.js';

/** Counted packets and bytes: what the shares are of. */
export interface CountedTotals { packets: Count; bytes: Count }

const NOUNS: Record<Exclude<ReportViewKind, 'anomaly'>, [string, string]> = {
  'src-route': ['source route', 'source routes'],
  source: ['source', 'sources'],
  interface: ['capture interface', 'capture interfaces'],
  matrix: ['route pair', 'route pairs'],
  as: ['origin AS', 'origin ASes'],
  'src-as': ['source origin AS', 'source origin ASes'],
};

/** What the report lacks when a view was not counted. */
const NOT_COUNTED: Record<ReportViewKind, string> = {
  'src-route': 'no source routes: the view was not counted (--by src-route)',
  source: 'no sources: the view was not counted (--by source)',
  interface: 'no capture interfaces: the view was not counted (--by interface)',
  matrix: 'no route matrix: it was not counted (--matrix src-route,route)',
  anomaly: 'no anomaly classes: the checks were off (--checks)',
  as: '',
  'src-as': 'no source routes: the view was not counted (--by src-as)',
};

/** The top `--top` rows of a view by `--sort`, titled as the routes are; a line saying why when there are none. */
export function viewTable(report: Report, kind: Exclude<ReportViewKind, 'anomaly'>, options: ReportOptions,
  packets: CountText, bytes: CountText, counted: CountedTotals): string {
  if (!hasView(report, kind)) return NOT_COUNTED[kind];
  const sort = options.sort;
  const shareOf = (row: { packets: Count; bytes: Count }) => share(row[sort], counted[sort]);
  const shareHead = `%${sort}`;
  const [one, many] = NOUNS[kind];
  const title = (shown: number, all: number) =>
    (shown < all ? `top ${shown} of ${all} ${all === 1 ? one : many} by ${sort}` : `${all} ${all === 1 ? one : many} by ${sort}`);
  switch (kind) {
    case 'src-route': {
      const all = viewRows(report, kind, sort);
      if (all.length === 0) return 'no source routes: no packet counted';
      const rows = topRows(all, options.top);
      const typed = rows.some((row) => row.routeType !== 'unicast');
      return `${title(rows.length, all.length)}\n${render<SourceRouteRow>(rows, [
        ['source prefix', 'left', (r) => r.prefix],
        ['next hop', 'left', (r) => r.nextHop ?? '-'],
        ['dev', 'left', (r) => r.dev ?? '-'],
        ...(typed ? [['type', 'left', (r: SourceRouteRow) => r.routeType] as Column<SourceRouteRow>] : []),
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
      ])}${unroutedSourcesNote(report, all, packets)}`;
    }
    case 'source': {
      const all = viewRows(report, kind, sort);
      if (all.length === 0) return 'no sources counted';
      const rows = topRows(all, options.top);
      const overflow = report.totals.sourceOverflow;
      const note = overflow
        ? `\n${packets(overflow.packets)} packets from further sources did not fit (memory limit): they count under no source (totals.sourceOverflow)`
        : '';
      return `${title(rows.length, all.length)}\n${render<SourceRow>(rows, [
        ['source', 'left', (r) => r.address],
        ['source prefix', 'left', (r) => r.prefix ?? '-'],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
        ['first seen', 'left', (r) => r.firstSeen],
        ['last seen', 'left', (r) => r.lastSeen],
      ])}${note}`;
    }
    case 'interface': {
      const all = viewRows(report, kind, sort);
      if (all.length === 0) return 'no capture interfaces: no packet counted';
      const rows = topRows(all, options.top);
      return `${title(rows.length, all.length)}\n${render<InterfaceRow>(rows, [
        ['interface', 'left', (r) => r.name ?? '(unnamed)'],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
      ])}`;
    }
    case 'as':
    case 'src-as': {
      const all = viewRows(report, kind, sort);
      if (all.length === 0) return `no ${many}: no route matched a counted packet`;
      const rows = topRows(all, options.top);
      return `${title(rows.length, all.length)}\n${render<AsRow>(rows, [
        [kind === 'as' ? 'origin AS' : 'source origin AS', 'left', (r) => (r.as === null ? 'no AS data' : `AS${r.as}`)],
        ['prefixes', 'right', (r) => packets(r.prefixes)],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
      ])}`;
    }
    case 'matrix': {
      if (options.matrix === 'as') return asMatrixTable(report, options, packets, bytes, counted);
      // the matrix holds its own top (counted with --top): every cell it kept is shown
      const all = viewRows(report, kind, sort);
      const cells = all.filter((row) => !row.other);
      const other = all[all.length - 1];
      const pairs = cells.length + other.cells;
      const rows = other.cells > 0 || cells.length === 0 ? all : cells;
      const lost = other.lost !== undefined
        ? `\n${packets(other.lost)} packets whose pair did not fit (memory limit) are in no cell`
        : '';
      return `${title(cells.length, pairs)}\n${render<MatrixRow>(rows, [
        ['source route', 'left', (r) => (r.other ? `other (${r.cells} ${r.cells === 1 ? one : many})` : r.from ?? 'no route')],
        ['destination route', 'left', (r) => (r.other ? '' : r.to ?? 'no route')],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
      ])}${lost}`;
    }
  }
}

/**
 * The route matrix by AS pair: its top route pairs summed by their origin ASes, then the pairs
 * past the top, whose ASes are not known (they were summed as route pairs).
 */
function asMatrixTable(report: Report, options: ReportOptions, packets: CountText, bytes: CountText, counted: CountedTotals): string {
  const sort = options.sort;
  const all = asMatrixRows(report, sort);
  const cells = all.filter((row) => !row.other);
  const other = all[all.length - 1];
  const routePairs = cells.reduce((sum, row) => sum + row.cells, 0);
  const rows = other.cells > 0 || cells.length === 0 ? all : cells;
  const asText = (as: number | null) => (as === null ? 'no route or AS data' : `AS${as}`);
  const lost = other.lost !== undefined ? `\n${packets(other.lost)} packets whose pair did not fit (memory limit) are in no cell` : '';
  return `${cells.length} origin AS pairs of the top ${routePairs} of ${routePairs + other.cells} route pairs by ${sort}\n${render<AsMatrixRow>(rows, [
    ['source AS', 'left', (r) => (r.other ? `other (${r.cells} route ${r.cells === 1 ? 'pair' : 'pairs'})` : asText(r.fromAs))],
    ['destination AS', 'left', (r) => (r.other ? '' : asText(r.toAs))],
    ['route pairs', 'right', (r) => (r.other ? '' : packets(r.cells))],
    ['packets', 'right', (r) => packets(r.packets)],
    ['bytes', 'right', (r) => bytes(r.bytes)],
    [`%${sort}`, 'right', (r) => share(r[sort], counted[sort])],
  ])}${lost}`;
}

/** Packets whose source no route covers: the view lists routes, so it says how many it leaves out. */
function unroutedSourcesNote(report: Report, rows: SourceRouteRow[], packets: CountText): string {
  const unrouted = subtractCounts(report.totals.counted, sumCounts(rows.map((row) => row.packets)));
  return unrouted > 0 ? `\n${packets(unrouted)} packets from sources no route covers (or of routes removed since)` : '';
}

/** Why a class was not checked (AnomalyCounters.checked false: only urpf-strict can be). */
const NOT_CHECKED_WHY = 'no packet had a capture interface name to compare with route devices: '
  + 'pcapng captures name theirs (if_name), for pcap give --interface NAME';

/**
 * The anomaly classes in their fixed order: packets, bytes, share of counted packets (or bytes),
 * the busiest source and destination. A class that could not be checked says so instead of 0, and
 * notes below the table say why, and what part of a class went unchecked.
 */
export function anomaliesTable(report: Report, options: ReportOptions, packets: CountText, bytes: CountText, counted: CountedTotals): string {
  if (!report.anomalies) return NOT_COUNTED.anomaly;
  const rows = viewRows(report, 'anomaly', options.sort);
  const sort = options.sort;
  const top = (list: TrackedAddress[]) => {
    const first = list[0];
    if (!first) return '-';
    const over = first.overstatedBy !== undefined ? `, at most ${packets(first.overstatedBy)} over` : '';
    return `${first.address} (${packets(first.packets)}${over})`;
  };
  const counts = (row: AnomalyRow, text: string) => (row.checked ? text : 'not checked');
  const table = render<AnomalyRow>(rows, [
    ['anomaly', 'left', (r) => r.class],
    ['packets', 'right', (r) => counts(r, packets(r.packets))],
    ['bytes', 'right', (r) => counts(r, bytes(r.bytes))],
    [`%${sort} of counted`, 'right', (r) => counts(r, share(r[sort], counted[sort]))],
    ['top source', 'left', (r) => (r.checked ? top(r.topSources) : '-')],
    ['top destination', 'left', (r) => (r.checked ? top(r.topDestinations) : '-')],
  ]);
  const notes: string[] = [];
  for (const row of rows) {
    if (!row.checked) notes.push(`${row.class}: not checked: ${NOT_CHECKED_WHY}`);
    else if (row.unchecked) {
      notes.push(`${row.class}: ${packets(row.unchecked.packets)} packets without a capture interface name were not checked (${NOT_CHECKED_WHY})`);
    }
  }
  return `anomalies (a packet counts once in each class it is in)\n${table}${notes.map((note) => `\n${note}`).join('')}`;
}
