import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import {
  Fib, FibscopeError, parseRoutes, type LoadResult, type RouteFormat,
} from '../src/node.js';
import { Random } from './helpers/random.js';
import { routesText, routeText } from './helpers/route-texts.js';

// Mutated routes tables of every format (byte flips, cuts, insertions, duplicated and dropped
// lines, NULs, byte order marks, huge numbers, deep nesting, splices of two formats) loaded into
// a table: only FibscopeErrors may come out, a load that throws leaves the table as it was, and
// whatever the load does (WebAssembly's plain scanner for plain text, the JavaScript parsers for
// the rest) is what the JavaScript parser's reading of the same bytes gives.

const DATA = fileURLToPath(new URL('../../shared/data/routes/', import.meta.url));
const SHARED = existsSync(`${DATA}tier1-2024.txt.gz`) && existsSync(`${DATA}routeviews-2016-v4.pfx2as.gz`)
  && existsSync(`${DATA}linx-2014-v6.txt.gz`) && existsSync(`${DATA}linx-2014-v4-updates.txt.gz`);

interface Seed {
  format: RouteFormat;
  text: string;
  from: string;
}

function lines(name: string): string[] {
  const bytes = readFileSync(DATA + name);
  return new TextDecoder().decode(name.endsWith('.gz') ? gunzipSync(bytes) : bytes).split('\n').filter((l) => l !== '');
}

/** `count` lines of `all` from a random place. */
function slice<T>(random: Random, all: T[], count: number): T[] {
  const start = random.below(Math.max(1, all.length - count));
  return all.slice(start, start + count);
}

/**
 * Real tables: slices of the shared files as they are (plain, pfx2as), and their prefixes and
 * next hops written as `ip route`, `ip -j route` and `bgpdump -m` print them (there is no real
 * table in those formats among the shared files; the LINX update trace becomes BGP4MP lines).
 */
function sharedSeeds(random: Random): Seed[] {
  const tier1 = lines('tier1-2024.txt.gz');
  const linx6 = lines('linx-2014-v6.txt.gz').map((l) => l.split(/\s+/));
  const updates = lines('linx-2014-v4-updates.txt.gz').map((l) => l.split(' ')).filter((f) => f[1] === 'a');
  const pfx4 = lines('routeviews-2016-v4.pfx2as.gz');
  const pfx6 = lines('routeviews-2016-v6.pfx2as.gz');
  const seeds: Seed[] = [{ format: 'plain', text: readFileSync(`${DATA}sample.routes`, 'utf8'), from: 'sample.routes' }];
  for (let n = 0; n < 4; n++) {
    seeds.push({ format: 'plain', text: `${slice(random, tier1, 400).join('\n')}\n`, from: 'tier1-2024' });
    seeds.push({ format: 'plain', text: `${slice(random, linx6, 150).map((f) => f.join(' ')).join('\n')}\n`, from: 'linx-2014-v6' });
    seeds.push({ format: 'pfx2as', text: `${slice(random, pfx4, 400).join('\n')}\n`, from: 'routeviews-2016-v4' });
    seeds.push({ format: 'pfx2as', text: `${slice(random, pfx6, 250).join('\n')}\n`, from: 'routeviews-2016-v6' });
    const routes = [...slice(random, tier1, 100).map((p) => [p, `192.0.2.${random.below(250) + 1}`]), ...slice(random, linx6, 40)];
    seeds.push({ format: 'ip', text: ipText(random, routes), from: 'tier1-2024 + linx-2014-v6 as ip route' });
    seeds.push({ format: 'ip-json', text: ipJsonText(random, routes), from: 'tier1-2024 + linx-2014-v6 as ip -j route' });
    seeds.push({
      format: 'bgpdump',
      text: `${slice(random, updates, 120).map(([time, , prefix, hop]) => `BGP4MP|${time}|A|195.66.224.1|65000|${prefix}|65000 ${random.below(65000)}|IGP|${hop}|0|${random.below(100)}||NAG||`).join('\n')}\n`,
      from: 'linx-2014-v4-updates as bgpdump',
    });
    seeds.push({
      format: 'bgpdump',
      text: `${slice(random, tier1, 120).map((p) => `TABLE_DUMP2|1454371200|B|195.66.224.175|13030|${p}|13030 ${random.below(65000)}|IGP|195.66.224.175|0|0||NAG||`).join('\n')}\n`,
      from: 'tier1-2024 as bgpdump',
    });
  }
  return seeds;
}

/** The generated tables of test/helpers/route-texts.ts, when the shared data is absent. */
function generatedSeeds(random: Random): Seed[] {
  const formats: RouteFormat[] = ['plain', 'ip', 'ip-json', 'pfx2as', 'bgpdump'];
  const seeds = formats.map((format) => ({ format, text: routeText(format, 300), from: `generated ${format}` }));
  const routes = Array.from({ length: 80 }, (_, i) => [i % 4 === 3 ? `2001:db8:${i}::/48` : `10.${i}.0.0/16`, i % 4 === 3 ? '2001:db8::1' : '192.0.2.1']);
  seeds.push({ format: 'ip', text: ipText(random, routes), from: 'generated ip (multipath)' });
  seeds.push({ format: 'ip-json', text: ipJsonText(random, routes), from: 'generated ip-json (multipath)' });
  return seeds;
}

/** [prefix, next hop] pairs as `ip route` prints them, with multipath and blackhole routes among them. */
function ipText(random: Random, routes: string[][]): string {
  return `${routes.map(([prefix, hop], i) => {
    if (i % 17 === 5) return `blackhole ${prefix} proto static`;
    if (i % 13 === 7) return `${prefix} proto bgp metric ${i}\n\tnexthop via ${hop} dev eth0 weight 1\n\tnexthop via ${hop} dev eth1 weight ${1 + random.below(5)}`;
    return `${prefix} via ${hop} dev eth${i % 3} proto bgp metric ${random.below(1000)}`;
  }).join('\n')}\n`;
}

/** The same as `ip -j route` (compact) or `ip -j -p route` (pretty) prints it. */
function ipJsonText(random: Random, routes: string[][]): string {
  const entries = routes.map(([prefix, hop], i) => {
    if (i % 17 === 5) return { type: 'blackhole', dst: prefix, protocol: 'static', flags: [] };
    if (i % 13 === 7) {
      return { dst: prefix, protocol: 'bgp', metric: i, flags: [], nexthops: [
        { gateway: hop, dev: 'eth0', weight: 1, flags: [] }, { gateway: hop, dev: 'eth1', weight: 2, flags: [] }] };
    }
    if (i % 11 === 3 && !prefix.includes(':')) return { dst: prefix, via: { family: 'inet6', host: 'fe80::1' }, dev: 'eth2', flags: [] };
    return { dst: prefix, gateway: hop, dev: `eth${i % 3}`, protocol: 'bgp', metric: random.below(1000), flags: [] };
  });
  return `${random.below(2) ? JSON.stringify(entries, null, 2) : JSON.stringify(entries)}\n`;
}

const utf8 = new TextEncoder();
const TOKENS = [
  '/', '/33', '/129', '/-1', ':', '::', ':::', '.', ',', ',,', '#', '\n', '\r\n', '\t', ' ', '-', '"', '\\', '[', ']', '{', '}', '|', '||',
  'default', 'via', 'dev', 'metric', 'nexthop', 'weight', 'weight 0', 'proto', 'blackhole', 'prefix', 'PREFIX', 'A', 'W', 'STATE', 'TABLE_DUMP2|',
  '"dst":', '"dst": null', '"nexthops": [', '"nexthops": {}', '"metric":', '"weight": 1e9', '"via": {}', 'null', 'true', '[]', '{}',
  '99999999999999999999', '4294967296', '4294967295', '18446744073709551616', '1e309', '-0', '0x1f', '256', '1.5', 'NaN',
  '\0', '\0\0\0\0', '\x01', '\x7f', '\ufeff', '\ufffd', 'é', '网', '😀', '\u2028',
];
const RAW = [[0xff], [0x80], [0xc3], [0xe2, 0x82], [0xef, 0xbb, 0xbf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Where line starts are in `bytes` (0 included). */
function lineStarts(bytes: Uint8Array): number[] {
  const starts = [0];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) starts.push(i + 1);
  return starts;
}

/** A random place where a line starts or a field starts after a blank. */
function fieldStart(random: Random, bytes: Uint8Array): number {
  for (let tries = 0; tries < 20; tries++) {
    const at = random.below(bytes.length + 1);
    if (at === 0 || bytes[at - 1] === 10 || bytes[at - 1] === 32 || bytes[at - 1] === 9) return at;
  }
  return 0;
}

/** One mutation of `bytes`, and its name for the replay message. */
function mutateOnce(random: Random, bytes: Uint8Array, seeds: Seed[]): [Uint8Array, string] {
  const at = random.below(bytes.length + 1);
  const insert = (extra: Uint8Array, where = at) => concat(bytes.subarray(0, where), extra, bytes.subarray(where));
  switch (random.below(11)) {
    case 0: {
      const out = bytes.slice();
      for (let n = 1 + random.below(8); n > 0 && out.length > 0; n--) out[random.below(out.length)] ^= 1 << random.below(8);
      return [out, 'bit flips'];
    }
    case 1:
      return [bytes.subarray(0, at), `cut at ${at}`];
    case 2: {
      // a token, often where a line or a field starts
      const token = TOKENS[random.below(TOKENS.length)];
      const where = random.below(2) ? at : fieldStart(random, bytes);
      return [insert(utf8.encode(token), where), `${JSON.stringify(token)} inserted at ${where}`];
    }
    case 3: {
      const starts = lineStarts(bytes);
      const line = random.below(starts.length);
      const copy = bytes.subarray(starts[line], line + 1 < starts.length ? starts[line + 1] : bytes.length);
      const where = starts[random.below(starts.length)];
      return [insert(copy.length > 0 && copy[copy.length - 1] === 10 ? copy : concat(copy, Uint8Array.of(10)), where), `line ${line + 1} duplicated`];
    }
    case 4: {
      const starts = lineStarts(bytes);
      const line = random.below(starts.length);
      const end = line + 1 < starts.length ? starts[line + 1] : bytes.length;
      return [concat(bytes.subarray(0, starts[line]), bytes.subarray(end)), `line ${line + 1} dropped`];
    }
    case 5:
      return [insert(new Uint8Array(1 + random.below(4))), `NULs at ${at}`];
    case 6: {
      const raw = RAW[random.below(RAW.length)];
      const where = [0, at, fieldStart(random, bytes)][random.below(3)];
      return [insert(Uint8Array.from(raw), where), `bytes ${raw.map((b) => b.toString(16))} at ${where}`];
    }
    case 7: {
      // a number made huge
      const text = new TextDecoder().decode(bytes);
      const numbers = [...text.matchAll(/\d+/g)];
      if (numbers.length === 0) return [bytes, 'no number to grow'];
      const number = numbers[random.below(numbers.length)];
      const huge = ['99999999999999999999999', '4294967296', '340282366920938463463374607431768211456', '1e400', '9'.repeat(400)][random.below(5)];
      return [utf8.encode(text.slice(0, number.index) + huge + text.slice(number.index + number[0].length)), `number at ${number.index} made ${huge.slice(0, 24)}`];
    }
    case 8: {
      // deep nesting: closed or not, anywhere, or as a whole entry of a JSON array
      const depth = [20, 31, 40, 1000, 6000][random.below(5)];
      const open = '['.repeat(depth);
      const closed = open + ']'.repeat(depth);
      if (bytes[0] === 91 /* [ */ && random.below(2)) return [insert(utf8.encode(`${closed},`), 1), `an entry nested ${depth} deep`];
      const nesting = random.below(2) ? closed : random.below(2) ? open : `{"x":${closed}}`;
      return [insert(utf8.encode(nesting)), `nesting ${depth} deep at ${at}`];
    }
    case 9: {
      // a piece of another table, of any format
      const other = utf8.encode(seeds[random.below(seeds.length)].text);
      const from = random.below(other.length);
      return [insert(other.subarray(from, from + random.below(400))), `splice at ${at}`];
    }
    default: {
      const extra = random.bytes(1 + random.below(16));
      return [concat(bytes.subarray(0, at), extra, bytes.subarray(Math.min(bytes.length, at + extra.length))), `random bytes at ${at}`];
    }
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 without control characters other than blanks and without U+FFFD: what may load at all. */
function isText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return false;
  }
  return !/[\x00-\x08\x0e-\x1f\x7f\ufffd]/.test(text);
}

type Outcome = { result: LoadResult; routes: string[] } | { error: string };

/** A table holding a few routes of its own, to see that they stay as they were. */
async function baseFib(): Promise<Fib> {
  const fib = await Fib.create();
  fib.load('198.18.0.0/15 base eth9 1\n2001:db8:ffff::/48 base6\n', { format: 'plain' });
  return fib;
}

/** Back to the base routes, by removing what a load added. */
function reset(fib: Fib, base: string[]): void {
  const ids = [...fib.routes()].filter((r) => !(r.prefix === '198.18.0.0/15' || r.prefix === '2001:db8:ffff::/48')).map((r) => r.id);
  for (const id of ids) fib.removeRoute(id);
  expect(routesText(fib.routes())).toEqual(base);
}

it(`loads mutated tables of every format with FibscopeErrors only, all or nothing, as the JavaScript parser reads them (${SHARED ? 'real tables from ../shared/data' : 'generated tables: ../shared/data is absent'})`, async () => {
  const random = new Random(909);
  const seeds = SHARED ? sharedSeeds(random) : generatedSeeds(random);
  if (!SHARED) console.info('routes fuzz: ../shared/data/routes is absent; mutating generated tables instead');
  const fast = await baseFib();
  const reference = await baseFib();
  const base = routesText(fast.routes());
  const baseStats = fast.stats();
  const failures: string[] = [];
  const outcomes = { loaded: 0, refused: 0 };
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

  /** Runs `load`; an exception that is not a FibscopeError is a failure, one that is leaves `fib` as it was. */
  function outcomeOf(fib: Fib, load: () => LoadResult, what: string): Outcome {
    const stats = fib.stats();
    try {
      const result = load();
      const routes = routesText(fib.routes());
      reset(fib, base);
      return { result, routes };
    } catch (error) {
      if (!(error instanceof FibscopeError)) failures.push(`${what}: ${(error as Error)?.name}: ${(error as Error)?.message}`);
      const routes = routesText(fib.routes());
      if (routes.length !== base.length || routes.some((r, i) => r !== base[i])) failures.push(`${what}: a load that threw changed the routes`);
      expect(fib.stats(), what).toEqual(stats);
      return { error: (error as Error)?.message };
    }
  }

  const CASES = 3000;
  for (let n = 0; n < CASES; n++) {
    const seed = seeds[random.below(seeds.length)];
    let bytes: Uint8Array = utf8.encode(seed.text);
    const applied: string[] = [];
    for (let k = random.weighted([[1, 6], [2, 3], [3, 1]] as const); k > 0; k--) {
      const [mutated, name] = mutateOnce(random, bytes, seeds);
      bytes = mutated;
      applied.push(name);
    }
    const format = random.below(2) ? seed.format : 'auto';
    const what = `case ${n} (${seed.from}, format ${format}: ${applied.join('; ')})`;
    const options = { format, source: 'fuzz' } as const;

    const loaded = outcomeOf(fast, () => fast.load(bytes, options), `${what}, bytes`);
    // the JavaScript parser's reading of the same bytes, loaded as a list
    const read = outcomeOf(reference, () => reference.load(parseRoutes(decoder.decode(bytes), options)), `${what}, parsed`);
    if (JSON.stringify(loaded) !== JSON.stringify(read)) failures.push(`${what}: loading the bytes gave ${JSON.stringify(loaded).slice(0, 300)}, the parser's reading ${JSON.stringify(read).slice(0, 300)}`);
    if (n % 4 === 0) {
      const text = decoder.decode(bytes);
      const fromString = outcomeOf(fast, () => fast.load(text, options), `${what}, string`);
      if (JSON.stringify(fromString) !== JSON.stringify(read)) failures.push(`${what}: loading the string gave ${JSON.stringify(fromString).slice(0, 300)}, the parser's reading ${JSON.stringify(read).slice(0, 300)}`);
    }
    if (!('error' in loaded) && !isText(bytes)) failures.push(`${what}: bytes that are not text loaded`);
    if ('error' in read) outcomes.refused++;
    else outcomes.loaded++;
    if (failures.length >= 5) break;
  }
  expect(failures).toEqual([]);
  expect(fast.stats()).toMatchObject({ ipv4Routes: baseStats.ipv4Routes, ipv6Routes: baseStats.ipv6Routes });
  console.log(`routes fuzz: ${CASES} mutated tables from ${seeds.length} seeds: ${outcomes.loaded} loaded, ${outcomes.refused} refused`);
  // both outcomes are exercised often
  expect(outcomes.loaded).toBeGreaterThan(CASES / 10);
  expect(outcomes.refused).toBeGreaterThan(CASES / 10);
}, 60_000);
