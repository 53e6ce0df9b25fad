import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Fib, parseRoutes, type RouteFormat, type RouteList } from '../src/index.js';
import { detectRouteFormat } from '../src/routes/index.js';
import { Mirror } from './helpers/mirror.js';
import { Random } from './helpers/random.js';
import { v6ToBigInt } from './helpers/reference-lpm.js';
import { probeAddresses, type TestPrefix } from './helpers/tables.js';

// The real tables of ../shared/data/routes, checked against the reference LPM. Skipped (with
// a message) on a clone without the shared data beside it.
const ROUTES = new URL('../../shared/data/routes/', import.meta.url);
const present = (name: string) => existsSync(new URL(name, ROUTES));
const read = (name: string) => {
  const bytes = readFileSync(new URL(name, ROUTES));
  return (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};

/** Loads a parsed table into both the Fib and the reference; returns its prefixes per family. */
function mirrorList(mirror: Mirror, list: RouteList): { 4: TestPrefix[]; 6: TestPrefix[] } {
  const result = mirror.fib.load(list);
  expect(result.added + result.duplicates).toBe(list.count);
  const prefixes: { 4: TestPrefix[]; 6: TestPrefix[] } = { 4: [], 6: [] };
  // the reference learns each route under the id the table gave it
  for (const route of mirror.fib.routes()) {
    const [address, length] = route.prefix.split('/');
    const family = address.includes(':') ? 6 : 4;
    const key = family === 4 ? BigInt(address.split('.').reduce((v, o) => v * 256 + Number(o), 0)) : v6Key(address);
    mirror.reference[family].add(route.id, key, Number(length), route.metric);
    prefixes[family].push({ family, key, length: Number(length) });
  }
  return prefixes;
}

function v6Key(address: string): bigint {
  const halves = address.split('::');
  const groups = (part: string) => (part ? part.split(':') : []);
  const head = groups(halves[0]);
  const tail = halves.length > 1 ? groups(halves[1]) : [];
  const all = [...head, ...new Array(8 - head.length - tail.length).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => { bytes[i * 2] = parseInt(g, 16) >> 8; bytes[i * 2 + 1] = parseInt(g, 16) & 255; });
  return v6ToBigInt(bytes);
}

const cases: [string, RouteFormat][] = [
  ['tier1-2024.txt.gz', 'plain'],
  ['routeviews-2016-v4.pfx2as.gz', 'pfx2as'],
  ['routeviews-2016-v6.pfx2as.gz', 'pfx2as'],
  ['linx-2014-v6.txt.gz', 'plain'],
  ['sample.routes', 'plain'],
];

describe('real routing tables against the reference', () => {
  for (const [name, format] of cases) {
    it.skipIf(!present(name))(`agrees on ${name} (skipped without ../shared/data/routes/${name})`, async () => {
      const mirror = new Mirror(await Fib.create());
      const text = read(name);
      expect(detectRouteFormat(text)).toBe(format);
      const prefixes = mirrorList(mirror, parseRoutes(text, { format, source: name }));
      const random = new Random(name.length);
      for (const family of [4, 6] as const) {
        if (prefixes[family].length === 0) continue;
        const matched = mirror.check(family, probeAddresses(random, family, prefixes[family], family === 4 ? 200_000 : 50_000));
        expect(matched).toBeGreaterThan(0);
      }
    });
  }

  it.skipIf(!present('tier1-2024.txt.gz') || !present('linx-2014-v4-updates.txt.gz'))(
    'stays correct replaying the LINX update trace on the tier-1 table (skipped without ../shared/data/routes/tier1-2024.txt.gz and linx-2014-v4-updates.txt.gz)', async () => {
      const mirror = new Mirror(await Fib.create());
      const all = read('tier1-2024.txt.gz').split('\n').filter((l) => l && !l.includes(':')).join('\n');
      const prefixes = mirrorList(mirror, parseRoutes(all, { format: 'plain' }))[4];
      const touched: TestPrefix[] = [];
      const lines = read('linx-2014-v4-updates.txt.gz').split('\n').filter(Boolean);
      for (const [index, line] of lines.entries()) {
        const [, op, prefix, nextHop] = line.split(' ');
        const [address, length] = prefix.split('/');
        const p: TestPrefix = { family: 4, key: BigInt(address.split('.').reduce((v, o) => v * 256 + Number(o), 0)), length: Number(length) };
        if (op === 'a') mirror.replace(p, 0, nextHop); else mirror.remove(p);
        touched.push(p);
        if (index % 2000 === 0) mirror.check(4, probeAddresses(new Random(index), 4, touched.slice(-2000), 4000), 0);
      }
      mirror.check(4, probeAddresses(new Random(7), 4, [...prefixes, ...touched], 200_000));
    });
});
