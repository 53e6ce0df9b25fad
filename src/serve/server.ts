// The HTTP server of `fibscope serve`: the endpoints over one table and one analyzer. Requests
// run between the analyzer's chunks on the same thread, so a route change or a scrape never
// sees half a chunk, and a lookup never sees half a change.
//
//   GET /metrics   Prometheus text (metrics.ts)          GET /report  the SPEC JSON report
//   /routes...     the table, and changes to it (routes-api.ts)
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Analyzer } from '../analyze/analyzer.js';
import type { Fib } from '../fib/fib.js';
import { writeJson } from '../report/json.js';
import { checkMethod, HttpError, sendError } from './http-error.js';
import { DEFAULT_MAX_BODY_BYTES } from './limits.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './listen-address.js';
import { MetricsEndpoint, PROM_CONTENT_TYPE } from './metrics.js';
import { handleRoutes } from './routes-api.js';
import { RouteUpdates } from './route-updates.js';

export { DEFAULT_HOST, DEFAULT_PORT };

export interface ServeOptions {
  fib: Fib;
  /** Counts in `fib`'s instance; whoever made it feeds it (a capture stream, pushFrame...). */
  analyzer: Analyzer;
  /** Largest request body taken, in bytes (default 1 MiB); a larger one gets 413. */
  maxBodyBytes?: number;
  /** Per-destination series in /metrics for the top K destinations (default 0: none). */
  topDestinations?: number;
  /** Whether a capture stream is still being read, for `fibscope_capture_reading`. */
  capture?: { readonly reading: boolean };
  /** Told about internal errors (bugs), whose requests get 500; default: a line on stderr. */
  onError?: (error: unknown) => void;
}

const READ_METHODS = ['GET', 'HEAD'];
const INDEX = `fibscope serve
  GET    /metrics           Prometheus text format
  GET    /report            the JSON report of everything counted so far
  GET    /routes            the routing table as JSON
  POST   /routes            add or replace routes (body: any route format; ?format=F to force one)
  GET    /routes/PREFIX     the routes of one prefix
  DELETE /routes/PREFIX     remove them (?metric=N&via=X&dev=Y to remove only those)
`;

export class FibscopeServer {
  readonly fib: Fib;
  readonly analyzer: Analyzer;
  /** Route changes through the API, counted by kind. */
  readonly routes: RouteUpdates;
  /** The node:http server; `handle` also works as the request listener of one you own. */
  readonly http: Server;
  private readonly metrics: MetricsEndpoint;
  private readonly maxBodyBytes: number;
  private readonly onError: (error: unknown) => void;

  constructor(options: ServeOptions) {
    this.fib = options.fib;
    this.analyzer = options.analyzer;
    this.routes = new RouteUpdates(options.fib);
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isSafeInteger(this.maxBodyBytes) || this.maxBodyBytes < 1) {
      throw new RangeError(`maxBodyBytes: expected a whole number of bytes, at least 1, got ${this.maxBodyBytes}`);
    }
    this.metrics = new MetricsEndpoint({
      analyzer: options.analyzer,
      fib: options.fib,
      changes: this.routes.changes,
      capture: options.capture,
      topDestinations: options.topDestinations,
    });
    this.onError = options.onError ?? ((error) => process.stderr.write(`fibscope serve: internal error: ${(error as Error)?.stack ?? String(error)}\n`));
    this.http = createServer(this.handle);
  }

  /** Answers one request; never throws (errors become 4xx, bugs 500). */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.dispatch(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) {
        sendError(res, error);
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
      const timer = setTimeout(() => this.http.closeAllConnections(), graceMs);
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
    const path = url.pathname;
    if (path === '/routes' || path.startsWith('/routes/')) {
      await handleRoutes(req, res, url, this.routes, this.maxBodyBytes);
      return;
    }
    switch (path) {
      case '/metrics': {
        checkMethod(req.method, path, READ_METHODS);
        const text = this.metrics.render();
        res.writeHead(200, { 'Content-Type': PROM_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      case '/report': {
        checkMethod(req.method, path, READ_METHODS);
        const report = this.analyzer.snapshot();
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
        // a chunk may be a view of WebAssembly memory, reused once the call returns: copy it
        writeJson(report, (chunk) => res.write(Buffer.from(chunk)));
        res.end();
        return;
      }
      case '/': {
        checkMethod(req.method, path, READ_METHODS);
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(INDEX) });
        res.end(INDEX);
        return;
      }
      default:
        throw new HttpError(404, `no such endpoint: ${path} (there are /metrics, /report, /routes and /routes/PREFIX)`);
    }
  }
}
