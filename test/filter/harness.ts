// Test harness for compiled filters: read a capture's records (pcap or pcapng, either byte order),
// run a compiled filter over each frame in its own WebAssembly.Memory (per-packet JS is fine in
// tests only), and ask tcpdump which records it keeps (`tcpdump -r CAP -w - EXPR`).
import { execFile, spawnSync } from 'node:child_process';
import type { CompiledFilter } from '../../src/filter/index.js';

export interface CaptureRecord {
  /** timestamp in µs since the epoch, truncated as libpcap scales finer resolutions */
  micros: bigint;
  data: Uint8Array;
  wirelen: number;
  linkType: number;
}

export interface Capture {
  linkTypes: number[];
  records: CaptureRecord[];
}

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

export function readCapture(bytes: Uint8Array): Capture {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic === 0x0a0d0d0a) return readPcapng(bytes, view);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = (little ? magic : view.getUint32(0, false)) === 0xa1b23c4d;
  if (!little && ![0xa1b2c3d4, 0xa1b23c4d].includes(view.getUint32(0, false))) throw new Error(`not a capture (magic ${magic.toString(16)})`);
  const minor = view.getUint16(6, little);
  const linkType = view.getUint32(20, little) & 0xffff;
  const records: CaptureRecord[] = [];
  for (let at = 24; at + 16 <= bytes.length;) {
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + 4, little);
    let caplen = view.getUint32(at + 8, little);
    let wirelen = view.getUint32(at + 12, little);
    if (minor < 3 && caplen > wirelen) [caplen, wirelen] = [wirelen, caplen];
    if (at + 16 + caplen > bytes.length) break;
    records.push({ micros: BigInt(seconds) * 1_000_000n + BigInt(nano ? Math.floor(fraction / 1000) : fraction), data: bytes.slice(at + 16, at + 16 + caplen), wirelen, linkType });
    at += 16 + caplen;
  }
  return { linkTypes: [linkType], records };
}

function readPcapng(bytes: Uint8Array, view: DataView): Capture {
  let little = true;
  let interfaces: { linkType: number; unitsPerSecond: bigint }[] = [];
  const linkTypes = new Set<number>();
  const records: CaptureRecord[] = [];
  for (let at = 0; at + 12 <= bytes.length;) {
    const type = view.getUint32(at, true);
    if (type === 0x0a0d0d0a) {
      little = view.getUint32(at + 8, true) === 0x1a2b3c4d;
      interfaces = [];
    }
    const length = view.getUint32(at + 4, little);
    if (length < 12 || at + length > bytes.length) break;
    const body = at + 8;
    if (type === 1) {
      const linkType = view.getUint16(body, little);
      let unitsPerSecond = 1_000_000n;
      for (let o = body + 8; o + 4 <= at + length - 4;) {
        const code = view.getUint16(o, little);
        const len = view.getUint16(o + 2, little);
        if (code === 0) break;
        if (code === 9 && len >= 1) {
          const r = bytes[o + 4];
          unitsPerSecond = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r);
        }
        o += 4 + ((len + 3) & ~3);
      }
      interfaces.push({ linkType, unitsPerSecond });
      linkTypes.add(linkType);
    } else if (type === 6) {
      const iface = interfaces[view.getUint32(body, little)];
      const stamp = (BigInt(view.getUint32(body + 4, little)) << 32n) | BigInt(view.getUint32(body + 8, little));
      const caplen = view.getUint32(body + 12, little);
      const wirelen = view.getUint32(body + 16, little);
      records.push({ micros: (stamp * 1_000_000n) / iface.unitsPerSecond, data: bytes.slice(body + 20, body + 20 + caplen), wirelen, linkType: iface.linkType });
    }
    at += length;
  }
  return { linkTypes: [...linkTypes], records };
}

const FRAME_AT = 64;

const memory = new WebAssembly.Memory({ initial: 5 });
const instances = new WeakMap<CompiledFilter, (frame: number, caplen: number, wirelen: number, linkType: number) => number>();

/** Indices of the records the compiled filter matches. */
export function runFilter(compiled: CompiledFilter, capture: Capture): number[] {
  let filter = instances.get(compiled);
  if (!filter) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(compiled.bytes), { env: { memory } });
    filter = instance.exports.filter as (frame: number, caplen: number, wirelen: number, linkType: number) => number;
    instances.set(compiled, filter);
  }
  const bytes = new Uint8Array(memory.buffer);
  const matched: number[] = [];
  capture.records.forEach((record, i) => {
    // poison the bytes after the frame: a load past caplen that slipped through would show
    bytes.fill(0xa5, FRAME_AT, FRAME_AT + record.data.length + 256);
    bytes.set(record.data, FRAME_AT);
    const result = filter(FRAME_AT, record.data.length, record.wirelen, record.linkType);
    if (result !== 0 && result !== 1) throw new Error(`filter returned ${result}`);
    if (result === 1) matched.push(i);
  });
  return matched;
}

export type TcpdumpAnswer = { refused: string } | { records: CaptureRecord[] };

/** The records `tcpdump -r path -w - expression` keeps, or its refusal message. */
export function tcpdumpFilter(path: string, expression: string): Promise<TcpdumpAnswer> {
  return new Promise((resolve, reject) => {
    execFile('tcpdump', ['-r', path, '-w', '-', expression], { encoding: 'buffer', maxBuffer: 1 << 28 }, (error, stdout, stderr) => {
      const message = stderr.toString();
      if (error && stdout.length === 0) {
        const line = message.split('\n').find((l) => l.startsWith('tcpdump: ')) ?? message;
        if (!line) return reject(error);
        return resolve({ refused: line.replace(/^tcpdump: /, '').trim() });
      }
      // a truncated input ends tcpdump with an error after it wrote what it read
      resolve({ records: readCapture(new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.byteLength)).records });
    });
  });
}

/** Runs `tasks` with at most `width` in flight. */
export async function pool<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}
