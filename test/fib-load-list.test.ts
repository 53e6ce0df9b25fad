import { describe, expect, it } from 'vitest';
import { Fib } from '../src/index.js';
import { asAttributesOfPath } from '../src/routes/bgp-attributes.js';
import { ROUTE_TYPES, type AsAttributes, type NextHop, type Route, type RouteAttributes } from '../src/routes/route.js';
import { RouteList } from '../src/routes/route-list.js';
import { BGP_V4_LENGTHS, BGP_V6_LENGTHS, Random } from './helpers/random.js';
import { probeAddresses, randomPrefixes, type TestPrefix } from './helpers/tables.js';

// Fib.load of a RouteList (the path of MRT, bgpdump -m, ip, ip-json and pfx2as: columns filled in
// bulk, records written straight into WebAssembly memory) against the slow obvious way, the same
// routes given to Fib.add one at a time: the same routes, the same answers on random addresses,
// and the same behaviour of later adds and removes.

interface ListedRoute {
  prefix: TestPrefix;
  attributes: RouteAttributes;
  as: AsAttributes | undefined;
  communities: readonly string[] | undefined;
}

function prefixText(p: TestPrefix): string {
  if (p.family === 4) {
    const n = Number(p.key);
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p.length}`;
  }
  const groups = Array.from({ length: 8 }, (_, g) => ((p.key >> BigInt(112 - 16 * g)) & 0xffffn).toString(16));
  return `${groups.join(':')}/${p.length}`;
}

/** Random routes: shared next hops, some devices, types and metrics, a few multipath, repeats, shared BGP attributes. */
function randomRoutes(random: Random, count: number): ListedRoute[] {
  const prefixes = [
    ...randomPrefixes(random, 4, Math.floor(count * 0.8), BGP_V4_LENGTHS),
    ...randomPrefixes(random, 6, Math.ceil(count * 0.2), BGP_V6_LENGTHS),
  ];
  const paths = Array.from({ length: 40 }, (_, n) => `${64500 + n} ${random.below(70_000) + 1}${n % 7 === 0 ? ' {64511,64512}' : ''}`);
  const communityLists = [undefined, Object.freeze(['3356:100']), Object.freeze(['65000:1', 'no-export'])];
  const routes: ListedRoute[] = [];
  for (const prefix of prefixes) {
    const repeats = random.below(10) === 0 ? 2 : 1;
    for (let r = 0; r < repeats; r++) {
      const v4 = prefix.family === 4;
      const hop = (n: number) => (v4 ? `192.0.2.${n}` : `2001:db8::${(n + 1).toString(16)}`);
      const kind = random.below(20);
      const attributes: RouteAttributes = {
        metric: random.below(3),
        type: kind === 0 ? ROUTE_TYPES[1 + random.below(ROUTE_TYPES.length - 1)] : 'unicast',
        dev: kind === 1 ? `eth${random.below(3)}` : null,
      };
      if (kind === 2) {
        attributes.nextHops = [{ via: hop(1), dev: 'eth0', weight: 1 + random.below(3) }, { via: hop(2), dev: null, weight: 2 }];
      } else if (kind !== 3) {
        attributes.nextHop = hop(random.below(16));
      }
      const path = random.below(4) === 0 ? undefined : paths[random.below(paths.length)];
      const as = path === undefined ? undefined : asAttributesOfPath(path) as AsAttributes;
      const communities = communityLists[random.below(3)];
      if (path !== undefined) attributes.asPath = path;
      if (communities !== undefined) attributes.communities = [...communities];
      routes.push({ prefix, attributes, as, communities });
    }
  }
  return routes;
}

function listOf(routes: ListedRoute[]): RouteList {
  const list = new RouteList();
  const v6 = new Uint8Array(16);
  for (const { prefix, attributes, as, communities } of routes) {
    const hops = attributes.nextHops as NextHop[] | undefined;
    if (prefix.family === 4) {
      list.push4(Number(prefix.key), prefix.length, attributes.nextHop ?? null, attributes.dev ?? null, attributes.metric, attributes.type, 0, hops);
    } else {
      for (let b = 0; b < 16; b++) v6[b] = Number((prefix.key >> BigInt(120 - 8 * b)) & 0xffn);
      list.push6(v6, 0, prefix.length, attributes.nextHop ?? null, attributes.dev ?? null, attributes.metric, attributes.type, 0, hops);
    }
    list.setBgp(list.count - 1, as, communities);
  }
  return list;
}

/** A route as text without its id, which the two ways may number differently. */
const withoutId = (route: Route | undefined) => (route === undefined ? 'none' : JSON.stringify({ ...route, id: undefined }));

function sameTables(listed: Fib, added: Fib, random: Random, prefixes: TestPrefix[]): void {
  const sorted = (fib: Fib) => [...fib.routes()].map(withoutId).sort();
  expect(sorted(listed)).toEqual(sorted(added));
  expect(listed.stats().ipv4Routes).toBe(added.stats().ipv4Routes);
  expect(listed.stats().ipv6Routes).toBe(added.stats().ipv6Routes);
  const v4 = probeAddresses(random, 4, prefixes.filter((p) => p.family === 4), 20_000);
  const addresses = Uint32Array.from(v4, Number);
  const a = listed.lookup4(addresses);
  const b = added.lookup4(addresses);
  for (let i = 0; i < addresses.length; i++) expect(withoutId(listed.route(a[i]))).toBe(withoutId(added.route(b[i])));
  const v6 = probeAddresses(random, 6, prefixes.filter((p) => p.family === 6), 5_000);
  const bytes = new Uint8Array(v6.length * 16);
  v6.forEach((key, n) => { for (let b6 = 0; b6 < 16; b6++) bytes[n * 16 + b6] = Number((key >> BigInt(120 - 8 * b6)) & 0xffn); });
  const c = listed.lookup6(bytes);
  const d = added.lookup6(bytes);
  for (let i = 0; i < v6.length; i++) expect(withoutId(listed.route(c[i]))).toBe(withoutId(added.route(d[i])));
}

describe('Fib.load of a route list against Fib.add route by route', () => {
  // 6000 routes take the bulk way (the lookup structure rebuilt once), 500 the piecewise one
  it.each([6000, 500])('%i routes: same routes, same lookups, then the same after adds and removes', async (count) => {
    const random = new Random(count);
    const routes = randomRoutes(random, count);
    const listed = await Fib.create();
    const added = await Fib.create();
    // a table that had routes removed, so that freed ids are taken first
    const earlier = randomRoutes(new Random(count + 1), 300);
    listed.load(listOf(earlier));
    for (const r of earlier) added.add(prefixText(r.prefix), r.attributes);
    for (const r of earlier.slice(0, 150)) {
      listed.remove(prefixText(r.prefix));
      added.remove(prefixText(r.prefix));
    }

    const result = listed.load(listOf(routes));
    let before = added.stats().ipv4Routes + added.stats().ipv6Routes;
    let duplicates = 0;
    for (const r of routes) {
      added.add(prefixText(r.prefix), r.attributes);
      const after = added.stats().ipv4Routes + added.stats().ipv6Routes;
      if (after === before) duplicates++;
      before = after;
    }
    expect(result.duplicates).toBe(duplicates);
    expect(result.added).toBe(routes.length - duplicates);
    expect(duplicates).toBeGreaterThan(0);
    const prefixes = [...routes, ...earlier].map((r) => r.prefix);
    sameTables(listed, added, random, prefixes);

    // later changes behave the same on both
    for (const r of routes.slice(0, count / 5)) {
      expect(listed.remove(prefixText(r.prefix))).toBe(added.remove(prefixText(r.prefix)));
    }
    const more = randomRoutes(new Random(count + 2), 400);
    listed.load(listOf(more));
    for (const r of more) added.add(prefixText(r.prefix), r.attributes);
    for (const r of more.slice(0, 50)) {
      listed.replace(prefixText(r.prefix), { nextHop: '198.51.100.1', metric: r.attributes.metric });
      added.replace(prefixText(r.prefix), { nextHop: '198.51.100.1', metric: r.attributes.metric });
    }
    sameTables(listed, added, random, [...prefixes, ...more.map((r) => r.prefix)]);
  });
});

describe('Fib.load of plain text (scanned and inserted in WebAssembly) against Fib.add route by route', () => {
  it.each([6000, 500])('%i lines with repeats: the same duplicates counted, routes and lookups', async (count) => {
    const random = new Random(count + 7);
    const unicast = randomRoutes(random, count).filter((r) => r.attributes.type === 'unicast' && r.attributes.nextHops === undefined);
    // some lines again, far from the first time
    const routes = [...unicast, ...unicast.slice(0, 20)];
    const lines = routes.map((r) => `${prefixText(r.prefix)} ${r.attributes.nextHop ?? '-'} ${r.attributes.dev ?? '-'} ${r.attributes.metric}`);
    const loaded = await Fib.create();
    const added = await Fib.create();
    // freed ids first, as for a list
    loaded.load('10.0.0.0/8 192.0.2.1\n10.1.0.0/16 192.0.2.1\n');
    loaded.remove('10.0.0.0/8');
    added.add('10.1.0.0/16', { nextHop: '192.0.2.1' });
    const result = loaded.load(lines.join('\n'), { format: 'plain' });
    let duplicates = 0;
    for (const r of routes) {
      const before = added.stats().ipv4Routes + added.stats().ipv6Routes;
      added.add(prefixText(r.prefix), { nextHop: r.attributes.nextHop, dev: r.attributes.dev, metric: r.attributes.metric });
      if (added.stats().ipv4Routes + added.stats().ipv6Routes === before) duplicates++;
    }
    expect(duplicates).toBeGreaterThan(0);
    expect(result.duplicates).toBe(duplicates);
    expect(result.added).toBe(routes.length - duplicates);
    expect(result.ipv4 + result.ipv6).toBe(result.added);
    const withoutBgp = (fib: Fib) => [...fib.routes()].map((route) => withoutId({ ...route, asPath: undefined, originAs: undefined, originAsSet: undefined, communities: undefined } as Route)).sort();
    expect(withoutBgp(loaded)).toEqual(withoutBgp(added));
    sameTables(loaded, added, random, routes.map((r) => r.prefix));
  });
});
