// A progress bar on stderr for long inputs (cli-progress), or nothing.
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressListener } from '../analyze/analyze-file.js';

export interface Progress {
  listener: ProgressListener | undefined;
  /** Starts a bar for the next input. */
  start(name: string): void;
  stop(): void;
}

const MIB = 2 ** 20;

/** A bar per input when `enabled`; inputs under 16 MiB finish too fast to need one. */
export function progressBar(enabled: boolean): Progress {
  let bar: SingleBar | undefined;
  let name = '';
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    listener: enabled ? (read, total) => {
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
    } : undefined,
    start(next) {
      stop();
      name = next;
    },
    stop,
  };
}
