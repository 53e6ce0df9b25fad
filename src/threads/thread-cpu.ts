// The processor time of the calling thread, for `FIBSCOPE_DEBUG_THREADS`: what each worker and
// the main thread cost, which the wall clock of a shared machine does not tell.
import { readFileSync } from 'node:fs';

/** Milliseconds of user and system time of this thread (Linux), or NaN where unknown. */
export function threadCpuMs(): number {
  try {
    // fields after the command name, which is in parentheses: utime and stime are the 12th and 13th
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
