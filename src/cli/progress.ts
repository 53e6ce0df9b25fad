// A progress bar on stderr for long inputs (cli-progress), or nothing.
import type { SingleBar } from 'cli-progress';
import type { ProgressListener } from '../analyze/analyze-file.js';

export interface Progress {
  listener: ProgressListener | undefined;
  /** Starts a bar for the next input. */
  start(name: string): void;
  stop(): void;
}

const MIB = 2 ** 20;

const NONE: Progress = { listener: undefined, start() {}, stop() {} };

/**
 * A bar per input when `enabled`; inputs under 16 MiB finish too fast to need one. The bar's
 * library is loaded only then: a run without a terminal does not pay for loading it.
 */
export async function progressBar(enabled: boolean): Promise<Progress> {
  if (!enabled) return NONE;
  const { SingleBar, Presets } = await import('cli-progress');
  let bar: SingleBar | undefined;
  let name = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    listener: (read, total) => {
      if (!bar) {
        if (total !== undefined && total < 16 * MIB) return;
        bar = new SingleBar({
          format: `${name} [{bar}] {percentage}% | {read} of {size} MiB`,
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
        }, Presets.shades_classic);
        bar.start(total ?? 0, 0, { read: '0', size: total === undefined ? '?' : (total / MIB).toFixed(0) });
      }
      bar.update(read, { read: (read / MIB).toFixed(0) });
    },
    start(next) {
      stop();
      name = next;
    },
    stop,
  };
}
