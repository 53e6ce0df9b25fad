// Traffic before and after, and the difference, per route, destination, next hop, device or
// origin AS: each side's rows (as `analyze --by` makes them) matched by their key.
import type { Count, Report } from '../analyze/report.js';
import { byOriginAs } from '../analyze/by-as.js';
import { reportRows } from '../report/aggregate.js';
import { compareCounts, subtractCounts } from '../report/count.js';
import type { ReportSort } from '../report/options.js';

export type DifferenceBy = 'route' | 'destination' | 'nexthop' | 'dev' | 'as';

export interface DifferenceRow {
  /**
   * The route (`PREFIX [TYPE] via NEXTHOP dev DEV`), address, next hop, device or `AS64500`; null:
   * routes without one; `(no route)`: unrouted traffic.
   */
  key: string | null;
  packetsBefore: Count;
  packetsAfter: Count;
  /** after - before: negative for traffic that leaves. */
  packetsDifference: Count;
  bytesBefore: Count;
  bytesAfter: Count;
  bytesDifference: Count;
}

/** The key of unrouted traffic. */
export const NO_ROUTE = '(no route)';

interface Sums {
  packets: Count;
  bytes: Count;
}

function rowsOf(report: Report, by: DifferenceBy, sort: ReportSort): Map<string | null, Sums> {
  const out = new Map<string | null, Sums>();
  if (by === 'as') {
    for (const row of byOriginAs(report.routes)) out.set(row.as === null ? null : `AS${row.as}`, row);
  } else if (by === 'route') {
    // a route is its prefix and where it sends: a new next hop at the same prefix is another row
    for (const row of reportRows(report, 'route', sort)) out.set(`${row.prefix}${row.routeType !== 'unicast' ? ` ${row.routeType}` : ''}${row.nextHop !== null ? ` via ${row.nextHop}` : ''}${row.dev !== null ? ` dev ${row.dev}` : ''}`, row);
  } else if (by === 'destination') {
    for (const row of reportRows(report, 'destination', sort)) out.set(row.address, row);
  } else {
    for (const row of reportRows(report, by, sort)) out.set(by === 'nexthop' ? (row as { nextHop: string | null }).nextHop : (row as { dev: string | null }).dev, row);
  }
  if (by !== 'destination' && report.totals.noRoute.packets !== 0) {
    out.set(NO_ROUTE, { packets: report.totals.noRoute.packets, bytes: report.totals.noRoute.bytes });
  }
  return out;
}

/** Every key of either side, the largest change (of `sort`) first, then the busiest after. */
export function differenceRows(before: Report, after: Report, by: DifferenceBy, sort: ReportSort): DifferenceRow[] {
  const rowsBefore = rowsOf(before, by, sort);
  const rowsAfter = rowsOf(after, by, sort);
  const keys = [...new Set([...rowsBefore.keys(), ...rowsAfter.keys()])];
  const rows = keys.map((key): DifferenceRow => {
    const b = rowsBefore.get(key) ?? { packets: 0, bytes: 0 };
    const a = rowsAfter.get(key) ?? { packets: 0, bytes: 0 };
    return {
      key,
      packetsBefore: b.packets,
      packetsAfter: a.packets,
      packetsDifference: subtractCounts(a.packets, b.packets),
      bytesBefore: b.bytes,
      bytesAfter: a.bytes,
      bytesDifference: subtractCounts(a.bytes, b.bytes),
    };
  });
  const magnitude = (row: DifferenceRow) => {
    const value = sort === 'packets' ? row.packetsDifference : row.bytesDifference;
    return typeof value === 'bigint' ? (value < 0n ? -value : value) : Math.abs(value);
  };
  const busy = (row: DifferenceRow) => (sort === 'packets' ? row.packetsAfter : row.bytesAfter);
  return rows.sort((x, y) => compareCounts(magnitude(y), magnitude(x)) || compareCounts(busy(y), busy(x))
    || ((x.key ?? '\uffff') < (y.key ?? '\uffff') ? -1 : (x.key ?? '\uffff') > (y.key ?? '\uffff') ? 1 : 0));
}
