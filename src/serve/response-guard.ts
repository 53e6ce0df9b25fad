// Keeps a client that does not read from holding the server's memory: a response whose output
// piles up unread past a bound, or of which the client takes nothing for a while, is cut (its
// socket destroyed), and said so in one line. Output waiting while the server itself is busy
// (a large POST /routes being applied) is not a stall: only pending output counts.
import type { ServerResponse } from 'node:http';

export interface OutputLimits {
  /** Cut a response whose client takes none of its pending output for this long. */
  stallTimeoutMs: number;
  /** Cut a response once this much of its output waits unread in the process. */
  maxUnreadBytes: number;
}

const cutResponses = new WeakSet<ServerResponse>();

/** True when the guard cut this response (its own line said why: no need for another). */
export function wasCut(res: ServerResponse): boolean {
  return cutResponses.has(res);
}

/**
 * Watches `res` until it closes; `notice` hears why it was cut. `what` names the request
 * ("GET /report") in that line.
 */
export function guardResponse(res: ServerResponse, what: string, limits: OutputLimits, notice: (line: string) => void): void {
  const socket = res.socket;
  if (!socket) return;
  // bytes the client has taken: those handed to the socket less those still waiting in it
  const taken = () => socket.bytesWritten - socket.writableLength;
  let lastTaken = taken();
  let lastProgress = Date.now();
  const cut = (why: string) => {
    clearInterval(timer);
    cutResponses.add(res);
    notice(`cut ${what} to ${socket.remoteAddress ?? 'a client'}: ${why}`);
    res.destroy();
  };
  const check = () => {
    const pending = socket.writableLength + res.writableLength;
    if (pending > limits.maxUnreadBytes) {
      cut(`${pending} bytes of the answer unread, over the ${limits.maxUnreadBytes}-byte limit`);
      return;
    }
    const now = Date.now();
    if (pending === 0 || taken() !== lastTaken) {
      lastTaken = taken();
      lastProgress = now;
    } else if (now - lastProgress >= limits.stallTimeoutMs) {
      cut(`it read none of the answer for ${limits.stallTimeoutMs / 1000} s`);
    }
  };
  const timer = setInterval(check, Math.max(20, Math.min(1000, limits.stallTimeoutMs / 4)));
  timer.unref();
  res.once('close', () => clearInterval(timer));
}

/** Whether `res` can take more now; otherwise resolves once it can, rejects once it closed. */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('closed'));
  return new Promise((resolve, reject) => {
    const onDrain = () => { res.off('close', onClose); resolve(); };
    const onClose = () => { res.off('drain', onDrain); reject(new Error('closed')); };
    res.once('drain', onDrain).once('close', onClose);
  });
}
