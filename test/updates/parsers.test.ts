/**
 * The update stream readers (src/updates/): fibscope's own lines, the LINX trace, bgpdump -m
 * BGP4MP lines; detection from the first meaningful line, gzip, times; every bad line named by
 * file:line. Route attributes are checked against what the routes parsers make of the same text.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseRoutes } from '../../src/routes/index.js';
import { parseUpdates } from '../../src/updates/detect.js';
import { readUpdatesFile } from '../../src/updates/read.js';
import { describeMoment, parseUpdateTime } from '../../src/updates/time.js';
import { Random } from '../helpers/random.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fibscope-updates-');
const parse = (text: string, peer?: string) => parseUpdates(text, { source: 'u.txt', peer });
const errorOf = (text: string, peer?: string) => {
  try {
    parse(text, peer);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('no error');
};

describe('times', () => {
  it('reads seconds with a fraction to the nanosecond', () => {
    expect(parseUpdateTime('1418774413')).toEqual({ seconds: 1418774413, nanoseconds: 0 });
    expect(parseUpdateTime('1418774413.25')).toEqual({ seconds: 1418774413, nanoseconds: 250_000_000 });
    expect(parseUpdateTime('0.000000001')).toEqual({ seconds: 0, nanoseconds: 1 });
    expect(parseUpdateTime('4294967296')).toMatch(/past the last second/);
  });

  it('reads RFC 3339 as Date.parse does, with the fraction to the nanosecond', () => {
    const random = new Random(5);
    for (let i = 0; i < 200; i++) {
      const ms = random.below(4_000_000) * 1_000_000;
      const iso = new Date(ms).toISOString().slice(0, 19);
      const offset = random.below(3) === 0 ? 'Z' : `${random.below(2) ? '+' : '-'}${String(random.below(14)).padStart(2, '0')}:${random.below(2) ? '30' : '00'}`;
      const fraction = String(random.below(1e9)).padStart(9, '0');
      const text = `${iso}.${fraction}${offset}`;
      const expected = Date.parse(`${iso}.${fraction.slice(0, 3)}${offset}`);
      if (expected < 0) continue;
      expect(parseUpdateTime(text)).toEqual({ seconds: Math.floor(expected / 1000), nanoseconds: Number(fraction) });
    }
    expect(parseUpdateTime('2014-02-30T00:00:00Z')).toMatch(/not a date and time that exists/);
    expect(parseUpdateTime('yesterday')).toMatch(/expected a time/);
    expect(describeMoment({ seconds: 1418774413, nanoseconds: 250_000_000 })).toBe('1418774413.25 (2014-12-17T00:00:13.25Z)');
  });
});

describe("fibscope's own lines", () => {
  it('reads add, replace and del with the routes the ip route parser makes of the same text', () => {
    const routes = [
      '10.1.0.0/16 via 192.0.2.1 dev eth0 metric 10',
      'blackhole 10.9.0.0/16 proto static',
      'default via 2001:db8::1 dev eth1',
      '10.88.0.0/16 proto static nexthop via 10.77.0.2 dev veth0 weight 1 nexthop via 10.77.0.3 dev veth0 weight 3',
    ];
    const text = [
      '# comment', '',
      `1418774413.250 add ${routes[0]}`,
      `2014-12-17T00:00:14+01:00 replace ${routes[1]}`,
      `1418774415 add ${routes[2]}`,
      `1418774416 replace ${routes[3]}`,
      '1418774417 del 10.1.0.0/16 via 192.0.2.1',
      '1418774418 del default dev eth1',
      '1418774419 del 2001:db8::/32',
    ].join('\n');
    const stream = parse(text);
    expect(stream.updates.map(({ seconds, nanoseconds, kind, prefix, where }) => ({ seconds, nanoseconds, kind, prefix, where }))).toEqual([
      { seconds: 1418774413, nanoseconds: 250_000_000, kind: 'add', prefix: '10.1.0.0/16', where: 'u.txt:3' },
      { seconds: 1418774414 - 3600, nanoseconds: 0, kind: 'replace', prefix: '10.9.0.0/16', where: 'u.txt:4' },
      { seconds: 1418774415, nanoseconds: 0, kind: 'add', prefix: '::/0', where: 'u.txt:5' },
      { seconds: 1418774416, nanoseconds: 0, kind: 'replace', prefix: '10.88.0.0/16', where: 'u.txt:6' },
      { seconds: 1418774417, nanoseconds: 0, kind: 'del', prefix: '10.1.0.0/16', where: 'u.txt:7' },
      { seconds: 1418774418, nanoseconds: 0, kind: 'del', prefix: '0.0.0.0/0', where: 'u.txt:8' },
      { seconds: 1418774419, nanoseconds: 0, kind: 'del', prefix: '2001:db8::/32', where: 'u.txt:9' },
    ]);
    routes.forEach((route, i) => {
      const list = parseRoutes(route, { format: 'ip' });
      expect(stream.updates[i].attributes).toEqual({
        type: ['unicast', 'local', 'broadcast', 'blackhole'][list.type[0]], nextHop: list.nextHop[0], dev: list.dev[0], metric: list.metric[0],
        ...(list.nextHops.has(0) ? { nextHops: list.nextHops.get(0) } : {}),
      });
    });
    expect(stream.updates[4].attributes).toEqual({ nextHop: '192.0.2.1' });
    expect(stream.updates[5].attributes).toEqual({ dev: 'eth1' });
    expect(stream.updates[6].attributes).toBeUndefined();
  });

  it('names the file and line of a bad line', () => {
    expect(errorOf('1 add 10.0.0.0/8 via 192.0.2.1\n2 remove 10.0.0.0/8')).toMatch(/^u\.txt:2: expected 'TIME add\|del\|replace ROUTE', found '2 remove 10\.0\.0\.0\/8'/);
    expect(errorOf('\n\n1.5x add 10.0.0.0/8')).toMatch(/^u\.txt:3: .*expected a time as seconds since 1970/);
    expect(errorOf('1 add 10.0.0.0/8 via 192.0.2.1\n# x\n3 add 10.0.0.0/33 via 192.0.2.1')).toMatch(/^u\.txt:3: .*prefix length 33 out of range/);
    expect(errorOf('1 del 10.0.0.0/8 metric 10')).toMatch(/^u\.txt:1: del takes PREFIX \[via ADDRESS\] \[dev NAME\]/);
    expect(errorOf('1 del nonsense')).toMatch(/^u\.txt:1: expected a prefix like .* or 'default' after del/);
    expect(errorOf('1 add')).toMatch(/^u\.txt:1: 'add' needs a route after it/);
  });
});

describe('the LINX trace', () => {
  it('reads announcements as replace with the next hop, withdrawals as del', () => {
    const stream = parse('1418774413 w 202.70.88.0/21 0.0.0.0\n1418774413 a 202.70.88.0/21 195.66.226.74\n1418774414 a 2001:db8::/32 2001:db8::1\n');
    expect(stream.updates).toEqual([
      { seconds: 1418774413, nanoseconds: 0, kind: 'del', prefix: '202.70.88.0/21', where: 'u.txt:1' },
      { seconds: 1418774413, nanoseconds: 0, kind: 'replace', prefix: '202.70.88.0/21', attributes: { nextHop: '195.66.226.74' }, where: 'u.txt:2' },
      { seconds: 1418774414, nanoseconds: 0, kind: 'replace', prefix: '2001:db8::/32', attributes: { nextHop: '2001:db8::1' }, where: 'u.txt:3' },
    ]);
  });

  it('reads the whole shared trace, gzip and all, a line an update', async () => {
    const stream = await readUpdatesFile('/work/shared/data/routes/linx-2014-v4-updates.txt.gz');
    expect(stream.updates.length).toBe(23446);
    expect(stream.updates.filter((u) => u.kind === 'del').length).toBe(5305);
    expect(stream.updates[23445]).toMatchObject({ seconds: 1418777999, prefix: '77.246.174.0/24', where: '/work/shared/data/routes/linx-2014-v4-updates.txt.gz:23446' });
  });

  it('names the file and line of a bad line', () => {
    expect(errorOf('1 a 10.0.0.0/8 192.0.2.1\n2 a 10.0.0.0/8')).toMatch(/^u\.txt:2: an announcement needs a next hop address/);
    expect(errorOf('1 a 10.0.0.0/8 192.0.2.1\n2 x 10.0.0.0/8 192.0.2.1')).toMatch(/^u\.txt:2: expected a LINX update line/);
    expect(errorOf('1 w 10.0.0/8 0.0.0.0')).toMatch(/^u\.txt:1: expected a prefix like/);
  });
});

describe('bgpdump -m updates', () => {
  const A = (time: number, prefix: string, peer = '195.66.224.175|13030', med = '0') =>
    `BGP4MP|${time}|A|${peer}|${prefix}|13030 3356 {64500,64501}|IGP|195.66.224.175 fe80::1|100|${med}|13030:51904 no-export|NAG||`;

  it('reads announcements with the attributes a RIB dump line gives, withdrawals, and skips STATE', () => {
    const stream = parse([
      A(1418774413, '1.0.0.0/24', undefined, '20'),
      'BGP4MP|1418774414|STATE|195.66.224.175|13030|3|6',
      'BGP4MP|1418774415|W|195.66.224.175|13030|1.0.0.0/24',
    ].join('\n'));
    const rib = parseRoutes(A(1418774413, '1.0.0.0/24', undefined, '20').replace('BGP4MP|1418774413|A', 'TABLE_DUMP2|1418774413|B'));
    expect(stream.updates).toEqual([
      {
        seconds: 1418774413, nanoseconds: 0, kind: 'replace', prefix: '1.0.0.0/24', where: 'u.txt:1',
        attributes: { nextHop: rib.nextHop[0], metric: rib.metric[0], asPath: rib.asAttributes![0]!.asPath, communities: rib.communities![0] },
      },
      { seconds: 1418774415, nanoseconds: 0, kind: 'del', prefix: '1.0.0.0/24', where: 'u.txt:3' },
    ]);
    expect(stream.updates[0].attributes).toMatchObject({ nextHop: '195.66.224.175', metric: 20, communities: ['13030:51904', 'no-export'] });
    expect(stream.notes.skipped).toEqual(new Map([['BGP4MP STATE', 1]]));
  });

  it('refuses several peers without --peer, and with it keeps one peer, counting the others', () => {
    const text = [A(1, '1.0.0.0/24'), A(2, '2.0.0.0/24', '192.0.2.9|64999'), A(3, '3.0.0.0/24'), 'BGP4MP|4|W|192.0.2.9|64999|2.0.0.0/24'].join('\n');
    expect(errorOf(text)).toMatch(/^u\.txt: updates from 2 BGP peers: 195\.66\.224\.175 \(AS 13030, 2 updates from line 1\), 192\.0\.2\.9 \(AS 64999, 2 updates from line 2\)\. .*--peer ADDRESS or --peer AS/);
    expect(parse(text, '192.0.2.9').updates.map((u) => [u.kind, u.prefix])).toEqual([['replace', '2.0.0.0/24'], ['del', '2.0.0.0/24']]);
    const byAs = parse(text, 'AS13030');
    expect(byAs.updates.map((u) => u.prefix)).toEqual(['1.0.0.0/24', '3.0.0.0/24']);
    expect(byAs.notes.skipped).toEqual(new Map([['BGP4MP of other peers', 2]]));
  });

  it('names the file and line of a bad line', () => {
    expect(errorOf(`${A(1, '1.0.0.0/24')}\nTABLE_DUMP2|1|B|195.66.224.175|13030|1.0.0.0/24|13030|IGP|195.66.224.175|0|0||NAG||`))
      .toMatch(/^u\.txt:2: found a RIB dump line \(TABLE_DUMP2\), not an update/);
    expect(errorOf(`${A(1, '1.0.0.0/24')}\nBGP4MP|2|X|195.66.224.175|13030|1.0.0.0/24`)).toMatch(/^u\.txt:2: expected 'A', 'W' or 'STATE'/);
    expect(errorOf(`${A(1, '1.0.0.0/24')}\nBGP4MP|2|A|195.66.224.175|13030|1.0.0.0/24|13030`)).toMatch(/^u\.txt:2: expected at least 9/);
    expect(errorOf(A(1, '1.0.0.0/24').replace('13030 3356', '13030 x'))).toMatch(/^u\.txt:1: expected an AS path/);
    expect(errorOf('BGP4MP|1|W|195.66.224.175|13030|1.0.0.0/99')).toMatch(/^u\.txt:1: expected a prefix like .* in the sixth field/);
  });
});

describe('detection and reading', () => {
  it('tells the format from the first meaningful line, and refuses what is none', () => {
    expect(parse('# x\n\n1 add 10.0.0.0/8 via 192.0.2.1').updates[0].kind).toBe('add');
    expect(parse('\n1 a 10.0.0.0/8 192.0.2.1').updates[0].kind).toBe('replace');
    expect(parse('# nothing yet\n').updates).toEqual([]);
    expect(errorOf('# x\n10.0.0.0/8 via 192.0.2.1')).toMatch(/^u\.txt:2: not a route update stream: expected bgpdump -m lines/);
    expect(errorOf('\u0000\u0001MRT')).toMatch(/^u\.txt:1: expected an update stream \(MRT, or bgpdump -m, LINX or fibscope lines\), but it is not MRT and it looks binary: a NUL byte/);
    // a peer chooses among those of a bgpdump -m (or MRT) stream: the other formats name none
    expect(parse('1 a 10.0.0.0/8 192.0.2.1', '13030').updates).toHaveLength(1);
  });

  it('reads gzip files transparently and says why a file cannot be read', async () => {
    const path = join(dir, 'u.gz');
    writeFileSync(path, gzipSync('1 add 10.0.0.0/8 via 192.0.2.1\n2 del 10.0.0.0/8\n'));
    const stream = await readUpdatesFile(path);
    expect(stream.updates.map((u) => `${u.kind} ${u.where}`)).toEqual([`add ${path}:1`, `del ${path}:2`]);
    await expect(readUpdatesFile(join(dir, 'missing'))).rejects.toThrow(/cannot read update stream .*missing: no such file/);
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await expect(readUpdatesFile(bad)).rejects.toThrow(/starts like gzip but does not decompress/);
  });
});
