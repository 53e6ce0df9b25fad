// GET /report: the JSON report, made at request time and written in pieces that wait for the
// client to take each one ('drain'). The text is made at once (writeJson is synchronous), into
// 1 MiB buffers of its own (writeJson's chunks may be views of WebAssembly memory); requests of
// the same turn of the event loop share it. All /report text held for clients still reading is
// bounded: past the bound, a request gets 503 and comes back later.
import type { ServerResponse } from 'node:http';
import type { Analyzer } from '../analyze/analyzer.js';
import { writeJson } from '../report/json.js';
import { ClientGone, HttpError } from './http-error.js';
import { releaseMemorySoon } from './release-memory.js';
import { drained } from './response-guard.js';

const PIECE_BYTES = 1 << 20;
/** A text this large, once dropped, is worth a collection. */
const RELEASE_AFTER_BYTES = 16 << 20;

interface Rendering {
  pieces: Buffer[];
  bytes: number;
  readers: number;
  /** Its bytes are no longer counted in flight. */
  settled: boolean;
}

export class ReportStreams {
  private readonly analyzer: Analyzer;
  private readonly maxBytesInFlight: number;
  /** The text of this turn of the event loop. */
  private current?: Rendering;
  /** Bytes of /report text held for clients still reading it. */
  bytesInFlight = 0;

  constructor(analyzer: Analyzer, maxBytesInFlight: number) {
    this.analyzer = analyzer;
    this.maxBytesInFlight = maxBytesInFlight;
  }

  /** Answers GET /report (HEAD: the headers only). */
  async answer(res: ServerResponse, head: boolean): Promise<void> {
    // let the socket events of this turn land first: a client that asked and left at once (its
    // request was read before its close) costs no report, and the requests of one burst share one
    await nextPoll();
    if (res.destroyed) throw new ClientGone('before GET /report was answered');
    const rendering = this.take();
    try {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': rendering.bytes });
      if (head) {
        res.end();
        return;
      }
      for (const piece of rendering.pieces) {
        if (res.write(piece)) continue;
        await drained(res).catch(() => {
          throw new ClientGone(`during GET /report, having read ${res.socket?.bytesWritten ?? 0} bytes`);
        });
      }
      res.end();
    } finally {
      this.release(rendering);
    }
  }

  private take(): Rendering {
    if (this.current) {
      this.current.readers++;
      return this.current;
    }
    if (this.bytesInFlight >= this.maxBytesInFlight) {
      throw new HttpError(503, `${this.bytesInFlight} bytes of reports are still being read by other clients (limit ${this.maxBytesInFlight}); try again shortly`,
        { 'Retry-After': '5' });
    }
    const rendering = render(this.analyzer);
    this.current = rendering;
    this.bytesInFlight += rendering.bytes;
    setImmediate(() => {
      if (this.current === rendering) this.current = undefined;
      this.settle(rendering);
    });
    return rendering;
  }

  private release(rendering: Rendering): void {
    rendering.readers--;
    this.settle(rendering);
  }

  /** Counts a text out once nobody reads it and nobody can take it any more. */
  private settle(rendering: Rendering): void {
    if (rendering.readers > 0 || this.current === rendering || rendering.settled) return;
    rendering.settled = true;
    this.bytesInFlight -= rendering.bytes;
    // the texts of clients now gone are garbage: let them go while nobody needs the time
    if (this.bytesInFlight === 0 && rendering.bytes >= RELEASE_AFTER_BYTES) releaseMemorySoon();
  }
}

/** Resolves after the event loop's next poll for I/O. */
function nextPoll(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function render(analyzer: Analyzer): Rendering {
  const pieces: Buffer[] = [];
  let piece = Buffer.allocUnsafeSlow(PIECE_BYTES);
  let used = 0;
  let bytes = 0;
  writeJson(analyzer.snapshot(), (chunk) => {
    bytes += chunk.length;
    for (let at = 0; at < chunk.length;) {
      const take = Math.min(chunk.length - at, PIECE_BYTES - used);
      piece.set(chunk.subarray(at, at + take), used);
      used += take;
      at += take;
      if (used === PIECE_BYTES) {
        pieces.push(piece);
        piece = Buffer.allocUnsafeSlow(PIECE_BYTES);
        used = 0;
      }
    }
  });
  if (used) pieces.push(piece.subarray(0, used));
  return { pieces, bytes, readers: 1, settled: false };
}
