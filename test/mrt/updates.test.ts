/**
 * MRT update files (BGP4MP, BGP4MP_ET) as route update streams (src/updates/types.ts), against
 * the oracle `bgpdump -m`: each W line is a `del` of its prefix, each A line a `replace` with its
 * next hop, AS path, MED and communities, at its time (microseconds for BGP4MP_ET), in order.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { encodeMessage } from '../../src/bgp/message/header.js';
import { formatIPv4 } from '../../src/net/address.js';
import { readMrtUpdatesFile } from '../../src/mrt/read-updates.js';
import { parseMrtUpdates } from '../../src/mrt/updates.js';
import type { RouteUpdate } from '../../src/updates/types.js';
import { Random } from '../helpers/random.js';
import {
  bgp4mpRecord, bgpdumpLines, bzip2, gzip, hasBgpdump, hasBzip2, peerIndexTable, ribRecord, stateChangeRecord, updateMessage, type TestBgp4mp,
} from './build.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fibscope-mrt-updates-');

interface UpdatePeer { address: string; as: number; subtype: 1 | 4 | 6 | 7 }

/** A random update file: several peers on 2- and 4-octet subtypes, ET or not, IPv4 and IPv6. */
function randomUpdates(seed: number, count: number): { bytes: Uint8Array; peers: UpdatePeer[] } {
  const random = new Random(seed);
  const peers: UpdatePeer[] = [
    { address: '192.0.2.1', as: 4_200_000_001, subtype: 4 },
    { address: '192.0.2.2', as: 23456, subtype: 1 },
    { address: '2001:db8::3', as: 64_503, subtype: 1 },
    { address: '192.0.2.4', as: 196_608, subtype: 7 },
    { address: '192.0.2.5', as: 64_505, subtype: 6 },
  ];
  const parts: Uint8Array[] = [];
  let time = 1_700_000_000;
  const prefix = (v6: boolean) => {
    if (v6) return `2001:db8:${random.below(0xffff).toString(16)}::/48`;
    const length = 8 + random.below(17);
    return `${formatIPv4((random.u32() & (0xffffffff << (32 - length))) >>> 0)}/${length}`;
  };
  for (let n = 0; n < count; n++) {
    time += random.below(3);
    const peer = peers[random.below(peers.length)];
    const et = random.below(2) === 0 ? random.below(1_000_000) : undefined;
    if (random.below(15) === 0) {
      parts.push(stateChangeRecord(time, { address: peer.address.includes(':') ? '192.0.2.3' : peer.address, as: peer.as & 0xffff }));
      continue;
    }
    const record: TestBgp4mp = { timestamp: time, microseconds: et, subtype: peer.subtype, peer, message: encodeMessage(4, new Uint8Array(0)) };
    if (random.below(12) === 0) { // a KEEPALIVE
      parts.push(bgp4mpRecord(record));
      continue;
    }
    const v6 = peer.address.includes(':') || random.below(4) === 0;
    const as4 = peer.subtype === 4 || peer.subtype === 7;
    const path = [peer.as, ...Array.from({ length: random.below(4) }, () => (random.below(3) === 0 ? 4_200_000_000 + random.below(1000) : 1 + random.below(65_000)))];
    const needsAs4Path = !as4 && path.some((as) => as > 0xffff);
    const withdrawn = Array.from({ length: random.below(3) }, () => prefix(v6));
    const announced = random.below(4) === 0 ? [] : Array.from({ length: 1 + random.below(3) }, () => prefix(v6));
    const attributes = announced.length === 0 ? undefined : {
      asPath: (as4 ? path : path.map((as) => (as > 0xffff ? 23456 : as))).join(' '),
      nextHop: v6 ? `2001:db8::${1 + random.below(100)}` : formatIPv4(0xc0000200 + 1 + random.below(200)),
      ...(random.below(2) ? { med: random.below(500) } : {}),
      ...(random.below(2) ? { localPref: random.below(500) } : {}),
      ...(random.below(2) ? { communities: [`${random.below(65536)}:${random.below(65536)}`, ...(random.below(3) ? [] : ['no-export'])] } : {}),
    };
    record.message = updateMessage({ withdrawn, announced, attributes, ...(needsAs4Path ? { as4Path: path.join(' ') } : {}) }, as4 ? 4 : 2);
    parts.push(bgp4mpRecord(record));
  }
  return { bytes: concatBytes(parts), peers };
}

/** What bgpdump's A and W lines say the updates are. */
function expectedFromBgpdump(lines: readonly string[], keep: (peerAs: string) => boolean = () => true) {
  return lines.map((line) => line.split('|')).filter((f) => (f[2] === 'A' || f[2] === 'W') && keep(f[4])).map((f) => {
    const [seconds, micros = '0'] = f[1].split('.');
    const base = { seconds: Number(seconds), nanoseconds: Number(micros) * 1000, prefix: f[5] };
    if (f[2] === 'W') return { ...base, kind: 'del' };
    return {
      ...base, kind: 'replace', nextHop: f[8].split(' ')[0], asPath: f[6], med: Number(f[10]), localPref: Number(f[9]),
      communities: f[11] === '' ? undefined : f[11].split(' '),
    };
  });
}

function comparable(updates: readonly RouteUpdate[]) {
  return updates.map((u) => {
    const base = { seconds: u.seconds, nanoseconds: u.nanoseconds, prefix: u.prefix, kind: u.kind };
    if (u.kind === 'del') return base;
    const a = u.attributes!;
    expect(a.metric).toBe(a.med ?? 0);
    return { ...base, nextHop: a.nextHop, asPath: a.asPath, med: a.med ?? 0, localPref: a.localPref ?? 0, communities: a.communities };
  });
}

describe.skipIf(!hasBgpdump)('MRT update streams against bgpdump -m', () => {
  for (const seed of [1, 2, 3]) {
    it(`random update file ${seed}: AS2 (with AS4_PATH) and AS4 subtypes, ET, IPv4 and IPv6, state changes`, () => {
      const { bytes } = randomUpdates(seed, 400);
      const path = join(dir, `u${seed}.mrt`);
      writeFileSync(path, bytes);
      const stream = parseMrtUpdates(bytes, { source: path });
      const lines = bgpdumpLines(path);
      expect(comparable(stream.updates)).toEqual(expectedFromBgpdump(lines));
      expect(stream.source).toBe(path);
      expect(stream.truncated).toBeUndefined();
      const stateLines = lines.filter((line) => line.split('|')[2] === 'STATE').length;
      expect(stateLines).toBeGreaterThan(0);
      expect(stream.notes.skipped.get('MRT BGP4MP/STATE_CHANGE (16/0)')).toBe(stateLines);
      const keepalives = [...stream.notes.skipped].filter(([kind]) => kind.endsWith(': BGP KEEPALIVE')).reduce((sum, [, n]) => sum + n, 0);
      expect(keepalives).toBeGreaterThan(0);
      for (const update of stream.updates) expect(update.where).toMatch(new RegExp(`^${path}@\\d+$`));
    });
  }

  it('a peer filter keeps that peer\'s updates only, by address or by AS', () => {
    const { bytes, peers } = randomUpdates(4, 300);
    const path = join(dir, 'u4.mrt');
    writeFileSync(path, bytes);
    const lines = bgpdumpLines(path);
    // by the AS field: bgpdump 1.6.2 prints the IPv4 peer of an IPv6 withdrawal in a _LOCAL record
    // as an IPv6 address (192.0.2.4 as c000:204::); every peer here has its own AS
    for (const peer of peers) {
      const expected = expectedFromBgpdump(lines, (as) => as === String(peer.as));
      expect(comparable(parseMrtUpdates(bytes, { peer: peer.address }).updates)).toEqual(expected);
      expect(comparable(parseMrtUpdates(bytes, { peer: String(peer.as) }).updates)).toEqual(expected);
    }
  });
});

describe('MRT update streams', () => {
  it('each update says where it was read: the record offset', () => {
    const first = bgp4mpRecord({ timestamp: 1_700_000_000, subtype: 4, peer: { address: '192.0.2.1', as: 1 }, message: updateMessage({ withdrawn: ['10.0.0.0/8'] }, 4) });
    const second = bgp4mpRecord({ timestamp: 1_700_000_001, microseconds: 250, subtype: 4, peer: { address: '192.0.2.1', as: 1 }, message: updateMessage({ announced: ['10.0.0.0/8'], attributes: { asPath: '1 2', nextHop: '192.0.2.1', largeCommunities: ['1:2:3'] } }, 4) });
    const stream = parseMrtUpdates(concatBytes([first, second]), { source: 'f.mrt' });
    expect(stream.updates).toEqual([
      { seconds: 1_700_000_000, nanoseconds: 0, kind: 'del', prefix: '10.0.0.0/8', where: 'f.mrt@0' },
      { seconds: 1_700_000_001, nanoseconds: 250_000, kind: 'replace', prefix: '10.0.0.0/8', where: `f.mrt@${first.length}`,
        attributes: { nextHop: '192.0.2.1', metric: 0, asPath: '1 2', communities: ['1:2:3'] } },
    ]);
  });

  it('RIB records in an update stream are named, skipped and counted', () => {
    const bytes = concatBytes([
      peerIndexTable(1_700_000_000, '10.0.0.1', '', [{ bgpId: '192.0.2.1', address: '192.0.2.1', as: 1 }]),
      ribRecord(1_700_000_000, 0, '10.0.0.0/8', [{ peerIndex: 0, attributes: { asPath: '1', nextHop: '192.0.2.1' } }]),
    ]);
    const stream = parseMrtUpdates(bytes);
    expect(stream.updates).toEqual([]);
    expect(Object.fromEntries(stream.notes.skipped)).toEqual({
      'MRT TABLE_DUMP_V2/PEER_INDEX_TABLE (13/1)': 1, 'MRT TABLE_DUMP_V2/RIB_IPV4_UNICAST (13/2)': 1,
    });
  });

  it.skipIf(!hasBzip2)('readMrtUpdatesFile reads gzip and bzip2 update files as they are published', async () => {
    const { bytes } = randomUpdates(5, 100);
    const expected = parseMrtUpdates(bytes, { source: 'x', peer: '192.0.2.1' }).updates.map((u) => ({ ...u, where: u.where.replace(/^x@/, '') }));
    expect(expected.length).toBeGreaterThan(10);
    for (const [name, packed] of [['updates.gz', gzip(bytes)], ['updates.bz2', bzip2(bytes)]] as const) {
      const path = join(dir, name);
      writeFileSync(path, packed);
      const stream = await readMrtUpdatesFile(path, { peer: '192.0.2.1' });
      expect(stream.source).toBe(path);
      expect(stream.updates.map((u) => ({ ...u, where: u.where.slice(path.length + 1) }))).toEqual(expected);
    }
  });
});
