/**
 * Bad MRT input: a file cut at every length keeps exactly the records before the cut and says
 * where it was cut; records of types not read are counted; random damage never crashes the
 * readers (a FibscopeError naming the file and byte offset, or a result).
 */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bgp/message/bytes.js';
import { FibscopeError } from '../../src/errors.js';
import { Fib } from '../../src/fib/fib.js';
import { looksLikeMrt } from '../../src/mrt/detect.js';
import { parseMrtRoutes } from '../../src/mrt/routes.js';
import { parseMrtUpdates } from '../../src/mrt/updates.js';
import { detectRouteFormatOfBytes } from '../../src/routes/detect.js';
import { Random } from '../helpers/random.js';
import { bgp4mpRecord, mrtRecord, peerIndexTable, ribRecord, stateChangeRecord, tableDumpRecord, updateMessage } from './build.js';
import { randomDump } from './random-table.js';
import { bgpRouteRows } from './rows.js';

const T = 1_700_000_000;
const peers = [{ bgpId: '192.0.2.1', address: '192.0.2.1', as: 4_200_000_000 }, { bgpId: '192.0.2.2', address: '2001:db8::2', as: 64_500, as2: true }];
const ribRecords = [
  peerIndexTable(T, '10.0.0.1', 'rrc', peers),
  ribRecord(T, 0, '10.0.0.0/8', [{ peerIndex: 1, attributes: { asPath: '64500 1', nextHop: '192.0.2.2', communities: ['1:1'] } }, { peerIndex: 0, attributes: { asPath: '4200000000 2', nextHop: '192.0.2.1' } }]),
  ribRecord(T, 1, '2001:db8::/32', [{ peerIndex: 0, attributes: { asPath: '4200000000 3', nextHop: '2001:db8::1', linkLocal: 'fe80::1' } }]),
  mrtRecord(T, 13, 6, new Uint8Array(11)),
  ribRecord(T, 2, '192.0.2.0/24', [{ peerIndex: 0, attributes: { asPath: '4200000000', nextHop: '192.0.2.1', med: 5 } }]),
];
const updateRecords = [
  stateChangeRecord(T, { address: '192.0.2.1', as: 1 }),
  bgp4mpRecord({ timestamp: T, subtype: 4, peer: { address: '192.0.2.1', as: 4_200_000_000 }, message: updateMessage({ withdrawn: ['10.0.0.0/8'], announced: ['11.0.0.0/8', '12.0.0.0/8'], attributes: { asPath: '4200000000 5', nextHop: '192.0.2.1' } }, 4) }),
  bgp4mpRecord({ timestamp: T + 1, microseconds: 7, subtype: 1, peer: { address: '2001:db8::2', as: 64_500 }, message: updateMessage({ withdrawn: ['2001:db8:1::/48'], announced: ['2001:db8:2::/48'], attributes: { asPath: '64500 23456', nextHop: '2001:db8::2' }, as4Path: '64500 4200000009' }, 2) }),
  bgp4mpRecord({ timestamp: T + 2, subtype: 4, peer: { address: '192.0.2.1', as: 4_200_000_000 }, message: updateMessage({ withdrawn: ['11.0.0.0/8'] }, 4) }),
];

/** Offsets where each record starts, and the end of the file. */
function boundaries(records: readonly Uint8Array[]): number[] {
  const starts = [0];
  for (const record of records) starts.push(starts[starts.length - 1] + record.length);
  return starts;
}

describe('a truncated MRT file', () => {
  it('as routes, cut at every length: the routes of the whole records before the cut, and where it was cut', () => {
    const file = concatBytes(ribRecords);
    const starts = boundaries(ribRecords);
    const whole = bgpRouteRows(parseMrtRoutes(file).routes);
    // the routes each record adds: none for the peer table and the RIB_GENERIC record
    const routesAfter = [0, 0, 1, 2, 2, 3];
    for (let cut = 0; cut <= file.length; cut++) {
      const complete = starts.filter((start) => start <= cut).length - 1;
      const { routes, notes } = parseMrtRoutes(file.subarray(0, cut), { source: 'rib.mrt' });
      expect(bgpRouteRows(routes)).toEqual(whole.slice(0, routesAfter[complete]));
      if (starts.includes(cut)) {
        expect(notes.truncated).toBeUndefined();
      } else {
        expect(notes.truncated?.where).toBe(`rib.mrt@${starts[complete]}`);
        expect(notes.truncated?.reason).toMatch(/^truncated MRT record: /);
      }
    }
  });

  it('fib.load keeps the routes before the cut and says where it was cut', async () => {
    const file = concatBytes(ribRecords);
    const cut = file.length - 3;
    const fib = await Fib.create();
    const loaded = fib.load(file.subarray(0, cut), { source: 'rib.mrt', format: 'mrt' });
    expect(loaded.added).toBe(2);
    const starts = boundaries(ribRecords);
    expect(loaded.mrt?.truncated).toEqual({
      where: `rib.mrt@${starts[4]}`,
      reason: `truncated MRT record: the record (13/2) says ${ribRecords[4].length - 12} bytes follow its header, the file has ${ribRecords[4].length - 15}`,
    });
    // detected as MRT even cut, with whole records before the cut
    expect(detectRouteFormatOfBytes(file.subarray(0, cut))).toBe('mrt');
  });

  it('as updates, cut at every length: the updates of the whole records before the cut, `truncated` saying where', () => {
    const file = concatBytes(updateRecords);
    const starts = boundaries(updateRecords);
    const whole = parseMrtUpdates(file, { source: 'u.mrt' }).updates;
    expect(whole.map((u) => `${u.kind} ${u.prefix}`)).toEqual([
      'del 10.0.0.0/8', 'replace 11.0.0.0/8', 'replace 12.0.0.0/8', 'del 2001:db8:1::/48', 'replace 2001:db8:2::/48', 'del 11.0.0.0/8',
    ]);
    expect(whole[4].attributes?.asPath).toBe('64500 4200000009');
    for (let cut = 0; cut <= file.length; cut++) {
      const complete = starts.filter((start) => start <= cut).length - 1;
      const stream = parseMrtUpdates(file.subarray(0, cut), { source: 'u.mrt' });
      const recordsRead = starts.slice(1, complete + 1).map((end) => `u.mrt@${starts[starts.indexOf(end) - 1]}`);
      expect(stream.updates).toEqual(whole.filter((u) => recordsRead.includes(u.where)));
      if (starts.includes(cut)) expect(stream.truncated).toBeUndefined();
      else expect(stream.truncated?.where).toBe(`u.mrt@${starts[complete]}`);
    }
  });
});

describe('MRT detection', () => {
  it('takes MRT for MRT and text for text', () => {
    expect(looksLikeMrt(concatBytes(ribRecords))).toBe(true);
    expect(looksLikeMrt(concatBytes(updateRecords))).toBe(true);
    for (const text of ['1.0.0.0/24 192.0.2.1\n', 'TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.0.0/24|13030|IGP|195.66.224.175|0|0||NAG||\n',
      '[{"dst":"1.0.0.0/24"}]', '1.0.0.0\t24\t13335\n', '', '# comment\n', 'blackhole 10.0.0.0/8\n']) {
      expect(looksLikeMrt(new TextEncoder().encode(text))).toBe(false);
    }
    // an unknown type, an implausible time, a length past the end of a one-record file
    expect(looksLikeMrt(mrtRecord(T, 14, 0, new Uint8Array(4)))).toBe(false);
    expect(looksLikeMrt(mrtRecord(1000, 13, 1, new Uint8Array(4)))).toBe(false);
    expect(looksLikeMrt(mrtRecord(T, 13, 1, new Uint8Array(4)).subarray(0, 14))).toBe(false);
    expect(looksLikeMrt(mrtRecord(T, 13, 99, new Uint8Array(4)))).toBe(false);
  });
});

describe('malformed MRT records', () => {
  it('a RIB record before the PEER_INDEX_TABLE, a peer index past it, an attribute running past its entry: the offset of each', () => {
    expect(() => parseMrtRoutes(ribRecords[1], { source: 'r.mrt' })).toThrow(/^r\.mrt@0: a RIB record before any PEER_INDEX_TABLE/);
    const badIndex = ribRecord(T, 0, '10.0.0.0/8', [{ peerIndex: 5, attributes: { asPath: '1', nextHop: '192.0.2.1' } }]);
    const table = ribRecords[0];
    expect(() => parseMrtRoutes(concatBytes([table, badIndex]), { source: 'r.mrt' }))
      .toThrow(new RegExp(`^r\\.mrt@${table.length + 12 + 4 + 2 + 2}: RIB entry 0 of 10\\.0\\.0\\.0/8: peer index 5, the PEER_INDEX_TABLE has 2 peers`));
    const cutAttribute = ribRecord(T, 0, '10.0.0.0/8', [{ peerIndex: 0, attributes: { asPath: '1', nextHop: '192.0.2.1' } }]);
    // the AS_PATH's length byte says 200: the attribute runs past the entry's attributes
    cutAttribute[12 + 4 + 2 + 2 + 8 + 4 + 2] = 200;
    expect(() => parseMrtRoutes(concatBytes([table, cutAttribute]), { source: 'r.mrt' }))
      .toThrow(/^r\.mrt@\d+: RIB entry 0 of 10\.0\.0\.0\/8: AS_PATH at offset 4 of the attributes says 200 bytes, \d+ are left/);
  });

  it('random damage: no crash, only FibscopeErrors naming the file and offset, or a result', () => {
    const random = new Random(99);
    const rib = concatBytes([randomDump(9, 30, 3).bytes, ...ribRecords.slice(1),
      tableDumpRecord(T, 0, '5.0.0.0/8', { address: '192.0.2.7', as: 174 }, { asPath: '174 3', nextHop: '192.0.2.7', communities: ['174:1'] }),
      tableDumpRecord(T, 1, '2001:db8:1::/48', { address: '2001:db8::7', as: 174 }, { asPath: '174 6939', nextHop: '2001:db8::7' })]);
    const updates = concatBytes(updateRecords);
    let errors = 0;
    let results = 0;
    for (let round = 0; round < 3000; round++) {
      const source = round % 2 === 0 ? rib : updates;
      const damaged = source.slice();
      const flips = 1 + random.below(8);
      for (let f = 0; f < flips; f++) damaged[random.below(damaged.length)] = random.below(256);
      if (random.below(4) === 0) damaged.fill(0xff, random.below(damaged.length), random.below(damaged.length));
      for (const read of [() => parseMrtRoutes(damaged, { source: 'x.mrt' }), () => parseMrtUpdates(damaged, { source: 'x.mrt' })]) {
        try {
          read();
          results++;
        } catch (error) {
          if (!(error instanceof FibscopeError)) throw new Error(`round ${round}: ${String(error)}`, { cause: error });
          expect(error.message).toMatch(/^x\.mrt@\d+: |^--peer /);
          errors++;
        }
      }
    }
    expect(errors).toBeGreaterThan(100);
    expect(results).toBeGreaterThan(100);
  });
});
