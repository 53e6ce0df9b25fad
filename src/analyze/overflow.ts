import { countOf } from '../report/count.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { Count } from './report.js';

/**
 * The packets and bytes of destinations a full destination table could not take
 * (assembly/count/destinations.ts), or undefined when it never filled up.
 */
export function readOverflow(wasm: FibscopeExports, io: number, counters: number): { packets: Count; bytes: Count } | undefined {
  wasm.countersOverflow(counters, io);
  const [packets, bytes] = new BigUint64Array(wasm.memory.buffer, io, 2);
  return packets === 0n ? undefined : { packets: countOf(packets), bytes: countOf(bytes) };
}
