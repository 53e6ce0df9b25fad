// The routing-table benchmarks of issue 2: bulk lookups, single lookups, loading and updates,
// with longest-prefix-match (npm) measured in the same run as the peer.
import { Bench } from 'tinybench';
import LongestPrefixMatch from 'longest-prefix-match';
import { Fib, parseIPv6 } from 'fibscope';
import { pickV4Length, seeded, sharedRoutes, syntheticTable } from './tables.js';
import { median } from './median.js';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The same figure for the peer, when one was measured, and what the peer is. */
  peer?: number;
  peerName?: string;
  note?: string;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

interface Prefix4 { addr: number; length: number }

function parseV4Lines(text: string): Prefix4[] {
  const out: Prefix4[] = [];
  for (const line of text.split('\n')) {
    const slash = line.indexOf('/');
    if (slash < 0 || line.includes(':')) continue;
    const [a, b, c, d] = line.slice(0, slash).split('.').map(Number);
    out.push({ addr: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, length: Number(line.slice(slash + 1)) });
  }
  return out;
}

function v6Lines(text: string): string[] {
  return text.split('\n').filter((line) => line.includes(':') && line.includes('/'));
}

function ipv4Text(addr: number): string {
  return `${addr >>> 24}.${(addr >>> 16) & 255}.${(addr >>> 8) & 255}.${addr & 255}`;
}

/** Addresses inside random prefixes of the table (the traffic a router actually sees). */
function routedAddresses(prefixes: Prefix4[], count: number, random: () => number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const p = prefixes[random() % prefixes.length];
    const host = p.length === 32 ? 0 : random() & (0xffffffff >>> p.length);
    out[i] = (p.addr | host) >>> 0;
  }
  return out;
}

async function lookupRate(name: string, fn: () => void, perCall: number): Promise<number> {
  const bench = new Bench({ time: 1500, warmupTime: 300 });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0].result as { latency?: { p50: number } };
  if (!result.latency) throw new Error(`benchmark ${name} failed`);
  return perCall / (result.latency.p50 / 1000);
}

export async function fibBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const real = sharedRoutes('tier1-2024.txt.gz');
  const tableName = real ? 'tier1-2024 (901,899 IPv4 + 160,147 IPv6)' : 'synthetic (900,000 IPv4 + 160,000 IPv6)';
  const text = real ?? syntheticTable(900_000, 160_000);
  log(`table: ${tableName}`);
  const v4Prefixes = parseV4Lines(text);
  const v4Text = v4Prefixes.map((p) => `${ipv4Text(p.addr)}/${p.length}`).join('\n');

  // --- loading: text to ready, fresh table each time
  const loadTimes: number[] = [];
  let fib = await Fib.create();
  for (let run = 0; run < 5; run++) {
    fib = await Fib.create();
    loadTimes.push(time(() => fib.load(v4Text, { format: 'plain', source: 'tier1-v4' })));
  }
  const lpm = new LongestPrefixMatch();
  const peerLoad = time(() => {
    for (const p of v4Prefixes) lpm.addPrefix(`${ipv4Text(p.addr)}/${p.length}`, p);
  });
  figures.push({ name: `load ${v4Prefixes.length} IPv4 prefixes from text`, value: median(loadTimes), unit: 'ms', peer: peerLoad, peerName: 'longest-prefix-match' });
  figures.push({ name: 'IPv4 lookup structure', value: fib.stats().ipv4LookupBytes / 2 ** 20, unit: 'MiB' });
  log(`loaded in ${median(loadTimes).toFixed(0)} ms (peer ${peerLoad.toFixed(0)} ms)`);

  // --- batch lookups
  const random = seeded(42);
  const count = 1 << 20;
  const routed = routedAddresses(v4Prefixes, count, random);
  const uniform = new Uint32Array(count).map(() => random());
  const out = new Int32Array(count);
  const missRate = (ids: Int32Array) => ids.reduce((n, id) => n + (id < 0 ? 1 : 0), 0) / ids.length;
  const routedRate = await lookupRate('lookup4 routed', () => fib.lookup4(routed, out), count);
  figures.push({ name: 'lookup4 batch, addresses inside routed prefixes', value: routedRate / 1e6, unit: 'M lookups/s', note: `miss ${(missRate(fib.lookup4(routed)) * 100).toFixed(1)}%` });
  const uniformRate = await lookupRate('lookup4 uniform', () => fib.lookup4(uniform, out), count);
  figures.push({ name: 'lookup4 batch, uniformly random addresses', value: uniformRate / 1e6, unit: 'M lookups/s', note: `miss ${(missRate(fib.lookup4(uniform)) * 100).toFixed(1)}%` });

  // --- single lookups from text, against the peer on the same addresses
  const strings = Array.from(routed.subarray(0, 20_000), ipv4Text);
  const peerStrings = strings.map((s) => `${s}/32`);
  let sink = 0;
  const singleRate = await lookupRate('lookup(text)', () => {
    for (const s of strings) sink += fib.lookup(s)?.id ?? 0;
  }, strings.length);
  const peerRate = await lookupRate('peer getMatch', () => {
    for (const s of peerStrings) sink += lpm.getMatch(s).length;
  }, strings.length);
  figures.push({ name: "fib.lookup('a.b.c.d')", value: singleRate / 1e6, unit: 'M lookups/s', peer: peerRate / 1e6, peerName: 'longest-prefix-match' });

  // --- IPv6
  const v6Count = 1 << 18;
  const v6Fib = await Fib.create();
  const v6 = v6Lines(text);
  v6Fib.load(v6.join('\n'), { format: 'plain' });
  const v6Addresses = new Uint8Array(v6Count * 16);
  {
    // addresses inside routed prefixes: a route's prefix with random host bits
    const routes = [...v6Fib.routes()];
    const scratch = new Uint8Array(16);
    for (let i = 0; i < v6Count; i++) {
      const route = routes[random() % routes.length];
      const [address, length] = route.prefix.split('/');
      parseInto(address, scratch);
      for (let b = 0; b < 16; b++) {
        const keep = Number(length) - b * 8;
        const mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (0xff << (8 - keep)) & 0xff;
        v6Addresses[i * 16 + b] = (scratch[b] & mask) | (random() & ~mask & 0xff);
      }
    }
  }
  const v6Out = new Int32Array(v6Count);
  const v6Rate = await lookupRate('lookup6 routed', () => v6Fib.lookup6(v6Addresses, v6Out), v6Count);
  figures.push({ name: `lookup6 batch, ${v6.length} prefixes, addresses inside routed prefixes`, value: v6Rate / 1e6, unit: 'M lookups/s', note: `miss ${(missRate(v6Fib.lookup6(v6Addresses)) * 100).toFixed(1)}%` });
  figures.push({ name: 'IPv6 lookup structure', value: v6Fib.stats().ipv6LookupBytes / 2 ** 20, unit: 'MiB' });

  figures.push(...updateBenchmarks(fib, v4Prefixes, log));
  const wrong = await compareWithFreshTable(fib, routed);
  log(`after the updates: ${wrong} of ${routed.length} lookups differ from a table built afresh`);
  if (wrong > 0) throw new Error('the table went wrong during the update benchmark');
  if (sink === -1) log('');
  return figures;
}

function parseInto(text: string, out: Uint8Array): void {
  if (!parseIPv6(text, out, 0)) throw new Error(`bad IPv6 address ${text}`);
}

/** Route changes on a full table: the LINX update trace, then a synthetic million. */
function updateBenchmarks(fib: Fib, v4Prefixes: Prefix4[], log: (line: string) => void): Figure[] {
  const figures: Figure[] = [];
  const trace = sharedRoutes('linx-2014-v4-updates.txt.gz');
  if (trace) {
    const ops = trace.split('\n').filter(Boolean).map((line) => line.split(' '));
    const rates: number[] = [];
    for (let run = 0; run < 5; run++) {
      const ms = time(() => {
        for (const [, op, prefix, nextHop] of ops) {
          if (op === 'a') fib.replace(prefix, { nextHop });
          else fib.remove(prefix);
        }
      });
      rates.push(ops.length / (ms / 1000));
    }
    figures.push({ name: `replay linx-2014-v4-updates (${ops.length} changes) on the full table`, value: median(rates) / 1e6, unit: 'M changes/s' });
  } else {
    log('linx-2014-v4-updates.txt.gz not found: trace replay skipped');
  }

  // a million changes: adds of new prefixes, each removed 1,000 changes later; first with the
  // global table's length mix, then the worst case of host-route-deep more-specifics
  const random = seeded(99);
  const bgpLike: string[] = [];
  for (let i = 0; i < 500_000; i++) {
    const length = pickV4Length(random);
    bgpLike.push(`${ipv4Text((random() & (0xffffffff << (32 - length))) >>> 0)}/${length}`);
  }
  const moreSpecifics: string[] = [];
  for (let i = 0; i < 500_000; i++) {
    const p = v4Prefixes[random() % v4Prefixes.length];
    const length = Math.min(32, Math.max(p.length + 1, 25 + (random() % 8)));
    const addr = (p.addr | (random() & (0xffffffff >>> p.length))) & (0xffffffff << (32 - length));
    moreSpecifics.push(`${ipv4Text(addr >>> 0)}/${length}`);
  }
  let ms = 0;
  for (const [label, stream] of [['global-table length mix', bgpLike], ['/25–/32 more-specifics of routed prefixes', moreSpecifics]] as const) {
    ms = time(() => {
      for (let i = 0; i < stream.length; i++) {
        fib.add(stream[i], { nextHop: 'bench' });
        if (i >= 1000) fib.remove(stream[i - 1000]);
      }
      for (let i = stream.length - 1000; i < stream.length; i++) fib.remove(stream[i]);
    });
    figures.push({ name: `1,000,000 adds and removes on the full table, ${label}`, value: 1_000_000 / (ms / 1000) / 1e6, unit: 'M changes/s' });
  }
  log(`updates done in ${ms.toFixed(0)} ms`);
  return figures;
}

/** Builds a new table from `fib`'s routes and counts addresses whose answers differ. */
async function compareWithFreshTable(fib: Fib, addresses: Uint32Array): Promise<number> {
  const fresh = await Fib.create();
  for (const route of fib.routes()) fresh.add(route.prefix, route);
  const a = fib.lookup4(addresses);
  const b = fresh.lookup4(addresses);
  let wrong = 0;
  for (let i = 0; i < addresses.length; i++) {
    const x = fib.route(a[i]);
    const y = fresh.route(b[i]);
    if (x?.prefix !== y?.prefix || x?.nextHop !== y?.nextHop) wrong++;
  }
  return wrong;
}
