// Splits a TCP byte stream into BGP messages by the header's length. Whole messages inside a chunk
// are handed out as views of that chunk; only a message split across chunks is copied, once, into
// a buffer of the largest message size.
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from './message/constants.js';
import { BgpMessageError } from './message/errors.js';
import { decodeHeader } from './message/header.js';

/**
 * Called once per message: `message` is the whole message (header included), valid only during
 * the call. Returns false to stop framing (the session is ending).
 */
export type MessageHandler = (type: number, message: Uint8Array) => boolean;

export class MessageFramer {
  private readonly pending = new Uint8Array(MAX_MESSAGE_LENGTH);
  private pendingLength = 0;
  private stopped = false;

  constructor(private readonly onMessage: MessageHandler, private readonly onError: (error: BgpMessageError) => void) {}

  /**
   * Feeds bytes; stops at the first bad header (reported through onError) or when a handler says
   * so. Returns how many bytes of `chunk` it took: all of them, unless the clock passed `deadline`
   * (performance.now() time) after a whole message, when the caller feeds the rest later.
   */
  push(chunk: Uint8Array, deadline = Infinity): number {
    let offset = 0;
    while (!this.stopped && offset < chunk.length) {
      if (deadline !== Infinity && this.pendingLength === 0 && performance.now() > deadline) return offset;
      if (this.pendingLength > 0 || chunk.length - offset < HEADER_LENGTH) {
        offset = this.fillPending(chunk, offset);
        continue;
      }
      const header = decodeHeader(chunk, offset);
      if (header instanceof BgpMessageError) {
        this.fail(header);
        return chunk.length;
      }
      if (chunk.length - offset < header.length) {
        offset = this.fillPending(chunk, offset);
        continue;
      }
      if (!this.onMessage(header.type, chunk.subarray(offset, offset + header.length))) this.stopped = true;
      offset += header.length;
    }
    return chunk.length;
  }

  /** Copies what the pending message still needs from `chunk[offset]`; hands it out when complete. */
  private fillPending(chunk: Uint8Array, offset: number): number {
    if (this.pendingLength < HEADER_LENGTH) {
      const take = Math.min(HEADER_LENGTH - this.pendingLength, chunk.length - offset);
      this.pending.set(chunk.subarray(offset, offset + take), this.pendingLength);
      this.pendingLength += take;
      offset += take;
      if (this.pendingLength < HEADER_LENGTH) return offset;
    }
    const header = decodeHeader(this.pending, 0);
    if (header instanceof BgpMessageError) {
      this.fail(header);
      return chunk.length;
    }
    const take = Math.min(header.length - this.pendingLength, chunk.length - offset);
    this.pending.set(chunk.subarray(offset, offset + take), this.pendingLength);
    this.pendingLength += take;
    offset += take;
    if (this.pendingLength === header.length) {
      this.pendingLength = 0;
      if (!this.onMessage(header.type, this.pending.subarray(0, header.length))) this.stopped = true;
    }
    return offset;
  }

  private fail(error: BgpMessageError): void {
    this.stopped = true;
    this.onError(error);
  }
}
