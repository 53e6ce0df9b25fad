// The rows of `compare --by`: the move matrix, what changed, or the rows of both sides (each
// side's as `analyze --by` gives them, marked with its side).
import type { Count } from '../analyze/report.js';
import type { CompareReport } from './compare-report.js';
import type { ChangedRoute } from './changed.js';

export const COMPARE_BYS = ['move', 'changed', 'route', 'destination', 'nexthop', 'dev', 'as'] as const;
export type CompareBy = (typeof COMPARE_BYS)[number];

/** A cell of the move matrix, flat: null next hop and device with `routed` false is no route. */
export interface MoveRow {
  type: 'move';
  fromRouted: boolean;
  fromNextHop: string | null;
  fromDev: string | null;
  toRouted: boolean;
  toNextHop: string | null;
  toDev: string | null;
  packets: Count;
  bytes: Count;
}

/** A prefix (of the route before) or a destination whose traffic moves, flat. */
export interface ChangedRow {
  type: 'changed';
  kind: 'prefix' | 'destination';
  /** The prefix or the address; null for traffic that had no route before. */
  key: string | null;
  fromPrefix: string | null;
  fromNextHop: string | null;
  fromDev: string | null;
  fromType: string | null;
  toPrefix: string | null;
  toNextHop: string | null;
  toDev: string | null;
  toType: string | null;
  packets: Count;
  bytes: Count;
}

export function moveRows(report: CompareReport): MoveRow[] {
  return report.moves.map((move) => ({
    type: 'move',
    fromRouted: move.from !== null,
    fromNextHop: move.from?.nextHop ?? null,
    fromDev: move.from?.dev ?? null,
    toRouted: move.to !== null,
    toNextHop: move.to?.nextHop ?? null,
    toDev: move.to?.dev ?? null,
    packets: move.packets,
    bytes: move.bytes,
  }));
}

const flat = (route: ChangedRoute) => ({
  prefix: route?.prefix ?? null, nextHop: route?.nextHop ?? null, dev: route?.dev ?? null, type: route?.type ?? null,
});

export function changedRows(report: CompareReport): ChangedRow[] {
  return report.changed.map((entry) => {
    const from = flat(entry.from);
    const to = flat(entry.to);
    return {
      type: 'changed',
      kind: entry.address !== undefined ? 'destination' : 'prefix',
      key: entry.address ?? entry.prefix ?? null,
      fromPrefix: from.prefix,
      fromNextHop: from.nextHop,
      fromDev: from.dev,
      fromType: from.type,
      toPrefix: to.prefix,
      toNextHop: to.nextHop,
      toDev: to.dev,
      toType: to.type,
      packets: entry.packets,
      bytes: entry.bytes,
    };
  });
}
