import { describe, expect, it } from 'vitest';
import { BogonListError, buildBogonRanges, loadBogonTable, parseBogonList } from '../../src/checks/index.js';
import { FibscopeOutOfMemoryError } from '../../src/errors.js';
import { FibscopeError } from '../../src/errors.js';
import { formatPrefix } from '../../src/net/address.js';
import { Random } from '../helpers/random.js';
import { addressText, classifierWith, classifyAll } from './classifier.js';
import type { TestAddress } from './classifier.js';
import { REGISTRY_ROWS, ReferenceList, addressValue, referenceClassesWithList } from './registry-reference.js';

// `--bogons FILE`: the list format (good lines and each kind of bad line, named by file:line),
// and the classifier with a list loaded against the reference (registry rows plus a naive
// membership test of the list), for lists of a few prefixes and of tens of thousands.

describe('parseBogonList', () => {
  it('reads prefixes, bare addresses, comments, blank lines, spaces and CRLF', () => {
    const text = [
      '# fullbogons-ipv4.txt',
      '0.0.0.0/8',
      '',
      '   10.0.0.0/8   # RFC 1918',
      '\t2001:DB8::/32\r',
      '192.0.2.1',
      '2001:db8::1',
      '   ',
      '# the end',
      '100.64.0.0/10',
    ].join('\n');
    const list = parseBogonList(text, 'feed.txt');
    expect(list.source).toBe('feed.txt');
    expect(list.prefixes.map(formatPrefix)).toEqual([
      '0.0.0.0/8', '10.0.0.0/8', '2001:db8::/32', '192.0.2.1/32', '2001:db8::1/128', '100.64.0.0/10',
    ]);
  });

  it('takes an empty text and a text of comments as an empty list', () => {
    expect(parseBogonList('', 'a').prefixes).toEqual([]);
    expect(parseBogonList('# nothing\n\n#\n', 'a').prefixes).toEqual([]);
  });

  const bad: [string, number, RegExp][] = [
    ['10.0.0.0/8\n10.0.0.0/33\n', 2, /prefix length 33 out of range 0\.\.32 for IPv4/],
    ['10.0.0.0/8\n\n# c\n256.0.0.0/8\n', 4, /not an IPv4 or IPv6 address: '256\.0\.0\.0'/],
    ['10.0.0.1/8\n', 1, /'10\.0\.0\.1\/8' has bits set past its prefix length/],
    ['2001:db8::1/32\n', 1, /has bits set past its prefix length/],
    ['10.0.0.0/\n', 1, /missing prefix length/],
    ['10.0.0.0/8 192.168.0.0/16\n', 1, /one prefix a line/],
    ['fe80::/10\nfe80::%eth0/64\n', 2, /not an IPv4 or IPv6 address/],
    ['10.0.0.0/8\r\nbogus\r\n', 2, /not an IPv4 or IPv6 address: 'bogus'/],
    ['::/129', 1, /out of range 0\.\.128 for IPv6/],
    ['10.0.0.0/x8', 1, /is not a decimal number/],
  ];
  for (const [text, line, message] of bad) {
    it(`names line ${line} of ${JSON.stringify(text)}`, () => {
      let error: unknown;
      try { parseBogonList(text, 'bogons.txt'); } catch (e) { error = e; }
      expect(error).toBeInstanceOf(BogonListError);
      expect(error).toBeInstanceOf(FibscopeError);
      const e = error as BogonListError;
      expect(e.code).toBe('BOGONS');
      expect([e.source, e.line]).toEqual(['bogons.txt', line]);
      expect(e.message.startsWith(`bogons.txt:${line}: `)).toBe(true);
      expect(e.message).toMatch(message);
    });
  }
});

/** Random prefixes of both families, text for the list and for the reference. */
function randomPrefixes(random: Random, count4: number, count6: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count4; i++) {
    const length = 8 + random.below(25);
    const value = length === 0 ? 0 : (random.u32() & (0xffffffff << (32 - length))) >>> 0;
    lines.push(`${addressText({ family: 4, value: BigInt(value) })}/${length}`);
  }
  for (let i = 0; i < count6; i++) {
    const length = 40 + random.below(89);
    let value = 0n;
    for (let w = 0; w < 4; w++) value = (value << 32n) | BigInt(random.u32());
    // half of them inside the registries' own blocks, where the list and the built-ins meet
    if (i % 2 === 0) value = (value & ((1n << 112n) - 1n)) | (BigInt([0x2001, 0xfc00, 0xfd00, 0xfe80, 0x2002][i % 5]) << 112n);
    value = (value >> BigInt(128 - length)) << BigInt(128 - length);
    lines.push(`${addressText({ family: 6, value })}/${length}`);
  }
  return lines;
}

function boundaries(prefixTexts: readonly string[]): TestAddress[] {
  const out: TestAddress[] = [];
  for (const text of prefixTexts) {
    const [address, length] = text.split('/');
    const { family, value } = addressValue(address);
    const bits = family === 4 ? 32 : 128;
    const last = value + (1n << BigInt(bits - Number(length))) - 1n;
    for (const v of [value - 1n, value, last, last + 1n]) if (v >= 0n && v < 1n << BigInt(bits)) out.push({ family, value: v });
  }
  return out;
}

function compare(addresses: readonly TestAddress[], masks: readonly number[], reference: ReferenceList): string[] {
  const out: string[] = [];
  addresses.forEach((address, i) => {
    const want = referenceClassesWithList(address.family, address.value, reference);
    if (masks[i] !== want && out.length < 20) out.push(`${addressText(address)}: ${masks[i]}, reference ${want}`);
  });
  return out;
}

describe('the classifier with a bogon list', () => {
  it('adds a small list, keeps private-use space private, and lets a listed address inside a built-in block be both', async () => {
    const texts = ['11.0.0.0/8', '10.0.0.0/8', '192.168.1.0/24', '192.0.0.9/32', '192.31.196.0/25', 'fd00::/8', '2001:db8::/32', '3000::/4', '2001::/32'];
    const list = parseBogonList(texts.join('\n'), 'small.txt');
    const wasm = await classifierWith(list);
    const addresses = boundaries(texts);
    const masks = classifyAll(wasm, addresses);
    expect(compare(addresses, masks, new ReferenceList(texts))).toEqual([]);
    // listed and private-use: private only; listed and globally reachable in the registry: bogon
    expect(classifyAll(wasm, [addressValue('10.1.1.1'), addressValue('192.0.0.9'), addressValue('11.2.3.4')])).toEqual([4, 3, 3]);
  });

  it('agrees with the reference for 38,000 random prefixes, loaded through the I/O region in several pieces', async () => {
    const random = new Random(99);
    const texts = randomPrefixes(random, 8000, 30000);
    const list = parseBogonList(texts.join('\n'), 'random.txt');
    const wasm = await classifierWith(list);
    // more IPv6 ranges than one piece of the I/O region holds: the last ones must be there too
    expect(wasm.bogonsCount(6) * wasm.bogonsRangeBytes(6)).toBeGreaterThan(wasm.ioOutputOffset());
    const reference = new ReferenceList(texts);
    // a table this big is searched through its index (assembly/checks/bogons.ts): the registry's own
    // boundaries go through it too
    const addresses = boundaries([...texts.filter((_, i) => i % 7 === 0 || i >= texts.length - 50), ...REGISTRY_ROWS.map((row) => row.prefix)]);
    for (let i = 0; i < 5000; i++) addresses.push({ family: 4, value: BigInt(random.u32()) });
    const masks = classifyAll(wasm, addresses);
    expect(compare(addresses, masks, reference)).toEqual([]);
    expect(masks.filter((m) => m === 3).length).toBeGreaterThan(1000);
  });

  it('refuses a table that does not fit under the memory limit, and leaves no table rather than half of one', async () => {
    const wasm = await classifierWith();
    const texts = Array.from({ length: 20000 }, (_, i) => `2001:${(0x4000 + 2 * i).toString(16)}::/32`);
    const ranges = buildBogonRanges(parseBogonList(texts.join('\n'), 'big.txt'));
    wasm.memorySetLimits(wasm.memoryHeapEnd() + 256 * 1024, 0);
    expect(() => loadBogonTable(wasm, ranges, 'big.txt')).toThrow(FibscopeOutOfMemoryError);
    expect([wasm.bogonsCount(4), wasm.bogonsCount(6)]).toEqual([0, 0]);
    expect(classifyAll(wasm, [addressValue('127.0.0.1')])).toEqual([0]);
  });

  it('is back to the built-in table after loading one without the list', async () => {
    const texts = ['8.8.8.0/24'];
    const wasm = await classifierWith(parseBogonList(texts.join('\n'), 'one.txt'));
    expect(classifyAll(wasm, [addressValue('8.8.8.8')])).toEqual([3]);
    loadBogonTable(wasm, buildBogonRanges());
    expect(classifyAll(wasm, [addressValue('8.8.8.8'), addressValue('127.0.0.1')])).toEqual([0, 3]);
    wasm.bogonsFree();
    expect(classifyAll(wasm, [addressValue('127.0.0.1')])).toEqual([0]);
  });
});
