// Routes of a RouteList as plain objects with their BGP attributes, for comparing two loads.
import type { RouteList } from '../../src/routes/route-list.js';
import { prefixAt } from '../helpers/route-rows.js';

export interface BgpRouteRow {
  prefix: string;
  nextHop: string | null;
  metric: number;
  asPath?: string;
  originAs?: number;
  originAsSet?: readonly number[];
  communities?: readonly string[];
}

export function bgpRouteRows(list: RouteList): BgpRouteRow[] {
  const rows: BgpRouteRow[] = [];
  for (let i = 0; i < list.count; i++) {
    const as = list.asAttributes?.[i];
    const communities = list.communities?.[i];
    rows.push({
      prefix: prefixAt(list, i),
      nextHop: list.nextHop[i],
      metric: list.metric[i],
      ...(as?.asPath !== undefined ? { asPath: as.asPath } : {}),
      ...(as?.originAs !== undefined ? { originAs: as.originAs } : {}),
      ...(as?.originAsSet !== undefined ? { originAsSet: [...as.originAsSet] } : {}),
      ...(communities !== undefined ? { communities: [...communities] } : {}),
    });
  }
  return rows;
}
