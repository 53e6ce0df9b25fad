import { describe, expect, it } from 'vitest';
import { RouteFormatError } from '../src/errors.js';
import { parseRoutes } from '../src/routes/index.js';
import { routeRows, routeRowsNoLine } from './helpers/route-rows.js';

const json = (text: string) => routeRows(parseRoutes(text, { format: 'ip-json', source: 'routes.json' }));

/** What `ip -j route show table all` printed in a test namespace (iproute2 6.1). */
const KERNEL_SAMPLE = JSON.stringify([
  { dst: 'default', gateway: '10.77.0.254', dev: 'vA', metric: 100, flags: [] },
  { dst: '10.77.0.0/24', dev: 'vA', protocol: 'kernel', scope: 'link', prefsrc: '10.77.0.1', flags: [] },
  { dst: '10.88.0.0/16', flags: [], nexthops: [
    { gateway: '10.77.0.2', dev: 'vA', weight: 1, flags: [] },
    { gateway: '10.77.0.3', dev: 'vA', weight: 3, flags: [] }] },
  { type: 'blackhole', dst: '10.90.0.0/16', flags: [] },
  { type: 'unreachable', dst: '10.91.0.0/16', metric: 9, flags: [] },
  { type: 'local', dst: '10.77.0.1', dev: 'vA', table: 'local', protocol: 'kernel', scope: 'host', prefsrc: '10.77.0.1', flags: [] },
  { type: 'broadcast', dst: '10.77.0.255', dev: 'vA', table: 'local', protocol: 'kernel', scope: 'link', prefsrc: '10.77.0.1', flags: [] },
  { dst: '10.99.0.0/16', via: { family: 'inet6', host: '2001:db8:77::2' }, dev: 'vA', flags: [] },
  { dst: '2001:db8:99::/48', metric: 1024, flags: [], pref: 'medium', nexthops: [
    { gateway: '2001:db8:77::2', dev: 'vA', weight: 1, flags: [] },
    { gateway: '2001:db8:77::3', dev: 'vA', weight: 2, flags: [] }] },
  { type: 'multicast', dst: 'ff00::/8', dev: 'vA', table: 'local', protocol: 'kernel', metric: 256, flags: [], pref: 'medium' },
]);

describe('ip -j route show JSON', () => {
  it('reads every kind of entry', () => {
    expect(json(KERNEL_SAMPLE).map(({ line: _line, ...r }) => r)).toEqual([
      { prefix: '0.0.0.0/0', type: 'unicast', nextHop: '10.77.0.254', dev: 'vA', metric: 100 },
      { prefix: '10.77.0.0/24', type: 'unicast', nextHop: null, dev: 'vA', metric: 0 },
      {
        prefix: '10.88.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: 'vA', metric: 0,
        nextHops: [{ via: '10.77.0.2', dev: 'vA', weight: 1 }, { via: '10.77.0.3', dev: 'vA', weight: 3 }],
      },
      { prefix: '10.90.0.0/16', type: 'blackhole', nextHop: null, dev: null, metric: 0 },
      { prefix: '10.91.0.0/16', type: 'unreachable', nextHop: null, dev: null, metric: 9 },
      { prefix: '10.77.0.1/32', type: 'local', nextHop: null, dev: 'vA', metric: 0 },
      { prefix: '10.77.0.255/32', type: 'broadcast', nextHop: null, dev: 'vA', metric: 0 },
      { prefix: '10.99.0.0/16', type: 'unicast', nextHop: '2001:db8:77::2', dev: 'vA', metric: 0 },
      {
        prefix: '2001:db8:99::/48', type: 'unicast', nextHop: '2001:db8:77::2', dev: 'vA', metric: 1024,
        nextHops: [{ via: '2001:db8:77::2', dev: 'vA', weight: 1 }, { via: '2001:db8:77::3', dev: 'vA', weight: 2 }],
      },
      { prefix: 'ff00::/8', type: 'multicast', nextHop: null, dev: 'vA', metric: 256 },
    ]);
  });

  it('gives the same routes as the text output', () => {
    const text = [
      'default via 10.77.0.254 dev vA metric 100 ',
      '10.77.0.0/24 dev vA proto kernel scope link src 10.77.0.1 ',
      '10.88.0.0/16 ',
      '\tnexthop via 10.77.0.2 dev vA weight 1 ',
      '\tnexthop via 10.77.0.3 dev vA weight 3 ',
      'blackhole 10.90.0.0/16 ',
      'unreachable 10.91.0.0/16 metric 9 ',
      'local 10.77.0.1 dev vA table local proto kernel scope host src 10.77.0.1 ',
      'broadcast 10.77.0.255 dev vA table local proto kernel scope link src 10.77.0.1 ',
      '10.99.0.0/16 via inet6 2001:db8:77::2 dev vA ',
      '2001:db8:99::/48 metric 1024 pref medium',
      '\tnexthop via 2001:db8:77::2 dev vA weight 1 ',
      '\tnexthop via 2001:db8:77::3 dev vA weight 2 ',
      'multicast ff00::/8 dev vA table local proto kernel metric 256 pref medium',
    ].join('\n');
    expect(routeRowsNoLine(parseRoutes(KERNEL_SAMPLE, { format: 'ip-json' })))
      .toEqual(routeRowsNoLine(parseRoutes(text, { format: 'ip' })));
  });

  it('records the line each entry starts on in pretty-printed output', () => {
    const pretty = JSON.stringify(JSON.parse(KERNEL_SAMPLE), null, 4);
    const rows = json(pretty);
    const lines = pretty.split('\n');
    for (const row of rows) expect(lines[row.line - 1]).toMatch(/^ {4}\{/);
    expect(rows[0].line).toBe(2);
    expect(new Set(rows.map((r) => r.line)).size).toBe(rows.length);
  });

  it('decides the family of default like the text parser', () => {
    expect(json('[{"dst":"default","gateway":"fe80::1","dev":"eth0","metric":1024,"pref":"medium"}]')[0].prefix).toBe('::/0');
    expect(json('[{"type":"unreachable","dst":"default","dev":"lo","metric":4294967295,"pref":"medium"}]')[0].prefix).toBe('::/0');
    expect(json('[{"dst":"default","dev":"ppp0","prefsrc":"2001:db8::1"}]')[0].prefix).toBe('::/0');
    expect(json('[{"dst":"default","via":{"family":"inet6","host":"fe80::1"},"dev":"eth0"}]')[0].prefix).toBe('0.0.0.0/0');
    expect(json('[{"dst":"default","dev":"wg0"},{"dst":"2001:db8::/32","dev":"wg0"}]')[0].prefix).toBe('::/0');
    expect(json('[{"dst":"default","dev":"wg0"}]')[0].prefix).toBe('0.0.0.0/0');
  });

  it('reads several arrays one after another, and empty ones', () => {
    const rows = json('[{"dst":"10.0.0.0/8"}]\n[]\n[\n{"dst":"2001:db8::/32"}]\n');
    expect(rows.map((r) => [r.prefix, r.line])).toEqual([['10.0.0.0/8', 1], ['2001:db8::/32', 4]]);
    expect(json('')).toEqual([]);
    expect(json('[]')).toEqual([]);
  });

  it('names the source, the line and the entry of a bad entry', () => {
    const bad = (text: string) => {
      try {
        json(text);
      } catch (error) {
        expect(error).toBeInstanceOf(RouteFormatError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad('[\n  {"dst": "10.0.0.0/8"},\n  {"dst": "10.0.0.0/33"}\n]'))
      .toBe("routes.json:3: entry 2: expected \"dst\" with a prefix like 10.0.0.0/8 or 2001:db8::/32 or \"default\", found '10.0.0.0/33' (prefix length 33 out of range 0..32 for IPv4)");
    expect(bad('[{"dst":"10.0.0.0/8"},\n{"gateway":"1.2.3.4"}]')).toMatch(/^routes.json:2: entry 2: expected "dst" .* found no "dst"$/);
    expect(bad('[1]')).toMatch(/^routes.json:1: entry 1: expected a route object/);
    expect(bad('[{"dst":"10.0.0.0/8","type":"nat"}]')).toMatch(/entry 1: expected "type" to be one of unicast, local/);
    expect(bad('[{"dst":"10.0.0.0/8","metric":-1}]')).toMatch(/expected "metric" 0..4294967295, found -1/);
    expect(bad('[{"dst":"10.0.0.0/8","metric":"5"}]')).toMatch(/expected "metric" 0..4294967295, found "5"/);
    expect(bad('[{"dst":"10.0.0.0/8","gateway":"router"}]')).toMatch(/expected "gateway" of the route to be an address, found 'router'/);
    expect(bad('[{"dst":"10.0.0.0/8","nexthops":[{"gateway":"1.2.3.4","weight":0}]}]')).toMatch(/expected "weight" 1..256 in next hop 1, found 0/);
    expect(bad('[{"dst":"10.0.0.0/8","nexthops":{}}]')).toMatch(/expected "nexthops" to be an array/);
    expect(bad('[{"dst":"10.0.0.0/8","dev":7}]')).toMatch(/expected "dev" to be a device name, found 7/);
    expect(bad('{"dst":"10.0.0.0/8"}')).toMatch(/^routes.json:1: expected a JSON array of routes/);
    expect(bad('[{"dst":"10.0.0.0/8"}]\n\nxyz')).toMatch(/^routes.json:3: expected a JSON array of routes .*found 'xyz'/);
    expect(bad('[\n{"dst":"10.0.0.0/8"},\n{"dst":"10.1.0.0/16"')).toMatch(/^routes.json:1: expected JSON .* never closed/);
    expect(bad('[\n{"dst":"10.0.0.0/8"},\n{"dst" "10.1.0.0/16"}]')).toMatch(/^routes.json:3: expected JSON \(the output of ip -j route show\), but it does not parse/);
  });
});
