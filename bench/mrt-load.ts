// `npm run bench -- mrt`: loading a full table from an MRT RIB dump (TABLE_DUMP_V2, one peer,
// written by ./mrt.ts) against loading the plain text of the same table, and the `bgpdump -m`
// text of it, in the same run: fresh table each time, medians of 6, each run in another order.
// The table is tier1-2024's IPv4 prefixes (a synthetic one without the shared data), each with a
// next hop of 16 and an AS path shared by 3 prefixes, as bench bgp's table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fib } from 'fibscope';
import type { Figure } from './fib.js';
import { ipv4Number, type MrtRoute, writeMrtRib } from './mrt.js';
import { seeded, sharedRoutes, syntheticTable } from './tables.js';
import { median } from './median.js';

/** Every order of the three loads once. */
const ORDERS = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] as const;
const RUNS = ORDERS.length;
const PREFIXES_PER_PATH = 3;
const TIMESTAMP = 1_767_225_600;
const PEER = { bgpId: ipv4Number('192.0.2.1'), address: ipv4Number('192.0.2.1'), as: 64999 };

const formatV4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

function tableRoutes(text: string): MrtRoute[] {
  const random = seeded(5);
  const routes: MrtRoute[] = [];
  const seen = new Set<string>();
  let asPath: number[] = [];
  for (const line of text.split('\n')) {
    const prefix = line.trim().split(/\s+/)[0];
    if (prefix === '' || prefix.includes(':') || seen.has(prefix)) continue;
    seen.add(prefix);
    const [addr, length] = prefix.split('/');
    if (routes.length % PREFIXES_PER_PATH === 0) asPath = [PEER.as, ...Array.from({ length: random() % 5 }, () => 1 + (random() % 70_000))];
    routes.push({ addr: ipv4Number(addr), length: Number(length), asPath, nextHop: ipv4Number('198.51.100.0') + (random() % 16) });
  }
  return routes;
}

/**
 * The table's three files as bytes, and its name and route count. A function of its own so that
 * the million route objects it makes are garbage before any load is timed: live, every collection
 * a load sets off (each growth of WebAssembly memory sets one off) would walk them.
 */
function tableFiles(dir: string): { tableName: string; count: number; mrt: Uint8Array; plain: Uint8Array; bgpdump: Uint8Array } {
  const real = sharedRoutes('tier1-2024.txt.gz');
  const routes = tableRoutes(real ?? syntheticTable(900_000, 0));
  const tableName = real ? `tier1-2024's ${routes.length} IPv4 prefixes` : `${routes.length} synthetic IPv4 prefixes`;
  const path = join(dir, 'rib.mrt');
  writeMrtRib(path, PEER, routes, TIMESTAMP);
  const encoder = new TextEncoder();
  return {
    tableName,
    count: routes.length,
    mrt: new Uint8Array(readFileSync(path)),
    plain: encoder.encode(routes.map((r) => `${formatV4(r.addr)}/${r.length} ${formatV4(r.nextHop)}\n`).join('')),
    bgpdump: encoder.encode(routes.map((r) => `TABLE_DUMP2|${TIMESTAMP}|B|192.0.2.1|${PEER.as}|${formatV4(r.addr)}/${r.length}|${r.asPath.join(' ')}|IGP|${formatV4(r.nextHop)}|0|0||NAG||\n`).join('')),
  };
}

export async function mrtBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-mrt-'));
  try {
    const { tableName, count, mrt, plain, bgpdump } = tableFiles(dir);
    log(`table: ${tableName}; MRT ${(mrt.length / 2 ** 20).toFixed(1)} MiB, plain text ${(plain.length / 2 ** 20).toFixed(1)} MiB, bgpdump -m text ${(bgpdump.length / 2 ** 20).toFixed(1)} MiB`);
    const times = { mrt: [] as number[], plain: [] as number[], bgpdump: [] as number[] };
    // processor time too: a busy shared machine disturbs it far less than elapsed time
    const cpu = { mrt: [] as number[], plain: [] as number[], bgpdump: [] as number[] };
    const loads = [['mrt', mrt, 'mrt'], ['plain', plain, 'plain'], ['bgpdump', bgpdump, 'bgpdump']] as const;
    for (let run = 0; run < RUNS; run++) {
      // alternated, so that a slow moment of the machine costs each the same, and each run in
      // another order: the garbage a load leaves is collected during the next one (bgpdump's, the
      // most, during whichever comes after it), which a fixed order charges to one of them
      for (const n of ORDERS[run]) {
        const [name, bytes, format] = loads[n];
        const fib = await Fib.create();
        const startCpu = process.cpuUsage();
        const start = performance.now();
        const loaded = fib.load(bytes, { format, source: name });
        times[name].push(performance.now() - start);
        const used = process.cpuUsage(startCpu);
        cpu[name].push((used.user + used.system) / 1000);
        if (loaded.added !== count) throw new Error(`${name}: ${loaded.added} routes loaded, ${count} expected`);
      }
    }
    const both = (name: keyof typeof times) => `${median(times[name]).toFixed(0)} ms (processor ${median(cpu[name]).toFixed(0)} ms)`;
    log(`MRT ${both('mrt')}, plain ${both('plain')}, bgpdump -m ${both('bgpdump')} (medians of ${RUNS})`);
    const processor = (a: keyof typeof times, b: keyof typeof times) => `processor time ${median(cpu[a]).toFixed(0)} vs ${median(cpu[b]).toFixed(0)} ms`;
    return [
      { name: `load ${tableName} from an MRT RIB dump`, value: median(times.mrt), unit: 'ms', peer: median(times.plain), peerName: 'plain text, same routes', note: processor('mrt', 'plain') },
      { name: `load ${tableName} from bgpdump -m text`, value: median(times.bgpdump), unit: 'ms', peer: median(times.mrt), peerName: 'MRT, same routes', note: processor('bgpdump', 'mrt') },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
