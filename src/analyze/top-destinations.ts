// The K busiest destinations, picked in WebAssembly (assembly/report/top-destinations.ts) without
// copying or sorting the others: what a scrape with per-destination series needs, at a cost of
// one pass over the table and O(K) memory.
import type { Fib, RouteRowFields } from '../fib/fib.js';
import { destinationAddress } from './destination-address.js';
import type { FibscopeExports } from '../wasm/module.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { readCount } from '../report/count.js';
import type { Count } from './report.js';

export interface TopDestination {
  /** Its number in the destination table (order of first appearance; reused after a reset). */
  entry: number;
  /** RFC 5952 text for IPv6. */
  address: string;
  /** The matched route's prefix, or null (no route, or the route has gone since). */
  prefix: string | null;
  packets: Count;
  bytes: Count;
}

export interface TopDestinations {
  /** At most K, busiest first; equal packets: preferred entries first, then order of appearance. */
  destinations: TopDestination[];
  /** Packets and bytes summed over every destination, exactly. */
  packets: Count;
  bytes: Count;
  /** How many destinations there are in all. */
  count: number;
}


/**
 * The top `k` destinations of the counters at `counters`; `preferred` entry numbers (the
 * current top, say) win ties on packets, so equal counts do not swap members back and forth.
 */
export function topDestinations(fib: Fib, wasm: FibscopeExports, counters: number, k: number,
  preferred: readonly number[] = []): TopDestinations {
  if (!Number.isSafeInteger(k) || k < 0 || k > 0xffffffff) throw new RangeError(`top destinations: expected a whole number k, got ${k}`);
  const sorted = Uint32Array.from(preferred).sort();
  const listBytes = sorted.length * 4;
  const list = sorted.length ? wasm.hostBufferCreate(listBytes) >>> 0 : 0;
  if (sorted.length && !list) throw new FibscopeOutOfMemoryError('top destinations', 'out of WebAssembly memory: no room for the preferred entries');
  if (list) new Uint32Array(wasm.memory.buffer, list, sorted.length).set(sorted);
  let block: number;
  try {
    block = wasm.countersTopDestinations(counters, k, list, sorted.length) >>> 0;
  } finally {
    if (list) wasm.hostBufferFree(list, listBytes);
  }
  try {
    return readBlock(fib, wasm, block, k, wasm.countersDestinationCount(counters) >>> 0);
  } finally {
    wasm.topDestinationsFree(block, k);
  }
}

function readBlock(fib: Fib, wasm: FibscopeExports, block: number, k: number, count: number): TopDestinations {
  const view = new DataView(wasm.memory.buffer);
  const picked = view.getUint32(block + 16, true);
  const entryBytes = wasm.destinationEntryBytes();
  const entries = block + wasm.topDestinationsHeaderBytes();
  const numbers = entries + k * entryBytes;
  const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  const prefixes = new Map<number, string | null>();
  const v6 = new Uint8Array(16);
  const destinations: TopDestination[] = new Array(picked);
  for (let i = 0; i < picked; i++) {
    const at = entries + i * entryBytes;
    const address = destinationAddress(view, at, v6);
    const route = view.getInt32(at + 48, true);
    let prefix: string | null = null;
    if (route >= 0) {
      if (!prefixes.has(route)) prefixes.set(route, fib.describeInto(route, row) ? row.prefix : null);
      prefix = prefixes.get(route)!;
    }
    destinations[i] = {
      entry: view.getUint32(numbers + i * 4, true),
      address,
      prefix,
      packets: readCount(view, at + 16),
      bytes: readCount(view, at + 24),
    };
  }
  return { destinations, packets: readCount(view, block), bytes: readCount(view, block + 8), count };
}
