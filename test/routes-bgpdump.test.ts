import { describe, expect, it } from 'vitest';
import { parseRoutes } from '../src/routes/index.js';
import { routeRows } from './helpers/route-rows.js';

const bgpdump = (text: string) => routeRows(parseRoutes(text, { format: 'bgpdump', source: 'rib.txt' }));

describe('bgpdump -m', () => {
  it('reads TABLE_DUMP2 RIB entries: prefix, next hop, MED as metric', () => {
    expect(bgpdump([
      'TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.0.0/24|13030 15169|IGP|195.66.224.175|0|0||NAG||',
      'TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.4.0/22|13030 4826 38803 56203|IGP|195.66.224.176|0|120|13030:51203|NAG||',
      'TABLE_DUMP2|1454371200|B|2001:7f8:4::32e6:1|13030|2001:200::/32|13030 2500|IGP|2001:7f8:4::32e6:1 fe80::1|0|5|||',
    ].join('\n'))).toEqual([
      { prefix: '1.0.0.0/24', type: 'unicast', nextHop: '195.66.224.175', dev: null, metric: 0, line: 1 },
      { prefix: '1.0.4.0/22', type: 'unicast', nextHop: '195.66.224.176', dev: null, metric: 120, line: 2 },
      { prefix: '2001:200::/32', type: 'unicast', nextHop: '2001:7f8:4::32e6:1', dev: null, metric: 5, line: 3 },
    ]);
  });

  it('reads TABLE_DUMP (v1) and BGP4MP announcements, short lines and odd MEDs', () => {
    const rows = bgpdump([
      'TABLE_DUMP|1017619200|B|144.228.241.81|1239|3.0.0.0/8|1239 701 80|IGP|144.228.241.81|0|0|1239:123|NAG||',
      'BGP4MP|1418774413|A|195.66.226.74|8714|206.152.15.0/24|8714 3356 12|IGP|195.66.226.74|0|abc||NAG||',
      'BGP4MP_ET|1418774413|A|195.66.226.74|8714|206.152.16.0/24|8714|IGP|195.66.226.74',
      'BGP4MP|1418774414|STATE|195.66.226.74|8714|1|2',
    ].join('\n'));
    expect(rows.map((r) => [r.prefix, r.nextHop, r.metric, r.line])).toEqual([
      ['3.0.0.0/8', '144.228.241.81', 0, 1],
      ['206.152.15.0/24', '195.66.226.74', 0, 2],
      ['206.152.16.0/24', '195.66.226.74', 0, 3],
    ]);
  });

  it('keeps every peer\'s entry for a prefix, in file order', () => {
    const rows = bgpdump([
      'TABLE_DUMP2|1|B|10.0.0.1|1|8.8.8.0/24|1 15169|IGP|10.0.0.1|0|10|||',
      'TABLE_DUMP2|1|B|10.0.0.2|2|8.8.8.0/24|2 15169|IGP|10.0.0.2|0|20|||',
    ].join('\n'));
    expect(rows.map((r) => [r.nextHop, r.metric])).toEqual([['10.0.0.1', 10], ['10.0.0.2', 20]]);
  });

  it('names the line and what was expected when a line is bad', () => {
    expect(() => bgpdump('TABLE_DUMP2|1|B|10.0.0.1|1|8.8.8.0/24|1|IGP|10.0.0.1|0|0|||\nBGP4MP|2|W|10.0.0.1|1|8.8.8.0/24'))
      .toThrow(/^rib.txt:2: found a withdrawal \(W\): this is a BGP update stream, not a table/);
    expect(() => bgpdump('TABLE_DUMP2|1|B|10.0.0.1|1|8.8.8.0/33|1|IGP|10.0.0.1|0|0|||'))
      .toThrow(/^rib.txt:1: expected a prefix like 10.0.0.0\/8 or 2001:db8::\/32 in the sixth field, found '8.8.8.0\/33' \(prefix length 33 out of range 0..32 for IPv4\)$/);
    expect(() => bgpdump('TABLE_DUMP2|1|B|10.0.0.1|1|8.8.8.0/24'))
      .toThrow(/^rib.txt:1: expected at least 9 '\|'-separated fields .* found 6$/);
    expect(() => bgpdump('MRT|1|B|x')).toThrow(/^rib.txt:1: expected a bgpdump -m line starting with TABLE_DUMP2\|, TABLE_DUMP\| or BGP4MP\|, found 'MRT\|1\|B\|x'$/);
    expect(() => bgpdump('TABLE_DUMP2|1|A|10.0.0.1|1|8.8.8.0/24|1|IGP|10.0.0.1')).toThrow(/expected 'B' as the third field/);
    expect(() => bgpdump('BGP4MP|1|X|10.0.0.1|1|8.8.8.0/24|1|IGP|10.0.0.1')).toThrow(/expected 'A', 'W' or 'STATE'/);
    expect(() => bgpdump('TABLE_DUMP2')).toThrow(/expected TYPE\|TIME\|B or A/);
  });
});
