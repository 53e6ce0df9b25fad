import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRoutes } from '../src/routes/index.js';
import { readRoutesFile } from '../src/routes/read.js';
import { familyCounts, routeRows } from './helpers/route-rows.js';

const pfx2as = (text: string) => routeRows(parseRoutes(text, { format: 'pfx2as', source: 'rv.pfx2as' }));

describe('CAIDA pfx2as', () => {
  it('reads ADDRESS<TAB>LENGTH<TAB>ASN into next hop labels AS<asn>', () => {
    expect(pfx2as('1.0.0.0\t24\t15169\n2001:200::\t32\t2500\n')).toEqual([
      { prefix: '1.0.0.0/24', type: 'unicast', nextHop: 'AS15169', dev: null, metric: 0, line: 1 },
      { prefix: '2001:200::/32', type: 'unicast', nextHop: 'AS2500', dev: null, metric: 0, line: 2 },
    ]);
  });

  it('keeps multi-origin and AS-set text verbatim', () => {
    expect(pfx2as('1.0.4.0\t22\t701_702\n1.0.8.0\t22\t701,702\n2001::\t32\t6939_1101_25192\n1.0.9.0\t24\t4200000000').map((r) => r.nextHop))
      .toEqual(['AS701_702', 'AS701,702', 'AS6939_1101_25192', 'AS4200000000']);
  });

  it('accepts spaces, CRLF, blank and comment lines, and masks host bits', () => {
    expect(pfx2as('# header\n\n10.1.2.3  8   64512\r\n').map((r) => [r.prefix, r.nextHop, r.line]))
      .toEqual([['10.0.0.0/8', 'AS64512', 3]]);
  });

  it('shares one label string per ASN', () => {
    const list = parseRoutes('1.0.0.0\t24\t15169\n1.0.1.0\t24\t15169\n', { format: 'pfx2as' });
    expect(list.nextHop[0]).toBe(list.nextHop[1]);
  });

  it('names the line and the field of a bad line', () => {
    expect(() => pfx2as('1.0.0.0\t24\t15169\n1.0.0\t24\t15169')).toThrow(/^rv.pfx2as:2: expected a pfx2as line ADDRESS<TAB>LENGTH<TAB>ASN with an IPv4 or IPv6 address first, found '1.0.0'$/);
    expect(() => pfx2as('1.0.0.0\t33\t15169')).toThrow(/^rv.pfx2as:1: expected a prefix length 0..32 for IPv4 in the second field, found '33'$/);
    expect(() => pfx2as('2001::\t129\t1')).toThrow(/expected a prefix length 0..128 for IPv6/);
    expect(() => pfx2as('1.0.0.0\tx\t15169')).toThrow(/found 'x'/);
    expect(() => pfx2as('1.0.0.0')).toThrow(/expected a prefix length 0..32 for IPv4 in the second field, found nothing/);
    expect(() => pfx2as('1.0.0.0\t24')).toThrow(/^rv.pfx2as:1: expected an AS number in the third field, found nothing$/);
    expect(() => pfx2as('1.0.0.0\t24\t1\t2')).toThrow(/expected 3 fields ADDRESS<TAB>LENGTH<TAB>ASN, found more: '2'/);
  });

  const dir = new URL('../../shared/data/routes/', import.meta.url).pathname;
  const v4 = `${dir}routeviews-2016-v4.pfx2as.gz`;
  const v6 = `${dir}routeviews-2016-v6.pfx2as.gz`;
  it.skipIf(!existsSync(v4) || !existsSync(v6))('reads the shared RouteViews files, detected (skipped without ../shared/data/routes/routeviews-2016-v4.pfx2as.gz and -v6)', async () => {
    const list4 = await readRoutesFile(v4);
    expect(familyCounts(list4)).toEqual({ v4: 615842, v6: 0 });
    expect(list4.nextHop[0]).toBe('AS15169');
    const list6 = await readRoutesFile(v6, { format: 'pfx2as' });
    expect(familyCounts(list6)).toEqual({ v4: 0, v6: 28744 });
    expect(list6.nextHop[0]).toBe('AS6939_1101_25192');
  });
});
