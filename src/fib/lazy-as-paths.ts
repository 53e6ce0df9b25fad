// The AS paths of the routes of one MRT bulk load (src/mrt/rib-scan.ts), kept as numbers and the
// distinct paths' bytes: a full table has hundreds of thousands of distinct paths, and making an
// object (or only the text) for each at load time costs the load its time and the next garbage
// collections theirs, while most are never read.
// A path's object is made when a route of it is first read, once per path, so the routes of
// one path share one object (reports make their text once per object).
import { decodeAs4Path, EMPTY_PATH } from '../mrt/attributes.js';
import type { AsAttributes } from '../routes/route.js';

/** A route whose entry was cleared (released, or given other attributes). */
const CLEARED = 0xffffffff;

/** The distinct AS paths of a scan: number 0 is EMPTY_PATH (no AS_PATH), n the scan's path n - 1. */
export interface AsPathTable {
  /** The AS_PATH values' bytes (4-octet AS numbers), and the others' of the scan. */
  readonly bytes: Uint8Array;
  /** Per path n - 1, `stride` u32 from (n - 1) * stride: @1 the start of its value in `bytes`, @2 its length (the scan's table entries, assembly/mrt/blob-table.ts). */
  readonly values: Uint32Array;
  readonly stride: number;
  /**
   * The paths other than one AS_SEQUENCE (rare), decoded at load time, by number; each path not
   * here is one AS_SEQUENCE of one AS number or more, so it has an origin AS.
   */
  readonly otherPaths: ReadonlyMap<number, AsAttributes>;
}

export class LazyAsPaths {
  /** Made on first read, by path number (filled with undefined at first use: a packed array, not a dictionary). */
  private made: (AsAttributes | undefined)[] | undefined;

  /** `paths[i]` is the path number of route id `first + i`. */
  constructor(readonly first: number, private readonly paths: Uint32Array, private readonly table: AsPathTable) {}

  /** Route `id`'s AS attributes; undefined when the id is not of this load or its entry was cleared. */
  get(id: number): AsAttributes | undefined {
    const n = this.numberOf(id);
    return n === CLEARED ? undefined : this.path(n);
  }

  /** Forgets route `id`'s path (its id released, or given other attributes). */
  clear(id: number): void {
    const i = id - this.first;
    if (i >= 0 && i < this.paths.length) this.paths[i] = CLEARED;
  }

  /** Whether some route still here has an origin AS, read from the numbers (no objects made). */
  hasOriginAs(): boolean {
    const { otherPaths } = this.table;
    for (const n of this.paths) {
      if (n === CLEARED || n === 0) continue;
      const other = otherPaths.get(n);
      if (other === undefined || other.originAs !== undefined) return true;
    }
    return false;
  }

  /** Every route's AS attributes (undefined where cleared), by id from `first`: to fold into an eager column. */
  column(): (AsAttributes | undefined)[] {
    const column = new Array<AsAttributes | undefined>(this.paths.length);
    for (let i = 0; i < this.paths.length; i++) column[i] = this.paths[i] === CLEARED ? undefined : this.path(this.paths[i]);
    return column;
  }

  private numberOf(id: number): number {
    const i = id - this.first;
    return i >= 0 && i < this.paths.length ? this.paths[i] : CLEARED;
  }

  private path(n: number): AsAttributes {
    if (n === 0) return EMPTY_PATH;
    if (this.made === undefined) {
      this.made = [];
      for (let i = this.table.values.length / this.table.stride; i >= 0; i--) this.made.push(undefined);
    }
    let path = this.made[n];
    if (path === undefined) {
      const { bytes, values, stride, otherPaths } = this.table;
      const at = values[(n - 1) * stride + 1];
      // not one of the others: one AS_SEQUENCE, which decodes (never Malformed)
      path = otherPaths.get(n) ?? decodeAs4Path(bytes, at, at + values[(n - 1) * stride + 2]) as AsAttributes;
      this.made[n] = path;
    }
    return path;
  }
}
