// MRT record framing (RFC 6396 2-3): a 12-byte common header (timestamp, type, subtype, length),
// 4 more bytes of microseconds for the _ET types (counted in the length), then the body. One
// cursor walks a whole file without making an object per record.
import { isExtendedTimestamp } from './constants.js';

export const MRT_HEADER_LENGTH = 12;

/** Where a record broke off, and why: what was read before it stays. */
export interface MrtTruncation {
  /** `FILE@OFFSET`, the offset of the record's first byte. */
  where: string;
  reason: string;
}

export class MrtRecords {
  /** Offset of the current record's header. */
  offset = 0;
  timestamp = 0;
  /** 0 unless the record is of an _ET type. */
  microseconds = 0;
  type = 0;
  subtype = 0;
  /** The body: `bytes[bodyStart, bodyEnd)` (after the microseconds of an _ET record). */
  bodyStart = 0;
  bodyEnd = 0;
  /** Set when `next()` stopped at a record that does not fit in the file. */
  truncated: MrtTruncation | undefined;
  readonly view: DataView;
  private nextOffset = 0;

  constructor(readonly bytes: Uint8Array, readonly source: string) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Moves to the next record; false at the end of the file or at a truncated record (`truncated` then says where). */
  next(): boolean {
    const at = this.nextOffset;
    const size = this.bytes.length;
    if (at >= size || this.truncated) return false;
    this.offset = at;
    if (size - at < MRT_HEADER_LENGTH) {
      return this.cut(`an MRT record header needs ${MRT_HEADER_LENGTH} bytes, the file ends ${size - at} bytes after its start`);
    }
    const view = this.view;
    this.timestamp = view.getUint32(at);
    this.type = view.getUint16(at + 4);
    this.subtype = view.getUint16(at + 6);
    const length = view.getUint32(at + 8);
    const bodyEnd = at + MRT_HEADER_LENGTH + length;
    if (bodyEnd > size) {
      return this.cut(`the record (${this.type}/${this.subtype}) says ${length} bytes follow its header, the file has ${size - at - MRT_HEADER_LENGTH}`);
    }
    let bodyStart = at + MRT_HEADER_LENGTH;
    this.microseconds = 0;
    if (isExtendedTimestamp(this.type)) {
      if (length < 4) return this.cut(`an _ET record (${this.type}/${this.subtype}) of length ${length} has no room for its microseconds`);
      this.microseconds = view.getUint32(bodyStart);
      bodyStart += 4;
    }
    this.bodyStart = bodyStart;
    this.bodyEnd = bodyEnd;
    this.nextOffset = bodyEnd;
    return true;
  }

  /** Makes `next()` read the record at `offset` (a record boundary) next. */
  seek(offset: number): void {
    this.nextOffset = offset;
  }

  /** `FILE@OFFSET` of the current record. */
  where(offset = this.offset): string {
    return `${this.source}@${offset}`;
  }

  private cut(reason: string): false {
    this.truncated = { where: this.where(), reason: `truncated MRT record: ${reason}` };
    return false;
  }
}
