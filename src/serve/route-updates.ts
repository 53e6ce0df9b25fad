// Route changes at run time, counted by kind. No HTTP here: routes-api.ts turns requests into
// these calls and their errors into statuses.
import { RouteFormatError } from '../errors.js';
import type { Fib, RemoveMatch } from '../fib/fib.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { parseRoutes, type RouteFormat } from '../routes/index.js';
import type { RouteList } from '../routes/route-list.js';
import { ROUTE_TYPES, type NextHop, type Route, type RouteAttributes, type RouteType } from '../routes/route.js';
import type { RouteChangeCounts } from '../report/prom.js';

/** Where the routes added through the API come from, as their `source` says. */
export const REST_SOURCE = 'rest';

/**
 * A route as the API shows it: `fibscope lookup -f json`'s fields (ids are not stable, so not
 * shown), where it came from (`file` for routes without a source: loaded at start), and its BGP
 * attributes when it has them.
 */
export interface RouteJson {
  prefix: string;
  type: RouteType;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  nextHops: readonly NextHop[];
  source: string;
  asPath?: string;
  originAs?: number;
  communities?: readonly string[];
  med?: number;
  localPref?: number;
}

export function routeJson(route: Route): RouteJson {
  const { prefix, type, nextHop, dev, metric, nextHops, asPath, originAs, communities, med, localPref } = route;
  return {
    prefix, type, nextHop, dev, metric, nextHops,
    source: route.source ?? 'file',
    ...(asPath !== undefined ? { asPath } : {}),
    ...(originAs !== undefined ? { originAs } : {}),
    ...(communities !== undefined ? { communities } : {}),
    ...(med !== undefined ? { med } : {}),
    ...(localPref !== undefined ? { localPref } : {}),
  };
}

export interface ApplyResult {
  /** Routes in the body. */
  routes: number;
  /** Routes added: their prefix had no route of the same metric. */
  added: number;
  /** Routes that took the place of the route(s) of their prefix with the same metric. */
  replaced: number;
  /** Routes identical to the one their prefix and metric had: nothing changed, its counters go on. */
  unchanged: number;
  /** Distinct prefixes the body named. */
  prefixes: number;
  /** The table's size once applied. */
  ipv4Routes: number;
  ipv6Routes: number;
}

/** Names the request body in parse errors: `POST /routes:3: expected ...`. */
const BODY_SOURCE = 'POST /routes';

/** Routes applied between two turns of the event loop: a few milliseconds of work. */
export const ROUTES_PER_PIECE = 2000;

/**
 * A failure part-way through applying a body (memory ran out, say): the routes before `applied`
 * are in the table, the others are not.
 */
export class PartlyApplied extends Error {
  readonly applied: ApplyResult;
  override readonly cause: unknown;
  constructor(applied: ApplyResult, cause: unknown) {
    super(`${applied.added + applied.replaced + applied.unchanged} of ${applied.routes} routes were applied, then: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'PartlyApplied';
    this.applied = applied;
    this.cause = cause;
  }
}

export class RouteUpdates {
  readonly fib: Fib;
  /** Every change since start, by kind; the table loaded at start is not a change. */
  readonly changes: RouteChangeCounts = { add: 0, replace: 0, remove: 0 };
  /** The body being applied: one body at a time, so that two never interleave. */
  private applying: Promise<unknown> = Promise.resolve();

  constructor(fib: Fib) {
    this.fib = fib;
  }

  /**
   * Applies routes given in any route format (docs/route-formats.md), each as `ip route replace` does: it
   * takes the place of the routes of its prefix that have the same metric, or is added when
   * there are none; routes of the prefix with other metrics stay. Routes apply in body order, so
   * a later line for the same prefix and metric wins. The body is parsed whole before anything
   * changes: a bad line anywhere throws RouteFormatError (source `POST /routes`, its line) and
   * leaves the table as it was; so does a body without routes.
   *
   * The routes then go in ROUTES_PER_PIECE at a time, the event loop turning between pieces
   * (`yieldBetween`), so that capture reading and scrapes go on during a large body; lookups
   * between pieces see the body partly applied. Bodies apply one after the other. Should a piece
   * fail (memory ran out), the routes before it stay and PartlyApplied says how many.
   */
  apply(text: string, format: RouteFormat | 'auto' = 'auto', yieldBetween: () => Promise<void> = nextTurn): Promise<ApplyResult> {
    const list = parseRoutes(text, { format, source: BODY_SOURCE });
    if (list.count === 0) throw new RouteFormatError(BODY_SOURCE, 1, 'no routes: the body is empty or holds only comments');
    const run = this.applying.then(() => this.applyList(list, yieldBetween));
    this.applying = run.catch(() => undefined);
    return run;
  }

  private async applyList(list: RouteList, yieldBetween: () => Promise<void>): Promise<ApplyResult> {
    const result: ApplyResult = { routes: list.count, added: 0, replaced: 0, unchanged: 0, prefixes: 0, ipv4Routes: 0, ipv6Routes: 0 };
    const prefixes = new Set<string>();
    for (let start = 0; start < list.count; start += ROUTES_PER_PIECE) {
      if (start > 0) await yieldBetween();
      try {
        for (let i = start; i < Math.min(list.count, start + ROUTES_PER_PIECE); i++) {
          const prefix = prefixText(list, i);
          this.applyOne(prefix, routeAttributes(list, i), result);
          prefixes.add(prefix);
        }
      } catch (error) {
        finish(result, prefixes, this.fib);
        throw new PartlyApplied(result, error);
      }
    }
    finish(result, prefixes, this.fib);
    return result;
  }

  private applyOne(prefix: string, attributes: RouteAttributes & { metric: number }, result: ApplyResult): void {
    const before = this.fib.routesFor(prefix).filter((route) => route.metric === attributes.metric);
    // an identical route is kept as it is (fib.replace returns its id), counters and all
    const id = this.fib.replace(prefix, attributes);
    if (before.length === 0) {
      result.added++;
      this.changes.add++;
    } else if (before.length === 1 && before[0].id === id) {
      result.unchanged++;
    } else {
      result.replaced++;
      this.changes.replace++;
    }
  }

  /**
   * Removes the routes of exactly `prefix` that match (all of them without a match); returns
   * how many. Throws FibscopeArgumentError for a prefix that does not parse.
   */
  remove(prefix: string, match: RemoveMatch = {}): number {
    const removed = this.fib.remove(prefix, match);
    this.changes.remove += removed;
    return removed;
  }
}

function finish(result: ApplyResult, prefixes: ReadonlySet<string>, fib: Fib): void {
  result.prefixes = prefixes.size;
  const stats = fib.stats();
  result.ipv4Routes = stats.ipv4Routes;
  result.ipv6Routes = stats.ipv6Routes;
}

/** setImmediate: I/O callbacks (capture chunks, requests) run before the next piece. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function prefixText(list: RouteList, i: number): string {
  const address = list.family[i] === 4 ? formatIPv4(list.v4[i]) : formatIPv6(list.v6, i * 16);
  return `${address}/${list.prefixLength[i]}`;
}

function routeAttributes(list: RouteList, i: number): RouteAttributes & { metric: number } {
  return {
    type: ROUTE_TYPES[list.type[i]],
    nextHop: list.nextHop[i],
    dev: list.dev[i],
    metric: list.metric[i],
    nextHops: list.nextHops.get(i),
    source: REST_SOURCE,
  };
}
