// Batch lookups against DPDK (issue 11): fibscope's lookup4/lookup6 against rte_fib (DIR24_8) and
// rte_fib6 (TRIE) bulk lookups on the full table, the same seeded addresses inside routed prefixes,
// alternated A B A B in the same run. DPDK's side is bench/dpdk-lookup.c, built here with gcc and
// pkg-config libdpdk (Debian: dpdk-dev), kept running between rounds so its EAL start and table
// build are paid once. Skipped with a message when DPDK or gcc is not there.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Fib, parseIPv6 } from 'fibscope';
import type { Figure } from './fib.js';
import { seeded } from './tables.js';
import { median, ratioRange } from './median.js';

const DRIVER_SOURCE = fileURLToPath(new URL('../../bench/dpdk-lookup.c', import.meta.url));
const V4_COUNT = 1 << 20;
const V6_COUNT = 1 << 18;
/** Passes over the addresses per timing: about 0.1 s each side at the speeds seen here. */
const V4_PASSES = 4;
const V6_PASSES = 8;
const ROUNDS = 7;
/** Addresses whose routes both sides must agree on (route ids mapped to prefixes). */
const CHECKED = 20_000;

interface Timing { wall: number; cpu: number }

/** The table's prefixes per family, in file order: DPDK's next hop n is the n-th of its family. */
function tablePrefixes(text: string): { v4: string[]; v6: string[] } {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const line of text.split('\n')) {
    const prefix = line.trim();
    if (!prefix.includes('/')) continue;
    (prefix.includes(':') ? v6 : v4).push(prefix);
  }
  return { v4, v6 };
}

/** Addresses inside random prefixes of the table, host bits random: the traffic a router sees. */
function routedV4(prefixes: string[], count: number, random: () => number): Uint32Array {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const [address, lengthText] = prefixes[random() % prefixes.length].split('/');
    const length = Number(lengthText);
    const base = address.split('.').reduce((value, part) => value * 256 + Number(part), 0);
    out[i] = length === 32 ? base : (base | (random() & (0xffffffff >>> length))) >>> 0;
  }
  return out;
}

function routedV6(prefixes: string[], count: number, random: () => number): Uint8Array {
  const out = new Uint8Array(count * 16);
  const scratch = new Uint8Array(16);
  for (let i = 0; i < count; i++) {
    const [address, lengthText] = prefixes[random() % prefixes.length].split('/');
    if (!parseIPv6(address, scratch, 0)) throw new Error(`bad IPv6 prefix in the table: ${address}`);
    for (let b = 0; b < 16; b++) {
      const keep = Number(lengthText) - b * 8;
      const mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (0xff << (8 - keep)) & 0xff;
      out[i * 16 + b] = (scratch[b] & mask) | (random() & ~mask & 0xff);
    }
  }
  return out;
}

/** The DPDK driver, running; `ask` sends one command and waits for its one-line answer. */
async function startDriver(bin: string, args: string[]) {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const line = await lines.next();
    if (line.done) throw new Error(`dpdk-lookup stopped: ${stderr.trim()}`);
    return line.value;
  };
  const ready = await next();
  return {
    ready,
    ask: async (command: string) => { child.stdin.write(`${command}\n`); return next(); },
    stop: () => { child.stdin.end(); },
  };
}

function timed(fn: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/**
 * `table` is the full table as plain text (one CIDR a line); `dir` a scratch directory.
 * Figures: fibscope's lookups/s over DPDK's, per family (target ≥ 0.66× rte_fib, ≥ 0.85× rte_fib6).
 */
export async function dpdkBenchmarks(log: (line: string) => void, dir: string, table: string, tableText: string): Promise<Figure[]> {
  if (spawnSync('pkg-config', ['--exists', 'libdpdk']).status !== 0) {
    log('dpdk: skipped, no libdpdk for pkg-config (Debian: apt-get install dpdk-dev)');
    return [];
  }
  const bin = join(dir, 'dpdk-lookup');
  const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'libdpdk'], { encoding: 'utf8' }).stdout.trim().split(/\s+/);
  const built = spawnSync('gcc', ['-O2', '-o', bin, DRIVER_SOURCE, ...flags], { encoding: 'utf8' });
  if (built.status !== 0) {
    log(`dpdk: skipped, bench/dpdk-lookup.c does not build: ${built.error?.message ?? built.stderr}`);
    return [];
  }

  const prefixes = tablePrefixes(tableText);
  const random = seeded(11);
  const v4 = routedV4(prefixes.v4, V4_COUNT, random);
  const v6 = routedV6(prefixes.v6, V6_COUNT, random);
  writeFileSync(join(dir, 'v4.bin'), new Uint8Array(v4.buffer));
  writeFileSync(join(dir, 'v6.bin'), v6);

  const fib = await Fib.create();
  fib.load(tableText, { format: 'plain' });
  const driver = await startDriver(bin, [table, join(dir, 'v4.bin'), join(dir, 'v6.bin')]);
  const figures: Figure[] = [];
  try {
    log(`dpdk: ${driver.ready} (rte_fib DIR24_8 + rte_fib6 TRIE, EAL --no-huge)`);
    const out4 = new Int32Array(V4_COUNT);
    const out6 = new Int32Array(V6_COUNT);

    // the same routes on a sample: DPDK's next hop n is the n-th prefix of its family, fibscope's id a route
    const sameRoutes = async (family: 4 | 6, ids: Int32Array, list: string[]) => {
      const hops = (await driver.ask(`n${family} ${CHECKED}`)).split(' ').map(Number);
      let differ = 0;
      hops.forEach((hop, i) => {
        const ours = ids[i] < 0 ? undefined : fib.route(ids[i])?.prefix;
        const theirs = hop === 0 ? undefined : list[hop - 1];
        if (ours !== theirs) differ++;
      });
      log(`dpdk: IPv${family}: ${differ} of ${hops.length} sampled addresses get a different route`);
      if (differ > 0) throw new Error(`fibscope and DPDK disagree on IPv${family} routes`);
    };
    await sameRoutes(4, fib.lookup4(v4, out4), prefixes.v4);
    await sameRoutes(6, fib.lookup6(v6, out6), prefixes.v6);

    const dpdkPasses = async (family: 4 | 6, passes: number): Promise<Timing> => {
      const [wall, cpu] = (await driver.ask(`${family} ${passes}`)).split(' ').map(Number);
      return { wall: wall / 1e6, cpu: cpu / 1e6 };
    };
    const compare = async (family: 4 | 6, ours: () => void, passes: number, count: number, target: number, peerName: string) => {
      // warm both: ours for half a second, the steady state of a table in use (a large table
      // moves to its large direct array after 2^24 lookups: assembly/fib/direct-tier.ts)
      const warming = performance.now();
      while (performance.now() - warming < 500) ours();
      await dpdkPasses(family, 1);
      const a: Timing[] = [];
      const b: Timing[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        a.push(timed(() => { for (let p = 0; p < passes; p++) ours(); }));
        b.push(await dpdkPasses(family, passes));
      }
      const rate = (list: Timing[], key: keyof Timing) => (passes * count) / median(list.map((t) => t[key])) / 1e3;
      const [ourRate, peerRate] = [rate(a, 'wall'), rate(b, 'wall')];
      const cpuRatio = rate(a, 'cpu') / rate(b, 'cpu');
      // each round's ratio: the same passes both sides, so the rates' ratio is DPDK's time over ours
      const turns = a.map((t, i) => b[i].wall / t.wall);
      figures.push({
        name: `lookup${family} batch vs ${peerName}, full table, addresses inside routed prefixes`,
        value: ourRate, unit: 'M lookups/s', peer: peerRate, peerName,
        note: `${(ourRate / peerRate).toFixed(2)}× elapsed (turns ${ratioRange(turns)}), `
          + `${cpuRatio.toFixed(2)}× processor time `
          + `(${rate(a, 'cpu').toFixed(1)} vs ${rate(b, 'cpu').toFixed(1)} M/s; target ≥ ${target}×)`,
      });
      log(`dpdk: IPv${family}: fibscope ${ourRate.toFixed(1)} M/s, ${peerName} ${peerRate.toFixed(1)} M/s elapsed `
        + `(${(ourRate / peerRate).toFixed(2)}×); processor time ${cpuRatio.toFixed(2)}×`);
    };
    await compare(4, () => fib.lookup4(v4, out4), V4_PASSES, V4_COUNT, 0.66, 'rte_fib');
    // again on the form the table has after all those lookups (its 24-bit direct array); IPv6 too, below
    log(`dpdk: IPv4 lookup structure now ${(fib.stats().ipv4LookupBytes / 2 ** 20).toFixed(1)} MiB`);
    await sameRoutes(4, fib.lookup4(v4, out4), prefixes.v4);
    await compare(6, () => fib.lookup6(v6, out6), V6_PASSES, V6_COUNT, 0.85, 'rte_fib6');
    log(`dpdk: IPv6 lookup structure now ${(fib.stats().ipv6LookupBytes / 2 ** 20).toFixed(1)} MiB`);
    await sameRoutes(6, fib.lookup6(v6, out6), prefixes.v6);
  } finally {
    driver.stop();
  }
  return figures;
}
