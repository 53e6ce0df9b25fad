import { describe, expect, it } from 'vitest';
import { Fib, FibscopeArgumentError, RouteFormatError } from '../src/index.js';

const ids = (fib: Fib, addresses: string[]) => addresses.map((a) => fib.lookup(a)?.prefix ?? null);

describe('Fib routes and their attributes', () => {
  it('hands out a route with every attribute it was given', async () => {
    const fib = await Fib.create();
    const id = fib.add('10.1.2.3/8', { nextHop: '192.0.2.1', dev: 'eth0', metric: 10, type: 'unicast' });
    expect(fib.route(id)).toEqual({
      id, prefix: '10.0.0.0/8', type: 'unicast', nextHop: '192.0.2.1', dev: 'eth0', metric: 10,
      nextHops: [{ via: '192.0.2.1', dev: 'eth0', weight: 1 }],
    });
    expect(fib.lookup('10.200.0.1')?.id).toBe(id);
    expect(fib.lookup('11.0.0.1')).toBeUndefined();
  });

  it('keeps multipath next hops with their weights', async () => {
    const fib = await Fib.create();
    const hops = [{ via: '192.0.2.1', dev: 'eth0', weight: 1 }, { via: '192.0.2.2', dev: 'eth1', weight: 3 }];
    const route = fib.route(fib.add('2001:db8::/32', { nextHops: hops }))!;
    expect(route.nextHops).toEqual(hops);
    expect(route.nextHop).toBe('192.0.2.1');
    expect(route.prefix).toBe('2001:db8::/32');
  });

  it('prefers the lowest metric, then the route given last, and uncovers the next on removal', async () => {
    const fib = await Fib.create();
    fib.add('default', { nextHop: 'gw' });
    const slow = fib.add('10.0.0.0/8', { nextHop: 'a', metric: 20 });
    const fast = fib.add('10.0.0.0/8', { nextHop: 'b', metric: 10 });
    expect(fib.lookup('10.1.1.1')?.id).toBe(fast);
    const later = fib.add('10.0.0.0/8', { nextHop: 'c', metric: 10 });
    expect(fib.lookup('10.1.1.1')?.id).toBe(later);
    expect(fib.routesFor('10.0.0.0/8').map((r) => r.nextHop)).toEqual(['c', 'b', 'a']);
    expect(fib.remove('10.0.0.0/8', { nextHop: 'c' })).toBe(1);
    expect(fib.lookup('10.1.1.1')?.id).toBe(fast);
    expect(fib.removeRoute(fast)).toBe(true);
    expect(fib.lookup('10.1.1.1')?.id).toBe(slow);
    expect(fib.remove('10.0.0.0/8')).toBe(1);
    expect(fib.lookup('10.1.1.1')?.nextHop).toBe('gw');
    expect(fib.removeRoute(fast)).toBe(false);
    expect(fib.route(fast)).toBeUndefined();
  });

  it('replace swaps the route of the same prefix and metric and leaves other metrics', async () => {
    const fib = await Fib.create();
    const keep = fib.add('192.0.2.0/24', { nextHop: 'backup', metric: 100 });
    fib.add('192.0.2.0/24', { nextHop: 'old', metric: 1 });
    const fresh = fib.replace('192.0.2.0/24', { nextHop: 'new', metric: 1 });
    expect(fib.routesFor('192.0.2.0/24').map((r) => r.id)).toEqual([fresh, keep]);
    expect(fib.lookup('192.0.2.77')?.nextHop).toBe('new');
    expect(fib.stats().ipv4Routes).toBe(2);
  });

  it('treats an identical route as the same one, and it becomes the last given', async () => {
    const fib = await Fib.create();
    const a = fib.add('198.51.100.0/24', { nextHop: 'a' });
    fib.add('198.51.100.0/24', { nextHop: 'b' });
    expect(fib.lookup('198.51.100.1')?.nextHop).toBe('b');
    expect(fib.add('198.51.100.0/24', { nextHop: 'a' })).toBe(a);
    expect(fib.lookup('198.51.100.1')?.id).toBe(a);
    expect(fib.stats().ipv4Routes).toBe(2);
    const result = fib.load('198.51.100.0/24 a\n198.51.100.0/24 a\n');
    expect(result).toEqual({ added: 0, ipv4: 0, ipv6: 0, duplicates: 2 });
  });

  it('keeps ids stable while routes come and go around them', async () => {
    const fib = await Fib.create();
    const stable = fib.add('203.0.113.0/24', { nextHop: 'stable' });
    for (let i = 0; i < 1000; i++) {
      const id = fib.add(`10.${i >> 8}.${i & 255}.0/24`);
      if (i % 2) fib.removeRoute(id);
    }
    expect(fib.route(stable)?.nextHop).toBe('stable');
    expect(fib.lookup('203.0.113.9')?.id).toBe(stable);
    expect(fib.stats().ipv4Routes).toBe(501);
  });

  it('counts prefix lengths per family', async () => {
    const fib = await Fib.create();
    fib.load('10.0.0.0/8\n10.1.0.0/16\n10.2.0.0/16\n2001:db8::/32\n::/0\n');
    const counts = fib.prefixLengthCounts();
    expect(counts.ipv4[8]).toBe(1);
    expect(counts.ipv4[16]).toBe(2);
    expect(counts.ipv6[32]).toBe(1);
    expect(counts.ipv6[0]).toBe(1);
    expect(counts.ipv4.reduce((a, b) => a + b)).toBe(3);
  });
});

describe('Fib batch lookups', () => {
  it('answers batches bigger than one WebAssembly call, and empty ones', async () => {
    const fib = await Fib.create();
    fib.add('0.0.0.0/1', { nextHop: 'low' });
    const high = fib.add('128.0.0.0/1', { nextHop: 'high' });
    const addresses = new Uint32Array(300_001).map((_, i) => (i * 14_317) >>> 0 | (i % 2 ? 0x80000000 : 0));
    const out = fib.lookup4(addresses);
    expect(out.length).toBe(addresses.length);
    addresses.forEach((a, i) => {
      if ((a >= 0x80000000) !== (out[i] === high)) expect.fail(`address ${a} got ${out[i]}`);
    });
    expect(fib.lookup4(new Uint32Array(0))).toEqual(new Int32Array(0));
  });

  it('writes into the caller\'s array and refuses arrays of the wrong size', async () => {
    const fib = await Fib.create();
    const id = fib.add('2001:db8::/32');
    const addresses = new Uint8Array(16 * 3);
    addresses.set([0x20, 0x01, 0x0d, 0xb8], 16);
    const out = new Int32Array(5).fill(99);
    expect(fib.lookup6(addresses, out)).toBe(out);
    expect([...out]).toEqual([-1, id, -1, 99, 99]);
    expect(() => fib.lookup6(new Uint8Array(17))).toThrow(FibscopeArgumentError);
    expect(() => fib.lookup4(new Uint32Array(4), new Int32Array(3))).toThrow(/out holds 3/);
  });
});

describe('Fib bad input', () => {
  it('names what is wrong with a prefix or an address', async () => {
    const fib = await Fib.create();
    expect(() => fib.add('10.0.0.0/33')).toThrow(/out of range 0..32/);
    expect(() => fib.add('10.0.0/8')).toThrow(FibscopeArgumentError);
    expect(() => fib.add('2001:db8::/129')).toThrow(/0..128/);
    expect(() => fib.add('10.0.0.0/8', { metric: -1 })).toThrow(/metric/);
    expect(() => fib.add('10.0.0.0/8', { type: 'bogus' as never })).toThrow(/route type/);
    expect(() => fib.lookup('not-an-address')).toThrow(/not an IPv4 or IPv6 address/);
    expect(fib.stats().ipv4Routes).toBe(0);
  });

  it('loads nothing from text with a bad line, and says where it is', async () => {
    const fib = await Fib.create();
    fib.add('192.0.2.0/24');
    let error: unknown;
    try {
      fib.load('10.0.0.0/8 a\n10.1.0.0/16 b\n10.2.0.0/99 c\n', { source: 'table.txt' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RouteFormatError);
    expect((error as RouteFormatError).line).toBe(3);
    expect((error as Error).message).toMatch(/^table\.txt:3: /);
    expect(fib.stats().ipv4Routes).toBe(1);
    expect(fib.lookup('10.1.1.1')).toBeUndefined();
  });
});

describe('Fib loads of parsed lists', () => {
  it('refuses a hand-made list with a bad entry before loading any of it', async () => {
    const { RouteList } = await import('../src/index.js');
    const fib = await Fib.create();
    const list = new RouteList();
    for (let i = 0; i < 5000; i++) list.push4((10 << 24) | (i << 8), 24, 'ok', null);
    list.push4(0x0b000000, 24, 'bad', null);
    list.prefixLength[list.count - 1] = 40;
    expect(() => fib.load(list)).toThrow(/entry 5000 is not a valid route/);
    expect(fib.stats().ipv4Routes).toBe(0);
    expect(fib.lookup('10.0.1.1')).toBeUndefined();
  });
});

describe('Fib memory', () => {
  it('reports the memory of each structure and gives it back when routes go', async () => {
    const fib = await Fib.create();
    const empty = fib.stats();
    expect(empty.ipv4LookupBytes).toBe(4 << 18); // the direct array alone
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(`10.${(i >> 6) & 255}.${(i & 63) << 2}.0/${22 + (i % 9)}`);
    fib.load(lines.join('\n'));
    const full = fib.stats();
    expect(full.ipv4LookupBytes).toBeGreaterThan(empty.ipv4LookupBytes);
    expect(full.memoryBytes).toBe(full.ipv4LookupBytes + full.ipv6LookupBytes + full.ribBytes);
    for (const line of lines) fib.remove(line);
    expect(fib.stats().ipv4LookupBytes).toBe(empty.ipv4LookupBytes);
  });
});

describe('route provenance (source, MED, LOCAL_PREF)', () => {
  it('keeps them per route, replaces them with the route, and forgets them with it', async () => {
    const fib = await Fib.create();
    const id = fib.replace('10.0.0.0/8', { nextHop: '192.0.2.1', metric: 20, source: 'bgp 192.0.2.1', med: 5, localPref: 200 });
    expect(fib.route(id)).toMatchObject({ source: 'bgp 192.0.2.1', med: 5, localPref: 200 });
    // same next hop and metric: the route stays, the new provenance wins
    const again = fib.replace('10.0.0.0/8', { nextHop: '192.0.2.1', metric: 20, source: 'bgp 192.0.2.9', localPref: 100 });
    expect(again).toBe(id);
    expect(fib.route(id)).toMatchObject({ source: 'bgp 192.0.2.9', localPref: 100 });
    expect(fib.route(id)!.med).toBeUndefined();
    fib.remove('10.0.0.0/8');
    const plain = fib.add('10.0.0.0/8');
    expect(fib.route(plain)!.source).toBeUndefined();
    expect(() => fib.add('10.1.0.0/16', { source: '' })).toThrow(/source must be/);
    expect(() => fib.add('10.1.0.0/16', { med: -1 })).toThrow(/med must be/);
    expect(() => fib.add('10.1.0.0/16', { localPref: 2 ** 32 })).toThrow(/localPref must be/);
  });
});

describe('BGP attributes shared between calls', () => {
  it('gives each route the values of its own call, whatever the caller does with its arrays afterwards', async () => {
    const fib = await Fib.create();
    const communities = ['65001:1'];
    const attributes = { nextHop: '192.0.2.1', asPath: '65001 65002', communities, source: 'bgp 192.0.2.1', med: 1 };
    const first = fib.add('10.0.0.0/24', attributes);
    const second = fib.add('10.0.1.0/24', attributes);
    // the same values: one frozen copy for both routes
    expect(fib.route(second)!.communities).toBe(fib.route(first)!.communities);
    communities.push('65001:2');
    attributes.med = 2;
    const third = fib.add('10.0.2.0/24', attributes);
    expect(fib.route(first)).toMatchObject({ communities: ['65001:1'], med: 1, source: 'bgp 192.0.2.1', originAs: 65002 });
    expect(fib.route(third)).toMatchObject({ communities: ['65001:1', '65001:2'], med: 2 });
    const fourth = fib.add('10.0.3.0/24', { nextHop: '192.0.2.1' });
    expect(fib.route(fourth)!.communities).toBeUndefined();
    expect(fib.route(fourth)!.med).toBeUndefined();
    // a bad value is refused on every call, not only the first
    expect(() => fib.add('10.0.4.0/24', { med: -1 })).toThrow(/med must be/);
    expect(() => fib.add('10.0.5.0/24', { med: -1 })).toThrow(/med must be/);
  });
});
