// Text and JSON answers of `fibscope routes` (and, from lookup-text.ts, of `fibscope lookup`).
import Table from 'cli-table3';
import type { Fib } from '../fib/fib.js';

export type { OutputFormat } from './lookup-text.js';
export { describeRoute, formatLookupAnswer, formatLookups, formatLookupsJson, lookupAll } from './lookup-text.js';
import type { OutputFormat } from './lookup-text.js';

const MIB = 2 ** 20;

/** Routes per family, prefix-length histogram, duplicates and memory. */
/** Rows on the routes' BGP attributes, only when some route has them. */
function bgpRows(fib: Fib): Record<string, string>[] {
  const bgp = fib.bgpStats();
  if (bgp.withOriginAs === 0 && bgp.withAsPath === 0 && bgp.withCommunities === 0) return [];
  const n = (value: number) => value.toLocaleString('en-US');
  return [
    { 'routes with an origin AS': `${n(bgp.withOriginAs)} (${n(bgp.originAses)} ASes)` },
    { 'with an AS path': n(bgp.withAsPath) },
    { 'with communities': n(bgp.withCommunities) },
  ];
}

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
      bgp: fib.bgpStats(),
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
  // compact: no rule between rows, as the analyze tables
  const summary = new Table({ style: { head: [], border: [], compact: true } });
  summary.push(
    { 'routes file(s)': sources.join(', ') },
    { 'IPv4 routes': stats.ipv4Routes.toLocaleString('en-US') },
    { 'IPv6 routes': stats.ipv6Routes.toLocaleString('en-US') },
    { duplicates: duplicates.toLocaleString('en-US') },
    ...bgpRows(fib),
    { 'IPv4 lookup memory': mib(stats.ipv4LookupBytes) },
    { 'IPv6 lookup memory': mib(stats.ipv6LookupBytes) },
    { 'RIB memory': mib(stats.ribBytes) },
  );
  const histogram = new Table({
    head: ['length', 'IPv4', 'IPv6'],
    colAligns: ['right', 'right', 'right'],
    style: { head: [], border: [], compact: true },
  });
  for (let length = 0; length <= 128; length++) {
    const v4 = lengths.ipv4[length] ?? 0;
    const v6 = lengths.ipv6[length];
    if (v4 || v6) histogram.push([`/${length}`, v4 ? v4.toLocaleString('en-US') : '', v6 ? v6.toLocaleString('en-US') : '']);
  }
  return `${summary.toString()}\n${histogram.toString()}\n`;
}
