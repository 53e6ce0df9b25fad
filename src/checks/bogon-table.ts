// Copies a range table (bogon-ranges.ts) into a WebAssembly instance, through its I/O region in
// pieces, for the classifier of assembly/checks/bogons.ts.

import { FibscopeOutOfMemoryError } from '../errors.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { BogonRanges, ClassRange } from './bogon-ranges.js';

const HALF = (1n << 64n) - 1n;

/** Replaces the instance's bogon table by `ranges`. Throws FibscopeOutOfMemoryError (table left empty) when memory is short. */
export function loadBogonTable(wasm: FibscopeExports, ranges: BogonRanges, what = 'the bogon table'): void {
  if (!wasm.bogonsReserve(ranges.v4.length, ranges.v6.length)) {
    throw new FibscopeOutOfMemoryError(what, `not enough WebAssembly memory for ${what} (${ranges.v4.length + ranges.v6.length} ranges)`);
  }
  loadFamily(wasm, 4, ranges.v4);
  loadFamily(wasm, 6, ranges.v6);
  wasm.bogonsIndex();
}

function loadFamily(wasm: FibscopeExports, family: 4 | 6, ranges: readonly ClassRange[]): void {
  const recordBytes = wasm.bogonsRangeBytes(family);
  const perPiece = Math.floor(Number(wasm.ioOutputOffset()) / recordBytes);
  const io = Number(wasm.ioPointer());
  for (let start = 0; start < ranges.length; start += perPiece) {
    const count = Math.min(perPiece, ranges.length - start);
    // a fresh view each piece: nothing here grows memory, but the reserve before may have
    const view = new DataView(wasm.memory.buffer, io, count * recordBytes);
    for (let i = 0; i < count; i++) {
      const range = ranges[start + i];
      const at = i * recordBytes;
      if (family === 4) {
        view.setUint32(at, Number(range.start), true);
        view.setUint32(at + 4, Number(range.end), true);
        view.setUint32(at + 8, range.mask, true);
      } else {
        view.setBigUint64(at, range.start >> 64n, true);
        view.setBigUint64(at + 8, range.start & HALF, true);
        view.setBigUint64(at + 16, range.end >> 64n, true);
        view.setBigUint64(at + 24, range.end & HALF, true);
        view.setUint32(at + 32, range.mask, true);
        view.setUint32(at + 36, 0, true);
      }
    }
    if (!wasm.bogonsLoad(family, io, start, count)) throw new Error(`bogonsLoad refused ranges ${start}..${start + count} of IPv${family}`);
  }
}
