// The HTTP server of `fibscope serve`: the endpoints over one table and one analyzer. Requests
// run between the analyzer's chunks on the same thread, so a route change or a scrape never
// sees half a chunk, and a lookup never sees half a change.
//
//   GET /metrics   Prometheus text (metrics.ts)          GET /report  the JSON report, docs/report.md (report-stream.ts)
//   /routes...     the table, and changes to it (routes-api.ts)
//   /rules         the rule set, and its replacement (rules-api.ts)    GET /filter  the filter
//
// No client can hold the server up: headers, bodies and whole requests have time limits
// (limits.ts), and a client that stops reading its answer is cut (response-guard.ts). With a
// write token, every request but a read needs it (write-auth.ts); with a certificate, it is HTTPS.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { nodeHttp } from '../node-builtins.js';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FibscopeOutOfMemoryError } from '../errors.js';
import type { Analyzer } from '../analyze/analyzer.js';
import type { Fib } from '../fib/fib.js';
import { checkMethod, ClientGone, HttpError, sendError, sendJson } from './http-error.js';
import {
  DEFAULT_BODY_TIMEOUT_MS, DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REPORT_BYTES_IN_FLIGHT,
  DEFAULT_MAX_UNREAD_BYTES, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_STALL_TIMEOUT_MS,
} from './limits.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-address.js';
import { MetricsEndpoint, PROM_CONTENT_TYPE } from './metrics.js';
import { ReportStreams } from './report-stream.js';
import { guardResponse, wasCut, type OutputLimits } from './response-guard.js';
import { handleRoutes, type BodyLimits } from './routes-api.js';
import { handleFilter, handleRules, ServedRules } from './rules-api.js';
import { RouteUpdates } from './route-updates.js';
import type { ServedRouting } from './routing.js';
import { createTlsServer, type TlsFiles } from './tls.js';
import { WriteAuth } from './write-auth.js';

export { DEFAULT_HOST, DEFAULT_PORT };

export interface ServeOptions {
  fib: Fib;
  /** Counts in `fib`'s instance; whoever made it feeds it (a capture stream, pushFrame...). */
  analyzer: Analyzer;
  /** Largest request body taken, in bytes (default 1 MiB); a larger one gets 413. */
  maxBodyBytes?: number;
  /** Per-destination series in /metrics for the top K destinations (default 0: none). */
  topDestinations?: number;
  /** Route series in /metrics for the top K routes by packets, and `other` (default: every route). */
  topRoutes?: number;
  /** Whether a capture stream is still being read, for `fibscope_capture_reading`. */
  capture?: { readonly reading: boolean };
  /** The request line and headers must arrive within this many ms (default 10 s). */
  headersTimeoutMs?: number;
  /** The whole request, body included, must arrive within this many ms (default 30 s). */
  requestTimeoutMs?: number;
  /** A request body must arrive within this many ms after the headers, else 408 (default 10 s). */
  bodyTimeoutMs?: number;
  /** A client that takes none of its pending answer for this many ms is cut (default 10 s). */
  stallTimeoutMs?: number;
  /** A client with more than this many bytes of its answer waiting unread is cut (default 8 MiB). */
  maxUnreadBytes?: number;
  /** /report text held for clients still reading it, all together; past it, 503 (default 256 MiB). */
  maxReportBytesInFlight?: number;
  /** Every request but GET and HEAD needs `Authorization: Bearer` this (RFC 6750); without it, writes are open. */
  writeToken?: string;
  /** Serve HTTPS with this certificate and key (PEM), under the same limits. */
  tls?: TlsFiles;
  /** Told about internal errors (bugs), whose requests get 500; default: a line on stderr. */
  onError?: (error: unknown) => void;
  /** Told, in one line each, of clients that went away or were cut; default: a line on stderr. */
  onNotice?: (line: string) => void;
}

/** What Node says when the other side of a connection went away. */
const CONNECTION_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

function isConnectionError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException)?.code;
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || (error as Error)?.message === 'aborted';
}

function checkWhole(name: string, value: number, unit: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name}: expected a whole number of ${unit}, at least 1, got ${value}`);
  return value;
}
const checkMilliseconds = (name: string, value: number) => checkWhole(name, value, 'milliseconds');

const READ_METHODS = ['GET', 'HEAD'];
const INDEX = `fibscope serve
  GET    /metrics           Prometheus text format
  GET    /report            the JSON report of everything counted so far
  GET    /routes            the routing table as JSON
  POST   /routes            add or replace routes (body: any route format; ?format=F to force one)
  GET    /routes/PREFIX     the routes of one prefix
  DELETE /routes/PREFIX     remove them (?metric=N&via=X&dev=Y to remove only those)
  GET    /rules             the rule set in force, as JSON
  PUT    /rules             replace it (body: any rule format; ?format=F to force one); its counts start at 0
  DELETE /rules             count without rules
  GET    /filter            the filter given at start
  GET    /peers             BGP sessions and BMP-monitored peers (serve --bgp, --bmp)
With --token-file, every request but GET and HEAD needs Authorization: Bearer TOKEN.
`;

export class FibscopeServer {
  readonly fib: Fib;
  readonly analyzer: Analyzer;
  /** Route changes through the API, counted by kind. */
  readonly routes: RouteUpdates;
  /** The analyzer's rule set, with what it was made from (`rules.load` puts one in force). */
  readonly rules: ServedRules;
  /** The node:http (or, with `tls`, node:https) server; `handle` also works as the request listener of one you own. */
  readonly http: Server | HttpsServer;
  /** Whether it serves HTTPS. */
  readonly secure: boolean;
  /** GET /metrics (its `builds` count says how many scrapes shared a text). */
  readonly metrics: MetricsEndpoint;
  /** GET /report (its `bytesInFlight` is the report text held for clients still reading). */
  readonly reports: ReportStreams;
  /** Routes learned from BGP peers and BMP feeds (startRouting), when serve was asked for them. */
  routing: ServedRouting | undefined;
  private readonly bodyLimits: BodyLimits;
  private readonly outputLimits: OutputLimits;
  private readonly onError: (error: unknown) => void;
  private readonly onNotice: (line: string) => void;
  private readonly writeAuth?: WriteAuth;
  /** With TLS: cuts the connections closeAllConnections does not know of (those in their handshake). */
  private readonly cutTlsConnections?: () => void;

  constructor(options: ServeOptions) {
    this.fib = options.fib;
    this.analyzer = options.analyzer;
    this.routes = new RouteUpdates(options.fib);
    this.rules = new ServedRules(options.analyzer);
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1) {
      throw new RangeError(`maxBodyBytes: expected a whole number of bytes, at least 1, got ${maxBodyBytes}`);
    }
    this.bodyLimits = { maxBodyBytes, bodyTimeoutMs: checkMilliseconds('bodyTimeoutMs', options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS) };
    this.outputLimits = {
      stallTimeoutMs: checkMilliseconds('stallTimeoutMs', options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS),
      maxUnreadBytes: checkWhole('maxUnreadBytes', options.maxUnreadBytes ?? DEFAULT_MAX_UNREAD_BYTES, 'bytes'),
    };
    const headersTimeout = checkMilliseconds('headersTimeoutMs', options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS);
    const requestTimeout = checkMilliseconds('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    this.reports = new ReportStreams(options.analyzer,
      checkWhole('maxReportBytesInFlight', options.maxReportBytesInFlight ?? DEFAULT_MAX_REPORT_BYTES_IN_FLIGHT, 'bytes'));
    this.metrics = new MetricsEndpoint({
      reportBytesInFlight: () => this.reports.bytesInFlight,
      analyzer: options.analyzer,
      fib: options.fib,
      changes: this.routes.changes,
      ruleSetChanges: () => this.rules.changes,
      routing: () => this.routing,
      capture: options.capture,
      topDestinations: options.topDestinations,
      topRoutes: options.topRoutes,
    });
    this.onError = options.onError ?? ((error) => process.stderr.write(`fibscope serve: internal error: ${(error as Error)?.stack ?? String(error)}\n`));
    this.onNotice = options.onNotice ?? ((line) => process.stderr.write(`fibscope serve: ${line}\n`));
    if (options.writeToken !== undefined) this.writeAuth = new WriteAuth(options.writeToken);
    const limits = {
      // Node's own limits, checked every connectionsCheckingInterval: an answer of 408, then the close
      headersTimeout: Math.min(headersTimeout, requestTimeout),
      requestTimeout,
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(Math.min(headersTimeout, requestTimeout) / 4))),
    };
    this.secure = options.tls !== undefined;
    if (options.tls) {
      const tls = createTlsServer(options.tls, limits, this.handle);
      this.http = tls.server;
      this.cutTlsConnections = tls.cutAll;
    } else {
      this.http = nodeHttp().createServer(limits, this.handle);
    }
  }

  /** Answers one request; never throws (errors become 4xx, bugs 500, a client gone a line). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    const what = `${req.method ?? '?'} ${(req.url ?? '/').split('?')[0]}`;
    guardResponse(res, what, this.outputLimits, this.onNotice);
    this.dispatch(req, res).catch((error: unknown) => {
      if (wasCut(res)) return;
      if (error instanceof ClientGone || (res.destroyed && isConnectionError(error))) {
        // aborted, not failed: one line, no stack
        this.onNotice(`client closed the connection during ${what}`);
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        sendError(res, error);
        return;
      }
      if (error instanceof FibscopeOutOfMemoryError) {
        // a limit reached, not a bug: said once per request, answered as the server being full
        this.onNotice(`${what}: ${error.message}`);
        sendError(res, new HttpError(error.unusable ? 503 : 507, error.message));
        return;
      }
      this.onError(error);
      sendError(res, new HttpError(500, `internal error: ${(error as Error)?.message ?? String(error)}`));
    });
  };

  /** Starts listening; resolves with the address (port 0 picks a free one). */
  listen(port = DEFAULT_PORT, host = DEFAULT_HOST): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => reject(error);
      this.http.once('error', failed);
      this.http.listen(port, host, () => {
        this.http.off('error', failed);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  /**
   * Stops taking connections, lets requests under way finish for up to `graceMs`, then cuts
   * whatever is left. Idle keep-alive connections (a scraper's) close at once.
   */
  close(graceMs = 2000): Promise<void> {
    return new Promise((resolve) => {
      if (!this.http.listening) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        this.http.closeAllConnections();
        this.cutTlsConnections?.();
      }, graceMs);
      timer.unref();
      this.http.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.http.closeIdleConnections();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://fibscope.invalid');
    } catch {
      throw new HttpError(400, `not a request path: ${JSON.stringify(req.url)}`);
    }
    // before anything is read of the body, or looked up
    this.writeAuth?.check(req);
    const path = url.pathname;
    if (path === '/routes' || path.startsWith('/routes/')) {
      await handleRoutes(req, res, url, this.routes, this.bodyLimits);
      return;
    }
    switch (path) {
      case '/rules':
        await handleRules(req, res, url, this.rules, this.bodyLimits);
        return;
      case '/filter':
        handleFilter(req, res, url, this.analyzer);
        return;
      case '/peers':
        checkMethod(req.method, path, READ_METHODS);
        sendJson(res, 200, {
          peers: this.routing?.peers() ?? [],
          refusedConnections: this.routing?.refusedConnections() ?? { bgp: 0, bmp: 0 },
        });
        return;
      case '/metrics': {
        checkMethod(req.method, path, READ_METHODS);
        const text = await this.metrics.render();
        res.writeHead(200, { 'Content-Type': PROM_CONTENT_TYPE, 'Content-Length': text.length });
        res.end(req.method === 'HEAD' ? undefined : text);
        return;
      }
      case '/report': {
        checkMethod(req.method, path, READ_METHODS);
        await this.reports.answer(res, req.method === 'HEAD');
        return;
      }
      case '/': {
        checkMethod(req.method, path, READ_METHODS);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(INDEX) });
        res.end(INDEX);
        return;
      }
      default:
        throw new HttpError(404, `no such endpoint: ${path} (there are /metrics, /report, /routes, /routes/PREFIX, /rules, /filter and /peers)`);
    }
  }
}
