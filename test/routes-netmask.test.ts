import { describe, expect, it } from 'vitest';
import { Fib, parseRoutes, RouteFormatError, type Route } from '../src/node.js';
import { Random } from './helpers/random.js';

// `ADDRESS NETMASK [NEXTHOP [DEV [METRIC]]]` in the plain format. The oracle is the same line
// written with `/LENGTH`, the masks are the 33 made by shifting ones in, and a second field that
// is neither one of them nor starts 0. or 255. stays a next hop. Both readers are checked: the
// WebAssembly scanner (fib.load of bytes) and the JavaScript parser (parseRoutes of text).

const MASKS = Array.from({ length: 33 }, (_, length) => (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0));
const quad = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');

function routesOf(fib: Fib): string[] {
  return [...fib.routes()].map((r: Route) => `${r.prefix} ${r.nextHop} ${r.dev} ${r.metric}`).sort();
}

async function tables(text: string): Promise<{ scanned: string[]; parsed: string[] }> {
  const scanned = await Fib.create();
  scanned.load(new TextEncoder().encode(text), { format: 'plain' });
  const parsed = await Fib.create();
  parsed.load(parseRoutes(text, { format: 'plain' }));
  return { scanned: routesOf(scanned), parsed: routesOf(parsed) };
}

async function failures(text: string): Promise<string[]> {
  const messages: string[] = [];
  const fib = await Fib.create();
  for (const load of [() => fib.load(new TextEncoder().encode(text), { format: 'plain', source: 'r.txt' }),
    () => parseRoutes(text, { format: 'plain', source: 'r.txt' })]) {
    try {
      load();
      messages.push('loaded');
    } catch (error) {
      expect(error).toBeInstanceOf(RouteFormatError);
      messages.push((error as Error).message);
    }
  }
  return messages;
}

describe('plain routes with a netmask', () => {
  it('read ADDRESS NETMASK as the prefix ADDRESS/LENGTH, with the other fields after it', async () => {
    const random = new Random(10);
    const withMasks: string[] = [];
    const withLengths: string[] = [];
    // enough lines that a table is rebuilt once (above 4,096 routes) as well as added to
    for (let i = 0; i < 5000; i++) {
      const length = random.below(33);
      const network = (random.u32() & MASKS[length]) >>> 0;
      const rest = ['', ' 192.0.2.1', ' gw eth0', ',10.0.0.1,,7', ' - wg0 3'][random.below(5)];
      withMasks.push(`${quad(network)}${rest.startsWith(',') ? ',' : ' '}${quad(MASKS[length])}${rest}`);
      withLengths.push(`${quad(network)}/${length}${rest}`);
      // a host route whose next hop is an ordinary address stays one
      const hop = (0x0a000000 + random.below(0xf0000000)) >>> 0;
      if (!MASKS.includes(hop)) {
        withMasks.push(`${quad(network | 1)} ${quad(hop)}`);
        withLengths.push(`${quad(network | 1)}/32 ${quad(hop)}`);
      }
    }
    const expected = await tables(withLengths.join('\n'));
    const got = await tables(withMasks.join('\n'));
    expect(expected.scanned).toEqual(expected.parsed);
    expect(got.scanned).toEqual(expected.scanned);
    expect(got.parsed).toEqual(expected.scanned);
    expect((await tables('192.168.0.0 255.255.0.0 gw\n')).scanned).toEqual(['192.168.0.0/16 gw null 0']);
    expect((await tables('0.0.0.0 0.0.0.0 192.0.2.1 eth0 5\n')).scanned).toEqual(['0.0.0.0/0 192.0.2.1 eth0 5']);
  });

  it('refuse a mask that is not contiguous, naming the line, in both readers', async () => {
    for (const mask of ['255.0.255.0', '255.255.255.254'.replace('254', '253'), '0.255.255.255', '0.0.0.1']) {
      const messages = await failures(`10.0.0.0/8 a\n10.0.0.0 ${mask} gw\n`);
      expect(messages[0]).toBe(messages[1]);
      expect(messages[0]).toMatch(new RegExp(`^r\\.txt:2: .*netmask.*'${mask.replace(/\./g, '\\.')}'.*not contiguous`));
    }
  });

  it('refuse an address with bits outside its mask, naming the line and the network', async () => {
    const messages = await failures('# t\n10.1.0.0 255.0.0.0 gw\n');
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toMatch(/^r\.txt:2: address 10\.1\.0\.0 has bits outside its netmask '255\.0\.0\.0' \(\/8\): its network is 10\.0\.0\.0/);
  });

  it('allow one more field with a mask, and no more', async () => {
    const messages = await failures('10.0.0.0 255.0.0.0 gw eth0 1 extra\n');
    expect(messages[0]).toBe(messages[1]);
    expect(messages[0]).toMatch(/^r\.txt:1: expected at most 4 fields .*'extra'/);
    expect(await failures('10.0.0.0/8 gw eth0 1 255.0.0.0\n')).toEqual([expect.stringMatching(/extra field '255\.0\.0\.0'/), expect.stringMatching(/extra field '255\.0\.0\.0'/)]);
  });

  it('leave a next hop after a prefix with a length, or after an IPv6 address', async () => {
    expect((await tables('10.0.0.0/32 255.255.0.0\n2001:db8::1 0.0.0.0\n')).scanned)
      .toEqual(['10.0.0.0/32 255.255.0.0 null 0', '2001:db8::1/128 0.0.0.0 null 0']);
  });
});
