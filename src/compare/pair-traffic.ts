// The summary, the move matrix and what changed, in one walk over the overlay's route rows
// (taken out of WebAssembly) with each side's rows beside them: no object per pair or per route.
// The same answers as changed.ts and moves.ts give from the report's objects.
import type { DestinationReaders } from '../analyze/build-report.js';
import type { Count } from '../analyze/report.js';
import type { ClassAttributes, RouteRows } from '../analyze/route-rows.js';
import { addCounts, compareCounts } from '../report/count.js';
import type { RouteType } from '../routes/route.js';
import { addChange, emptySummary, type ChangedRoute, type ChangedTraffic, type ChangeSummary, type TrafficCounts } from './changed.js';
import type { Move, MoveEnd } from './moves.js';
import type { Overlay } from './overlay.js';

/** Keys of two small numbers in one (class numbers, move ends: far below 2^26). */
const SHIFT = 2 ** 26;

export interface PairTraffic extends ChangeSummary {
  moves: Move[];
  changed: ChangedTraffic[];
}

/** One side: its route of each pair, its rows, the next-hop maps of the multipath pairs. */
interface SideView {
  ids: Int32Array;
  rows: RouteRows;
  rowOfId: Int32Array;
  maps: { start: Int32Array; paths: Uint32Array } | undefined;
  /** Per attribute class, the move end of each next hop, as an index into `ends`. */
  endsOfClass: Map<number, Int32Array>;
}

/**
 * What moves between the sides: `overlayRows` the overlay report's rows (their metric is the
 * pair index), `before` and `after` each side's rows (src/compare/side-rows.ts), `noRoute` the
 * overlay's unrouted traffic, `readers` its destinations, `top` as changedTraffic takes it.
 */
export function pairTraffic(overlay: Overlay, overlayRows: RouteRows, before: RouteRows, after: RouteRows,
  noRoute: TrafficCounts, readers: DestinationReaders, top: number): PairTraffic {
  const side = (name: 'before' | 'after', rows: RouteRows): SideView => ({
    ids: overlay.sideIds(name), rows, rowOfId: rows.rowOfId(), maps: overlay.pathMaps(name), endsOfClass: new Map(),
  });
  const sides = [side('before', before), side('after', after)] as const;
  // move ends, each (next hop, device) once; 0 is no route
  const ends: MoveEnd[] = [null];
  const endKeys: string[] = [''];
  const endIndex = new Map<string, number>([['', 0]]);
  const intern = (end: MoveEnd): number => {
    const key = endKey(end);
    let index = endIndex.get(key);
    if (index === undefined) {
      endIndex.set(key, (index = ends.length));
      ends.push(end);
      endKeys.push(key);
    }
    return index;
  };
  const endsOf = (view: SideView, row: number): Int32Array => {
    const routeClass = view.rows.routeClassAt(row);
    let out = view.endsOfClass.get(routeClass);
    if (!out) {
      const attributes = view.rows.attributesAt(row);
      const hops = attributes.nextHops && attributes.nextHops.length > 1 ? attributes.nextHops : undefined;
      out = Int32Array.from(hops ? hops.map((hop) => intern({ nextHop: hop.via, dev: hop.dev }))
        : [intern({ nextHop: attributes.nextHop, dev: attributes.dev })]);
      view.endsOfClass.set(routeClass, out);
    }
    return out;
  };
  const sameAttributes = new Map<number, boolean>();

  const cells = new Map<number, { packets: Count; bytes: Count }>();
  const addCell = (from: number, to: number, packets: Count, bytes: Count) => {
    if (packets === 0) return;
    const key = from * SHIFT + to;
    const cell = cells.get(key);
    if (!cell) cells.set(key, { packets, bytes });
    else {
      cell.packets = addCounts(cell.packets, packets);
      cell.bytes = addCounts(cell.bytes, bytes);
    }
  };
  addCell(0, 0, noRoute.packets, noRoute.bytes);

  const summary = emptySummary();
  // the pairs whose traffic moves, by (route id before, route id after)
  const changedPairs = new Map<number, { before: number; after: number; packets: Count; bytes: Count }>();
  // the overlay's routes whose traffic moves: their row, by route id
  const movedRowOfId = new Int32Array(overlayRows.rowOfId().length).fill(-1);
  const [b, a] = sides;
  for (let row = 0; row < overlayRows.count; row++) {
    const packets = overlayRows.packetsAt(row);
    const bytes = overlayRows.bytesAt(row);
    const pair = overlayRows.metricAt(row);
    const idBefore = pair < b.ids.length ? b.ids[pair] : -1;
    const idAfter = pair < a.ids.length ? a.ids[pair] : -1;
    const rowBefore = idBefore >= 0 && idBefore < b.rowOfId.length ? b.rowOfId[idBefore] : -1;
    const rowAfter = idAfter >= 0 && idAfter < a.rowOfId.length ? a.rowOfId[idAfter] : -1;
    const endsBefore = rowBefore >= 0 ? endsOf(b, rowBefore) : undefined;
    const endsAfter = rowAfter >= 0 ? endsOf(a, rowAfter) : undefined;
    const startBefore = b.maps ? b.maps.start[pair] ?? -1 : -1;
    if (startBefore < 0) addCell(endsBefore?.[0] ?? 0, endsAfter?.[0] ?? 0, packets, bytes);
    else {
      // a multipath pair: each overlay next hop stands for one next hop of each side
      const startAfter = a.maps!.start[pair];
      const counted = Math.min(overlayRows.pathCountAt(row), b.maps!.paths[startBefore]);
      for (let path = 0; path < counted; path++) {
        const from = endsBefore ? endsBefore[Math.min(b.maps!.paths[startBefore + 1 + path], endsBefore.length - 1)] : 0;
        const to = endsAfter ? endsAfter[Math.min(a.maps!.paths[startAfter + 1 + path], endsAfter.length - 1)] : 0;
        addCell(from, to, overlayRows.pathPacketsAt(row, path), overlayRows.pathBytesAt(row, path));
      }
    }
    if (rowBefore >= 0 && rowAfter >= 0) {
      const key = b.rows.routeClassAt(rowBefore) * SHIFT + a.rows.routeClassAt(rowAfter);
      let same = sameAttributes.get(key);
      if (same === undefined) sameAttributes.set(key, (same = attributesAlike(b.rows.attributesAt(rowBefore), a.rows.attributesAt(rowAfter))));
      if (same && b.rows.samePrefix(rowBefore, a.rows, rowAfter)) continue;
    } else if (rowBefore < 0 && rowAfter < 0) continue;
    addChange(summary, rowBefore >= 0 ? b.rows.attributesAt(rowBefore).type : undefined,
      rowAfter >= 0 ? a.rows.attributesAt(rowAfter).type : undefined, packets, bytes);
    const pairKey = (rowBefore + 1) * SHIFT * 64 + (rowAfter + 1);
    const entry = changedPairs.get(pairKey);
    if (!entry) changedPairs.set(pairKey, { before: rowBefore, after: rowAfter, packets, bytes });
    else add(entry, packets, bytes);
    movedRowOfId[overlayRows.idAt(row)] = row;
  }

  const moves: Move[] = [];
  for (const [key, cell] of cells) {
    const from = Math.floor(key / SHIFT);
    moves.push({ from: ends[from], to: ends[key - from * SHIFT], packets: cell.packets, bytes: cell.bytes });
  }
  const keyOfEnd = new Map(ends.map((end, i) => [end, endKeys[i]]));
  moves.sort((x, y) => compareCounts(y.packets, x.packets) || compareCounts(y.bytes, x.bytes)
    || compareText(keyOfEnd.get(x.from)!, keyOfEnd.get(y.from)!) || compareText(keyOfEnd.get(x.to)!, keyOfEnd.get(y.to)!));

  // the changed prefixes: sorted as numbers, their prefix text read only to break ties
  const prefixes = [...changedPairs.values()];
  const prefixOf = (entry: { before: number }) => (entry.before < 0 ? '' : b.rows.prefixAt(entry.before));
  prefixes.sort((x, y) => compareCounts(y.packets, x.packets) || compareCounts(y.bytes, x.bytes) || compareText(prefixOf(x), prefixOf(y)));
  const shown = (view: SideView, row: number): ChangedRoute => {
    if (row < 0) return null;
    const attributes = view.rows.attributesAt(row);
    return { prefix: view.rows.prefixAt(row), nextHop: attributes.nextHop, dev: attributes.dev, type: attributes.type as RouteType };
  };
  const changed: ChangedTraffic[] = (top > 0 ? prefixes.slice(0, top) : prefixes).map((entry) => ({
    prefix: entry.before < 0 ? null : b.rows.prefixAt(entry.before),
    from: shown(b, entry.before), to: shown(a, entry.after), packets: entry.packets, bytes: entry.bytes,
  }));
  if (changedPairs.size > 0) {
    // the destinations come busiest first already: the first `top` that move are the busiest
    const picked = readers.pickByRoute((routeId) => routeId < movedRowOfId.length && movedRowOfId[routeId] >= 0, top);
    for (const { destination, routeId } of picked) {
      const row = movedRowOfId[routeId];
      const pair = overlayRows.metricAt(row);
      const rowBefore = b.ids[pair] >= 0 ? b.rowOfId[b.ids[pair]] ?? -1 : -1;
      const rowAfter = a.ids[pair] >= 0 ? a.rowOfId[a.ids[pair]] ?? -1 : -1;
      changed.push({ address: destination.address, from: shown(b, rowBefore), to: shown(a, rowAfter), packets: destination.packets, bytes: destination.bytes });
    }
  }
  return { ...summary, moves, changed };
}

/** Whether two attribute classes send traffic the same way (changed.ts sameRoute, the prefix aside). */
function attributesAlike(x: ClassAttributes, y: ClassAttributes): boolean {
  if (x.type !== y.type || x.nextHop !== y.nextHop || x.dev !== y.dev) return false;
  // a single next hop given as a group of one is the route's own next hop
  const hopsX = x.nextHops && x.nextHops.length > 1 ? x.nextHops : [];
  const hopsY = y.nextHops && y.nextHops.length > 1 ? y.nextHops : [];
  return hopsX.length === hopsY.length
    && hopsX.every((hop, i) => hop.via === hopsY[i].via && hop.dev === hopsY[i].dev && hop.weight === hopsY[i].weight);
}

const endKey = (end: MoveEnd) => (end === null ? '' : `${end.nextHop ?? '\u0000'}\u0001${end.dev ?? '\u0000'}`);

function add(into: TrafficCounts, packets: Count, bytes: Count): void {
  into.packets = addCounts(into.packets, packets);
  into.bytes = addCounts(into.bytes, bytes);
}

function compareText(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
