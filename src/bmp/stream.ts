// Cuts a BMP byte stream (TCP delivers it in arbitrary pieces) into whole messages by the
// common header's length, so decoders always get exactly one message.
import { COMMON_HEADER_LENGTH, decodeCommonHeader } from './message/common-header.js';

export class BmpFramer {
  /** Bytes of an incomplete message carried over from earlier chunks. */
  private pending = new Uint8Array(0);
  /** Bytes read since the stream started: locates a bad header in errors. */
  private consumed = 0;

  /**
   * Calls `onMessage` for every whole message `chunk` completes, in order; views passed to it
   * are valid only during the call. Throws BmpFormatError at a bad common header (the stream
   * cannot be followed past it) or whatever `onMessage` throws.
   */
  push(chunk: Uint8Array, onMessage: (message: Uint8Array) => void): void {
    let bytes = chunk;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending);
      bytes.set(chunk, this.pending.length);
    }
    let at = 0;
    while (bytes.length - at >= COMMON_HEADER_LENGTH) {
      const length = decodeCommonHeader(bytes, at, this.consumed + at).length;
      if (bytes.length - at < length) break;
      onMessage(bytes.subarray(at, at + length));
      at += length;
    }
    this.consumed += at;
    // copied: the caller may reuse the chunk's memory (a socket's pooled buffer)
    this.pending = bytes.slice(at);
  }

  /** Bytes of an unfinished message held back, 0 at a message boundary. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Where the unfinished message stands, for the line that reports a stream cut inside it. */
  describePending(): string {
    if (this.pending.length < COMMON_HEADER_LENGTH) return `${this.pending.length} bytes of a common header`;
    const length = decodeCommonHeader(this.pending).length;
    return `${this.pending.length} of the ${length} bytes of a message`;
  }
}
