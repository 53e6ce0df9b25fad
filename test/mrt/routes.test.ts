/**
 * MRT files as routes files, against the oracle `bgpdump -m` (Debian bgpdump): loading a dump and
 * loading bgpdump's text of it give the same routes, field by field (prefix, next hop, metric =
 * MED, AS path and origin, communities). RIB dumps keep one route per prefix (the first entry of
 * the chosen peer); bgpdump prints every entry, so its text is filtered to that entry first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { Fib } from '../../src/fib/fib.js';
import { parseMrtRoutes } from '../../src/mrt/routes.js';
import { parseRoutes } from '../../src/routes/index.js';
import { readRoutesBytes, readRoutesFile } from '../../src/routes/read.js';
import {
  bgp4mpRecord, bgpdumpLines, bzip2, gzip, hasBgpdump, hasBzip2, mrtRecord, peerIndexTable, ribRecord, stateChangeRecord,
  tableDumpRecord, TABLE_DUMP_V2, updateMessage,
} from './build.js';
import { DUMP_TIME, randomDump } from './random-table.js';
import { bgpRouteRows } from './rows.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fibscope-mrt-routes-');
let files = 0;
function write(bytes: Uint8Array, suffix = '.mrt'): string {
  const path = join(dir, `${files++}${suffix}`);
  writeFileSync(path, bytes);
  return path;
}

/** bgpdump's text of the file, keeping per prefix only the first line `keep` accepts (peer address, peer AS). */
function bgpdumpFirstPerPrefix(path: string, keep: (peer: string, as: string) => boolean = () => true): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const line of bgpdumpLines(path)) {
    const fields = line.split('|');
    if (!keep(fields[3], fields[4]) || seen.has(fields[5])) continue;
    seen.add(fields[5]);
    lines.push(line);
  }
  return lines.join('\n');
}

describe.skipIf(!hasBgpdump)('MRT RIB dumps against bgpdump -m', () => {
  for (const [seed, prefixes, peers] of [[1, 300, 1], [2, 400, 5], [3, 200, 12]] as const) {
    it(`random dump ${seed}: ${prefixes} prefixes, ${peers} peers, first entry per prefix`, () => {
      const dump = randomDump(seed, prefixes, peers);
      const path = write(dump.bytes);
      const { routes, notes } = parseMrtRoutes(dump.bytes, { source: path });
      const expected = parseRoutes(bgpdumpFirstPerPrefix(path), { format: 'bgpdump' });
      expect(routes.count).toBe(prefixes);
      expect(bgpRouteRows(routes)).toEqual(bgpRouteRows(expected));
      const entries = dump.records.reduce((sum, r) => sum + r.entries.length, 0);
      expect(notes.entriesPassedOver).toBe(entries - prefixes);
      expect(notes.peers.map((p) => p.address)).toEqual(dump.peers.map((p) => p.address));
      expect(notes.skipped.size).toBe(0);
      expect(notes.truncated).toBeUndefined();
    });
  }

  it('--peer chooses one peer by address or by AS, as bgpdump lines of that peer', () => {
    const dump = randomDump(4, 300, 6);
    const path = write(dump.bytes);
    for (const peer of dump.peers) {
      const byAddress = parseMrtRoutes(dump.bytes, { source: path, peer: peer.address }).routes;
      const text = bgpdumpLines(path).filter((line) => line.split('|')[3] === peer.address).join('\n');
      const expected = parseRoutes(text, { format: 'bgpdump' });
      expect(bgpRouteRows(byAddress)).toEqual(bgpRouteRows(expected));
      expect(byAddress.count).toBe(dump.records.filter((r) => r.entries.some((e) => dump.peers[e.peerIndex] === peer)).length);
      const byAs = parseMrtRoutes(dump.bytes, { source: path, peer: `AS${peer.as}` }).routes;
      expect(bgpRouteRows(byAs)).toEqual(bgpRouteRows(expected));
    }
  });

  it('a peer that is not in the PEER_INDEX_TABLE is an error listing the peers', () => {
    const dump = randomDump(5, 10, 2);
    expect(() => parseMrtRoutes(dump.bytes, { source: 'rib.mrt', peer: '198.51.100.1' }))
      .toThrow(/--peer 198\.51\.100\.1: no such peer in the PEER_INDEX_TABLE of rib\.mrt; its peers: 192\.0\.2\.1 \(AS4200000000\), 192\.0\.2\.2 \(AS64501\)/);
    expect(() => parseMrtRoutes(dump.bytes, { peer: 'nonsense' })).toThrow(/--peer takes a peer's address/);
  });

  it('fib.load detects MRT from the bytes and gives the routes bgpdump text gives', async () => {
    const dump = randomDump(6, 200, 3);
    const path = write(dump.bytes);
    const fromMrt = await Fib.create();
    const fromText = await Fib.create();
    const loaded = fromMrt.load(dump.bytes, { source: path });
    fromText.load(bgpdumpFirstPerPrefix(path), { source: 'text' });
    expect(loaded).toMatchObject({ added: 200, duplicates: 0 });
    expect(loaded.mrt?.peers).toHaveLength(3);
    for (const record of dump.records) {
      const strip = (routes: ReturnType<Fib['routesFor']>) => routes.map(({ id: _id, ...route }) => route);
      expect(strip(fromMrt.routesFor(record.prefix))).toEqual(strip(fromText.routesFor(record.prefix)));
      expect(fromMrt.routesFor(record.prefix)).toHaveLength(1);
    }
  });

  it('old TABLE_DUMP records (2-octet ASes), IPv4 and IPv6, first entry per prefix', () => {
    const file = concatBytes([
      tableDumpRecord(DUMP_TIME, 0, '5.0.0.0/8', { address: '192.0.2.7', as: 174 }, { asPath: '174 3 {7,8}', nextHop: '192.0.2.7', med: 9, communities: ['174:1', 'no-advertise'] }),
      tableDumpRecord(DUMP_TIME, 1, '5.0.0.0/8', { address: '192.0.2.8', as: 3356 }, { asPath: '3356 3', nextHop: '192.0.2.8' }),
      tableDumpRecord(DUMP_TIME, 2, '2001:db8:1::/48', { address: '2001:db8::7', as: 174 }, { asPath: '174 6939', nextHop: '2001:db8::7' }),
      tableDumpRecord(DUMP_TIME, 3, '6.0.0.0/8', { address: '192.0.2.8', as: 3356 }, { asPath: '3356', nextHop: '192.0.2.8' }),
      // a 4-octet AS behind a 2-octet path: AS4_PATH completes it (RFC 6793 4.2.3), twice the same
      tableDumpRecord(DUMP_TIME, 4, '7.0.0.0/8', { address: '192.0.2.8', as: 3356 }, { asPath: '3356 23456 9', nextHop: '192.0.2.8', as4Path: '4200000000 9' }),
      tableDumpRecord(DUMP_TIME, 5, '8.0.0.0/8', { address: '192.0.2.8', as: 3356 }, { asPath: '3356 23456 9', nextHop: '192.0.2.8', as4Path: '4200000000 9' }),
    ]);
    const path = write(file);
    const { routes, notes } = parseMrtRoutes(file, { source: path });
    expect(bgpRouteRows(routes)).toEqual(bgpRouteRows(parseRoutes(bgpdumpFirstPerPrefix(path), { format: 'bgpdump' })));
    expect(routes.count).toBe(5);
    expect(routes.asAttributes?.[3]?.asPath).toBe('3356 4200000000 9');
    expect(routes.asAttributes?.[4]).toBe(routes.asAttributes?.[3]);
    expect(notes.entriesPassedOver).toBe(1);
    const only3356 = parseMrtRoutes(file, { source: path, peer: '3356' }).routes;
    expect(bgpRouteRows(only3356)).toEqual(bgpRouteRows(parseRoutes(bgpdumpFirstPerPrefix(path, (_, as) => as === '3356'), { format: 'bgpdump' })));
    expect(() => parseMrtRoutes(file, { source: path, peer: '64496' })).toThrow(/no such peer in .*: 192\.0\.2\.7 \(AS174\), 192\.0\.2\.8 \(AS3356\), 2001:db8::7 \(AS174\)/);
  });

  it('BGP4MP update files: announcements load as routes (AS2 with AS4_PATH, AS4, ET), as bgpdump A lines do', () => {
    const file = concatBytes([
      stateChangeRecord(DUMP_TIME, { address: '192.0.2.1', as: 64500 }),
      bgp4mpRecord({ timestamp: DUMP_TIME, subtype: 4, peer: { address: '192.0.2.1', as: 4_200_000_000 }, message: updateMessage({ announced: ['11.0.0.0/8', '11.1.0.0/16'], attributes: { asPath: '4200000000 5', nextHop: '192.0.2.1', med: 7, communities: ['1:2'] } }, 4) }),
      bgp4mpRecord({ timestamp: DUMP_TIME, microseconds: 5, subtype: 1, peer: { address: '192.0.2.2', as: 23456 }, message: updateMessage({ announced: ['12.0.0.0/8'], attributes: { asPath: '23456 5', nextHop: '192.0.2.2' }, as4Path: '4200000000 5' }, 2) }),
      bgp4mpRecord({ timestamp: DUMP_TIME, subtype: 7, peer: { address: '2001:db8::3', as: 65_536 }, message: updateMessage({ announced: ['2001:db8:6::/48'], attributes: { asPath: '65536 {5,6}', nextHop: '2001:db8::3', linkLocal: 'fe80::3' } }, 4) }),
      bgp4mpRecord({ timestamp: DUMP_TIME, subtype: 6, peer: { address: '192.0.2.4', as: 64_501 }, message: updateMessage({ announced: ['13.0.0.0/8'], attributes: { asPath: '64501', nextHop: '192.0.2.4', localPref: 50 } }, 2) }),
    ]);
    const path = write(file);
    const { routes, notes } = parseMrtRoutes(file, { source: path });
    // the bgpdump -m reader knows BGP4MP and BGP4MP_ET lines, not the BGP4MP_LOCAL bgpdump writes for the _LOCAL subtypes
    const text = bgpdumpLines(path).map((line) => line.replace(/^BGP4MP_LOCAL\|/, 'BGP4MP|')).join('\n');
    expect(bgpRouteRows(routes)).toEqual(bgpRouteRows(parseRoutes(text, { format: 'bgpdump' })));
    expect(routes.count).toBe(5);
    expect([...notes.skipped]).toEqual([['MRT BGP4MP/STATE_CHANGE (16/0)', 1]]);
    const withdrawal = concatBytes([file, bgp4mpRecord({ timestamp: DUMP_TIME, subtype: 4, peer: { address: '192.0.2.1', as: 1 }, message: updateMessage({ withdrawn: ['11.0.0.0/8'] }, 4) })]);
    expect(() => parseMrtRoutes(withdrawal, { source: 'u.mrt' })).toThrow(new RegExp(`u\\.mrt@${file.length}: a withdrawal of 11\\.0\\.0\\.0/8: this is a BGP update stream, not a table`));
  });

  it('large communities follow the communities (bgpdump -m does not print them)', () => {
    const file = concatBytes([
      peerIndexTable(DUMP_TIME, '10.0.0.1', '', [{ bgpId: '192.0.2.1', address: '192.0.2.1', as: 3356 }]),
      ribRecord(DUMP_TIME, 0, '1.2.3.0/24', [{ peerIndex: 0, attributes: { asPath: '3356', nextHop: '192.0.2.1', communities: ['3356:100'], largeCommunities: ['3356:1:2', '4200000000:0:4294967295'] } }]),
    ]);
    const path = write(file);
    const [row] = bgpRouteRows(parseMrtRoutes(file).routes);
    expect(row.communities).toEqual(['3356:100', '3356:1:2', '4200000000:0:4294967295']);
    const [text] = bgpRouteRows(parseRoutes(bgpdumpLines(path).join('\n'), { format: 'bgpdump' }));
    expect(text.communities).toEqual(['3356:100']);
  });

  it('records of other types and subtypes are named, skipped and counted', () => {
    const dump = randomDump(7, 20, 2);
    const file = concatBytes([
      dump.bytes,
      mrtRecord(DUMP_TIME, TABLE_DUMP_V2, 6, new Uint8Array(20)), // RIB_GENERIC
      mrtRecord(DUMP_TIME, TABLE_DUMP_V2, 6, new Uint8Array(3)),
      mrtRecord(DUMP_TIME, TABLE_DUMP_V2, 3, new Uint8Array(9)), // RIB_IPV4_MULTICAST
      mrtRecord(DUMP_TIME, 11, 0, new Uint8Array(4)), // OSPFv2
      mrtRecord(DUMP_TIME, 999, 7, new Uint8Array(1)),
    ]);
    const { routes, notes } = parseMrtRoutes(file);
    expect(routes.count).toBe(20);
    expect(Object.fromEntries(notes.skipped)).toEqual({
      'MRT TABLE_DUMP_V2/RIB_GENERIC (13/6)': 2,
      'MRT TABLE_DUMP_V2/RIB_IPV4_MULTICAST (13/3)': 1,
      'MRT OSPFv2/subtype 0 (11/0)': 1,
      'MRT type 999/subtype 7 (999/7)': 1,
    });
  });
});

describe('MRT files compressed, read from disk', () => {
  const dump = randomDump(8, 150, 3);
  const plain = parseMrtRoutes(dump.bytes).routes;

  it('gzip: readRoutesBytes gunzips, readRoutesFile reads the routes', async () => {
    const path = write(gzip(dump.bytes), '.gz');
    expect(new Uint8Array(await readRoutesBytes(path))).toEqual(new Uint8Array(dump.bytes));
    expect(bgpRouteRows(await readRoutesFile(path))).toEqual(bgpRouteRows(plain));
  });

  it.skipIf(!hasBzip2)('bzip2 (also several streams, as parallel bzip2 writes): detected by its magic bytes', async () => {
    const path = write(bzip2(dump.bytes), '.bz2');
    expect(bgpRouteRows(await readRoutesFile(path))).toEqual(bgpRouteRows(plain));
    const half = dump.bytes.length >> 1;
    const twoStreams = write(concatBytes([bzip2(dump.bytes.subarray(0, half)), bzip2(dump.bytes.subarray(half))]), '.mrt');
    expect(new Uint8Array(await readRoutesBytes(twoStreams))).toEqual(new Uint8Array(dump.bytes));
    const fib = await Fib.create();
    expect(fib.load(await readRoutesBytes(twoStreams), { source: twoStreams, peer: dump.peers[1].address }).added)
      .toBe(parseMrtRoutes(dump.bytes, { peer: dump.peers[1].address }).routes.count);
  });

  it.skipIf(!hasBzip2)('a bzip2 file that does not decompress is an error naming it', async () => {
    const bad = bzip2(dump.bytes);
    bad.fill(7, 40, 80);
    const path = write(bad, '.bz2');
    await expect(readRoutesBytes(path)).rejects.toThrow(new RegExp(`cannot read routes file ${path}: it starts like bzip2 but does not decompress`));
  });

  it('text routes files are not taken for MRT, and --peer on them is an error', async () => {
    const fib = await Fib.create();
    expect(fib.load('1.0.0.0/24 192.0.2.1\n').added).toBe(1);
    expect(fib.load(new TextEncoder().encode('TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.1.0/24|13030 15169|IGP|195.66.224.175|0|0||NAG||\n')).added).toBe(1);
    expect(() => fib.load('2.0.0.0/24\n', { peer: '192.0.2.1', source: 'x.txt' })).toThrow(/x\.txt is not MRT/);
    expect(() => parseRoutes('x', { format: 'mrt' })).toThrow(/MRT is a binary format/);
  });
});
