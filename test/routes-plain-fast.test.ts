import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Fib, formatIPv6, parseRoutes, RouteFormatError, type Route } from '../src/node.js';
import { Random } from './helpers/random.js';

// Plain-format text is read in WebAssembly (assembly/routes/plain.ts); the JavaScript parser of
// src/routes/plain.ts is the reference. Loading the text and loading the reference's list must
// give the same table, and whatever the fast path does not take must still load (or fail) as
// the reference does.

const DATA = fileURLToPath(new URL('../../shared/data/routes/', import.meta.url));

/** Every route of the table as text, in a stable order. */
function routesOf(fib: Fib): string[] {
  return [...fib.routes()].map((r: Route) => `${r.prefix} ${r.type} ${r.nextHop} ${r.dev} ${r.metric}`).sort();
}

async function bothWays(text: string | Uint8Array): Promise<{ fast: Fib; reference: Fib }> {
  const fast = await Fib.create();
  const reference = await Fib.create();
  const decoded = typeof text === 'string' ? text : new TextDecoder().decode(text);
  const expected = reference.load(parseRoutes(decoded, { format: 'plain' }));
  const result = fast.load(text, { format: 'plain' });
  expect(result).toEqual(expected);
  expect(routesOf(fast)).toEqual(routesOf(reference));
  return { fast, reference };
}

/**
 * Both tables give the same route for `count` addresses: random ones and ones inside their
 * prefixes. Routes are compared by what they are, not by id: a bulk load numbers its routes in
 * prefix order (assembly/fib/bulk-order.ts), a list in list order.
 */
function expectSameLookups(fast: Fib, reference: Fib, random: Random, count = 20000): void {
  const described = (fib: Fib, ids: Int32Array) => {
    const names = new Map<number, string>();
    const name = (id: number) => {
      let text = names.get(id);
      if (text === undefined) {
        const r = id < 0 ? undefined : fib.route(id);
        names.set(id, text = r === undefined ? 'none' : `${r.prefix} ${r.type} ${r.nextHop} ${r.dev} ${r.metric}`);
      }
      return text;
    };
    return Array.from(ids, name);
  };
  const v4 = new Uint32Array(count).map(() => random.u32());
  expect(described(fast, fast.lookup4(v4))).toEqual(described(reference, reference.lookup4(v4)));
  const v6 = random.bytes(count * 16);
  for (let i = 0; i < count; i += 2) { v6[i * 16] = 0x20; v6[i * 16 + 1] = 0x01; } // half in 2001::/16
  expect(described(fast, fast.lookup6(v6))).toEqual(described(reference, reference.lookup6(v6)));
}

/** A random plain-format file using every part of the syntax. */
function randomPlain(random: Random, lines: number): string {
  const out: string[] = ['# a table', '', '   # an indented comment'];
  const blank = () => [' ', '\t', '  ', ' \t '][random.below(4)];
  const separator = () => (random.below(3) === 0 ? `${random.below(2) ? ' ' : ''},${random.below(2) ? '\t' : ''}` : blank());
  const hops = ['192.0.2.1', '192.0.2.001', '2001:DB8::1', '2001:db8:0:0::1', 'rfc1918', 'AS64500', 'gw-ü', '-', ''];
  for (let i = 0; i < lines; i++) {
    let prefix: string;
    const kind = random.below(10);
    if (kind < 5) prefix = `${random.below(256)}.${random.below(256)}.${random.below(256)}.${random.below(256)}/${random.below(33)}`;
    else if (kind < 6) prefix = `${random.below(256)}.${random.below(256)}.0.${random.below(256)}`; // a host route
    else if (kind < 7) prefix = random.below(2) ? 'default' : '::/0';
    else if (kind < 8) prefix = `::ffff:${random.below(256)}.0.2.${random.below(256)}/${96 + random.below(33)}`;
    else {
      const groups = Array.from({ length: 8 }, () => (random.below(3) ? random.below(65536) : 0));
      const bytes = new Uint8Array(16);
      groups.forEach((g, k) => { bytes[k * 2] = g >> 8; bytes[k * 2 + 1] = g & 0xff; });
      const text = random.below(2) ? formatIPv6(bytes) : groups.map((g) => g.toString(16).toUpperCase()).join(':');
      prefix = `${text}/${random.below(129)}`;
    }
    const fields = [prefix];
    const extra = random.below(4);
    if (extra >= 1) fields.push(hops[random.below(hops.length)] || '-');
    if (extra >= 2) fields.push(['eth0', 'eth1', '-', 'wg0'][random.below(4)]);
    if (extra >= 3) fields.push(random.below(2) ? String(random.below(1000)) : '-');
    let line = blank().repeat(random.below(2)) + fields.join(separator());
    if (random.below(8) === 0) line += `${blank()}# trailing`;
    if (random.below(6) === 0) line += '\r';
    out.push(line);
  }
  return out.join('\n');
}

describe('plain routes read in WebAssembly', () => {
  it('give the table the reference parser gives, on random files with every part of the syntax', async () => {
    // above 4,096 routes a load rebuilds the lookup structure once; below, route by route
    for (const [seed, lines] of [[1, 6000], [2, 800]]) {
      const random = new Random(seed);
      const { fast, reference } = await bothWays(randomPlain(random, lines));
      expectSameLookups(fast, reference, random);
    }
  });

  it('take UTF-8 bytes, a byte order mark, CRLF lines and a last line without a newline', async () => {
    const text = '\ufeff10.0.0.0/8 gw\r\n2001:db8::/32 gw6 eth0 5\r\n192.0.2.0/24';
    await bothWays(new TextEncoder().encode(text));
    await bothWays('');
    await bothWays('# only comments\n\n');
  });

  it('leave a column header, and every error, to the reference parser', async () => {
    await bothWays('PREFIX NEXTHOP DEV METRIC\n10.0.0.0/8 a\n');
    const bad = ['10.0.0.0/33 a', '10.0.0.0/8 a b 4294967296', '10.0.0.0/8 a b 1 extra', '10.0.0.256/8', '2001:db8::/129', 'bogus'];
    for (const line of bad) {
      const text = `192.0.2.0/24 ok\n${line}\n`;
      const fib = await Fib.create();
      let expected: unknown;
      try { parseRoutes(text, { format: 'plain', source: 't.txt' }); } catch (error) { expected = error; }
      expect(expected).toBeInstanceOf(RouteFormatError);
      expect(() => fib.load(text, { format: 'plain', source: 't.txt' })).toThrow((expected as Error).message);
      expect(fib.stats().ipv4Routes).toBe(0); // all or nothing
    }
  });

  it('detect plain text as the reference does, also after many comment lines', async () => {
    const fib = await Fib.create();
    const comments = '# x\n'.repeat(20000);
    // an `ip route` line after the comments: detection must look past them
    fib.load(`${comments}10.0.0.0/8 via 192.0.2.1 dev eth0`);
    expect(fib.lookup('10.1.1.1')).toMatchObject({ nextHop: '192.0.2.1', dev: 'eth0' });
    fib.load(`${comments}11.0.0.0/8 dev eth0 5`, { format: 'plain' });
    expect(fib.lookup('11.1.1.1')).toMatchObject({ nextHop: 'dev', dev: 'eth0', metric: 5 });
  });

  it('merge duplicate lines as the reference does', async () => {
    await bothWays('10.0.0.0/8 a\n10.0.0.0/8 a\n10.0.0.0/8 b\n10.0.0.0/8 a 0\n10.0.0.0/8 a eth0 3\n'.repeat(3));
  });

  for (const name of ['tier1-2024.txt.gz', 'linx-2014-v6.txt.gz']) {
    it(`give the reference's table for the shared ${name} (skipped without ../shared/data/routes/${name})`, async (context) => {
      if (!existsSync(DATA + name)) {
        context.skip(`${DATA}${name} is absent`);
        return;
      }
      const bytes = gunzipSync(readFileSync(DATA + name));
      const { fast, reference } = await bothWays(bytes);
      expect(fast.stats()).toMatchObject({ ipv4LookupBytes: reference.stats().ipv4LookupBytes, ipv6LookupBytes: reference.stats().ipv6LookupBytes });
      expectSameLookups(fast, reference, new Random(7), 100000);
    }, 60000);
  }
});
