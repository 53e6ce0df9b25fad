// Progress of `analyze` on stderr: a bar on a terminal (cli-progress), plain lines elsewhere, or nothing.
import type { SingleBar } from 'cli-progress';
import type { ProgressListener } from '../analyze/analyze-file.js';

export interface Progress {
  listener: ProgressListener | undefined;
  /** Starts on the next input. */
  start(name: string): void;
  stop(): void;
}

/**
 * `auto`: a bar on a terminal for inputs of 16 MiB or more (smaller ones finish too fast to need
 * one); `always` (`--progress`): for every input, a bar on a terminal and lines otherwise;
 * `off`.
 */
export type ProgressMode = 'auto' | 'always' | 'off';

const MIB = 2 ** 20;
/** Below this size `auto` shows nothing. */
const AUTO_MIN_BYTES = 16 * MIB;
/** A line every this many bytes of an input of unknown size (a pipe). */
const LINE_EVERY_BYTES = 16 * MIB;

const NONE: Progress = { listener: undefined, start() {}, stop() {} };

export async function progressFor(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Promise<Progress> {
  const terminal = stream.isTTY === true;
  if (mode === 'off' || (mode === 'auto' && !terminal)) return NONE;
  return terminal ? progressBar(stream, mode === 'auto' ? AUTO_MIN_BYTES : 0) : progressLines(stream);
}

const mib = (bytes: number) => (bytes / MIB).toFixed(1);

/**
 * A line per tenth of an input of known size (`capture.pcap: 30% (3.0 of 10.0 MiB)`), or per
 * 16 MiB of a stream with a last line once it ends: for logs and CI, where a bar's redraws are
 * noise. Gzip files count compressed bytes, as their size does.
 */
export function progressLines(stream: NodeJS.WritableStream): Progress {
  let name = '';
  let read = 0;
  let total: number | undefined;
  let printed = 0; // tenths (known size) or lines (unknown size) printed for this input
  const stop = () => {
    if (name !== '' && total === undefined && read > 0) stream.write(`fibscope: ${name}: ${mib(read)} MiB read, done\n`);
    name = '';
    read = 0;
    printed = 0;
  };
  return {
    listener: (bytes, size) => {
      read = bytes;
      total = size;
      if (size !== undefined) {
        const tenths = size === 0 ? 10 : Math.min(10, Math.floor((bytes * 10) / size));
        if (tenths > printed) {
          printed = tenths;
          stream.write(`fibscope: ${name}: ${tenths * 10}% (${mib(bytes)} of ${mib(size)} MiB)\n`);
        }
      } else if (Math.floor(bytes / LINE_EVERY_BYTES) > printed) {
        printed = Math.floor(bytes / LINE_EVERY_BYTES);
        stream.write(`fibscope: ${name}: ${mib(bytes)} MiB read\n`);
      }
    },
    start(next) {
      stop();
      name = next;
      total = undefined;
    },
    stop,
  };
}

/**
 * A bar per input of at least `minBytes`. The bar's library is loaded only here: a run without
 * a terminal does not pay for loading it.
 */
async function progressBar(stream: NodeJS.WriteStream, minBytes: number): Promise<Progress> {
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
        // a stream's size is unknown: `auto` leaves it alone, as it did small files
        if (total === undefined ? minBytes > 0 : total < minBytes) return;
        bar = new SingleBar({
          format: total === undefined ? `${name} | {read} MiB read` : `${name} [{bar}] {percentage}% | {read} of {size} MiB`,
          stream,
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
