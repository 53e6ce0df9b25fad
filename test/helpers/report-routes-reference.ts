// The report's route rows as fibscope made them before they were sorted and written in
// WebAssembly: every counter read in JavaScript, a row object per route, sorted with a
// JavaScript comparator. The slow, obvious reference for src/analyze/route-rows.ts.
import type { Analyzer } from '../../src/node.js';
import type { RouteRowFields } from '../../src/fib/fib.js';
import type { RouteCounters } from '../../src/analyze/report.js';
import type { FibscopeExports } from '../../src/wasm/module.js';
import { addBgpFields } from '../../src/analyze/route-bgp-fields.js';
import { compareCounts, readCount } from '../../src/report/count.js';

/** What the reference reads of an Analyzer (private members: this is a test of its insides). */
export function analyzerInsides(analyzer: Analyzer): { wasm: FibscopeExports; counters: number } {
  return analyzer as unknown as { wasm: FibscopeExports; counters: number };
}

/**
 * The route rows of `analyzer`'s counters, as buildReport made them until the rows moved to
 * WebAssembly. Call it right after `analyzer.report()` (which zeroes the counters of routes gone).
 */
export function referenceRouteRows(analyzer: Analyzer): RouteCounters[] {
  const { wasm, counters } = analyzerInsides(analyzer);
  const fib = analyzer.fib;
  const view = new DataView(wasm.memory.buffer);
  const u64 = (at: number) => readCount(view, at);
  const routes: RouteCounters[] = [];
  const row: RouteRowFields = { prefix: '', nextHop: null, dev: null, metric: 0, type: 'unicast' };
  const routeBase = wasm.countersRoutes(counters) >>> 0;
  const routeBytes = wasm.routeCounterBytes();
  const capacity = wasm.countersRouteCapacity(counters);
  for (let id = 0; id < capacity; id++) {
    const at = routeBase + id * routeBytes;
    const packets = u64(at);
    if (packets === 0) continue;
    if (!fib.describeInto(id, row)) continue;
    const route: RouteCounters = {
      prefix: row.prefix,
      nextHop: row.nextHop,
      dev: row.dev,
      metric: row.metric,
      type: row.type,
      packets,
      bytes: u64(at + 8),
      destinations: view.getUint32(at + 16, true),
    };
    addBgpFields(route, row);
    const paths = view.getUint32(at + 24, true);
    const hops = row.nextHops;
    if (hops && hops.length > 1) {
      const counted = paths === 0 ? 0 : Math.min(view.getUint32(at + 28, true), hops.length);
      route.nextHops = hops.map((hop, i) => ({
        via: hop.via,
        dev: hop.dev,
        weight: hop.weight,
        packets: i < counted ? u64(paths + i * 16) : 0,
        bytes: i < counted ? u64(paths + i * 16 + 8) : 0,
      }));
    }
    routes.push(route);
  }
  routes.sort((a, b) => compareCounts(b.packets, a.packets) || compareCounts(b.bytes, a.bytes) || (a.prefix < b.prefix ? -1 : 1));
  return routes;
}
