// The move matrix: traffic by (next hop before, next hop after), each side's next hop being the
// one its own route picks for the flow (a multipath route's by the flow hash).
import type { Count, Report } from '../analyze/report.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { Overlay, SideRoute } from './overlay.js';
import { rowPairs, sidePath } from './side-report.js';
import type { OverlayPair } from './overlay.js';

/** Where traffic goes on one side: a next hop and device (null when the route has none), or null for no route. */
export type MoveEnd = { nextHop: string | null; dev: string | null } | null;

export interface Move {
  from: MoveEnd;
  to: MoveEnd;
  packets: Count;
  bytes: Count;
}

/** The next hop `path` of `route`: its only one, or the multipath route's path-th. */
export function moveEnd(route: SideRoute | undefined, path: number): MoveEnd {
  if (route === undefined) return null;
  if (route.nextHops && route.nextHops.length > 1) return { nextHop: route.nextHops[path].via, dev: route.nextHops[path].dev };
  return { nextHop: route.nextHop, dev: route.dev };
}

const endKey = (end: MoveEnd) => (end === null ? '' : `${end.nextHop ?? '\u0000'}\u0001${end.dev ?? '\u0000'}`);

/** The key of a side's next hop: the same for every route through the same next hop and device. */
const keyOf = (route: SideRoute | undefined, path: number) => endKey(moveEnd(route, path));

/**
 * Every (next hop before, next hop after) cell with traffic, busiest first; the diagonal (traffic
 * that stays) too, so the cells from a next hop add up to what it carried before, and those to a
 * next hop to what it carries after. Packets with no route on either side are the cell null → null.
 */
export function moveMatrix(overlay: Overlay, report: Report, pairs: readonly OverlayPair[] = rowPairs(overlay, report)): Move[] {
  // cells by the key of their next hop before, then after; a route's key made once
  const cells = new Map<string, Map<string, Move>>();
  const keys = new Map<SideRoute | undefined, string>();
  const add = (before: SideRoute | undefined, pathBefore: number, after: SideRoute | undefined, pathAfter: number, packets: Count, bytes: Count) => {
    if (packets === 0) return;
    const multipath = pathBefore > 0 || pathAfter > 0 || (before?.nextHops?.length ?? 0) > 1 || (after?.nextHops?.length ?? 0) > 1;
    let from: string | undefined;
    let to: string | undefined;
    if (multipath) {
      from = keyOf(before, pathBefore);
      to = keyOf(after, pathAfter);
    } else {
      from = keys.get(before);
      if (from === undefined) keys.set(before, (from = keyOf(before, 0)));
      to = keys.get(after);
      if (to === undefined) keys.set(after, (to = keyOf(after, 0)));
    }
    let row = cells.get(from);
    if (!row) cells.set(from, (row = new Map()));
    const cell = row.get(to);
    if (!cell) row.set(to, { from: moveEnd(before, pathBefore), to: moveEnd(after, pathAfter), packets, bytes });
    else {
      cell.packets = addCounts(cell.packets, packets);
      cell.bytes = addCounts(cell.bytes, bytes);
    }
  };
  add(undefined, 0, undefined, 0, report.totals.noRoute.packets, report.totals.noRoute.bytes);
  report.routes.forEach((row, index) => {
    const pair = pairs[index];
    if (!row.nextHops) add(pair.before, 0, pair.after, 0, row.packets, row.bytes);
    else row.nextHops.forEach((hop, i) => add(pair.before, sidePath(pair, 'before', i), pair.after, sidePath(pair, 'after', i), hop.packets, hop.bytes));
  });
  const all = [...cells.values()].flatMap((row) => [...row.values()]);
  return all.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes)
    || compareText(endKey(a.from), endKey(b.from)) || compareText(endKey(a.to), endKey(b.to)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
