// The contract between the readers of route update streams (bgpdump -m lines, the LINX trace,
// fibscope's own lines, MRT BGP4MP) and what applies them in step with a capture's clock.
import type { RouteAttributes } from '../routes/route.js';
import type { UpdateColumns } from './columns.js';

/**
 * One change to the table at one time. `add` adds a route beside any already at the prefix,
 * `replace` takes the place of every route at the prefix (a BGP announcement), `del` removes
 * the routes at the prefix (a withdrawal; a withdrawal of nothing is counted, not fatal).
 */
export interface RouteUpdate {
  /** Seconds since 1970 (u32 range) and nanoseconds, when the change took effect. */
  seconds: number;
  nanoseconds: number;
  kind: 'add' | 'replace' | 'del';
  /** `a.b.c.d/len` or an IPv6 prefix, as Fib.add takes it. */
  prefix: string;
  /** For add and replace. For del: only `nextHop`/`dev` narrow what is removed, as Fib.remove's match. */
  attributes?: RouteAttributes;
  /** Where it was read, for errors and the skipped-update report: `FILE:LINE` or `FILE@OFFSET`. */
  where: string;
}

/** What a reader found besides updates: record types it does not read, named and counted. */
export interface UpdateStreamNotes {
  /** e.g. `MRT TABLE_DUMP (12)` → how many records of it were skipped. */
  skipped: Map<string, number>;
}

/**
 * A whole update stream, read: updates in file order (the applier checks their order). The
 * readers of this library give `columns`, the compact form the applier reads, and make `updates`
 * from them on first read; a stream built by hand needs only `updates`.
 */
export interface UpdateStream {
  /** The file name, or `-`. */
  source: string;
  /** The updates as objects (from the readers: made on first read, prefixes with host bits cleared). */
  updates: RouteUpdate[];
  /** The same updates in columns (columns.ts): what the readers produce. */
  columns?: UpdateColumns;
  notes: UpdateStreamNotes;
  /**
   * Set when the stream broke off (a truncated MRT record, say): what was read before it stays
   * in `updates`, this says where and why.
   */
  truncated?: { where: string; reason: string };
}
