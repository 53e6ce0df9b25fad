// Drives the WebAssembly bogon classifier from tests: an instance with a table loaded, and
// batches of addresses (family and value as bigint) classified through the I/O region.

import { instantiateModule } from '../../src/wasm/module.js';
import type { FibscopeExports } from '../../src/wasm/module.js';
import { buildBogonRanges, loadBogonTable } from '../../src/checks/index.js';
import type { BogonList } from '../../src/checks/index.js';

export interface TestAddress { family: 4 | 6; value: bigint }

const HALF = (1n << 64n) - 1n;
const RECORD = 24;

export async function classifierWith(list?: BogonList): Promise<FibscopeExports> {
  const wasm = await instantiateModule();
  loadBogonTable(wasm, buildBogonRanges(list));
  return wasm;
}

/** The masks of `addresses`, by bogonsClassifyBatch in pieces that fit the I/O region. */
export function classifyAll(wasm: FibscopeExports, addresses: readonly TestAddress[]): number[] {
  const io = wasm.ioPointer();
  const outAt = wasm.ioOutputOffset();
  const piece = Math.floor(outAt / RECORD);
  const masks: number[] = [];
  for (let first = 0; first < addresses.length; first += piece) {
    const count = Math.min(piece, addresses.length - first);
    const view = new DataView(wasm.memory.buffer, io, outAt + count * 4);
    for (let i = 0; i < count; i++) {
      const { family, value } = addresses[first + i];
      view.setUint32(i * RECORD, family, true);
      view.setUint32(i * RECORD + 4, 0, true);
      view.setBigUint64(i * RECORD + 8, family === 4 ? value : value >> 64n, true);
      view.setBigUint64(i * RECORD + 16, family === 4 ? 0n : value & HALF, true);
    }
    wasm.bogonsClassifyBatch(io, count, io + outAt);
    const out = new Uint32Array(wasm.memory.buffer, io + outAt, count);
    masks.push(...out);
  }
  return masks;
}

export function addressText(address: TestAddress): string {
  if (address.family === 4) {
    const v = Number(address.value);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  return address.value.toString(16).padStart(32, '0').replace(/(.{4})(?!$)/g, '$1:');
}
