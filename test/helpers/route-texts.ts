import type { RouteFormat } from '../../src/node.js';

/**
 * Routes tables of `count` routes in each text format, made the way the tools that write them
 * print them: fault and fuzz tests corrupt them. Route i is 10.(i>>8).(i&255).0/24, with a few
 * IPv6 routes among them; every line after the first few is long enough that `count` = 300
 * passes the first 4 KiB.
 */
export function routeText(format: RouteFormat, count: number): string {
  const v4 = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0`;
  const lines: string[] = [];
  switch (format) {
    case 'plain':
      lines.push('# prefix next-hop device metric');
      for (let i = 0; i < count; i++) {
        lines.push(i % 10 === 9 ? `2001:db8:${i.toString(16)}::/48 2001:db8::1 eth1 ${i}` : `${v4(i)}/24 192.0.2.${i % 7 + 1} eth${i % 3} ${i}`);
      }
      break;
    case 'ip':
      for (let i = 0; i < count; i++) {
        lines.push(i % 10 === 9
          ? `blackhole ${v4(i)}/24 proto static metric ${i}`
          : `${v4(i)}/24 via 192.0.2.${i % 7 + 1} dev eth${i % 3} proto bgp metric ${i}`);
      }
      break;
    case 'pfx2as':
      for (let i = 0; i < count; i++) lines.push(`${v4(i)}\t24\t${64500 + (i % 20)}${i % 11 === 5 ? '_64999' : ''}`);
      break;
    case 'bgpdump':
      for (let i = 0; i < count; i++) {
        lines.push(`TABLE_DUMP2|1454371200|B|195.66.224.175|13030|${v4(i)}/24|13030 ${15169 + i}|IGP|195.66.224.${i % 50 + 1}|0|${i % 5}||NAG||`);
      }
      break;
    case 'ip-json': {
      const entries = Array.from({ length: count }, (_, i) => (i % 10 === 9
        ? { type: 'blackhole', dst: `${v4(i)}/24`, protocol: 'static', flags: [] }
        : { dst: `${v4(i)}/24`, gateway: `192.0.2.${i % 7 + 1}`, dev: `eth${i % 3}`, protocol: 'bgp', metric: i, flags: [] }));
      return `${JSON.stringify(entries, null, 2)}\n`;
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Every route of a table as text, in a stable order. */
export function routesText(routes: Iterable<{ prefix: string; type: string; nextHop: string | null; dev: string | null; metric: number }>): string[] {
  return [...routes].map((r) => `${r.prefix} ${r.type} ${JSON.stringify(r.nextHop)} ${JSON.stringify(r.dev)} ${r.metric}`).sort();
}
