// V8 gives the memory of an ArrayBuffer back only at a full collection, which a process that
// has gone quiet may not run for a long time: after clients that held large /report texts are
// gone, the texts would keep the RSS up. Once the last of them is dropped, ask for a collection
// (a couple, spaced out). The collector is reached through V8's flag, where the runtime allows.
import { nodeV8, nodeVm } from '../node-builtins.js';

/** Sockets let go of what they were writing shortly after they close: collect after that, and once more later. */
const DELAYS_MS = [1000, 5000];

let collect: (() => void) | undefined | null = null;
let pending: NodeJS.Timeout | undefined;

function collector(): (() => void) | undefined {
  if (collect === null) {
    try {
      nodeV8().setFlagsFromString('--expose-gc');
      collect = nodeVm().runInNewContext('gc') as () => void;
    } catch {
      collect = undefined;
    }
  }
  return collect ?? undefined;
}

/**
 * Asks for a full collection in a second, and another a few seconds later; asked again before
 * they ran, it starts over (while clients keep coming and going, V8 collects on its own).
 */
export function releaseMemorySoon(): void {
  clearTimeout(pending);
  const step = (index: number) => {
    pending = setTimeout(() => {
      collector()?.();
      if (index + 1 < DELAYS_MS.length) step(index + 1);
      else pending = undefined;
    }, DELAYS_MS[index]);
    pending.unref();
  };
  step(0);
}
