// One side's route rows from the overlay's, summed in WebAssembly (assembly/compare/side-rows.ts):
// in that side table's own instance, so that its rows are sorted and written as JSON as an
// Analyzer's are (src/analyze/route-rows.ts), without an object per route.
import { RouteRows } from '../analyze/route-rows.js';
import type { Count } from '../analyze/report.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import { countOf } from '../report/count.js';
import type { Overlay } from './overlay.js';

export interface SideRows {
  rows: RouteRows;
  /** The traffic of the overlay's routes whose pair has no route on this side. */
  noRoute: { packets: Count; bytes: Count };
}

/** The route rows of `fib` (the `side` table of `overlay`) from the overlay report's rows. */
export function sideRouteRows(overlay: Overlay, fib: Fib, side: 'before' | 'after', overlayRows: RouteRows): SideRows {
  const { wasm } = fib.engine();
  const block = overlayRows.bytes;
  const sides = overlay.sideIds(side);
  const maps = overlay.pathMaps(side);
  const blockBytes = align8(block.length);
  const sidesBytes = align8(sides.length * 4);
  const startBytes = maps ? align8(maps.start.length * 4) : 0;
  const pathsBytes = maps ? maps.paths.length * 4 : 0;
  const at = wasm.sideRowsScratch(blockBytes + sidesBytes + startBytes + pathsBytes) >>> 0;
  if (at === 0) throw new FibscopeOutOfMemoryError('a comparison', 'out of WebAssembly memory: no room to sum the overlay\'s routes by each table\'s');
  const memory = wasm.memory.buffer;
  new Uint8Array(memory, at, block.length).set(block);
  new Int32Array(memory, at + blockBytes, sides.length).set(sides);
  const startAt = at + blockBytes + sidesBytes;
  if (maps) {
    new Int32Array(memory, startAt, maps.start.length).set(maps.start);
    new Uint32Array(memory, startAt + startBytes, maps.paths.length).set(maps.paths);
  }
  const rowsAt = wasm.sideRouteRowsTake(at, at + blockBytes, sides.length, maps ? startAt : 0, maps ? startAt + startBytes : 0) >>> 0;
  const rows = RouteRows.copy(fib, wasm, rowsAt);
  return { rows, noRoute: { packets: countOf(wasm.sideNoRoutePackets()), bytes: countOf(wasm.sideNoRouteBytes()) } };
}

function align8(bytes: number): number {
  return (bytes + 7) & ~7;
}
