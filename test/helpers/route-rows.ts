import { formatIPv4, formatIPv6 } from '../../src/net/address.js';
import type { NextHop, RouteType } from '../../src/routes/route.js';
import { ROUTE_TYPES } from '../../src/routes/route.js';
import type { RouteList } from '../../src/routes/route-list.js';

/** One route of a RouteList as a plain object, for `expect(...).toEqual(...)`. */
export interface RouteRow {
  prefix: string;
  type: RouteType;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  nextHops?: NextHop[];
  line: number;
}

export function prefixAt(list: RouteList, i: number): string {
  return list.family[i] === 4
    ? `${formatIPv4(list.v4[i])}/${list.prefixLength[i]}`
    : `${formatIPv6(list.v6, i * 16)}/${list.prefixLength[i]}`;
}

export function routeRows(list: RouteList): RouteRow[] {
  const rows: RouteRow[] = [];
  for (let i = 0; i < list.count; i++) {
    const row: RouteRow = {
      prefix: prefixAt(list, i),
      type: ROUTE_TYPES[list.type[i]],
      nextHop: list.nextHop[i],
      dev: list.dev[i],
      metric: list.metric[i],
      line: list.line[i],
    };
    const hops = list.nextHops.get(i);
    if (hops) row.nextHops = hops;
    rows.push(row);
  }
  return rows;
}

/** Rows without line numbers, for comparing two parses of the same routes in different formats. */
export function routeRowsNoLine(list: RouteList): Omit<RouteRow, 'line'>[] {
  return routeRows(list).map(({ line: _line, ...rest }) => rest);
}

export function familyCounts(list: RouteList): { v4: number; v6: number } {
  let v4 = 0;
  for (let i = 0; i < list.count; i++) if (list.family[i] === 4) v4++;
  return { v4, v6: list.count - v4 };
}
