// Bearer tokens for the requests that change state (RFC 6750). Reads (GET, HEAD) stay open, as a
// scraper has no token to give; every other method needs `Authorization: Bearer TOKEN`, whatever
// the path, so that an endpoint added later cannot be written to by mistake.
//
// The answers follow RFC 6750 section 3.1: no credentials (no Authorization header, or another
// scheme) → 401 with a bare `WWW-Authenticate: Bearer` challenge; a wrong token → 401 with
// error="invalid_token" (403 is for a right token without the scope, which one token cannot
// lack); `Bearer` with no token → 400 invalid_request. The rejected request's body is never
// read, so the connection is closed rather than kept for a body nobody wants.
import { nodeCrypto } from '../node-builtins.js';
import type { IncomingMessage } from 'node:http';
import { FibscopeArgumentError } from '../errors.js';
import { HttpError } from './http-error.js';

/** The methods that read; all others need the token. */
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);
/** RFC 6750's b64token: what may follow `Bearer ` in a header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const REALM = 'fibscope';

const digest = (text: string): Buffer => nodeCrypto().createHash('sha256').update(text, 'utf8').digest();

export class WriteAuth {
  /** Only the token's hash is kept: compared in constant time with the hash of what a client sends. */
  private readonly expected: Buffer;

  /** Throws FibscopeArgumentError when `token` could not be sent in a Bearer header. */
  constructor(token: string) {
    checkWriteToken(token);
    this.expected = digest(token);
  }

  /** Whether a request with this method needs the token. */
  static needsToken(method: string | undefined): boolean {
    return method === undefined || !READ_METHODS.has(method);
  }

  /** Throws the RFC 6750 answer unless the request reads or carries the token. */
  check(req: IncomingMessage): void {
    if (!WriteAuth.needsToken(req.method)) return;
    const given = bearerToken(req.headers.authorization);
    const what = `${req.method} needs the write token`;
    if (given === undefined) {
      throw rejection(401, `${what}: send Authorization: Bearer TOKEN (the token of --token-file)`, `Bearer realm="${REALM}"`);
    }
    if (given === '') {
      throw rejection(400, `${what}: the Authorization header has Bearer and no token`,
        `Bearer realm="${REALM}", error="invalid_request"`);
    }
    // hashes have one length, so timingSafeEqual takes them, and their time says nothing of the token's length
    if (!nodeCrypto().timingSafeEqual(digest(given), this.expected)) {
      throw rejection(401, `${what}: the token is not the right one`,
        `Bearer realm="${REALM}", error="invalid_token", error_description="the token is not the right one"`);
    }
  }
}

/** Throws FibscopeArgumentError unless `token` can be sent in a Bearer header. */
export function checkWriteToken(token: string): void {
  if (B64TOKEN.test(token)) return;
  throw new FibscopeArgumentError('the write token must be RFC 6750 token characters '
    + '(letters, digits, - . _ ~ + / and = at the end), as `openssl rand -hex 32` makes');
}

/** The token of a Bearer header (the scheme is case-insensitive); '' for a bare or malformed one; undefined for none. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^bearer(?:[ ]+(.*))?$/i.exec(header.trim());
  if (!match) return undefined; // another scheme: as good as no credentials
  const token = match[1]?.trim() ?? '';
  return B64TOKEN.test(token) ? token : '';
}

function rejection(status: number, message: string, challenge: string): HttpError {
  return new HttpError(status, message, { 'WWW-Authenticate': challenge, Connection: 'close' });
}
