import { FibscopeError } from '../errors.js';

/**
 * A BMP message that does not decode: names the message type, the field and the byte offset
 * inside the message (0 = its first header byte). BMP has no NOTIFICATION, so the collector ends
 * that router's session with this as the reason; `truncated` tells a field cut short by the
 * message's own length from a value that is wrong.
 */
export class BmpFormatError extends FibscopeError {
  /** 'common header', 'Peer Up Notification', 'Route Monitoring'… */
  readonly messageType: string;
  /** Byte offset inside the message where the bad field starts. */
  readonly offset: number;
  readonly truncated: boolean;
  constructor(messageType: string, offset: number, message: string, truncated = false) {
    super('BMP_FORMAT', `BMP ${messageType}, byte ${offset}: ${message}`);
    this.messageType = messageType;
    this.offset = offset;
    this.truncated = truncated;
  }
}
