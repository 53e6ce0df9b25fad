// The live table (LiveRoutes) taking a full BGP table: `npm run bench -- live`, or on its own
// `node --expose-gc build/bench/live-routes.js [--real]`.
//
// A full table of 1M IPv4 + 250k IPv6 prefixes (seeded, the global table's length mix; with
// --real, the tier-1 table of ../shared/data) arrives from peer A as UPDATEs of 100-400 prefixes
// sharing one PathAttributes each, as a BGP session delivers it; then the same table from peer B
// (lower LOCAL_PREF: no Fib change), A's session ends (B's paths take over every prefix), and B's
// ends (the table is empty). For comparison, the same routes straight into a Fib by fib.replace,
// which is where most of the time goes. Inputs are made before the clock starts.
import { Fib, LiveRoutes } from 'fibscope';
import type { Figure } from './fib.js';
import { seeded, sharedRoutes, syntheticTable } from './tables.js';

const MB = 1 << 20;

interface Table { name: string; v4: string[]; v6: string[] }

function realTable(): Table | undefined {
  const text = sharedRoutes('tier1-2024.txt.gz');
  if (text === undefined) return undefined;
  const lines = text.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('#'));
  return { name: 'tier-1 2024', v4: lines.filter((line) => !line.includes(':')), v6: lines.filter((line) => line.includes(':')) };
}

function syntheticFullTable(): Table {
  const lines = syntheticTable(1_000_000, 250_000, 11).split('\n').filter((line) => line !== '');
  return { name: 'synthetic', v4: lines.filter((line) => !line.includes(':')), v6: lines.filter((line) => line.includes(':')) };
}

/** One peer's table as the UPDATEs of a session: 100-400 prefixes per PathAttributes. */
function updatesOf(table: Table, nextHop4: string, nextHop6: string, localPref: number, seed: number) {
  const random = seeded(seed);
  const changes: { family: 4 | 6; withdrawn: string[]; announced: string[]; attributes: object }[] = [];
  for (const [family, prefixes, nextHop] of [[4, table.v4, nextHop4], [6, table.v6, nextHop6]] as const) {
    for (let start = 0; start < prefixes.length;) {
      const count = 100 + (random() % 301);
      const origin = 64496 + (random() % 50000);
      const transit = [3356, 1299, 174, 2914][random() % 4];
      changes.push({
        family,
        withdrawn: [],
        announced: prefixes.slice(start, start + count),
        attributes: {
          origin: 0, asPath: `${transit} ${origin}`, asPathLength: 2, neighborAs: transit, nextHop, localPref,
          communities: [`${transit}:${random() % 1000}`], largeCommunities: [`${transit}:1:${random() % 100}`],
        },
      });
      start += count;
    }
  }
  return changes;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const rss = () => { gc(); return process.memoryUsage().rss; };

/** Wall time, ms; the process's CPU time (all threads, the garbage collector's included) goes in `cpu`. */
let lastCpuMs = 0;
function timed(fn: () => void): number {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  lastCpuMs = (used.user + used.system) / 1000;
  return ms;
}

/** The same routes straight into a Fib by fib.replace, with and without BGP attributes. */
async function fibAlone(fromA: ReturnType<typeof updatesOf>, routes: number, figure: (name: string, ms: number, count: number) => void): Promise<void> {
  const bare = await Fib.create();
  const attributesOf = (change: (typeof fromA)[number]) => {
    const a = change.attributes as { nextHop: string; asPath: string; localPref: number; communities: string[]; largeCommunities: string[] };
    return { nextHop: a.nextHop, metric: 20, asPath: a.asPath, localPref: a.localPref, communities: [...a.communities, ...a.largeCommunities], source: 'bgp 192.0.2.1' };
  };
  const replaceAlone = timed(() => {
    for (const change of fromA) {
      const attributes = attributesOf(change);
      for (const prefix of change.announced) bare.replace(prefix, attributes);
    }
  });
  figure('fib.replace alone, full table', replaceAlone, routes);
  const plain = await Fib.create();
  const plainAlone = timed(() => {
    const fib = plain;
    for (const change of fromA) {
      const attributes = { nextHop: (change.attributes as { nextHop: string }).nextHop, metric: 21 };
      for (const prefix of change.announced) fib.replace(prefix, attributes);
    }
  });
  figure('fib.replace alone, without BGP attributes', plainAlone, routes);
}

export async function liveRoutesBenchmarks(log: (line: string) => void, real = false): Promise<Figure[]> {
  const table = (real ? realTable() : undefined) ?? syntheticFullTable();
  const routes = table.v4.length + table.v6.length;
  log(`live routes: ${table.name} table, ${table.v4.length} IPv4 + ${table.v6.length} IPv6 prefixes`);
  const fromA = updatesOf(table, '192.0.2.1', '2001:db8::1', 100, 1);
  const fromB = updatesOf(table, '192.0.2.2', '2001:db8::2', 90, 2);
  const figures: Figure[] = [];
  // the CPU time too: on a busy machine the wall time says more about the neighbours
  const figure = (name: string, ms: number, count: number) => {
    const note = `${Math.round(count / (ms / 1000)).toLocaleString('en')} routes/s, CPU ${Math.round(lastCpuMs)} ms`;
    figures.push({ name: `live routes: ${name}`, value: ms, unit: 'ms', note });
    log(`  ${name}: ${Math.round(ms)} ms, ${note}`);
  };

  // apart, so that its Fib is garbage before the live table is measured
  await fibAlone(fromA, routes, figure);

  const before = rss();
  const fib = await Fib.create();
  const live = new LiveRoutes(fib);
  const peer = (n: number) => ({ id: `bgp 192.0.2.${n}`, kind: 'bgp' as const, address: `192.0.2.${n}`, as: 64500 + n, routerId: `10.0.0.${n}`, internal: false });
  live.peerUp(peer(1));
  live.peerUp(peer(2));
  const v4Changes = fromA.filter((change) => change.family === 4);
  const v4Count = table.v4.length;
  figure('peer A: IPv4 table through update()', timed(() => { for (const change of v4Changes) live.update('bgp 192.0.2.1', [change as never]); }), v4Count);
  figure('peer A: IPv6 table through update()', timed(() => {
    for (const change of fromA) if (change.family === 6) live.update('bgp 192.0.2.1', [change as never]);
  }), routes - v4Count);
  const memory = () => `RSS ${Math.round(rss() / MB)} MiB (before the table: ${Math.round(before / MB)} MiB), `
    + `JS heap ${Math.round(process.memoryUsage().heapUsed / MB)} MiB, Fib WebAssembly memory ${Math.round(fib.stats().memoryBytes / MB)} MiB`;
  log(`  one full feed: ${memory()}`);
  figure('peer A: the same UPDATEs again (nothing changes)', timed(() => { for (const change of fromA) live.update('bgp 192.0.2.1', [change as never]); }), routes);
  figure('peer B: the same table, worse (no Fib change)', timed(() => { for (const change of fromB) live.update('bgp 192.0.2.2', [change as never]); }), routes);
  log(`  two full feeds: ${memory()}`);
  figure('peer A down: peer B takes over every prefix', timed(() => live.peerDown('bgp 192.0.2.1', 'bench')), routes);
  figure('peer B down: the table empties', timed(() => live.peerDown('bgp 192.0.2.2', 'bench')), routes);
  if (fib.stats().ipv4Routes + fib.stats().ipv6Routes !== 0) throw new Error('the table should be empty once both peers are down');
  return figures;
}

if (process.argv[1]?.endsWith('live-routes.js')) {
  await liveRoutesBenchmarks((line) => process.stderr.write(`${line}\n`), process.argv.includes('--real'));
}
