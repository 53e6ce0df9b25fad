/** Route kinds, as `ip route` names them. The numeric value is what the columnar stores keep. */
export const ROUTE_TYPES = [
  'unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'multicast', 'anycast',
] as const;
export type RouteType = (typeof ROUTE_TYPES)[number];

export function routeTypeCode(type: RouteType): number {
  return ROUTE_TYPES.indexOf(type);
}

/** One next hop of a (possibly multipath) route. `via` is an address or a free-form label. */
export interface NextHop {
  via: string | null;
  dev: string | null;
  weight: number;
}

/**
 * What a route knows of its BGP origin (docs/route-formats.md "BGP attributes"), shared by every
 * route with the same AS path: a RIB dump repeats a few hundred thousand paths over millions of
 * lines. Absent members are unknown.
 */
export interface AsAttributes {
  /** As `bgpdump -m` prints it: `3356 1299 64496`, an AS_SET as `{1,2}`; '' for a path that is empty (iBGP). */
  readonly asPath?: string;
  /** The AS that originated the prefix: the last AS of the path; of a set of origins, the first. */
  readonly originAs?: number;
  /** Every origin AS, when there are several: an AS_SET last in the path, or a pfx2as `701_702` / `701,702`. */
  readonly originAsSet?: readonly number[];
}

/**
 * Where a route came from, and the BGP attributes the decision process weighed (routes a BGP or
 * BMP peer sent: src/live-routes/). Absent members are unknown.
 */
export interface RouteProvenance {
  /** `bgp 192.0.2.1`, `bmp 10.0.0.1 peer 192.0.2.7 pre-policy`, `rest`; absent for routes loaded from a file. */
  readonly source?: string;
  /** MULTI_EXIT_DISC. */
  readonly med?: number;
  /** LOCAL_PREF. */
  readonly localPref?: number;
}

/** What `fib.add` accepts besides the prefix. Everything is optional. */
export interface RouteAttributes {
  type?: RouteType;
  nextHop?: string | null;
  dev?: string | null;
  metric?: number;
  nextHops?: readonly NextHop[];
  /** BGP AS path as bgpdump prints it; `originAs` (and `originAsSet`) follow from it unless given. */
  asPath?: string;
  originAs?: number;
  originAsSet?: readonly number[];
  /** BGP communities as `bgpdump -m` prints them: `3356:100`, `no-export`. */
  communities?: readonly string[];
  /** Where the route came from (`bgp 192.0.2.1`, `rest`...): shown by serve's GET /routes. */
  source?: string;
  med?: number;
  localPref?: number;
}

/** A route as the library hands it out. Immutable; `id` is stable while the route exists. */
export interface Route {
  readonly id: number;
  readonly prefix: string;
  readonly type: RouteType;
  readonly nextHop: string | null;
  readonly dev: string | null;
  readonly metric: number;
  readonly nextHops: readonly NextHop[];
  /** BGP attributes, present only when the input had them (bgpdump -m; pfx2as gives originAs). */
  readonly asPath?: string;
  readonly originAs?: number;
  readonly originAsSet?: readonly number[];
  readonly communities?: readonly string[];
  /** Present only when the route was added with them (RouteProvenance). */
  readonly source?: string;
  readonly med?: number;
  readonly localPref?: number;
}
