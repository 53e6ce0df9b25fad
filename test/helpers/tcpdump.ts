import type { ChildProcess } from 'node:child_process';

/** Resolves once tcpdump says it listens (on stderr), so no packet sent after that is missed. */
export function untilListening(tcpdump: ChildProcess, ms = 10_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('tcpdump did not start')), ms);
    tcpdump.stderr!.on('data', (d) => {
      if (String(d).includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
