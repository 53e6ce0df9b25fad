// BGP attributes of routes (AS path, origin AS, communities) from `bgpdump -m` and pfx2as,
// attribute by attribute, against an independent reading of the same lines here: a split on
// '|' and a regular-expression tokenizer of AS paths. bgpdump lines are real-looking RIB and
// update entries and lines written from the shared tables' prefixes and origins; the shared
// RouteViews pfx2as files are read whole.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fib, parseRoutes } from '../src/node.js';
import type { AsAttributes } from '../src/routes/route.js';
import type { RouteList } from '../src/routes/route-list.js';
import { prefixAt } from './helpers/route-rows.js';
import { Random } from './helpers/random.js';

const DATA = fileURLToPath(new URL('../../shared/data/routes/', import.meta.url));
const PFX2AS_V4 = `${DATA}routeviews-2016-v4.pfx2as.gz`;
const PFX2AS_V6 = `${DATA}routeviews-2016-v6.pfx2as.gz`;
const UPDATES = `${DATA}linx-2014-v4-updates.txt.gz`;
const hasShared = (...paths: string[]) => paths.every((path) => existsSync(path));

function sharedLines(path: string): string[] {
  return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/** An AS number as written: asplain, or asdot (RFC 5396). */
function asNumberOf(text: string): number {
  const dot = /^(\d+)\.(\d+)$/.exec(text);
  return dot ? Number(dot[1]) * 65536 + Number(dot[2]) : Number(text);
}

/** The oracle: the path's segments by regular expression, the origin from the last. */
function expectedAs(path: string): AsAttributes {
  const segments = path.match(/\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|[^\s{}[\]()]+/g) ?? [];
  if (segments.length === 0) return { asPath: '' };
  const last = segments[segments.length - 1];
  if (last.startsWith('{') || last.startsWith('[')) {
    const members = last.slice(1, -1).split(',').map((member) => asNumberOf(member.trim()));
    return members.length > 1 ? { asPath: path, originAs: members[0], originAsSet: members } : { asPath: path, originAs: members[0] };
  }
  const members = last.replace(/[()]/g, '').trim().split(/\s+/);
  return { asPath: path, originAs: asNumberOf(members[members.length - 1]) };
}

/** The attributes a bgpdump -m line should give, from its own split. */
function expectedOfLine(line: string): { prefix: string; as: AsAttributes; communities?: string[] } {
  const fields = line.split('|');
  const communities = (fields[11] ?? '').split(' ').filter((word) => word !== '');
  return { prefix: fields[5], as: expectedAs(fields[6]), ...(communities.length ? { communities } : {}) };
}

function attributesOf(list: RouteList, i: number): { prefix: string; as: AsAttributes | undefined; communities?: readonly string[] } {
  const communities = list.communities?.[i];
  return { prefix: prefixAt(list, i), as: list.asAttributes?.[i], ...(communities ? { communities: [...communities] } : {}) };
}

/** Real bgpdump -m output shapes: RIB entries v1 and v2, announcements, AS sets, confederations, aggregators, 32-bit ASNs. */
const REAL_LINES = [
  'TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.0.0/24|13030 15169|IGP|195.66.224.175|0|0||NAG||',
  'TABLE_DUMP2|1454371200|B|195.66.225.222|8714|1.0.4.0/24|8714 4637 1221 38803 56203|IGP|195.66.225.222|0|0|8714:65010 8714:65020|NAG||',
  'TABLE_DUMP2|1454371200|B|202.249.2.169|2497|12.4.0.0/16|2497 7018 3549 {19262,25981}|INCOMPLETE|202.249.2.169|0|0|2497:3549|AG|19262 10.1.1.1|',
  'TABLE_DUMP2|1454371200|B|2001:7f8:4::32e6:1|13030|2001:200::/32|13030 2500|IGP|2001:7f8:4::32e6:1 fe80::1|0|5|13030:51203 no-export|NAG||',
  'TABLE_DUMP|1017619200|B|144.228.241.81|1239|3.0.0.0/8|1239 701 80|IGP|144.228.241.81|0|0|1239:123 no-advertise|NAG||',
  'BGP4MP|1418774413|A|195.66.226.74|8714|206.152.15.0/24|8714 3356 12|IGP|195.66.226.74|0|0||NAG||',
  'BGP4MP|1418774413|A|10.0.0.2|65001|192.0.2.0/24|(65001 65002) 3356 4200000000|IGP|10.0.0.2|100|0|65001:1|NAG||',
  'TABLE_DUMP2|1454371200|B|10.0.0.3|65003|198.51.100.0/24|64496 [65010,65011]|EGP|10.0.0.3|0|0||NAG||',
  'TABLE_DUMP2|1454371200|B|10.0.0.4|65004|203.0.113.0/24|3356 1.10|IGP|10.0.0.4|0|0||NAG||',
  'TABLE_DUMP2|1454371200|B|10.0.0.5|65005|100.64.0.0/10||IGP|10.0.0.5|0|0||NAG||',
  'BGP4MP_ET|1418774413|A|195.66.226.74|8714|206.152.16.0/24|8714 {64500}|IGP|195.66.226.74',
];

describe('bgpdump -m attributes', () => {
  it('AS path, origin AS and communities of real-looking lines equal their own split', () => {
    const list = parseRoutes(REAL_LINES.join('\n'), { format: 'bgpdump', source: 'rib.txt' });
    expect(list.count).toBe(REAL_LINES.length);
    for (let i = 0; i < list.count; i++) {
      expect(attributesOf(list, i), REAL_LINES[i]).toEqual(expectedOfLine(REAL_LINES[i]));
    }
    // the choices the oracle shares with the parser, spelled out
    expect(list.asAttributes![2]).toEqual({ asPath: '2497 7018 3549 {19262,25981}', originAs: 19262, originAsSet: [19262, 25981] });
    expect(list.asAttributes![6]?.originAs).toBe(4200000000);
    expect(list.asAttributes![8]?.originAs).toBe(65546);
    expect(list.asAttributes![9]).toEqual({ asPath: '' });
    expect(list.asAttributes![10]).toEqual({ asPath: '8714 {64500}', originAs: 64500 });
    expect(list.communities![10]).toBeUndefined();
  });

  it('shares one attributes object per distinct path and community list', () => {
    const list = parseRoutes([REAL_LINES[1], REAL_LINES[1].replace('1.0.4.0/24', '1.0.5.0/24'), REAL_LINES[0]].join('\n'), { format: 'bgpdump' });
    expect(list.asAttributes![0]).toBe(list.asAttributes![1]);
    expect(list.communities![0]).toBe(list.communities![1]);
    expect(Object.isFrozen(list.asAttributes![0])).toBe(true);
  });

  it.skipIf(!hasShared(PFX2AS_V4, UPDATES))('lines written from the shared tables, random paths and communities, equal their own split (skipped without ../shared/data/routes)', () => {
    const random = new Random(13);
    const origins = sharedLines(PFX2AS_V4).map((line) => line.split('\t'));
    const updates = sharedLines(UPDATES).map((line) => line.split(' ')).filter((fields) => fields[1] === 'a');
    const asn = () => String(random.below(10) === 0 ? 4200000000 + random.below(1000) : 1 + random.below(65000));
    const lines: string[] = [];
    for (let n = 0; n < 3000; n++) {
      const [address, length, origin] = origins[random.below(origins.length)];
      const path = Array.from({ length: random.below(5) }, asn);
      const last = origin.split(/[_,]/);
      path.push(random.below(8) === 0 ? `{${[...last, asn()].join(',')}}` : last[0]);
      if (random.below(10) === 0) path.unshift(`(${asn()} ${asn()})`);
      const communities = Array.from({ length: random.below(4) }, () => (random.below(6) === 0 ? 'no-export' : `${asn()}:${random.below(65536)}`));
      const update = updates[random.below(updates.length)];
      lines.push(random.below(2) === 0
        ? `TABLE_DUMP2|1454371200|B|${update[3]}|${asn()}|${address}/${length}|${path.join(' ')}|IGP|${update[3]}|0|${random.below(50)}|${communities.join(' ')}|NAG||`
        : `BGP4MP|${update[0]}|A|${update[3]}|${asn()}|${update[2]}|${path.join(' ')}|IGP|${update[3]}|0|0|${communities.join(' ')}|NAG||`);
    }
    const list = parseRoutes(lines.join('\n'), { format: 'bgpdump' });
    expect(list.count).toBe(lines.length);
    const wrong: string[] = [];
    for (let i = 0; i < list.count; i++) {
      const expected = expectedOfLine(lines[i]);
      const got = attributesOf(list, i);
      // prefixes compare after masking, as the parser masks host bits
      if (JSON.stringify({ ...got, prefix: '' }) !== JSON.stringify({ ...expected, prefix: '' })) wrong.push(`${lines[i]} → ${JSON.stringify(got)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(list.asAttributes!.filter((as) => as?.originAsSet).length).toBeGreaterThan(100);
  });

  it('names the line and the field of an AS path that is not one', () => {
    const parse = (path: string) => () => parseRoutes(`${REAL_LINES[0]}\nTABLE_DUMP2|1|B|10.0.0.1|1|8.8.8.0/24|${path}|IGP|10.0.0.1|0|0||NAG||`, { format: 'bgpdump', source: 'rib.txt' });
    expect(parse('3356 AS15169')).toThrow(/^rib.txt:2: expected an AS path like '3356 1299 64496' or '3356 \{64500,64501\}' in the seventh field, found '3356 AS15169' \(expected an AS number, found 'AS15169' at column 6\)$/);
    expect(parse('3356 {15169,')).toThrow(/^rib.txt:2: .* \('\{' at column 6 is not closed by '\}'\)$/);
    expect(parse('3356 {}')).toThrow(/empty segment '\{\}' at column 6/);
    expect(parse('4294967296')).toThrow(/expected an AS number, found '4294967296'/);
    expect(parse('1.65536')).toThrow(/expected an AS number, found '1.65536'/);
  });
});

describe('pfx2as origins', () => {
  it('one origin, multi-origin and AS sets: the first is originAs, all in originAsSet', () => {
    const list = parseRoutes('1.0.0.0\t24\t15169\n1.0.4.0\t22\t701_702\n1.0.8.0\t22\t701,702,703\n2001::\t32\t6939_1101_25192\n', { format: 'pfx2as' });
    expect(list.asAttributes).toEqual([
      { originAs: 15169 },
      { originAs: 701, originAsSet: [701, 702] },
      { originAs: 701, originAsSet: [701, 702, 703] },
      { originAs: 6939, originAsSet: [6939, 1101, 25192] },
    ]);
    expect(list.communities).toBeUndefined();
    expect(list.nextHop).toEqual(['AS15169', 'AS701_702', 'AS701,702,703', 'AS6939_1101_25192']);
  });

  it('names the line of an origin that is not AS numbers', () => {
    expect(() => parseRoutes('1.0.0.0\t24\t15169\n1.0.4.0\t22\tAS701', { format: 'pfx2as', source: 'rv' }))
      .toThrow(/^rv:2: expected an AS number \(or several joined by '_' or ','\) in the third field, found 'AS701'$/);
    expect(() => parseRoutes('1.0.4.0\t22\t701__702', { format: 'pfx2as', source: 'rv' })).toThrow(/^rv:1: expected an AS number/);
  });

  it.skipIf(!hasShared(PFX2AS_V4, PFX2AS_V6))('the shared RouteViews files, every line, equal their own split (skipped without ../shared/data/routes)', () => {
    for (const path of [PFX2AS_V4, PFX2AS_V6]) {
      const lines = sharedLines(path);
      const list = parseRoutes(lines.join('\n'), { format: 'pfx2as' });
      expect(list.count).toBe(lines.length);
      const wrong: string[] = [];
      let sets = 0;
      for (let i = 0; i < list.count; i++) {
        const origins = lines[i].split('\t')[2].split(/[_,]/).map(Number);
        const as = list.asAttributes![i]!;
        if (origins.length > 1) sets++;
        if (as.originAs !== origins[0] || JSON.stringify(as.originAsSet) !== JSON.stringify(origins.length > 1 ? origins : undefined)) {
          wrong.push(`${lines[i]} → ${JSON.stringify(as)}`);
        }
      }
      expect(wrong.slice(0, 5), path).toEqual([]);
      expect(sets, path).toBeGreaterThan(0);
    }
  });
});

describe('routes in a table keep them', () => {
  let fib: Fib;
  beforeAll(async () => {
    fib = await Fib.create();
  });

  it('lookup and routes() carry the attributes of the line; absent for formats without them', () => {
    fib.load(REAL_LINES.join('\n'), { source: 'rib.txt' });
    fib.load('10.0.0.0/8 192.0.2.1\n', { format: 'plain' });
    fib.load('172.16.0.0/12 via 192.0.2.1 dev eth0\n', { format: 'ip' });
    const byPrefix = new Map([...fib.routes()].map((route) => [route.prefix, route]));
    for (const line of REAL_LINES) {
      const { prefix, as, communities } = expectedOfLine(line);
      const route = byPrefix.get(prefix)!;
      expect({ asPath: route.asPath, originAs: route.originAs, originAsSet: route.originAsSet, communities: route.communities }, line)
        .toEqual({ asPath: as.asPath, originAs: as.originAs, originAsSet: as.originAsSet, communities });
    }
    expect(fib.lookup('12.4.1.1')).toMatchObject({ originAs: 19262, originAsSet: [19262, 25981], communities: ['2497:3549'] });
    for (const address of ['10.1.1.1', '172.16.1.1']) {
      const route = fib.lookup(address)!;
      expect(Object.keys(route).sort(), address).toEqual(['dev', 'id', 'metric', 'nextHop', 'nextHops', 'prefix', 'type']);
    }
    const row = { prefix: '', nextHop: null, dev: null, metric: 0, type: '' } as Parameters<Fib['describeInto']>[1];
    expect(fib.describeInto(fib.lookup('1.0.4.1')!.id, row)).toBe(true);
    expect(row).toMatchObject({ prefix: '1.0.4.0/24', originAs: 56203, asPath: '8714 4637 1221 38803 56203', communities: ['8714:65010', '8714:65020'] });
    expect(fib.describeInto(fib.lookup('10.1.1.1')!.id, row)).toBe(true);
    expect([row.originAs, row.asPath, row.communities]).toEqual([undefined, undefined, undefined]);
    expect(fib.hasOriginAs()).toBe(true);
  });

  it('an id freed by a removal and reused by a route without attributes has none', async () => {
    const table = await Fib.create();
    expect(table.hasOriginAs()).toBe(false);
    table.load('1.0.0.0\t24\t15169\n1.0.1.0\t24\t15169\n', { format: 'pfx2as' });
    const id = table.lookup('1.0.0.1')!.id;
    expect(table.remove('1.0.0.0/24')).toBe(1);
    // the freed id goes to the next route staged, from either loader
    table.load('9.0.0.0/8 192.0.2.1\n', { format: 'plain' });
    const reused = table.lookup('9.1.1.1')!;
    expect(reused.id).toBe(id);
    expect(reused.originAs).toBeUndefined();
    expect(table.remove('1.0.1.0/24')).toBe(1);
    table.add('9.9.0.0/16', { nextHop: '192.0.2.2' });
    expect(table.lookup('9.9.1.1')!.originAs).toBeUndefined();
    expect(table.hasOriginAs()).toBe(false);
  });

  it('a route identical but for its attributes is a duplicate: the first stays, with its attributes', async () => {
    const table = await Fib.create();
    const result = table.load([REAL_LINES[0], REAL_LINES[0].replace('13030 15169', '13030 3356 15169')].join('\n'));
    expect(result).toMatchObject({ added: 1, duplicates: 1 });
    expect(table.lookup('1.0.0.1')!.asPath).toBe('13030 15169');
  });

  it('fib.add takes them, derives the origin from the path, and refuses bad ones', async () => {
    const table = await Fib.create();
    table.add('192.0.2.0/24', { nextHop: '10.0.0.1', asPath: '3356 {64500,64501}', communities: ['3356:100'] });
    expect(table.lookup('192.0.2.1')).toMatchObject({ asPath: '3356 {64500,64501}', originAs: 64500, originAsSet: [64500, 64501], communities: ['3356:100'] });
    table.add('198.51.100.0/24', { nextHop: '10.0.0.1', originAs: 64511 });
    expect(table.lookup('198.51.100.1')).toMatchObject({ originAs: 64511 });
    expect(table.lookup('198.51.100.1')!.asPath).toBeUndefined();
    table.replace('198.51.100.0/24', { nextHop: '10.0.0.1', asPath: '1 2 3', originAs: 7 });
    expect(table.lookup('198.51.100.1')).toMatchObject({ asPath: '1 2 3', originAs: 7 });
    // replacing with no attributes clears them
    table.replace('198.51.100.0/24', { nextHop: '10.0.0.1' });
    expect(table.lookup('198.51.100.1')!.originAs).toBeUndefined();
    expect(table.routesFor('198.51.100.0/24')).toHaveLength(1);
    expect(() => table.add('203.0.113.0/24', { asPath: '1 x' })).toThrow(/^asPath must be an AS path like .* got "1 x" \(expected an AS number, found 'x' at column 3\)$/);
    expect(() => table.add('203.0.113.0/24', { originAs: -1 })).toThrow(/originAs must be an AS number 0..4294967295, got -1/);
    expect(() => table.add('203.0.113.0/24', { originAsSet: [] })).toThrow(/originAsSet must be a non-empty array/);
    expect(() => table.add('203.0.113.0/24', { communities: ['a b'] })).toThrow(/communities must be an array of words/);
    expect(table.lookup('203.0.113.1')).toBeUndefined();
  });
});
