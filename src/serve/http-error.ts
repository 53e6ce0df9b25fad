// What the HTTP API answers when a request is wrong: a status, a message that says what to do
// instead, and a JSON body `{"error": "..."}`. Nothing about the table or counters changes.
import type { ServerResponse } from 'node:http';

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** More members of the JSON body, beside `error` (the `line` of a bad rule, say). */
  readonly details: Readonly<Record<string, unknown>>;
  constructor(status: number, message: string, headers: Record<string, string> = {}, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
    this.details = details;
  }
}

/**
 * The client closed the connection (or it broke) before the answer was done: nothing to
 * answer, and not a fault of the server. `detail` says how far the request had come.
 */
export class ClientGone extends Error {
  constructor(detail: string) {
    super(`the client closed the connection ${detail}`);
    this.name = 'ClientGone';
  }
}

/** 405, with the Allow header the status requires. */
export function methodNotAllowed(method: string | undefined, path: string, allowed: readonly string[]): HttpError {
  return new HttpError(405, `${method ?? 'this method'} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
    { Allow: allowed.join(', ') });
}

/** Throws 405 unless the request's method is one of `allowed` (HEAD goes with GET). */
export function checkMethod(method: string | undefined, path: string, allowed: readonly string[]): void {
  if (method !== undefined && allowed.includes(method)) return;
  throw methodNotAllowed(method, path, allowed);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  if (res.headersSent) {
    // the answer was already under way: all that is left is to cut it short
    res.destroy();
    return;
  }
  sendJson(res, error.status, { error: error.message, ...error.details }, error.headers);
}
