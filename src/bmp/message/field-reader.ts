import { BmpFormatError } from '../errors.js';

/**
 * Reads one BMP message's fields in order, each checked against the message's exact length, so
 * a decoder states what it reads and every shortfall becomes a BmpFormatError naming the field.
 * Offsets are counted from the message's first byte (`base`), as the errors report them.
 */
export class FieldReader {
  private at: number;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    readonly messageType: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.at = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.end - this.at;
  }

  /** A BmpFormatError at the current offset (or `at`). */
  error(message: string, at = this.at): BmpFormatError {
    return new BmpFormatError(this.messageType, at, message);
  }

  private need(count: number, what: string): number {
    const at = this.at;
    if (count > this.end - at) {
      throw new BmpFormatError(this.messageType, at,
        `${what} needs ${count} byte${count === 1 ? '' : 's'}, the message has ${this.end - at} left`, true);
    }
    this.at = at + count;
    return at;
  }

  u8(what: string): number {
    return this.bytes[this.need(1, what)];
  }

  u16(what: string): number {
    return this.view.getUint16(this.need(2, what));
  }

  u32(what: string): number {
    return this.view.getUint32(this.need(4, what));
  }

  u64(what: string): bigint {
    return this.view.getBigUint64(this.need(8, what));
  }

  /** A view (not a copy) of the next `count` bytes. */
  bytesOf(count: number, what: string): Uint8Array {
    const at = this.need(count, what);
    return this.bytes.subarray(at, at + count);
  }

  /** A view of bytes already read, `[from, to)`. */
  slice(from: number, to: number): Uint8Array {
    return this.bytes.subarray(from, to);
  }

  /** Throws unless every byte of the message was read. */
  expectEnd(what: string): void {
    if (this.at !== this.end) throw this.error(`${this.end - this.at} bytes after ${what}`);
  }
}
