// The K busiest routes, picked in WebAssembly (assembly/count/top-routes.ts) without making an
// object per route: what a scrape with bounded route series needs, at a cost of one pass over
// the route counters (and one over the destinations, for the counted bytes) and O(K) memory.
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { readCount } from '../report/count.js';
import type { Count } from './report.js';

export interface TopRoute {
  /** Its route id, and the id's generation: together they name one route while it stays. */
  id: number;
  generation: number;
  packets: Count;
  bytes: Count;
  /** A multipath route's counts per next hop, in the order of its next hops (absent before it counted). */
  paths?: { packets: Count; bytes: Count }[];
}

export interface TopRoutes {
  /** At most K, busiest first; equal packets: preferred ids first, then the lower id. */
  routes: TopRoute[];
  /** Packets and bytes summed over every route of the table, exactly. */
  packets: Count;
  bytes: Count;
  /** Wire bytes of every counted packet (routed, unrouted, and of routes since gone). */
  countedBytes: Count;
}

/**
 * The top `k` routes of the counters at `counters`; `preferred` ids (the current top, say) win
 * ties on packets, so equal counts do not swap members back and forth. `atLeast` (the K-th
 * count of the last pick) only makes the pick cheaper: the result is the same.
 */
export function topRoutes(wasm: FibscopeExports, counters: number, k: number, preferred: readonly number[] = [], atLeast = 0): TopRoutes {
  if (!Number.isSafeInteger(k) || k < 0 || k > 0x3fffffff) throw new RangeError(`top routes: expected a whole number k, got ${k}`);
  const sorted = Int32Array.from(preferred).sort();
  const listBytes = sorted.length * 4;
  const list = sorted.length ? wasm.hostBufferCreate(listBytes) >>> 0 : 0;
  if (sorted.length && !list) throw new FibscopeOutOfMemoryError('top routes', 'out of WebAssembly memory: no room for the preferred routes');
  if (list) new Int32Array(wasm.memory.buffer, list, sorted.length).set(sorted);
  let block: number;
  try {
    block = wasm.countersTopRoutes(counters, k, list, sorted.length, BigInt(atLeast)) >>> 0;
  } finally {
    if (list) wasm.hostBufferFree(list, listBytes);
  }
  let top: TopRoutes;
  try {
    top = readBlock(wasm, counters, block);
  } finally {
    wasm.topRoutesFree(block, k);
  }
  // fewer than k routes had that many packets: some went, or the counters were reset
  return top.routes.length < k && atLeast > 0 ? topRoutes(wasm, counters, k, preferred) : top;
}

function readBlock(wasm: FibscopeExports, counters: number, block: number): TopRoutes {
  const view = new DataView(wasm.memory.buffer);
  const picked = view.getUint32(block + 16, true);
  const first = block + wasm.topRoutesHeaderBytes();
  const pickBytes = wasm.topRoutesPickBytes();
  const routeBase = wasm.countersRoutes(counters) >>> 0;
  const counterBytes = wasm.routeCounterBytes();
  const routes: TopRoute[] = new Array(picked);
  for (let i = 0; i < picked; i++) {
    const at = first + i * pickBytes;
    const id = view.getInt32(at, true);
    const route: TopRoute = { id, generation: view.getUint32(at + 4, true), packets: readCount(view, at + 8), bytes: readCount(view, at + 16) };
    // a multipath route's counts per next hop (layout in assembly/count/counters.ts)
    const counter = routeBase + id * counterBytes;
    const paths = view.getUint32(counter + 24, true);
    if (paths !== 0) {
      const count = view.getUint32(counter + 28, true);
      route.paths = Array.from({ length: count }, (_, hop) => ({ packets: readCount(view, paths + hop * 16), bytes: readCount(view, paths + hop * 16 + 8) }));
    }
    routes[i] = route;
  }
  return { routes, packets: readCount(view, block), bytes: readCount(view, block + 8), countedBytes: readCount(view, block + 24) };
}
