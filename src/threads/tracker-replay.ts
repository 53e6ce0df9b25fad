// One thread's anomaly trackers rebuilt while the workers still read: the trackers of the first
// pieces (read in order by one thread), raw, then every later piece's log of counted anomalies
// replayed into them in capture order
// (assembly/threads/anomaly-log.ts). Workers send their logs in parts as they read, so the
// replay of a piece follows its worker once every earlier piece is in: only the last part is
// left when the last worker ends.
import { ANOMALY_CLASSES, readTracker } from '../analyze/anomaly-report.js';
import type { AnomalyCounters } from '../analyze/report.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { PieceResult } from './piece.js';

/** Why the replay cannot give one thread's trackers. */
export class ReplayRefused extends Error {}

type Tops = Pick<AnomalyCounters, 'topSources' | 'topDestinations'>;

export class TrackerReplay {
  private trackers = 0;
  /** the piece whose log is being replayed: every piece before it is in */
  private current = 0;
  private readonly parts: Uint8Array[][];
  private readonly done: boolean[];
  /** pieces left out of the report (after a piece that stopped reading, in its file) */
  private readonly skipped: boolean[];
  private refused: string | undefined;

  /** `fileOf[i]`: the file of piece i (pieces in capture order). */
  constructor(private readonly wasm: FibscopeExports, private readonly fileOf: readonly number[]) {
    this.parts = fileOf.map(() => []);
    this.done = fileOf.map(() => false);
    this.skipped = fileOf.map(() => false);
  }

  /** A part of piece `index`'s log, sent while it is read. */
  addPart(index: number, log: Uint8Array | undefined): void {
    if (log === undefined) this.refused = 'an anomaly log outgrew the memory limit';
    else this.parts[index].push(log);
    this.pump();
  }

  /** Piece `index` is read: its trackers (the first piece) or the rest of its log. */
  addResult(result: PieceResult): void {
    const { index, anomalies } = result;
    if (anomalies === null) return;
    if (anomalies.overflowed) this.refused = 'an anomaly log outgrew the memory limit';
    if (anomalies.log) this.parts[index].push(anomalies.log);
    if (anomalies.trackers) {
      // the trackers after the last of the pieces read in order by one thread: the replay's start
      if (this.trackers === 0) this.trackers = this.wasm.anomalyTrackersCreate() >>> 0;
      new Uint8Array(this.wasm.memory.buffer, this.trackers, anomalies.trackers.length).set(anomalies.trackers);
    }
    // one reader stops at the first piece that stopped: the rest of the file is not in the report
    if (result.stop) for (let i = index + 1; i < this.fileOf.length && this.fileOf[i] === this.fileOf[index]; i++) this.skipped[i] = true;
    this.done[index] = true;
    this.pump();
  }

  private pump(): void {
    if (this.refused) return;
    while (this.current < this.fileOf.length) {
      const piece = this.current;
      if (piece > 0 && !this.skipped[piece]) {
        for (const part of this.parts[piece]) this.replay(part);
      }
      this.parts[piece] = [];
      if (!this.done[piece]) return;
      this.current++;
    }
  }

  private replay(part: Uint8Array): void {
    if (this.refused || part.length === 0) return;
    const at = this.wasm.anomalyLogReceive(part.length) >>> 0;
    if (at === 0) {
      this.refused = 'an anomaly log does not fit under the memory limit';
      return;
    }
    new Uint8Array(this.wasm.memory.buffer, at, part.length).set(part);
    this.wasm.anomalyLogReplay(this.trackers, at, part.length);
  }

  /** Every class's top lists, once every piece is in. */
  tops(): Tops[] {
    if (this.refused) throw new ReplayRefused(this.refused);
    if (this.current < this.fileOf.length || this.trackers === 0) throw new Error('the anomaly replay is not complete');
    const { wasm } = this;
    const io = wasm.ioPointer() >>> 0;
    wasm.topTrackerLayout(io);
    const [trackerBytes, , slotBytes, slotsAt] = new Uint32Array(wasm.memory.buffer, io, 4);
    const view = new DataView(wasm.memory.buffer, this.trackers, wasm.anomalyTrackersBytes() >>> 0);
    const v6 = new Uint8Array(16);
    return ANOMALY_CLASSES.map((_, index) => ({
      topSources: readTracker(view, index * 2 * trackerBytes, slotsAt, slotBytes, v6),
      topDestinations: readTracker(view, (index * 2 + 1) * trackerBytes, slotsAt, slotBytes, v6),
    }));
  }

  dispose(): void {
    this.wasm.anomalyLogStop();
    if (this.trackers) this.wasm.anomalyTrackersFree(this.trackers);
    this.trackers = 0;
  }
}
