import { installFunction, type InstalledFunction } from '../classify/install.js';
import { compileFilter } from '../filter/index.js';
import type { FibscopeExports } from '../wasm/module.js';

/** An analyzer's filter: the expression, compiled and installed in its instance. */
export interface ActiveFilter {
  expression: string;
  /** Link types on which libpcap refuses the expression: their records never pass. */
  refusedLinkTypes: number[];
  installed: InstalledFunction;
}

/**
 * Compiles `expression` (pcap-filter syntax, docs/filter.md) and makes `counters` count only the
 * records it accepts; throws FilterSyntaxError or FilterUnsupportedError, with nothing changed.
 */
export function applyFilter(wasm: FibscopeExports, counters: number, expression: string): ActiveFilter {
  const compiled = compileFilter(expression);
  const installed = installFunction(wasm, compiled.bytes, 'filter');
  wasm.countersSetFilter(counters, installed.slot);
  return { expression, refusedLinkTypes: compiled.refusedLinkTypes, installed };
}

/** Stops filtering: every record counts again. */
export function removeFilter(wasm: FibscopeExports, counters: number, filter: ActiveFilter | undefined): void {
  wasm.countersSetFilter(counters, 0);
  filter?.installed.release();
}
