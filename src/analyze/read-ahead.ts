// Reading a capture file ahead: the kernel copies the next 4 MiB of the file into one area of
// WebAssembly memory, on libuv's thread pool, while WebAssembly counts the other area. The copy
// from the page cache was a quarter of the per-packet time read in turn with readSync (54 of
// 220 ms on the 1M-packet capture); overlapped, the packets take 119 ms instead of 148 on this
// 2-core machine. Areas: Analyzer.aheadView and pushAhead.
//
// A read in flight writes through the address it was given. That stays right when WebAssembly
// memory grows meanwhile only if it grows in place, which V8 does when it could reserve the
// memory's whole range up front: on 64-bit systems without a limit on address space. Elsewhere
// (or off Linux, where the limit is not read) the file is read in turn.
import { read, readFileSync, readSync } from 'node:fs';
import type { Analyzer } from './analyzer.js';

let grows: boolean | undefined;

/** Whether WebAssembly memory grows in place here (see above); read once. */
function memoryGrowsInPlace(): boolean {
  if (grows === undefined) {
    try {
      const limits = readFileSync('/proc/self/limits', 'utf8');
      grows = (process.arch === 'x64' || process.arch === 'arm64') && /^Max address space\s+unlimited/m.test(limits);
    } catch {
      grows = false;
    }
  }
  return grows;
}

/** Fills `view` from the file at `position`, resolving with the bytes read (tests pass their own). */
export type AreaFill = (fd: number, view: Uint8Array, position: number) => Promise<number>;

function readInto(fd: number, view: Uint8Array, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, view, 0, view.length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

/**
 * Reads the plain file `fd` from its start into the analyzer's current input, a read ahead of
 * the counting, until its end or until the input stops. False, with nothing read, where memory
 * is too short for the areas or the reads cannot be overlapped safely: read it another way.
 */
export async function readFileAhead(
  analyzer: Analyzer, fd: number, onProgress?: (bytesRead: number) => void, fill: AreaFill = readInto,
): Promise<boolean> {
  if (!memoryGrowsInPlace()) return false;
  const first = analyzer.aheadView(0);
  if (!first) return false;
  let area: 0 | 1 = 0;
  let view = first;
  let position = 0;
  let filling = fill(fd, view, position);
  try {
    for (;;) {
      let count = await filling;
      // memory grew while the kernel filled the area (in place, so the bytes are there): the
      // view is detached; read the range again through a live one, which costs little and rarely
      if (view.byteLength === 0) count = readSync(fd, analyzer.aheadView(area)!, 0, count, position);
      if (count === 0) return true;
      position += count;
      const next: 0 | 1 = area === 0 ? 1 : 0;
      // the other area is free: what it left unread moved in front of this one's data
      view = analyzer.aheadView(next)!;
      filling = fill(fd, view, position);
      analyzer.pushAhead(area, count);
      onProgress?.(position);
      if (analyzer.failed) return true;
      area = next;
    }
  } finally {
    // the file closes after this: no read may still be writing
    await filling.catch(() => 0);
  }
}
