// What one client may hold of the server, and for how long. Request bodies are read whole (a
// routes body is parsed all at once) and so are bounded in size and in time: a body over the
// limit is refused with 413 before it is stored, one that does not arrive in time with 408, and
// in both cases the connection is closed so that the rest of it is not read either.
import type { IncomingMessage } from 'node:http';
import { ClientGone, HttpError } from './http-error.js';

/** 1 MiB: some 30,000 `ip route` lines, far more than a route change needs. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;
/** The request line and headers must arrive within this (Node's headersTimeout). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** The whole request, body included, must arrive within this (Node's requestTimeout). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A request body must arrive within this from the end of the headers; 1 MiB at 1 Mbit/s takes 8 s. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** A response whose client takes none of the pending output for this long is cut. */
export const DEFAULT_STALL_TIMEOUT_MS = 10_000;
/** Output written but not yet taken by the client, per connection, beyond which it is cut. */
export const DEFAULT_MAX_UNREAD_BYTES = 8 << 20;
/** /report text held for clients still reading it, all clients together; more waits with 503. */
export const DEFAULT_MAX_REPORT_BYTES_IN_FLIGHT = 256 << 20;

const CLOSE = { Connection: 'close' };

/**
 * The request body as UTF-8 text: 413 when it is over `maxBytes`, 408 when it has not all
 * arrived within `timeoutMs`, 400 when it is not UTF-8; ClientGone when the client closed the
 * connection before sending it all.
 */
export function readTextBody(req: IncomingMessage, maxBytes: number, timeoutMs = DEFAULT_BODY_TIMEOUT_MS): Promise<string> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return Promise.reject(tooLarge(maxBytes, `${declared} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: Error | undefined, text?: string) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onGone).off('close', onGone);
      if (error) {
        // what is left of the body is not read: the answer closes the connection
        req.pause();
        reject(error);
      } else resolve(text!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(tooLarge(maxBytes, `more than ${maxBytes} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        finish(undefined, new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size)));
      } catch {
        finish(new HttpError(400, 'the request body is not UTF-8 text'));
      }
    };
    const onGone = () => finish(new ClientGone(`after ${size} bytes of the body`));
    const timer = setTimeout(() => finish(new HttpError(408,
      `the request body did not arrive within ${timeoutMs / 1000} s (${size} bytes came); send it at once`, CLOSE)), timeoutMs);
    timer.unref();
    req.on('data', onData).on('end', onEnd).on('error', onGone).on('close', onGone);
  });
}

function tooLarge(maxBytes: number, size: string): HttpError {
  return new HttpError(413, `the request body (${size}) is over the ${maxBytes}-byte limit (--max-body)`, CLOSE);
}

const UNITS: Record<string, number> = { '': 1, k: 1 << 10, kib: 1 << 10, m: 1 << 20, mib: 1 << 20, g: 1 << 30, gib: 1 << 30 };

/** `1048576`, `512k`, `1MiB`, `2m`: binary units, case-insensitive. Undefined when it does not parse. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? UNITS[match[2].toLowerCase()] : undefined;
  if (!match || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
