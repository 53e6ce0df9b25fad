// Drives the WebAssembly packet-field decode record by record for tests: a capture is cut into its
// file header and blocks (pcap records, pcapng blocks) in JavaScript, each piece is fed to a real
// capture input (so the interface number comes from the reader itself), and after each record the
// exported fieldsOfFrame decodes that record's bytes where they lie in the input buffer.

import { readFields, type PacketFields } from '../../src/classify/fields.js';
import { interfaceName, interfaceNames, registerInterfaceName } from '../../src/classify/interfaces.js';
import { instantiateModule, type FibscopeExports } from '../../src/wasm/module.js';

export interface RecordFields extends PacketFields {
  /** 1-based, as tshark's frame.number */
  number: number;
  /** parse/status.ts: 4 IPv4, 6 IPv6, 0 non-IP, 1 unsupported link, 2 malformed */
  frame: number;
  /** the name of the interface number, '' for 0 */
  interfaceName: string;
}

/** A piece of a capture to feed: the file header, a block, or a record with where its frame lies. */
interface Piece {
  bytes: Uint8Array;
  /** for records: the frame's link type, its offset in `bytes` and captured length */
  record?: { linkType: number; offset: number; caplen: number };
}

/** Cuts a pcap or pcapng file into pieces (enough of both formats for the captures tests use). */
export function capturePieces(file: Uint8Array): Piece[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, true);
  const pieces: Piece[] = [];
  if (magic === 0x0a0d0d0a) {
    let little = true;
    let linkTypes: number[] = [];
    for (let at = 0; at + 12 <= file.length;) {
      if (view.getUint32(at, true) === 0x0a0d0d0a) {
        little = view.getUint32(at + 8, true) === 0x1a2b3c4d;
        linkTypes = [];
      }
      const type = view.getUint32(at, little);
      const length = view.getUint32(at + 4, little);
      const bytes = file.subarray(at, at + length);
      if (type === 1) linkTypes.push(view.getUint16(at + 8, little));
      if (type === 6 || type === 2) {
        const iface = type === 6 ? view.getUint32(at + 8, little) : view.getUint16(at + 8, little);
        pieces.push({ bytes, record: { linkType: linkTypes[iface], offset: 28, caplen: view.getUint32(at + 20, little) } });
      } else if (type === 3) {
        pieces.push({ bytes, record: { linkType: linkTypes[0], offset: 12, caplen: Math.min(view.getUint32(at + 8, little), length - 16) } });
      } else {
        pieces.push({ bytes });
      }
      at += length;
    }
    return pieces;
  }
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xa1b2cd34;
  const headerBytes = magic === 0xa1b2cd34 || magic === 0x34cdb2a1 ? 24 : 16;
  const linkType = view.getUint32(20, little) & 0x03ffffff;
  pieces.push({ bytes: file.subarray(0, 24) });
  for (let at = 24; at + headerBytes <= file.length;) {
    const caplen = view.getUint32(at + 8, little);
    pieces.push({ bytes: file.subarray(at, at + headerBytes + caplen), record: { linkType, offset: headerBytes, caplen } });
    at += headerBytes + caplen;
  }
  return pieces;
}

export interface FieldsDriver {
  wasm: FibscopeExports;
  /** Every record's fields, read through one fresh capture input; `pcapInterface` is given to a pcap input. */
  fieldsOf(file: Uint8Array, pcapInterface?: number): RecordFields[];
  /** Registers an interface name; its number. */
  register(name: string): number;
  /** The registered names, by number from 1. */
  names(): string[];
}

export async function fieldsDriver(): Promise<FieldsDriver> {
  const wasm = await instantiateModule();
  const buffer = wasm.captureBufferCreate();
  const out = wasm.hostBufferCreate(64);
  const bytesAt = (at: number, length: number): Uint8Array => new Uint8Array(wasm.memory.buffer, at, length);
  const nameOf = (number: number): string => interfaceName(wasm, number);
  return {
    wasm,
    fieldsOf(file, pcapInterface = 0) {
      const input = wasm.inputCreate();
      const counters = wasm.countersCreate();
      if (!wasm.inputSetInterface(input, pcapInterface)) throw new Error(`interface ${pcapInterface} is not registered`);
      const records: RecordFields[] = [];
      try {
        for (const piece of capturePieces(file)) {
          bytesAt(buffer, piece.bytes.length).set(piece.bytes);
          const before = wasm.inputRecords(input);
          const rest = piece.bytes.length - wasm.inputFeedInPlace(input, counters, buffer, piece.bytes.length, false);
          if (wasm.inputError(input)) throw new Error(`the input stopped: error ${wasm.inputError(input)} at record ${records.length + 1}`);
          if (rest !== 0) throw new Error(`the input left ${rest} of ${piece.bytes.length} bytes of a whole piece`);
          if (!piece.record) continue;
          if (wasm.inputRecords(input) !== before + 1) throw new Error(`record ${records.length + 1} was not read as one record`);
          const { linkType, offset, caplen } = piece.record;
          const frame = wasm.fieldsOfFrame(linkType, buffer + offset, caplen, out);
          const fields = readFields(new DataView(wasm.memory.buffer), out);
          records.push({ ...fields, number: records.length + 1, frame, interfaceName: nameOf(fields.interface) });
        }
      } finally {
        wasm.inputFree(input);
        wasm.countersFree(counters);
      }
      return records;
    },
    register(name) {
      return registerInterfaceName(wasm, name);
    },
    names() {
      return interfaceNames(wasm);
    },
  };
}
