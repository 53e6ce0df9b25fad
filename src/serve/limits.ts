// Request bodies are read whole (a routes body is parsed all at once) and so are bounded: a body
// over the limit is refused with 413 before it is stored, and the connection is closed so that
// the rest of it is not read either.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/** 1 MiB: some 30,000 `ip route` lines, far more than a route change needs. */
export const DEFAULT_MAX_BODY_BYTES = 1 << 20;

const CLOSE = { Connection: 'close' };

/** The request body as UTF-8 text; 413 when it is over `maxBytes`, 400 when it is not UTF-8. */
export async function readTextBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes, `${declared} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes, `more than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, size));
  } catch {
    throw new HttpError(400, 'the request body is not UTF-8 text');
  }
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
