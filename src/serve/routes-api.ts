// The route endpoints:
//   GET  /routes                 the whole table as JSON
//   POST /routes[?format=F]      add or replace routes given in any route format (route-updates.ts);
//                                the answer counts them ({ added, replaced, unchanged, ... })
//   GET  /routes/PREFIX          the routes of exactly that prefix, best first
//   DELETE /routes/PREFIX[?metric=N&via=X&dev=Y]   remove them (or the ones that match)
// PREFIX may keep its slash (/routes/10.0.0.0/8) or have it escaped (/routes/10.0.0.0%2F8).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FibscopeError } from '../errors.js';
import type { RemoveMatch } from '../fib/fib.js';
import { ROUTE_FORMATS, type RouteFormat } from '../routes/index.js';
import { checkMethod, HttpError, sendJson } from './http-error.js';
import { readTextBody } from './limits.js';
import { PartlyApplied, routeJson, type RouteUpdates } from './route-updates.js';

const TABLE_METHODS = ['GET', 'HEAD', 'POST'];
const PREFIX_METHODS = ['GET', 'HEAD', 'DELETE'];

export interface BodyLimits {
  maxBodyBytes: number;
  bodyTimeoutMs: number;
}

export async function handleRoutes(req: IncomingMessage, res: ServerResponse, url: URL,
  updates: RouteUpdates, limits: BodyLimits): Promise<void> {
  const path = url.pathname;
  if (path === '/routes' || path === '/routes/') {
    checkMethod(req.method, '/routes', TABLE_METHODS);
    if (req.method === 'POST') {
      const format = formatParameter(url);
      const text = await readTextBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
      const applying = asBadRequest(() => updates.apply(text, format));
      try {
        sendJson(res, 200, await applying);
      } catch (error) {
        if (!(error instanceof PartlyApplied) || !(error.cause instanceof FibscopeError)) throw error;
        // the routes before the failure stay: the answer says how many
        const status = error.cause.code === 'OUT_OF_MEMORY' ? 507 : 400;
        sendJson(res, status, { error: error.message, ...error.applied });
      }
      return;
    }
    checkParameters(url, [], 'GET /routes');
    const stats = updates.fib.stats();
    sendJson(res, 200, { ipv4Routes: stats.ipv4Routes, ipv6Routes: stats.ipv6Routes, routes: [...updates.fib.routes()].map(routeJson) });
    return;
  }

  const prefix = decodePrefix(path.slice('/routes/'.length));
  checkMethod(req.method, '/routes/PREFIX', PREFIX_METHODS);
  if (req.method === 'DELETE') {
    const match = removeMatch(url);
    const removed = asBadRequest(() => updates.remove(prefix, match), prefix);
    if (removed === 0) throw new HttpError(404, `no route of ${prefix}${describeMatch(match)} to remove: the table is unchanged`);
    sendJson(res, 200, { removed, routes: updates.fib.routesFor(prefix).map(routeJson) });
    return;
  }
  checkParameters(url, [], 'GET /routes/PREFIX');
  const routes = asBadRequest(() => updates.fib.routesFor(prefix), prefix);
  if (routes.length === 0) throw new HttpError(404, `no route of exactly ${prefix} in the table`);
  sendJson(res, 200, { routes: routes.map(routeJson) });
}

/**
 * Bad input the library found (a bad line, a prefix that does not parse) is the client's error;
 * `about` names what was wrong when the library's message does not.
 */
function asBadRequest<T>(change: () => T, about?: string): T {
  try {
    return change();
  } catch (error) {
    if (error instanceof FibscopeError) throw new HttpError(400, about === undefined ? error.message : `${about}: ${error.message}`);
    throw error;
  }
}

function decodePrefix(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new HttpError(400, `the prefix in the path is not valid URL escaping: ${JSON.stringify(text)}`);
  }
}

function formatParameter(url: URL): RouteFormat | 'auto' {
  checkParameters(url, ['format'], 'POST /routes');
  const format = url.searchParams.get('format') ?? 'auto';
  if (format !== 'auto' && !(ROUTE_FORMATS as readonly string[]).includes(format)) {
    throw new HttpError(400, `unknown routes format ${JSON.stringify(format)}: expected auto, ${ROUTE_FORMATS.join(', ')}`);
  }
  return format as RouteFormat | 'auto';
}

/** DELETE's filter: `metric`, `via` (the next hop) and `dev`; an empty `via` or `dev` means none. */
function removeMatch(url: URL): RemoveMatch {
  checkParameters(url, ['metric', 'via', 'dev'], 'DELETE /routes/PREFIX');
  const match: RemoveMatch = {};
  const metric = url.searchParams.get('metric');
  if (metric !== null) {
    if (!/^\d+$/.test(metric) || Number(metric) > 0xffffffff) {
      throw new HttpError(400, `metric must be an integer 0..4294967295, got ${JSON.stringify(metric)}`);
    }
    match.metric = Number(metric);
  }
  const via = url.searchParams.get('via');
  if (via !== null) match.nextHop = via === '' ? null : via;
  const dev = url.searchParams.get('dev');
  if (dev !== null) match.dev = dev === '' ? null : dev;
  return match;
}

function describeMatch(match: RemoveMatch): string {
  const parts: string[] = [];
  if (match.metric !== undefined) parts.push(`metric ${match.metric}`);
  if (match.nextHop !== undefined) parts.push(`via ${match.nextHop ?? '(none)'}`);
  if (match.dev !== undefined) parts.push(`dev ${match.dev ?? '(none)'}`);
  return parts.length ? ` with ${parts.join(', ')}` : '';
}

function checkParameters(url: URL, known: readonly string[], what: string): void {
  for (const name of url.searchParams.keys()) {
    if (!known.includes(name)) {
      const takes = known.length ? `takes ${known.join(', ')}` : 'takes no parameters';
      throw new HttpError(400, `unknown parameter ${JSON.stringify(name)}: ${what} ${takes}`);
    }
  }
}
