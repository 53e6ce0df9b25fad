// Route changes at run time, counted by kind. No HTTP here: routes-api.ts turns requests into
// these calls and their errors into statuses.
import { RouteFormatError } from '../errors.js';
import type { Fib, RemoveMatch } from '../fib/fib.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { parseRoutes, type RouteFormat } from '../routes/index.js';
import type { RouteList } from '../routes/route-list.js';
import { ROUTE_TYPES, type NextHop, type Route, type RouteAttributes, type RouteType } from '../routes/route.js';
import type { RouteChangeCounts } from '../report/prom.js';

/** A route as the API shows it: `fibscope lookup -f json`'s fields (ids are not stable, so not shown). */
export interface RouteJson {
  prefix: string;
  type: RouteType;
  nextHop: string | null;
  dev: string | null;
  metric: number;
  nextHops: readonly NextHop[];
}

export function routeJson(route: Route): RouteJson {
  const { prefix, type, nextHop, dev, metric, nextHops } = route;
  return { prefix, type, nextHop, dev, metric, nextHops };
}

export interface ApplyResult {
  /** Routes added: their prefix had no route of the same metric. */
  added: number;
  /** Routes that took the place of the route(s) of their prefix with the same metric. */
  replaced: number;
  /** The routes of every prefix the body named, as they are now, best first per prefix. */
  routes: RouteJson[];
}

/** Names the request body in parse errors: `POST /routes:3: expected ...`. */
const BODY_SOURCE = 'POST /routes';

export class RouteUpdates {
  readonly fib: Fib;
  /** Every change since start, by kind; the table loaded at start is not a change. */
  readonly changes: RouteChangeCounts = { add: 0, replace: 0, remove: 0 };

  constructor(fib: Fib) {
    this.fib = fib;
  }

  /**
   * Applies routes given in any format of SPEC section 3, each as `ip route replace` does: it
   * takes the place of the routes of its prefix that have the same metric, or is added when
   * there are none; routes of the prefix with other metrics stay. Routes apply in body order, so
   * a later line for the same prefix and metric wins. The body is parsed whole before anything
   * changes: a bad line anywhere throws RouteFormatError (source `POST /routes`, its line) and
   * leaves the table as it was; so does a body without routes.
   */
  apply(text: string, format: RouteFormat | 'auto' = 'auto'): ApplyResult {
    const list = parseRoutes(text, { format, source: BODY_SOURCE });
    if (list.count === 0) throw new RouteFormatError(BODY_SOURCE, 1, 'no routes: the body is empty or holds only comments');
    const result: ApplyResult = { added: 0, replaced: 0, routes: [] };
    const prefixes = new Set<string>();
    for (let i = 0; i < list.count; i++) {
      const prefix = prefixText(list, i);
      const attributes = routeAttributes(list, i);
      const replacing = this.fib.routesFor(prefix).some((route) => route.metric === attributes.metric);
      this.fib.replace(prefix, attributes);
      if (replacing) {
        result.replaced++;
        this.changes.replace++;
      } else {
        result.added++;
        this.changes.add++;
      }
      prefixes.add(prefix);
    }
    for (const prefix of prefixes) result.routes.push(...this.fib.routesFor(prefix).map(routeJson));
    return result;
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
  };
}
