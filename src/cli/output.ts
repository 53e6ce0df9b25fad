// Text and JSON answers of `fibscope lookup` and `fibscope routes`.
import Table from 'cli-table3';
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

const MIB = 2 ** 20;

/** Routes per family, prefix-length histogram, duplicates and memory. */
export function formatRouteSummary(fib: Fib, sources: string[], duplicates: number, format: OutputFormat): string {
  const stats = fib.stats();
  const lengths = fib.prefixLengthCounts();
  if (format === 'json') {
    const histogram = (counts: number[]) =>
      Object.fromEntries(counts.flatMap((n, length) => (n > 0 ? [[`/${length}`, n]] : [])));
    return `${JSON.stringify({
      sources,
      ipv4Routes: stats.ipv4Routes,
      ipv6Routes: stats.ipv6Routes,
      duplicates,
      prefixLengths: { ipv4: histogram(lengths.ipv4), ipv6: histogram(lengths.ipv6) },
      memory: {
        totalBytes: stats.memoryBytes,
        ipv4LookupBytes: stats.ipv4LookupBytes,
        ipv6LookupBytes: stats.ipv6LookupBytes,
        ribBytes: stats.ribBytes,
      },
    }, null, 2)}\n`;
  }
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(2)} MiB`;
  const summary = new Table({ style: { head: [], border: [] } });
  summary.push(
    { 'routes file(s)': sources.join(', ') },
    { 'IPv4 routes': stats.ipv4Routes.toLocaleString('en-US') },
    { 'IPv6 routes': stats.ipv6Routes.toLocaleString('en-US') },
    { duplicates: duplicates.toLocaleString('en-US') },
    { 'IPv4 lookup memory': mib(stats.ipv4LookupBytes) },
    { 'IPv6 lookup memory': mib(stats.ipv6LookupBytes) },
    { 'RIB memory': mib(stats.ribBytes) },
  );
  const histogram = new Table({
    head: ['length', 'IPv4', 'IPv6'],
    colAligns: ['right', 'right', 'right'],
    style: { head: [], border: [] },
  });
  for (let length = 0; length <= 128; length++) {
    const v4 = lengths.ipv4[length] ?? 0;
    const v6 = lengths.ipv6[length];
    if (v4 || v6) histogram.push([`/${length}`, v4 ? v4.toLocaleString('en-US') : '', v6 ? v6.toLocaleString('en-US') : '']);
  }
  return `${summary.toString()}\n${histogram.toString()}\n`;
}
