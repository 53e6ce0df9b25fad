// `-f table` (the default): a summary block, the inputs, then the top rows of `--by`, for people.
import Table from 'cli-table3';
import type { Count, Report } from '../analyze/report.js';
import { addCounts, compareCounts } from './count.js';
import { reportRows, topRows, type DestinationRow, type DevRow, type NextHopRow, type RouteRow } from './aggregate.js';
import { REPORT_VIEW_KINDS, type ReportBy, type ReportOptions, type ReportRowKind, type ReportViewKind } from './options.js';
import { anomaliesTable, viewTable } from './view-tables.js';
import { ruleRows, type RuleRow } from './rule-rows.js';
import { humanBytes, humanPackets } from './units.js';
import { linkTypeName } from './link-type-names.js';
import { plain, render, share, STYLE, withShare, type Column, type CountText } from './table-parts.js';

export { humanBytes, humanPackets };


/**
 * Human text of the report. Counts are human-scaled when `humanUnits` is on: packets (and
 * records) with decimal k/M/G/T suffixes, bytes in binary B/KiB/MiB/GiB/TiB, three significant
 * digits; off, every count is a plain integer. The share column is of counted packets (or, by
 * bytes, of counted bytes: the routes' bytes plus the unrouted bytes). Empty reports give the
 * summary and a line saying there are no rows. A report with a rule set, anomaly classes or a
 * route matrix ends with them, in that order (each unless it is the rows already, `by: 'rule'`,
 * `'anomaly'`, `'matrix'`).
 */
export function formatTable(report: Report, options: ReportOptions): string {
  const packets = options.humanUnits ? humanPackets : plain;
  const bytes = options.humanUnits ? humanBytes : plain;
  const parts = [summaryTable(report, packets, options.humanUnits ? humanBytes : (n) => `${n} bytes`)];
  const byType = frameTypesTables(report, packets);
  if (byType) parts.push(byType);
  if (report.inputs.length > 0) parts.push(inputsTable(report, packets));
  const counted = { packets: report.totals.counted, bytes: countedBytes(report) };
  const by = options.by;
  if (by === 'rule') parts.push(rulesTable(report, options, packets, bytes));
  else if (by === 'anomaly') parts.push(anomaliesTable(report, options, packets, bytes, counted));
  else if ((REPORT_VIEW_KINDS as readonly string[]).includes(by)) {
    parts.push(viewTable(report, by as Exclude<ReportViewKind, 'anomaly'>, options, packets, bytes, counted));
  } else parts.push(rowsTable(report, options as ReportOptions & { by: ReportBy }, packets, bytes));
  // the sections asked for besides the rows: the rules, the anomaly classes, the route matrix
  if (report.rules && by !== 'rule') parts.push(rulesTable(report, options, packets, bytes));
  if (report.anomalies && by !== 'anomaly') parts.push(anomaliesTable(report, options, packets, bytes, counted));
  if (report.matrix && by !== 'matrix') parts.push(viewTable(report, 'matrix', options, packets, bytes, counted));
  return `${parts.join('\n\n')}\n`;
}

function summaryTable(report: Report, packets: CountText, bytes: CountText): string {
  const t = report.totals;
  const reasons = Object.entries(t.malformedReasons)
    .sort(([a, m], [b, n]) => compareCounts(n, m) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([reason, n]) => `${reason}: ${packets(n)}`);
  const counted = { packets: t.counted, bytes: countedBytes(report) };
  const table = new Table({ style: STYLE });
  table.push(
    { records: packets(t.records) },
    // only with a filter: what it rejected counts in records and here, nowhere else
    ...(t.filtered !== undefined ? [{ filtered: withShare(packets(t.filtered), t.filtered, t.records, 'records') }] : []),
    { bytes: bytes(t.bytes) },
    { counted: withShare(packets(t.counted), t.counted, t.records, 'records') },
    { 'IPv4 / IPv6': `${packets(t.ipv4)} / ${packets(t.ipv6)}` },
    { 'non-IP': packets(t.nonIp) },
    // a reason a line: a capture with many kinds of damage does not make one 260-column line
    { malformed: reasons.length > 0 ? `${packets(t.malformed)}\n${reasons.join('\n')}` : packets(t.malformed) },
    { 'unsupported link': packets(t.unsupportedLink) },
    { 'no route': withShare(`${packets(t.noRoute.packets)} packets, ${bytes(t.noRoute.bytes)}`, t.noRoute.packets, t.counted, 'counted') },
  );
  if (report.updates) table.push({ updates: updatesLine(report.updates) });
  if (t.timeSpan) {
    const seconds = (Date.parse(t.timeSpan.last) - Date.parse(t.timeSpan.first)) / 1000
      + (fraction(t.timeSpan.last) - fraction(t.timeSpan.first));
    table.push(
      { 'time span': `${t.timeSpan.first} – ${t.timeSpan.last}` },
      { duration: formatDuration(seconds) },
      { average: seconds > 0 ? `${rate(Number(counted.packets) / seconds, 'packets/s')}, ${rate((Number(counted.bytes) * 8) / seconds, 'bit/s')} (counted)` : '-' },
    );
  }
  return table.toString();
}

/** `120 applied from FILE, 3 withdrew nothing (first FILE:LINE), 7 after the capture`: docs/updates.md. */
function updatesLine(updates: NonNullable<Report['updates']>): string {
  const skipped = Object.entries(updates.skipped).map(([what, n]) => `${n} ${what} skipped`);
  return [
    `${updates.applied} applied from ${updates.source}`,
    ...(updates.withdrawnNothing > 0 ? [`${updates.withdrawnNothing} withdrew nothing (first ${updates.firstWithdrawnNothing})`] : []),
    ...(updates.unordered ? [`${updates.unordered.updates} out of time order, applied in file order`] : []),
    ...(updates.pending > 0 ? [`${updates.pending} after the capture (not applied)`] : []),
    ...skipped,
    ...(updates.truncated ? [`broke off at ${updates.truncated.where}`] : []),
  ].join('\n');
}

/** The sub-millisecond part of an ISO time's fraction, in seconds (Date.parse keeps milliseconds only). */
function fraction(iso: string): number {
  const digits = /\.(\d+)Z$/.exec(iso)?.[1] ?? '';
  return digits.length > 3 ? Number(`0.000${digits.slice(3)}`) : 0;
}

/** `2 h 03 min 04.5 s`, `3.25 s`, `0.000012 s`. */
function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds < 1 ? Number(seconds.toPrecision(3)) : seconds.toFixed(2)} s`;
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = (seconds % 60).toFixed(1).padStart(4, '0');
  return `${days > 0 ? `${days} d ` : ''}${days > 0 || hours > 0 ? `${hours} h ` : ''}${String(minutes).padStart(2, '0')} min ${rest} s`;
}

/** A rate with a decimal prefix and three significant digits: `1.23 kpackets/s`, `45.6 Mbit/s`. */
function rate(value: number, unit: string): string {
  const prefixes = ['', 'k', 'M', 'G', 'T'];
  let at = 0;
  while (value >= 1000 && at < prefixes.length - 1) {
    value /= 1000;
    at++;
  }
  return `${Number(value.toPrecision(3))} ${prefixes[at]}${unit}`;
}

/** Counted bytes: those of the routes plus the unrouted ones. */
function countedBytes(report: Report): Count {
  return report.routes.reduce((sum, route) => addCounts(sum, route.bytes), report.totals.noRoute.bytes);
}

/** Most rows of each by-type table; the rest are summed in one row. */
const TYPE_ROWS = 10;

/** Why frames are not IP, and the link types not decoded (the report lists them busiest first); '' when neither. */
function frameTypesTables(report: Report, packets: CountText): string {
  const tables: string[] = [];
  for (const [head, byType] of [
    ['non-IP by type', report.totals.nonIpByType],
    ['unsupported link type', report.totals.unsupportedLinkByType],
  ] as const) {
    const rows = Object.entries(byType ?? {});
    if (rows.length === 0) continue;
    const table = new Table({ head: [head, 'packets'], colAligns: ['left', 'right'], style: STYLE });
    for (const [type, n] of rows.slice(0, TYPE_ROWS)) table.push([type, packets(n)]);
    const rest = rows.slice(TYPE_ROWS);
    if (rest.length > 0) {
      table.push([`${rest.length} more`, packets(rest.reduce<Count>((sum, [, n]) => addCounts(sum, n), 0))]);
    }
    tables.push(table.toString());
  }
  return tables.join('\n\n');
}

function inputsTable(report: Report, packets: CountText): string {
  const table = new Table({
    head: ['input', 'format', 'link types', 'records', 'error'],
    colAligns: ['left', 'left', 'left', 'right', 'left'],
    style: STYLE,
  });
  for (const input of report.inputs) {
    table.push([
      input.path,
      input.format ?? 'not a capture',
      input.linkTypes.length > 0 ? input.linkTypes.map(linkTypeName).join(', ') : '-',
      packets(input.records),
      input.error ?? '-',
    ]);
  }
  return table.toString();
}

const NOUNS: Record<ReportBy | 'rule', [string, string]> = {
  route: ['route', 'routes'],
  destination: ['destination', 'destinations'],
  nexthop: ['next hop', 'next hops'],
  dev: ['device', 'devices'],
  rule: ['rule', 'rules'],
};

/** `top 3 of 12 routes by packets` or `12 routes by packets`. */
function rowsTitle(shown: number, all: number, by: ReportBy | 'rule', sort: string): string {
  const [one, many] = NOUNS[by];
  const noun = all === 1 ? one : many;
  return shown < all ? `top ${shown} of ${all} ${noun} by ${sort}` : `${all} ${noun} by ${sort}`;
}

function rowsTable(report: Report, options: ReportOptions & { by: ReportBy }, packets: CountText, bytes: CountText): string {
  const all = reportRows(report, options.by, options.sort);
  const rows = topRows(all, options.top);
  if (all.length === 0) {
    return options.by === 'destination' ? 'no destinations counted' : `no ${NOUNS[options.by][1]}: no route matched a counted packet`;
  }
  const title = rowsTitle(rows.length, all.length, options.by, options.sort);

  const counted = { packets: report.totals.counted, bytes: countedBytes(report) };
  const shareOf = (row: { packets: Count; bytes: Count }) => share(row[options.sort], counted[options.sort]);
  const shareHead = `%${options.sort}`;

  let table: string;
  switch (options.by) {
    case 'route': {
      const routes = rows as RouteRow[];
      const typed = routes.some((row) => row.routeType !== 'unicast');
      table = render(routes, [
        ['prefix', 'left', (r) => r.prefix],
        ['next hop', 'left', (r) => r.nextHop ?? '-'],
        ['dev', 'left', (r) => r.dev ?? '-'],
        // the type only when it says something: a blackhole or local route that took traffic
        ...(typed ? [['type', 'left', (r: RouteRow) => r.routeType] as Column<RouteRow>] : []),
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
        ['destinations', 'right', (r) => packets(r.destinations)],
      ]);
      break;
    }
    case 'destination':
      table = render(rows as DestinationRow[], [
        ['address', 'left', (r) => r.address],
        ['prefix', 'left', (r) => r.prefix ?? '-'],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
        ['first seen', 'left', (r) => r.firstSeen],
        ['last seen', 'left', (r) => r.lastSeen],
      ]);
      break;
    case 'nexthop':
    case 'dev':
      table = render(rows as (NextHopRow | DevRow)[], [
        options.by === 'nexthop'
          ? ['next hop', 'left', (r) => (r as NextHopRow).nextHop ?? '-']
          : ['dev', 'left', (r) => (r as DevRow).dev ?? '-'],
        ['routes', 'right', (r) => packets(r.routes)],
        ['packets', 'right', (r) => packets(r.packets)],
        ['bytes', 'right', (r) => bytes(r.bytes)],
        [shareHead, 'right', shareOf],
        ['destinations', 'right', (r) => packets(r.destinations)],
      ]);
      break;
  }
  return `${title}\n${table}`;
}

/**
 * The rules, the top `--top` of them by `--sort`, with their place in the set (`#`); then the
 * records no rule matched. Alerts and drops are in capitals, so they stand out without colours.
 * The share is of the records the filter let through: every one counts in one rule or no rule.
 */
function rulesTable(report: Report, options: ReportOptions, packets: CountText, bytes: CountText): string {
  if (!report.rules) return 'no rules: no rule set given';
  const all = ruleRows(report, options.sort);
  const rows = topRows(all, options.top);
  const noRule = report.totals.noRule ?? { packets: 0, bytes: 0 };
  const classified = {
    packets: all.reduce<Count>((sum, row) => addCounts(sum, row.packets), noRule.packets),
    bytes: all.reduce<Count>((sum, row) => addCounts(sum, row.bytes), noRule.bytes),
  };
  const shareOf = (row: { packets: Count; bytes: Count }) => share(row[options.sort], classified[options.sort]);
  const table = new Table({
    head: ['#', 'rule', 'action', 'packets', 'bytes', `%${options.sort}`, 'sources', 'destinations', 'first seen', 'last seen'],
    colAligns: ['right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
    style: STYLE,
  });
  for (const row of rows) {
    table.push([
      String(row.position), row.name, actionText(row), packets(row.packets), bytes(row.bytes), shareOf(row),
      packets(row.sources), packets(row.destinations), row.firstSeen ?? '-', row.lastSeen ?? '-',
    ]);
  }
  table.push(['', 'no rule', '-', packets(noRule.packets), bytes(noRule.bytes), shareOf(noRule), '', '', '', '']);
  const title = all.length === 0 ? 'an empty rule set' : rowsTitle(rows.length, all.length, 'rule', options.sort);
  const overflow = report.totals.ruleAddressOverflow;
  const note = overflow !== undefined
    ? `\n${packets(overflow)} records whose addresses did not fit (memory limit): their rules' sources and destinations may be short`
    : '';
  return `${title}\n${table.toString()}${note}`;
}

function actionText(row: RuleRow): string {
  return row.action === 'count' ? 'count' : row.action.toUpperCase();
}
