// One piece of a threaded analysis: a whole capture file or a range of one, analysed by a
// worker, and what the worker sends back: the counters in a form that merges exactly.
import type { Report } from '../analyze/report.js';
import type { ChecksOptions } from '../analyze/checks-state.js';
import type { RouteFormat } from '../routes/index.js';

/** A routes input the workers load, as the main thread loaded it (the table is never sent, only its source). */
export interface RouteSource {
  bytes: Uint8Array;
  format?: RouteFormat | 'auto';
  source?: string;
  /** MRT: the peer whose routes load (LoadOptions.peer). */
  peer?: string;
}

/** What every worker needs once: its own table and the analyzer's options. */
export interface WorkerSetup {
  routes: RouteSource[];
  memoryLimit?: number;
  filter?: string;
  interfaceName?: string;
  checks?: boolean | ChecksOptions;
  /** The compiled WebAssembly module, which a worker instantiates instead of compiling its own. */
  module?: WebAssembly.Module;
}

/** Bytes [start, end) of `path`, read after `head` (the file's headers, for a range past them). */
export interface PieceTask {
  index: number;
  path: string;
  start: number;
  end: number;
  head: Uint8Array;
  /**
   * Its reader logs every counted anomaly for the main thread's replay (assembly/threads/anomaly-log.ts)
   * instead of tracking them: every piece but those read first, in order, by one thread.
   */
  logs: boolean;
}

/** Why the piece's reading stopped, in the piece's own record numbers and byte offsets. */
export interface PieceStop {
  code: number;
  detail: number;
  record: number;
  offset: number;
}

export interface PieceResult {
  index: number;
  /** The piece's report without destinations (routes, totals, anomalies…). */
  report: Report;
  format: 'pcap' | 'pcapng' | null;
  linkTypes: number[];
  records: number;
  stop: PieceStop | null;
  badTimes: { records: number; record: number; offset: number } | null;
  /** Decimals of its times (6 or 9). */
  digits: number;
  /** Destination entries in the order first seen (assembly/count/destinations.ts layout). */
  entries: Uint8Array;
  entryBytes: number;
  /**
   * A worker's table's digest (routeTableDigest), taken once when it loaded: equal to the main
   * thread's, its route ids are the same. Absent for a piece the main thread read with its own table.
   */
  tableDigest?: bigint;
  /**
   * The counters of the routes the piece counted, by route id (assembly/threads/merge-routes.ts
   * layout); null when they did not fit under the memory limit.
   */
  routeCounts: Uint8Array | null;
  /**
   * With checks, what the main thread rebuilds one thread's anomaly trackers from
   * (assembly/threads/anomaly-log.ts): the first piece's trackers, raw; every later piece's log
   * of counted anomalies, or that the log outgrew the memory limit.
   */
  anomalies: { trackers?: Uint8Array; log?: Uint8Array; overflowed?: true } | null;
  /** With FIBSCOPE_DEBUG_THREADS: the worker's processor time, in ms, to load the table and so far. */
  threadCpuMs?: { setup: number; total: number };
}
