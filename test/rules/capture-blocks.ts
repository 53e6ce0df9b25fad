// The fields blocks of a capture's records, decoded by fibscope's WebAssembly (fieldsOfFrame, fed
// through a real capture input so pcapng interface numbers are the reader's), kept as raw 64-byte
// blocks with the frame beside them, to run a compiled rule set on in the same memory.
import { FIELDS_BYTES } from '../../src/classify/fields.js';
import type { FibscopeExports } from '../../src/wasm/module.js';
import { capturePieces } from '../classify/fields-driver.js';

export interface CaptureBlocks {
  /** 64 bytes per record, in order. */
  blocks: Uint8Array;
  records: number;
}

export function captureBlocks(wasm: FibscopeExports, file: Uint8Array): CaptureBlocks {
  const buffer = wasm.captureBufferCreate();
  const out = wasm.hostBufferCreate(FIELDS_BYTES);
  const input = wasm.inputCreate();
  const counters = wasm.countersCreate();
  const blocks: Uint8Array[] = [];
  try {
    for (const piece of capturePieces(file)) {
      new Uint8Array(wasm.memory.buffer, buffer, piece.bytes.length).set(piece.bytes);
      const rest = piece.bytes.length - wasm.inputFeedInPlace(input, counters, buffer, piece.bytes.length, false);
      if (wasm.inputError(input) || rest !== 0) throw new Error(`the input stopped at record ${blocks.length + 1}`);
      if (!piece.record) continue;
      const { linkType, offset, caplen } = piece.record;
      wasm.fieldsOfFrame(linkType, buffer + offset, caplen, out);
      blocks.push(new Uint8Array(wasm.memory.buffer, out, FIELDS_BYTES).slice());
    }
  } finally {
    wasm.inputFree(input);
    wasm.countersFree(counters);
  }
  const all = new Uint8Array(blocks.length * FIELDS_BYTES);
  blocks.forEach((block, i) => all.set(block, i * FIELDS_BYTES));
  return { blocks: all, records: blocks.length };
}
