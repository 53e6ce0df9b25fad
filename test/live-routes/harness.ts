// A LiveRoutes over a real Fib with a clock and timers the test moves by hand, and what the Fib
// shows of the live routes, to compare with the model.
import type { PathAttributes, PeerDescription } from '../../src/bgp/types.js';
import { Fib } from '../../src/fib/fib.js';
import { DEFAULT_LIVE_METRIC, LiveRoutes } from '../../src/live-routes/live-routes.js';
import type { RouteChangeCounts } from '../../src/report/prom.js';
import type { ExpectedRoute } from './model.js';

export class ManualClock {
  now = 0;
  private timers: { at: number; callback: () => void }[] = [];

  setTimer = (callback: () => void, ms: number): unknown => {
    const timer = { at: this.now + ms, callback };
    this.timers.push(timer);
    return timer;
  };

  clearTimer = (timer: unknown): void => {
    this.timers = this.timers.filter((other) => other !== timer);
  };

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time on, firing the timers that come due, earliest first. */
  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= this.now).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      this.timers = this.timers.filter((timer) => timer !== due);
      due.callback();
    }
  }
}

export interface Harness {
  fib: Fib;
  live: LiveRoutes;
  clock: ManualClock;
  changes: RouteChangeCounts;
  log: string[];
}

export async function makeHarness(): Promise<Harness> {
  const fib = await Fib.create();
  const clock = new ManualClock();
  const changes: RouteChangeCounts = { add: 0, replace: 0, remove: 0 };
  const log: string[] = [];
  const live = new LiveRoutes(fib, {
    changes, now: () => clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer, onLog: (line) => log.push(line),
  });
  return { fib, live, clock, changes, log };
}

/** The routes of the Fib at the live metric, by prefix; throws if a prefix has two. */
export function liveRoutesIn(fib: Fib, metric = DEFAULT_LIVE_METRIC): Map<string, ExpectedRoute> {
  const routes = new Map<string, ExpectedRoute>();
  for (const route of fib.routes()) {
    if (route.metric !== metric) continue;
    if (routes.has(route.prefix)) throw new Error(`two routes of ${route.prefix} at metric ${metric}`);
    routes.set(route.prefix, {
      nextHop: route.nextHop,
      asPath: route.asPath ?? '(none)',
      communities: route.communities,
      med: route.med,
      localPref: route.localPref,
      source: route.source ?? '(none)',
    });
  }
  return routes;
}

/**
 * Watches every fib.replace and fib.remove: counts the calls that changed the routes of their
 * prefix at `metric` (as LiveRoutes should count them) and those that changed nothing.
 */
export function watchFibChanges(fib: Fib, metric = DEFAULT_LIVE_METRIC): { made: RouteChangeCounts; idle: number } {
  const seen = { made: { add: 0, replace: 0, remove: 0 }, idle: 0 };
  const routesAt = (prefix: string) => JSON.stringify(fib.routesFor(prefix).filter((route) => route.metric === metric)
    .map(({ id: _id, ...route }) => route));
  const replace = fib.replace.bind(fib);
  const remove = fib.remove.bind(fib);
  fib.replace = (prefix, attributes) => {
    const before = routesAt(prefix);
    const id = replace(prefix, attributes);
    const after = routesAt(prefix);
    if (before === after) seen.idle++;
    else if (before === '[]') seen.made.add++;
    else seen.made.replace++;
    return id;
  };
  fib.remove = (prefix, match) => {
    const removed = remove(prefix, match);
    if (removed === 0) seen.idle++;
    seen.made.remove += removed;
    return removed;
  };
  return seen;
}

export function peer(id: string, fields: Partial<PeerDescription> = {}): PeerDescription {
  return { id, kind: 'bgp', address: '192.0.2.1', as: 64500, routerId: '10.0.0.1', internal: false, ...fields };
}

/** Path attributes with an AS path and what follows from it. */
export function path(asPath: string, fields: Partial<PathAttributes> = {}): PathAttributes {
  const sequence = asPath.split(' ').filter((word) => word !== '');
  const first = sequence[0];
  return {
    origin: 0,
    asPath,
    asPathLength: sequence.length,
    ...(first !== undefined && !first.startsWith('{') ? { neighborAs: Number(first) } : {}),
    nextHop: '198.51.100.1',
    ...fields,
  };
}
