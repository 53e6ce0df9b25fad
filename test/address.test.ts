import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  canonicalAddress, createPrefixBuffer, formatIPv4, formatIPv6, formatPrefix, maskV4, maskV6,
  parseAddress, parseIPv4, parseIPv6, parsePrefix, PREFIX_BAD_ADDRESS, PREFIX_BAD_LENGTH,
  PREFIX_LENGTH_RANGE, PREFIX_OK, scanPrefix, tryParsePrefix,
} from '../src/net/address.js';
import { Random } from './helpers/random.js';

function v6(text: string): Uint8Array | null {
  const out = new Uint8Array(16);
  return parseIPv6(text, out) ? out : null;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('parseIPv4', () => {
  it('parses known addresses to host-order unsigned numbers', () => {
    expect(parseIPv4('0.0.0.0')).toBe(0);
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(parseIPv4('10.1.2.3')).toBe(0x0a010203);
    expect(parseIPv4('192.168.0.1')).toBe(0xc0a80001);
    expect(parseIPv4('128.0.0.0')).toBe(0x80000000);
    expect(parseIPv4('1.2.3.4')).toBeGreaterThan(0);
  });

  it('reads leading zeros as decimal, never octal', () => {
    expect(parseIPv4('010.001.000.009')).toBe(0x0a010009);
  });

  it('parses inside a larger string between start and end', () => {
    const text = 'xx 10.0.0.1/8 yy';
    expect(parseIPv4(text, 3, 11)).toBe(0x0a000001);
    expect(parseIPv4(text, 3, 13)).toBe(-1);
  });

  it.each([
    '', '1', '1.2.3', '1.2.3.4.5', '256.0.0.0', '1.2.3.256', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4 ',
    ' 1.2.3.4', '0001.2.3.4', '1.2.3.0004', '+1.2.3.4', '1.2.3.-4', 'a.b.c.d', '1.2.3.4/8', '1,2,3,4',
    '1.2.3.4\n', '１.2.3.4', '4294967295', '0x7f.0.0.1',
  ])('rejects %j', (text) => {
    expect(parseIPv4(text)).toBe(-1);
  });
});

describe('parseIPv6', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:DB8:0:0:8:800:200C:417A', '20010db80000000000080800200c417a'],
    ['FF01::101', 'ff010000000000000000000000000101'],
    ['fe80::1:2', 'fe800000000000000000000000010002'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['0001:0002:0003:0004:0005:0006:0007:0008', '00010002000300040005000600070008'],
    ['::ffff:192.0.2.128', '00000000000000000000ffffc0000280'],
    ['::13.1.68.3', '0000000000000000000000000d014403'],
    ['64:ff9b::198.51.100.7', '0064ff9b0000000000000000c6336407'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['abcd:ef01:2345:6789:ABCD:EF01:2345:6789', 'abcdef0123456789abcdef0123456789'],
  ])('parses %s', (text, expected) => {
    const bytes = v6(text);
    expect(bytes).not.toBeNull();
    expect(hex(bytes!)).toBe(expected);
  });

  it('writes at an offset and reads between start and end', () => {
    const out = new Uint8Array(40).fill(0xee);
    expect(parseIPv6('[2001:db8::7]', out, 20, 1, 12)).toBe(true);
    expect(hex(out.subarray(20, 36))).toBe('20010db8000000000000000000000007');
    expect(out[19]).toBe(0xee);
    expect(out[36]).toBe(0xee);
  });

  it.each([
    '', ':', ':::', '1', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::', '1::2:3:4:5:6:7:8',
    '1::2::3', '1:::2', ':1::2', '1::2:', '1:2:3:4:5:6:7:8:', ':1:2:3:4:5:6:7:8', '12345::', 'g::1',
    'fe80::1%eth0', 'fe80::1%1', '[::1]', '::1/128', ' ::1', '::1 ', '::ffff:1.2.3', '::ffff:1.2.3.256',
    '::1.2.3.4:5', '1:2:3:4:5:6:7:1.2.3.4', '::ffff:01a.1.1.1', '1.2.3.4', '::-1', '::1:', '2001:db8::x',
  ])('rejects %j', (text) => {
    expect(v6(text)).toBeNull();
  });

  it('agrees with node:net isIPv6 on random strings of hex digits and colons', () => {
    const random = new Random(5952);
    const alphabet = '0123456789abcdefABCDEF::::::';
    let valid = 0;
    for (let n = 0; n < 20000; n++) {
      let text = '';
      const length = 2 + random.below(40);
      for (let k = 0; k < length; k++) text += alphabet[random.below(alphabet.length)];
      const mine = v6(text) !== null;
      expect(mine, text).toBe(isIPv6(text));
      if (mine) valid++;
    }
    expect(valid).toBeGreaterThan(50);
  });
});

describe('formatIPv4', () => {
  it('prints dotted quads', () => {
    expect(formatIPv4(0)).toBe('0.0.0.0');
    expect(formatIPv4(0xffffffff)).toBe('255.255.255.255');
    expect(formatIPv4(0x0a000001)).toBe('10.0.0.1');
    expect(formatIPv4(0xc0a80101)).toBe('192.168.1.1');
  });

  it('round-trips random addresses', () => {
    const random = new Random(4);
    for (let n = 0; n < 10000; n++) {
      const address = random.u32();
      expect(parseIPv4(formatIPv4(address))).toBe(address);
    }
  });
});

describe('formatIPv6 (RFC 5952)', () => {
  it.each([
    // 4.1 leading zeros suppressed; 4.3 lowercase
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:DB8::ABCD', '2001:db8::abcd'],
    // 4.2.1 the longest run is shortened; 4.2.2 a single 0 group is not
    ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    // 4.2.3 longest run first, first run on a tie
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:1:0:0:1:0:0', '::1:0:0:1:0:0'],
    // edges
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
    ['1:0:3:4:5:6:7:0', '1:0:3:4:5:6:7:0'],
    ['fe80::0:1', 'fe80::1'],
    // IPv4-mapped keeps its dotted tail; other embeddings print as hex
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['0:0:0:0:0:ffff:c000:0201', '::ffff:192.0.2.1'],
    ['::ffff:0.0.0.0', '::ffff:0.0.0.0'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['::fffe:1.2.3.4', '::fffe:102:304'],
    ['1::ffff:1.2.3.4', '1::ffff:102:304'],
  ])('%s → %s', (input, expected) => {
    const bytes = v6(input);
    expect(bytes).not.toBeNull();
    expect(formatIPv6(bytes!)).toBe(expected);
  });

  it('reads at an offset', () => {
    const buffer = new Uint8Array(32);
    buffer[16] = 0x20;
    buffer[17] = 0x01;
    buffer[31] = 9;
    expect(formatIPv6(buffer, 16)).toBe('2001::9');
  });

  it('round-trips random addresses and matches the WHATWG URL serializer', () => {
    const random = new Random(6);
    for (let n = 0; n < 5000; n++) {
      const bytes = random.bytes(16);
      // Plenty of zero groups, so that compression is exercised.
      for (let g = 0; g < 8; g++) {
        if (random.below(2) === 0) bytes[g * 2] = bytes[g * 2 + 1] = 0;
      }
      const text = formatIPv6(bytes);
      const back = v6(text);
      expect(back, text).not.toBeNull();
      expect(hex(back!)).toBe(hex(bytes));
      const mapped = text.startsWith('::ffff:') && text.includes('.');
      if (!mapped) expect(text).toBe(new URL(`http://[${text}]/`).hostname.slice(1, -1));
      // The same address written long-hand, upper case, with leading zeros.
      const long = Array.from({ length: 8 }, (_, g) =>
        ((bytes[g * 2] << 8) | bytes[g * 2 + 1]).toString(16).toUpperCase().padStart(4, '0')).join(':');
      expect(formatIPv6(v6(long)!)).toBe(text);
    }
  });
});

describe('prefixes', () => {
  it('parses IPv4 and IPv6 prefixes and bare addresses (host routes)', () => {
    expect(parsePrefix('10.0.0.0/8')).toEqual({ family: 4, length: 8, v4: 0x0a000000 });
    expect(parsePrefix('10.1.2.3')).toEqual({ family: 4, length: 32, v4: 0x0a010203 });
    expect(parsePrefix('0.0.0.0/0')).toEqual({ family: 4, length: 0, v4: 0 });
    const p6 = parsePrefix('2001:db8::/32');
    expect(p6?.family).toBe(6);
    expect(p6?.length).toBe(32);
    expect(formatPrefix(p6!)).toBe('2001:db8::/32');
    expect(parsePrefix('::1')?.length).toBe(128);
    expect(formatPrefix(parsePrefix('::/0')!)).toBe('::/0');
    expect(parsePrefix('2001:db8::/128')?.length).toBe(128);
    expect(parsePrefix('1.2.3.4/32')?.length).toBe(32);
  });

  it('keeps host bits as written; maskV4 / maskV6 clear them', () => {
    const p = parsePrefix('10.1.2.3/8');
    expect(p).toEqual({ family: 4, length: 8, v4: 0x0a010203 });
    expect(maskV4(0x0a010203, 8)).toBe(0x0a000000);
    expect(maskV4(0xffffffff, 0)).toBe(0);
    expect(maskV4(0xffffffff, 32)).toBe(0xffffffff);
    expect(maskV4(0xffffffff, 1)).toBe(0x80000000);
    expect(maskV4(0xffffffff, 31)).toBe(0xfffffffe);
    const bytes = v6('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')!;
    maskV6(bytes, 0, 36);
    expect(formatIPv6(bytes)).toBe('2001:db8:f000::');
    const all = new Uint8Array(16).fill(0xff);
    maskV6(all, 0, 0);
    expect(formatIPv6(all)).toBe('::');
  });

  it('parses inside a larger string', () => {
    const text = 'route 192.168.0.0/16 via x';
    expect(parsePrefix(text, 6, 20)).toEqual({ family: 4, length: 16, v4: 0xc0a80000 });
  });

  it.each([
    ['10.0.0.0/33', 'prefix length 33 out of range 0..32 for IPv4'],
    ['10.0.0.0/99999999999999', 'out of range 0..32 for IPv4'],
    ['2001:db8::/129', 'prefix length 129 out of range 0..128 for IPv6'],
    ['foo', "not an IPv4 or IPv6 address: 'foo'"],
    ['10.0.0.300/8', "not an IPv4 or IPv6 address: '10.0.0.300'"],
    ['10.0.0.0/', "missing prefix length after '/'"],
    ['10.0.0.0/+8', "prefix length '+8' is not a decimal number"],
    ['10.0.0.0/-1', "prefix length '-1' is not a decimal number"],
    ['10.0.0.0/8/9', "prefix length '8/9' is not a decimal number"],
    ['10.0.0.0/ 8', 'is not a decimal number'],
    ['/8', "not an IPv4 or IPv6 address: ''"],
    ['', 'empty prefix'],
    ['fe80::1%eth0/64', 'not an IPv4 or IPv6 address'],
  ])('rejects %j saying why', (text, reason) => {
    expect(parsePrefix(text)).toBeNull();
    const result = tryParsePrefix(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it('scanPrefix reports status codes without allocating a result', () => {
    const buffer = createPrefixBuffer();
    expect(scanPrefix('10.0.0.0/8', 0, 10, buffer)).toBe(PREFIX_OK);
    expect(buffer.family).toBe(4);
    expect(scanPrefix('x/8', 0, 3, buffer)).toBe(PREFIX_BAD_ADDRESS);
    expect(scanPrefix('1.2.3.4/x', 0, 9, buffer)).toBe(PREFIX_BAD_LENGTH);
    expect(scanPrefix('1.2.3.4/40', 0, 10, buffer)).toBe(PREFIX_LENGTH_RANGE);
    expect(scanPrefix('::/128', 0, 6, buffer)).toBe(PREFIX_OK);
    expect(buffer.family).toBe(6);
    expect(buffer.length).toBe(128);
  });

  it('parseAddress and canonicalAddress', () => {
    expect(parseAddress('10.0.0.1')).toEqual({ family: 4, v4: 0x0a000001 });
    expect(parseAddress('10.0.0.0/8')).toBeNull();
    expect(parseAddress('::1')?.family).toBe(6);
    expect(canonicalAddress('2001:DB8:0:0:0::0001')).toBe('2001:db8::1');
    expect(canonicalAddress('010.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('eth0')).toBeNull();
  });
});
