// The move matrix: traffic by (next hop before, next hop after), each side's next hop being the
// one its own route picks for the flow (a multipath route's by the flow hash).
import type { Count, Report } from '../analyze/report.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { Overlay, SideRoute } from './overlay.js';
import { pairOf, sidePath } from './side-report.js';

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

/**
 * Every (next hop before, next hop after) cell with traffic, busiest first; the diagonal (traffic
 * that stays) too, so the cells from a next hop add up to what it carried before, and those to a
 * next hop to what it carries after. Packets with no route on either side are the cell null → null.
 */
export function moveMatrix(overlay: Overlay, report: Report): Move[] {
  const cells = new Map<string, Move>();
  const add = (from: MoveEnd, to: MoveEnd, packets: Count, bytes: Count) => {
    if (packets === 0) return;
    const key = `${endKey(from)}\u0002${endKey(to)}`;
    const cell = cells.get(key);
    if (!cell) cells.set(key, { from, to, packets, bytes });
    else {
      cell.packets = addCounts(cell.packets, packets);
      cell.bytes = addCounts(cell.bytes, bytes);
    }
  };
  add(null, null, report.totals.noRoute.packets, report.totals.noRoute.bytes);
  for (const row of report.routes) {
    const pair = pairOf(overlay, row);
    if (!row.nextHops) {
      add(moveEnd(pair.before, 0), moveEnd(pair.after, 0), row.packets, row.bytes);
      continue;
    }
    row.nextHops.forEach((hop, i) => {
      add(moveEnd(pair.before, sidePath(pair, 'before', i)), moveEnd(pair.after, sidePath(pair, 'after', i)), hop.packets, hop.bytes);
    });
  }
  return [...cells.values()].sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes)
    || compareText(endKey(a.from), endKey(b.from)) || compareText(endKey(a.to), endKey(b.to)));
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
