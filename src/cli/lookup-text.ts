// The answers of `fibscope lookup`, as text like `ip route get` or as JSON. No terminal library:
// the browser demo prints lookups with it too.
import type { Fib } from '../fib/fib.js';
import type { Route } from '../routes/route.js';

export type OutputFormat = 'text' | 'table' | 'json';

/** A route in `ip route` words: `PREFIX [TYPE] [via X] [dev Y] [metric N]`, then its next hops. */
export function describeRoute(route: Route): string {
  const words = [route.prefix];
  if (route.type !== 'unicast') words.push(route.type);
  if (route.nextHop !== null && route.nextHops.length <= 1) words.push('via', route.nextHop);
  if (route.dev !== null && route.nextHops.length <= 1) words.push('dev', route.dev);
  words.push('metric', String(route.metric));
  let text = words.join(' ');
  if (route.nextHops.length > 1) {
    for (const hop of route.nextHops) {
      text += `\n\tnexthop${hop.via === null ? '' : ` via ${hop.via}`}${hop.dev === null ? '' : ` dev ${hop.dev}`} weight ${hop.weight}`;
    }
  }
  return text;
}

function routeJson(route: Route) {
  const { prefix, type, nextHop, dev, metric, nextHops } = route;
  return { prefix, type, nextHop, dev, metric, nextHops };
}

/** One answer per address; every address is checked before anything is printed. */
export function formatLookups(fib: Fib, addresses: string[], format: OutputFormat): string {
  const answers = addresses.map((address) => ({ address, route: fib.lookup(address) }));
  if (format === 'json') {
    return `${JSON.stringify(answers.map(({ address, route }) => ({ address, route: route ? routeJson(route) : null })), null, 2)}\n`;
  }
  return answers.map(({ address, route }) =>
    `${address} ${route ? `from ${describeRoute(route)}` : 'unreachable: no matching route'}\n`).join('');
}
