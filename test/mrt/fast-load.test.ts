/**
 * RIB dumps loaded through WebAssembly (src/mrt/rib-scan.ts, assembly/mrt/) against the reader
 * in JavaScript it stands in for (parseMrtRoutes, then the RouteList loaded): the same routes
 * under the same ids, with the same attributes, the same lookups and the same notes; and where
 * the scan leaves a file to that reader (damage, truncation, record kinds it does not read), the
 * same outcome, error messages included.
 */
import { afterEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { concatBytes, u16Bytes, u32Bytes } from '../../src/bgp/message/bytes.js';
import { FibscopeError } from '../../src/errors.js';
import { Fib, type LoadResult } from '../../src/fib/fib.js';
import { MrtRibScan } from '../../src/mrt/rib-scan.js';
import { formatIPv4 } from '../../src/net/address.js';
import { Random } from '../helpers/random.js';
import {
  bgp4mpRecord, mrtRecord, peerIndexTable, ribAttributes, ribRecord, stateChangeRecord, tableDumpRecord, TABLE_DUMP_V2,
  type TestAttributes, type TestEntry, type TestPeer, updateMessage,
} from './build.js';
import { DUMP_TIME, randomAttributes, randomDump } from './random-table.js';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Outcome {
  result?: LoadResult;
  error?: string;
  routes?: unknown[];
  lookups?: Int32Array;
}

const probes = (() => {
  const random = new Random(77);
  return Uint32Array.from({ length: 4000 }, () => random.u32());
})();

/** Every route of the table by id, and lookups of random IPv4 addresses. */
function contents(fib: Fib): Pick<Outcome, 'routes' | 'lookups'> {
  const routes: unknown[] = [];
  const stats = fib.stats();
  const total = stats.ipv4Routes + stats.ipv6Routes;
  for (let id = 0, found = 0; found < total && id < total * 4 + 16; id++) {
    const route = fib.route(id);
    routes.push(route ?? null);
    if (route) found++;
  }
  return { routes, lookups: fib.lookup4(probes) };
}

async function outcome(load: (fib: Fib) => LoadResult, before?: (fib: Fib) => void, memoryLimit?: number): Promise<Outcome> {
  const fib = await Fib.create({ memoryLimit });
  before?.(fib);
  try {
    const result = load(fib);
    return { result, ...contents(fib) };
  } catch (error) {
    if (!(error instanceof FibscopeError)) throw error;
    return { error: error.message, ...contents(fib) };
  }
}

/** The load through WebAssembly, and whether the scan took it (rather than leaving it to parseMrtRoutes). */
async function fastLoad(bytes: Uint8Array, peer?: string, before?: (fib: Fib) => void, memoryLimit?: number): Promise<Outcome & { scanned: boolean }> {
  let run: MockInstance<typeof MrtRibScan.run> | undefined;
  const got = await outcome((fib) => {
    run = vi.spyOn(MrtRibScan, 'run');
    return fib.load(bytes, { format: 'mrt', source: 'rib.mrt', peer });
  }, before, memoryLimit);
  const scanned = run!.mock.results.some((r) => r.type === 'return' && r.value !== undefined);
  run!.mockRestore();
  return { ...got, scanned };
}

/** The reader in JavaScript: fib.load as it is when the scan leaves a file to parseMrtRoutes. */
async function slowLoad(bytes: Uint8Array, peer?: string, before?: (fib: Fib) => void, memoryLimit?: number): Promise<Outcome> {
  return outcome((fib) => {
    const run = vi.spyOn(MrtRibScan, 'run').mockReturnValue(undefined);
    try {
      return fib.load(bytes, { format: 'mrt', source: 'rib.mrt', peer });
    } finally {
      run.mockRestore();
    }
  }, before, memoryLimit);
}

async function expectSameLoad(bytes: Uint8Array,
  options: { peer?: string; scanned?: boolean; before?: (fib: Fib) => void; memoryLimit?: number } = {}): Promise<Outcome & { scanned: boolean }> {
  const fast = await fastLoad(bytes, options.peer, options.before, options.memoryLimit);
  const slow = await slowLoad(bytes, options.peer, options.before, options.memoryLimit);
  if (options.scanned !== undefined) expect(fast.scanned).toBe(options.scanned);
  const { scanned: _scanned, ...rest } = fast;
  // memory left when a load is refused: the scan's memory, given back, may leave it otherwise placed
  const sameError = (outcome: Outcome) => ({ ...outcome, error: outcome.error?.replace(/ \d+ are left /, ' some are left ') });
  expect(sameError(rest)).toEqual(sameError(slow));
  return fast;
}

/** A dump whose entries draw their attributes from a few sets (as a real table's entries share them), runs of neighbours alike. */
function sharedAttributesDump(seed: number, prefixes: number, peerCount: number): Uint8Array {
  const random = new Random(seed);
  const peers: TestPeer[] = Array.from({ length: peerCount }, (_, i) => ({
    bgpId: formatIPv4(0x0a000001 + i),
    address: i % 2 === 1 ? `2001:db8::${i + 1}` : formatIPv4(0xc0000201 + i),
    as: 64_500 + i,
  }));
  const pools = peers.map((peer) => [false, true].map((v6) => Array.from({ length: 1 + random.below(6) }, () => randomAttributes(random, peer, v6))));
  const parts = [peerIndexTable(DUMP_TIME, '10.255.0.1', 'rrc00', peers)];
  const seen = new Set<string>();
  let last: TestEntry[] = [];
  for (let n = 0; n < prefixes;) {
    const v6 = random.below(5) === 0;
    const length = v6 ? 32 + random.below(17) : 8 + random.below(25);
    const prefix = v6
      ? `2001:db8:${random.below(0x10000).toString(16)}:${random.below(0x10000).toString(16)}::/${length}`
      : `${formatIPv4((random.u32() & (0xffffffff << (32 - length))) >>> 0)}/${length}`;
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    // half the time the very attributes of the record before (the same family's)
    const entries: TestEntry[] = random.below(2) === 0 && last.length > 0 && (last[0].attributes.nextHop.includes(':') === v6)
      ? last
      : peers.flatMap((_, p) => (random.below(3) === 0 ? [] : [{ peerIndex: p, attributes: pools[p][v6 ? 1 : 0][random.below(pools[p][v6 ? 1 : 0].length)] }]));
    if (entries.length === 0) continue;
    parts.push(ribRecord(DUMP_TIME, n++, prefix, entries));
    last = entries;
  }
  return concatBytes(parts);
}

/** A RIB_IPV4_UNICAST record written byte by byte: the prefix's octets as given (host bits and all). */
function rawRib4(length: number, octets: number[], attributes: TestAttributes, peerIndex = 0): Uint8Array {
  const encoded = ribAttributes(attributes);
  return mrtRecord(DUMP_TIME, TABLE_DUMP_V2, 2, concatBytes([u32Bytes(0), Uint8Array.of(length, ...octets), u16Bytes(1),
    u16Bytes(peerIndex), u32Bytes(DUMP_TIME), u16Bytes(encoded.length), encoded]));
}

describe('MRT RIB dumps through WebAssembly, against the reader in JavaScript', () => {
  it('random dumps: IPv4 and IPv6, many peers, AS sets and confederations, MEDs, communities, every peer choice', async () => {
    for (const [seed, prefixes, peers] of [[1, 300, 1], [2, 400, 5], [3, 250, 12]] as const) {
      const dump = randomDump(seed, prefixes, peers);
      const loaded = await expectSameLoad(dump.bytes, { scanned: true });
      expect(loaded.result?.added).toBe(prefixes);
      for (const peer of dump.peers.slice(0, 3)) {
        await expectSameLoad(dump.bytes, { peer: peer.address, scanned: true });
        await expectSameLoad(dump.bytes, { peer: `AS${peer.as}`, scanned: true });
      }
    }
  });

  it('dumps whose entries share attributes, as a real table\'s do', async () => {
    for (const seed of [4, 5, 6]) {
      const bytes = sharedAttributesDump(seed, 500, 1 + seed % 4);
      const loaded = await expectSameLoad(bytes, { scanned: true });
      expect(loaded.result?.added).toBeGreaterThan(400);
    }
  });

  it('a table big enough for the bulk path and several scan calls, then lookups', async () => {
    const dump = randomDump(8, 20_000, 3);
    const loaded = await expectSameLoad(dump.bytes, { scanned: true });
    expect(loaded.result?.added).toBe(20_000);
    expect(Array.from(loaded.lookups!).filter((id) => id >= 0).length).toBeGreaterThan(100);
  });

  it('a record longer than the window the file passes through (2 MiB), between others', async () => {
    const peers: TestPeer[] = Array.from({ length: 40 }, (_, i) => ({ bgpId: formatIPv4(0x0a000001 + i), address: formatIPv4(0xc0000201 + i), as: 64_500 + i }));
    const communities = Array.from({ length: 16_000 }, (_, i) => `${64_500 + (i % 40)}:${i}`);
    const small = (n: number) => ribRecord(DUMP_TIME, n, `10.${n >> 8}.${n & 255}.0/24`, [{ peerIndex: n % 40, attributes: { asPath: `${64_500 + (n % 40)} ${n}`, nextHop: '192.0.2.9' } }]);
    const long = ribRecord(DUMP_TIME, 100, '11.0.0.0/8', peers.map((peer, p) => ({
      peerIndex: p, attributes: { asPath: `${peer.as} 3356`, nextHop: peer.address, communities: communities.slice(p) },
    })));
    expect(long.length).toBeGreaterThan(2 << 20);
    const bytes = concatBytes([peerIndexTable(DUMP_TIME, '10.255.0.1', '', peers), ...Array.from({ length: 50 }, (_, n) => small(n)), long,
      ...Array.from({ length: 50 }, (_, n) => small(n + 50))]);
    const loaded = await expectSameLoad(bytes, { scanned: true });
    expect(loaded.result?.added).toBe(101);
    await expectSameLoad(bytes, { peer: peers[7].address, scanned: true });
  });

  it('more distinct AS paths than the scan sized its table for, and far fewer; paths queued as the window moves on', async () => {
    // the scan sizes its AS path table from the file's length, a path per 256 bytes
    // (assembly/mrt/rib-scan.ts), and numbers the paths in batches of 256 (path-batch.ts)
    const peers: TestPeer[] = [{ bgpId: '10.0.0.1', address: '192.0.2.1', as: 64500 }];
    const table = peerIndexTable(DUMP_TIME, '10.255.0.1', '', peers);
    const record = (n: number, asPath: string) => ribRecord(DUMP_TIME, n, `${10 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.0/24`,
      [{ peerIndex: 0, attributes: { asPath, nextHop: formatIPv4(0xc0000201 + (n % 3)) } }]);
    // a path per prefix or two (some 60 bytes: 4 times the guess), some with an AS set, decoded at once
    const many = concatBytes([table, ...Array.from({ length: 40_000 }, (_, n) => record(n, n % 97 === 0 ? `64500 {${n},7}` : `64500 ${n >> (n % 5 === 0 ? 1 : 0)} 3356`))]);
    expect(many.length).toBeGreaterThan(2 << 20);
    const loaded = await expectSameLoad(many, { scanned: true });
    expect(loaded.result?.added).toBe(40_000);
    // three paths in a file the scan sized its table for over a thousand
    const few = concatBytes([table, ...Array.from({ length: 6000 }, (_, n) => record(n, ['64500 3356', '64500 1299 7', '64500'][n % 3]))]);
    expect(few.length).toBeGreaterThan(256 * 1000);
    expect((await expectSameLoad(few, { scanned: true })).result?.added).toBe(6000);
  });

  it('records to skip between the RIB records, repeated prefixes, host bits set, entries of no chosen peer', async () => {
    const peers: TestPeer[] = [{ bgpId: '10.0.0.1', address: '192.0.2.1', as: 64500 }, { bgpId: '10.0.0.2', address: '192.0.2.2', as: 64501 }];
    const a = { asPath: '64500 3356', nextHop: '192.0.2.1', med: 5, communities: ['64500:1'] };
    const b = { asPath: '64501 1299 {7,8}', nextHop: '192.0.2.2', largeCommunities: ['64501:1:2'], communities: ['64501:9'] };
    const bytes = concatBytes([
      peerIndexTable(DUMP_TIME, '10.255.0.1', '', peers),
      ribRecord(DUMP_TIME, 0, '10.0.0.0/8', [{ peerIndex: 0, attributes: a }, { peerIndex: 1, attributes: b }]),
      mrtRecord(DUMP_TIME, TABLE_DUMP_V2, 6, new Uint8Array(20)), // RIB_GENERIC
      stateChangeRecord(DUMP_TIME, { address: '192.0.2.1', as: 64500 }),
      ribRecord(DUMP_TIME, 1, '10.0.0.0/8', [{ peerIndex: 0, attributes: a }]), // the same route again: a duplicate
      ribRecord(DUMP_TIME, 2, '10.0.0.0/8', [{ peerIndex: 1, attributes: b }]), // the same prefix, another route
      rawRib4(20, [172, 16, 0xff], a), // 172.16.255.0/20 written with host bits: 172.16.240.0/20
      ribRecord(DUMP_TIME, 4, '2001:db8::/32', [{ peerIndex: 1, attributes: { asPath: '64501', nextHop: '2001:db8::2', linkLocal: 'fe80::1' } }]),
      ribRecord(DUMP_TIME, 5, '192.0.2.0/24', [{ peerIndex: 1, attributes: { asPath: '', nextHop: '192.0.2.2' } }]),
      mrtRecord(DUMP_TIME, 99, 1, new Uint8Array(3)), // a type fibscope does not know
    ]);
    const all = await expectSameLoad(bytes, { scanned: true });
    expect(all.result).toMatchObject({ added: 5, duplicates: 1 });
    expect(all.result?.mrt?.skipped.size).toBe(3);
    const second = await expectSameLoad(bytes, { peer: '192.0.2.2', scanned: true });
    expect(second.result?.mrt?.entriesPassedOver).toBe(3);
  });

  it('into a table that has routes already, and one with ids freed by removals (left to the reader in JavaScript)', async () => {
    const dump = randomDump(10, 300, 2);
    const other = randomDump(11, 200, 2);
    await expectSameLoad(dump.bytes, { scanned: true, before: (fib) => { fib.load(other.bytes, { format: 'mrt' }); } });
    await expectSameLoad(dump.bytes, {
      scanned: false,
      before: (fib) => {
        fib.load(other.bytes, { format: 'mrt' });
        fib.remove(other.records[3].prefix);
      },
    });
  });

  it('files the scan leaves to the reader in JavaScript: TABLE_DUMP and BGP4MP records, no PEER_INDEX_TABLE, bad peers', async () => {
    const dump = randomDump(12, 50, 2);
    const tableDump = tableDumpRecord(DUMP_TIME, 0, '5.0.0.0/8', { address: '192.0.2.7', as: 174 }, { asPath: '174 3', nextHop: '192.0.2.7' });
    const update = bgp4mpRecord({
      timestamp: DUMP_TIME, subtype: 4, peer: { address: '192.0.2.1', as: 64500 },
      message: updateMessage({ announced: ['6.0.0.0/8'], attributes: { asPath: '64500 1', nextHop: '192.0.2.1' } }, 4),
    });
    await expectSameLoad(concatBytes([dump.bytes, tableDump]), { scanned: false });
    await expectSameLoad(concatBytes([tableDump, dump.bytes]), { scanned: false });
    await expectSameLoad(concatBytes([dump.bytes, update]), { scanned: false });
    const withoutTable = dump.bytes.subarray(peerIndexTable(DUMP_TIME, '10.255.0.1', '', dump.peers).length);
    expect((await expectSameLoad(withoutTable, { scanned: false })).error).toMatch(/before any PEER_INDEX_TABLE/);
    expect((await expectSameLoad(dump.bytes, { peer: '198.51.100.1' })).error).toMatch(/no such peer/);
  });

  it('memory too short for the table: the same error, nothing loaded', async () => {
    const dump = randomDump(17, 20_000, 3);
    const short = await expectSameLoad(dump.bytes, { memoryLimit: 16 << 20, scanned: false });
    expect(short.error).toMatch(/out of WebAssembly memory/);
    expect(short.routes).toEqual([]);
  });

  it('cut at many lengths: the routes before the cut, and where it was cut', async () => {
    const dump = randomDump(13, 12, 2);
    for (let cut = 0; cut <= dump.bytes.length; cut += 1 + (cut % 11)) await expectSameLoad(dump.bytes.subarray(0, cut));
  });

  it('random damage: the same routes, or the same error', async () => {
    const random = new Random(14);
    const sources = [randomDump(15, 40, 3).bytes, sharedAttributesDump(16, 60, 2)];
    let errors = 0;
    let loads = 0;
    let scanned = 0;
    for (let round = 0; round < 300; round++) {
      const damaged = sources[round % 2].slice();
      for (let f = 1 + random.below(6); f > 0; f--) damaged[random.below(damaged.length)] = random.below(256);
      const got = await expectSameLoad(damaged);
      if (got.error) errors++; else loads++;
      if (got.scanned) scanned++;
    }
    expect(errors).toBeGreaterThan(30);
    expect(loads).toBeGreaterThan(30);
    // loads through WebAssembly, and loads it left to the reader in JavaScript, both
    expect(scanned).toBeGreaterThan(30);
    expect(loads - scanned).toBeGreaterThan(10);
  });
});
