import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RouteFormatError } from '../src/errors.js';
import { parseRoutes } from '../src/routes/index.js';
import { readRoutesFile } from '../src/routes/read.js';
import { RouteList } from '../src/routes/route-list.js';
import { familyCounts, prefixAt, routeRows } from './helpers/route-rows.js';

const plain = (text: string) => routeRows(parseRoutes(text, { format: 'plain', source: 'routes.txt' }));

describe('plain routes', () => {
  it('reads PREFIX NEXTHOP DEV METRIC with any of the optional fields', () => {
    expect(plain([
      '10.0.0.0/8 192.0.2.1 eth0 10',
      '172.16.0.0/12 192.0.2.2 eth1',
      '192.168.0.0/16 lan',
      '2001:db8::/32',
    ].join('\n'))).toEqual([
      { prefix: '10.0.0.0/8', type: 'unicast', nextHop: '192.0.2.1', dev: 'eth0', metric: 10, line: 1 },
      { prefix: '172.16.0.0/12', type: 'unicast', nextHop: '192.0.2.2', dev: 'eth1', metric: 0, line: 2 },
      { prefix: '192.168.0.0/16', type: 'unicast', nextHop: 'lan', dev: null, metric: 0, line: 3 },
      { prefix: '2001:db8::/32', type: 'unicast', nextHop: null, dev: null, metric: 0, line: 4 },
    ]);
  });

  it('accepts blanks, tabs, commas, CRLF and comments', () => {
    const rows = plain([
      '# a comment line',
      '',
      '   ',
      '10.0.0.0/8,192.0.2.1,eth0,10\r',
      '10.1.0.0/16 , 192.0.2.1 ,eth0 , 11   # trailing comment',
      '\t10.2.0.0/16\t\tAS#1\teth2 # a # inside a label is kept',
      '10.3.0.0/16,,eth3,',
      '10.4.0.0/16,-,-,-',
      '10.5.0.0/16 - eth5 7',
      '   # indented comment',
      '10.6.0.0/16,',
    ].join('\n'));
    expect(rows.map((r) => [r.prefix, r.nextHop, r.dev, r.metric, r.line])).toEqual([
      ['10.0.0.0/8', '192.0.2.1', 'eth0', 10, 4],
      ['10.1.0.0/16', '192.0.2.1', 'eth0', 11, 5],
      ['10.2.0.0/16', 'AS#1', 'eth2', 0, 6],
      ['10.3.0.0/16', null, 'eth3', 0, 7],
      ['10.4.0.0/16', null, null, 0, 8],
      ['10.5.0.0/16', null, 'eth5', 7, 9],
      ['10.6.0.0/16', null, null, 0, 11],
    ]);
  });

  it('treats a bare address as a host route and default as 0.0.0.0/0', () => {
    expect(plain('192.0.2.7 gw\n2001:db8::7 gw6\ndefault up\n::/0 up6').map((r) => r.prefix))
      .toEqual(['192.0.2.7/32', '2001:db8::7/128', '0.0.0.0/0', '::/0']);
  });

  it('masks host bits', () => {
    expect(plain('10.1.2.3/8\n2001:db8:ffff::1/33\n255.255.255.255/0').map((r) => r.prefix))
      .toEqual(['10.0.0.0/8', '2001:db8:8000::/33', '0.0.0.0/0']);
  });

  it('keeps labels verbatim and writes address next hops in canonical form', () => {
    const rows = plain([
      '10.0.0.0/8 rfc1918-10',
      '10.1.0.0/16 AS15169',
      '2001:db8::/32 2001:DB8:0:0::0001',
      '10.2.0.0/16 010.000.000.001',
    ].join('\n'));
    expect(rows.map((r) => r.nextHop)).toEqual(['rfc1918-10', 'AS15169', '2001:db8::1', '10.0.0.1']);
  });

  it('shares one string per distinct next hop and device', () => {
    const lines: string[] = [];
    for (let i = 0; i < 1000; i++) lines.push(`10.${i >> 8}.${i & 255}.0/24 gw-${i % 3} eth${i % 2}`);
    const list = parseRoutes(lines.join('\n'), { format: 'plain' });
    expect(new Set(list.nextHop).size).toBe(3);
    expect(new Set(list.dev).size).toBe(2);
    expect(list.nextHop[0]).toBe('gw-0');
    expect(list.nextHop[999]).toBe(`gw-${999 % 3}`);
  });

  it('skips a column header on the first line', () => {
    expect(plain('prefix,nexthop,dev,metric\n10.0.0.0/8,a,b,1').map((r) => r.prefix)).toEqual(['10.0.0.0/8']);
    expect(plain('# table\nPREFIX NEXTHOP\n10.0.0.0/8 a').length).toBe(1);
  });

  it('accepts the largest metric and appends to an existing list', () => {
    const list = new RouteList();
    parseRoutes('10.0.0.0/8 - - 4294967295', { format: 'plain' }, list);
    parseRoutes('10.0.0.0/8 - - 0', { format: 'plain' }, list);
    expect(list.count).toBe(2);
    expect(list.metric[0]).toBe(4294967295);
  });

  it('rejects a fifth field and bad metrics', () => {
    expect(() => plain('10.0.0.0/8 a b 1 extra')).toThrow(/routes.txt:1: expected at most 4 fields .* found an extra field 'extra'/);
    expect(() => plain('10.0.0.0/8 a b 4294967296')).toThrow(/routes.txt:1: expected a metric 0..4294967295 in the fourth field, found '4294967296'/);
    expect(() => plain('\n10.0.0.0/8 a b -5')).toThrow(/routes.txt:2: expected a metric/);
    expect(() => plain('10.0.0.0/8 a b 1.5')).toThrow(RouteFormatError);
  });

  const shared = new URL('../../shared/data/routes/', import.meta.url).pathname;
  const tier1 = `${shared}tier1-2024.txt.gz`;
  it.skipIf(!existsSync(tier1))('reads the shared tier-1 table, forced and detected (skipped without ../shared/data/routes/tier1-2024.txt.gz)', async () => {
    const forced = await readRoutesFile(tier1, { format: 'plain' });
    expect(familyCounts(forced)).toEqual({ v4: 901899, v6: 160147 });
    expect(prefixAt(forced, 0)).toBe('1.0.0.0/24');
    expect(forced.nextHop[0]).toBeNull();
    const detected = await readRoutesFile(tier1);
    expect(familyCounts(detected)).toEqual({ v4: 901899, v6: 160147 });
    expect(prefixAt(detected, detected.count - 1)).toBe(prefixAt(forced, forced.count - 1));
  });

  const linx = `${shared}linx-2014-v6.txt.gz`;
  it.skipIf(!existsSync(linx))('reads the shared LINX IPv6 table with next hops (skipped without ../shared/data/routes/linx-2014-v6.txt.gz)', async () => {
    const list = await readRoutesFile(linx);
    expect(familyCounts(list)).toEqual({ v4: 0, v6: 20440 });
    expect(routeRows(list)[0]).toMatchObject({ prefix: '2600:2004::/32', nextHop: '2001:7f8:4::1a0b:1' });
    expect(new Set(list.nextHop).size).toBeLessThan(1000);
  });

  const sample = new URL('../../shared/data/routes/sample.routes', import.meta.url).pathname;
  it.skipIf(!existsSync(sample))('reads the shared sample.routes (skipped without ../shared/data/routes/sample.routes)', async () => {
    const list = await readRoutesFile(sample);
    expect(familyCounts(list)).toEqual({ v4: 10, v6: 8 });
    const rows = routeRows(list);
    expect(rows[0]).toMatchObject({ prefix: '0.0.0.0/0', nextHop: 'default-v4' });
    expect(rows.find((r) => r.prefix === '::1/128')?.nextHop).toBe('loopback6');
  });
});
