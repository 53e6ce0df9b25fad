// fibscope's update lines read in WebAssembly (assembly/updates/update-lines.ts): the text is
// written into a short-lived instance of its own, scanned into columns there, and the columns
// copied out; each distinct route text is parsed here once, in the order texts first appear,
// as fibscope-lines.ts numbers them. When the module is not compiled yet, or the scan meets a
// line it does not take, the caller reads the stream in JavaScript instead: same columns, and
// every error worded there.
import { compiledModuleIfReady } from '../wasm/module.js';
import type { RouteAttributes } from '../routes/route.js';
import { UpdateColumns } from './columns.js';

interface LineScanExports {
  memory: WebAssembly.Memory;
  allocatorTryAlloc(size: number): number;
  updateLinesScan(text: number, length: number): number;
  updateLinesColumn(which: number): number;
  updateLinesTexts(): number;
}

/** Texts shorter than this are read in JavaScript: an instance of their own would cost more. */
const SMALLEST = 64 << 10;

/**
 * The updates of `text` in columns, the route text of each number parsed by `routeOf(route, line)`
 * (which throws the stream's error for a bad one); undefined when the caller is to read the text itself.
 */
export function scanUpdateLinesInWasm(text: string, source: string,
  routeOf: (route: string, line: number) => RouteAttributes): UpdateColumns | undefined {
  const module = compiledModuleIfReady();
  // lone surrogates would not come back from UTF-8 as they went in
  if (module === undefined || text.length < SMALLEST || !isWellFormed(text)) return undefined;
  let wasm: LineScanExports;
  try {
    const table = new WebAssembly.Table({ initial: 1, element: 'anyfunc' });
    wasm = new WebAssembly.Instance(module, {
      env: { table, abort: () => { throw new Error('fibscope WebAssembly aborted while reading update lines'); } },
    }).exports as unknown as LineScanExports;
  } catch {
    return undefined; // a page's main thread may refuse a synchronous instance
  }
  const room = text.length * 3;
  const at = room <= 0xffffffff ? wasm.allocatorTryAlloc(room) >>> 0 : 0;
  if (at === 0) return undefined;
  const { written } = new TextEncoder().encodeInto(text, new Uint8Array(wasm.memory.buffer, at, room));
  const count = wasm.updateLinesScan(at, written);
  if (count <= 0) return undefined;
  const buffer = wasm.memory.buffer;
  const bytes = new Uint8Array(buffer);
  const u32s = (which: number, n: number) => new Uint32Array(buffer, wasm.updateLinesColumn(which) >>> 0, n).slice();
  const u8s = (which: number, n: number) => new Uint8Array(buffer, wasm.updateLinesColumn(which) >>> 0, n).slice();
  const columns = new UpdateColumns(source);
  columns.adopt(count, {
    seconds: u32s(0, count), nanoseconds: u32s(1, count), op: u8s(2, count), family: u8s(3, count), length: u8s(4, count),
    v4: u32s(5, count), v6: u8s(6, count * 16), attributes: u32s(7, count), where: u32s(8, count),
  });
  const texts = wasm.updateLinesTexts();
  const starts = u32s(9, texts);
  const ends = u32s(10, texts);
  const lines = u32s(11, texts);
  const decoder = new TextDecoder();
  for (let k = 0; k < texts; k++) {
    columns.addAttributes(routeOf(decoder.decode(bytes.subarray(at + starts[k], at + ends[k])), lines[k]));
  }
  return columns;
}

function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed (ES2024; Node 20 has it): without it, take the JavaScript reader
  return (text as { isWellFormed?(): boolean }).isWellFormed?.() ?? false;
}
