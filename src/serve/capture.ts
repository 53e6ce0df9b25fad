// The capture stream `fibscope serve` classifies: standard input ('-') or a file, read with
// analyze-file.ts's readCapture (plain files straight into WebAssembly memory, gzip recognised).
// Reading yields to the event loop between chunks, which is when HTTP requests run.
import type { Analyzer } from '../analyze/analyzer.js';
import { readCapture } from '../analyze/analyze-file.js';

export interface CaptureEnd {
  /** Records read from the stream. */
  records: number;
  /** Why reading stopped early (damage, not a capture), or null when the stream just ended. */
  error: string | null;
}

export class CaptureReader {
  readonly path: string;
  private readonly analyzer: Analyzer;
  private state: 'idle' | 'reading' | 'ended' | 'stopped' = 'idle';

  constructor(analyzer: Analyzer, path: string) {
    this.analyzer = analyzer;
    this.path = path;
  }

  /** True while the stream is being read. */
  get reading(): boolean {
    return this.state === 'reading';
  }

  /**
   * Reads until the stream ends or is damaged, then ends the analyzer's input (a record cut
   * short at the end is damage). Rejects only when the file cannot be opened. After stop(),
   * resolves with what was read by then.
   */
  async read(): Promise<CaptureEnd> {
    if (this.state !== 'idle') throw new Error('a CaptureReader reads once');
    this.state = 'reading';
    try {
      await readCapture(this.analyzer, this.path);
    } finally {
      if (this.state === 'reading') this.state = 'ended';
    }
    if (this.state === 'ended') this.analyzer.end();
    const input = this.analyzer.snapshot({ destinations: false }).inputs[0];
    return { records: input?.records ?? 0, error: input?.error ?? null };
  }

  /**
   * Stops reading: nothing more is counted. Take the final report before calling this: the
   * analyzer's input is marked stopped, and closing standard input may mark it too.
   */
  stop(): void {
    if (this.state !== 'reading') return;
    this.state = 'stopped';
    if (this.path === '-') process.stdin.destroy();
    else this.analyzer.fail('reading stopped');
  }
}
