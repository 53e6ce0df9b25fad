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

/** What `fib.add` accepts besides the prefix. Everything is optional. */
export interface RouteAttributes {
  type?: RouteType;
  nextHop?: string | null;
  dev?: string | null;
  metric?: number;
  nextHops?: readonly NextHop[];
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
}
