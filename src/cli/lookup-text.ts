// The answers of `fibscope lookup`, as text like `ip route get` or as JSON. No terminal library:
// the browser demo prints lookups with it too.
import type { Fib } from '../fib/fib.js';
import type { Route } from '../routes/route.js';
import { FibscopeArgumentError, FibscopeError } from '../errors.js';

export type OutputFormat = 'text' | 'table' | 'json';

/**
 * A route in `ip route` words: `PREFIX [TYPE] [via X] [dev Y] [metric N]`, its BGP attributes when
 * known (`origin-as N as-path "…" communities …`), then its next hops.
 */
export function describeRoute(route: Route): string {
  const words = [route.prefix];
  if (route.type !== 'unicast') words.push(route.type);
  if (route.nextHop !== null && route.nextHops.length <= 1) words.push('via', route.nextHop);
  if (route.dev !== null && route.nextHops.length <= 1) words.push('dev', route.dev);
  words.push('metric', String(route.metric), ...bgpWords(route));
  let text = words.join(' ');
  if (route.nextHops.length > 1) {
    for (const hop of route.nextHops) {
      text += `\n\tnexthop${hop.via === null ? '' : ` via ${hop.via}`}${hop.dev === null ? '' : ` dev ${hop.dev}`} weight ${hop.weight}`;
    }
  }
  return text;
}

/** BGP attributes, when the table had them (bgpdump -m; pfx2as gives the origin AS). */
function bgpWords(route: Route): string[] {
  const words: string[] = [];
  if (route.originAs !== undefined) words.push('origin-as', route.originAsSet ? route.originAsSet.join(',') : String(route.originAs));
  if (route.asPath !== undefined && route.asPath !== '') words.push('as-path', JSON.stringify(route.asPath));
  if (route.communities !== undefined && route.communities.length > 0) words.push('communities', route.communities.join(','));
  return words;
}

function routeJson(route: Route) {
  const { prefix, type, nextHop, dev, metric, nextHops, asPath, originAs, originAsSet, communities } = route;
  return { prefix, type, nextHop, dev, metric, nextHops, asPath, originAs, originAsSet, communities };
}

/** The answer for one address: its route, null when no route covers it, or why it is not an address. */
export interface LookupAnswer {
  address: string;
  route: Route | null;
  error?: string;
}

/** An answer per address, in order; an address that does not parse is an answer with its error. */
export function lookupAll(fib: Fib, addresses: string[]): LookupAnswer[] {
  return addresses.map((address) => {
    try {
      return { address, route: fib.lookup(address) ?? null };
    } catch (error) {
      if (!(error instanceof FibscopeError)) throw error;
      return { address, route: null, error: error.message };
    }
  });
}

/**
 * An answer as `ip route get` words it: `[TYPE] ADDRESS [via X] [dev Y] metric N`, then the
 * matched prefix as `prefix P` (ip has no word for it; its `from` is the source address), then
 * a line per next hop of a multipath route. No route: `ADDRESS unreachable: no matching route`.
 */
export function formatLookupAnswer({ address, route }: LookupAnswer): string {
  if (!route) return `${address} unreachable: no matching route\n`;
  const words = route.type === 'unicast' ? [address] : [route.type, address];
  const multipath = route.nextHops.length > 1;
  if (route.nextHop !== null && !multipath) words.push('via', route.nextHop);
  if (route.dev !== null && !multipath) words.push('dev', route.dev);
  words.push('metric', String(route.metric), 'prefix', route.prefix, ...bgpWords(route));
  let text = words.join(' ');
  if (multipath) {
    for (const hop of route.nextHops) {
      text += `\n\tnexthop${hop.via === null ? '' : ` via ${hop.via}`}${hop.dev === null ? '' : ` dev ${hop.dev}`} weight ${hop.weight}`;
    }
  }
  return `${text}\n`;
}

/** Answers in JSON: `route` null where none covers the address, `error` where it does not parse. */
export function formatLookupsJson(answers: LookupAnswer[]): string {
  return `${JSON.stringify(answers.map(({ address, route, error }) =>
    (error === undefined ? { address, route: route ? routeJson(route) : null } : { address, route: null, error })), null, 2)}\n`;
}

/**
 * One answer per address, as `fibscope lookup` prints them when every address parses; a
 * string that is not an address throws before anything is printed (the browser demo shows it).
 */
export function formatLookups(fib: Fib, addresses: string[], format: OutputFormat): string {
  const answers = lookupAll(fib, addresses);
  const bad = answers.find((answer) => answer.error !== undefined);
  if (bad) throw new FibscopeArgumentError(bad.error!);
  return format === 'json' ? formatLookupsJson(answers) : answers.map(formatLookupAnswer).join('');
}
