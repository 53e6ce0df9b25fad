// What every comparison must satisfy, checked against independent answers: each side equal to a
// plain analysis by its table, the move matrix adding up to both sides, the summary equal to a
// per-destination count over the two plain analyses.
import { expect } from 'vitest';
import { Analyzer, Fib, formatJson, type Count, type Report } from '../../src/node.js';
import { Comparison } from '../../src/compare/comparison.js';
import type { CompareReport } from '../../src/compare/compare-report.js';
import type { MoveEnd } from '../../src/compare/moves.js';
import { formatCompareJson } from '../../src/compare/format-json.js';

export function analyzeBy(fib: Fib, captures: readonly Uint8Array[], name: string): Report {
  const analyzer = new Analyzer({ fib, name });
  try {
    captures.forEach((bytes, i) => {
      if (i > 0) analyzer.nextInput(`${name}.${i}`);
      analyzer.push(bytes);
      analyzer.end();
    });
    return analyzer.report();
  } finally {
    analyzer.dispose();
  }
}

export async function compareBy(before: Fib, after: Fib, captures: readonly Uint8Array[], name: string, top = 20): Promise<CompareReport> {
  const comparison = await Comparison.create(before, after);
  const analyzer = comparison.analyzer({ name });
  try {
    captures.forEach((bytes, i) => {
      if (i > 0) analyzer.nextInput(`${name}.${i}`);
      analyzer.push(bytes);
      analyzer.end();
    });
    const overlayReport = analyzer.report();
    const compared = comparison.report(overlayReport, { top });
    // the same as derived from the report's objects alone, the plain way (a copy without the
    // route rows an Analyzer keeps in WebAssembly): every member, every order, byte for byte
    const ofObjects = comparison.report({ ...overlayReport }, { top });
    expect(formatCompareJson(compared)).toBe(formatCompareJson(ofObjects));
    return compared;
  } finally {
    analyzer.dispose();
  }
}

const n = (count: Count) => Number(count);
const endKey = (end: MoveEnd) => (end === null ? 'no route' : `${end.nextHop} ${end.dev}`);

/** Packets per (next hop, device) of a report, and its unrouted packets under "no route". */
export function byNextHop(report: Report): Map<string, number> {
  const out = new Map<string, number>();
  const add = (key: string, packets: Count) => out.set(key, (out.get(key) ?? 0) + n(packets));
  if (n(report.totals.noRoute.packets) > 0) add('no route', report.totals.noRoute.packets);
  for (const route of report.routes) {
    if (route.nextHops && route.nextHops.length > 1) {
      for (const hop of route.nextHops) if (n(hop.packets) > 0) add(`${hop.via} ${hop.dev}`, hop.packets);
    } else add(`${route.nextHop} ${route.dev}`, route.packets);
  }
  return out;
}

function sumMoves(compared: CompareReport, side: 'from' | 'to'): Map<string, number> {
  const out = new Map<string, number>();
  for (const move of compared.moves) out.set(endKey(move[side]), (out.get(endKey(move[side])) ?? 0) + n(move.packets));
  return out;
}

const sorted = (map: Map<string, number>) => [...map.entries()].sort();

/** Checks `compared` against plain analyses of the same captures by each table. */
export function checkComparison(compared: CompareReport, before: Fib, after: Fib, captures: readonly Uint8Array[], name: string): void {
  const plainBefore = analyzeBy(before, captures, name);
  const plainAfter = analyzeBy(after, captures, name);
  // the whole JSON text, byte for byte
  expect(formatJson(compared.before)).toBe(formatJson(plainBefore));
  expect(formatJson(compared.after)).toBe(formatJson(plainAfter));
  // the comparison's JSON: the two reports nested whole, indented as JSON.stringify would
  const text = formatCompareJson(compared);
  const parsed = JSON.parse(text);
  expect(parsed.before).toEqual(JSON.parse(formatJson(plainBefore)));
  expect(parsed.after).toEqual(JSON.parse(formatJson(plainAfter)));
  expect(text).toBe(`${JSON.stringify(parsed, null, 2)}\n`);
  expect(Object.keys(parsed)).toEqual(['fibscope', 'inputs', 'moved', 'becomesUnrouted', 'becomesDropped', 'becomesRouted', 'moves', 'changed', 'before', 'after']);
  // and the objects, read the slow way
  expect(JSON.parse(JSON.stringify(compared.before))).toEqual(JSON.parse(JSON.stringify(plainBefore)));
  expect(sorted(sumMoves(compared, 'from'))).toEqual(sorted(byNextHop(plainBefore)));
  expect(sorted(sumMoves(compared, 'to'))).toEqual(sorted(byNextHop(plainAfter)));
  // the summary, per destination from the two plain analyses and the tables' own lookups
  const afterOf = new Map(plainAfter.destinations.map((destination) => [destination.address, destination]));
  const dropping = (type: string | undefined) => type === 'blackhole' || type === 'unreachable' || type === 'prohibit';
  let unrouted = 0;
  let routed = 0;
  let dropped = 0;
  let moved = 0;
  for (const destination of plainBefore.destinations) {
    const other = afterOf.get(destination.address)!;
    const routeBefore = destination.prefix === null ? undefined : before.lookup(destination.address);
    const routeAfter = other.prefix === null ? undefined : after.lookup(destination.address);
    const packets = n(destination.packets);
    if (routeBefore && !routeAfter) unrouted += packets;
    if (!routeBefore && routeAfter) routed += packets;
    if (dropping(routeAfter?.type) && !dropping(routeBefore?.type)) dropped += packets;
    const same = (routeBefore === undefined && routeAfter === undefined) || (routeBefore !== undefined && routeAfter !== undefined
      && routeBefore.prefix === routeAfter.prefix && routeBefore.type === routeAfter.type
      && JSON.stringify(routeBefore.nextHops) === JSON.stringify(routeAfter.nextHops));
    if (!same) moved += packets;
  }
  expect(n(compared.becomesUnrouted.packets)).toBe(unrouted);
  expect(n(compared.becomesRouted.packets)).toBe(routed);
  expect(n(compared.becomesDropped.packets)).toBe(dropped);
  expect(n(compared.moved.packets)).toBe(moved);
}
