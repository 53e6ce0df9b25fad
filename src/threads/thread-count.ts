// How many threads `analyze --threads` reads on: by default the cores available, and never more
// than the captures' bytes pay for, since a worker starts and loads its own copy of the table
// before it reads a byte, while the main thread, whose table is loaded, reads at once.
import { availableParallelism } from 'node:os';

/**
 * The cores this process may run on (its CPU affinity: `taskset`, a container's cpuset). Not
 * weighed by the load average: on a 2-core machine, the last minute's average is mostly the
 * previous run's own.
 */
export function coresAvailable(): number {
  return availableParallelism();
}

/** A worker's start (the thread, its bundle, its WebAssembly instance), ms of the main thread's reading. */
const WORKER_START_MS = 60;
/** Its table's load, ms per route: 100,000 routes took 50–60 ms with the start, the 1M-prefix tier-1 table 220. */
const TABLE_MS_PER_ROUTE = 0.00025;
/** Capture bytes a thread reads per ms: 1.5 GB in 2.2 s with checks on the bench machine, 1.1 GB without. */
const BYTES_PER_MS_WITH_CHECKS = 700_000;
const BYTES_PER_MS = 1_000_000;
/** A worker is worth starting when it reads at least this many times what its setup costs. */
const PAYBACK = 3;

/** The bytes a worker must get to pay for itself with a table of `routes` routes. */
export function workerWorthBytes(routes: number, checks: boolean): number {
  const setupMs = WORKER_START_MS + routes * TABLE_MS_PER_ROUTE;
  return PAYBACK * setupMs * (checks ? BYTES_PER_MS_WITH_CHECKS : BYTES_PER_MS);
}

/**
 * Of `requested` threads, how many to read `totalBytes` on (1: read on this thread alone): each
 * of the workers must get at least `workerBytes`, out of what the main thread leaves them with
 * its share (`mainShare` against a worker's 1).
 */
export function threadsWorthUsing(requested: number, totalBytes: number, workerBytes: number, mainShare: number): number {
  // a worker's bytes with n threads: totalBytes / (mainShare + n - 1)
  const most = Math.floor(totalBytes / Math.max(1, workerBytes) - mainShare + 1);
  return Math.max(1, Math.min(requested, most));
}
