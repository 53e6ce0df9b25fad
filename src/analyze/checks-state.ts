import { registerInterfaceName } from '../classify/interfaces.js';
import { buildBogonRanges, loadBogonTable, parseBogonList } from '../checks/index.js';
import type { Fib } from '../fib/fib.js';
import type { FibscopeExports } from '../wasm/module.js';

/** What `new Analyzer({ checks })` takes besides `true`. */
export interface ChecksOptions {
  /**
   * More bogon prefixes (a full-bogons feed: plain CIDR, a prefix a line, `#` comments), added to
   * the special-purpose registries. The table is the WebAssembly instance's: every analyzer of
   * the same Fib classifies by the last list given.
   */
  bogons?: string;
  /** Names the bogon list in errors ("bogons.txt:12: …"). */
  bogonsSource?: string;
  /** Capture interface names that stand for other route devices, for strict uRPF: { "eth0-capture": "eth0" }. */
  interfaceMap?: Readonly<Record<string, string>>;
}

/** The bogon list each instance's table was built with: undefined, the registries alone. */
const loadedLists = new WeakMap<FibscopeExports, string | undefined>();

/**
 * Turns the anomaly classes on for `counters` (docs/checks.md): the bogon table built and loaded
 * when the instance lacks it or had another list, interface aliases set, the routes' types and
 * devices described. Throws BogonListError naming the line, with nothing changed.
 */
export function applyChecks(fib: Fib, wasm: FibscopeExports, counters: number, options: ChecksOptions): void {
  const list = options.bogons === undefined ? undefined : parseBogonList(options.bogons, options.bogonsSource ?? 'bogons');
  if (!loadedLists.has(wasm) || loadedLists.get(wasm) !== options.bogons) {
    loadBogonTable(wasm, buildBogonRanges(list));
    loadedLists.set(wasm, options.bogons);
  }
  for (const [capture, device] of Object.entries(options.interfaceMap ?? {})) {
    wasm.countersMapInterface(counters, registerInterfaceName(wasm, capture), registerInterfaceName(wasm, device));
  }
  fib.describeRouteClasses();
  wasm.countersChecksSet(counters, true);
}
