// A scripted BGP peer for session tests, built from fibscope's own encoders.
import { connect, type Socket } from 'node:net';
import { MessageFramer } from '../../src/bgp/framer.js';
import { MessageType } from '../../src/bgp/message/constants.js';
import { encodeOpen } from '../../src/bgp/message/open.js';
import { encodeKeepalive } from '../../src/bgp/message/keepalive.js';
import type { Capabilities } from '../../src/bgp/message/capabilities.js';
import { decodeNotification, type Notification } from '../../src/bgp/message/notification.js';

export interface ReceivedMessage {
  readonly type: number;
  readonly bytes: Uint8Array;
}

/** A TCP connection to the speaker from `localAddress`, recording the messages it receives. */
export class TestPeer {
  readonly received: ReceivedMessage[] = [];
  closed = false;
  private readonly socket: Socket;
  private readonly ready: Promise<void>;

  constructor(port: number, localAddress = '127.0.0.1', host = '127.0.0.1') {
    this.socket = connect({ port, host, localAddress });
    this.socket.on('error', () => {});
    const framer = new MessageFramer((type, bytes) => {
      this.received.push({ type, bytes: bytes.slice() });
      return true;
    }, () => {});
    this.socket.on('data', (chunk) => framer.push(chunk));
    this.socket.on('close', () => { this.closed = true; });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('error', reject);
    });
  }

  async connected(): Promise<void> {
    await this.ready;
  }

  send(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The first message of `type` not yet taken, waiting for it up to `ms`. */
  async next(type: number, ms = 10_000): Promise<Uint8Array> {
    const deadline = Date.now() + ms;
    for (;;) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) return this.received.splice(index, 1)[0].bytes;
      if (Date.now() > deadline) throw new Error(`peer: no message of type ${type} in ${ms} ms (closed: ${this.closed})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async notification(ms = 10_000): Promise<Notification> {
    return decodeNotification(await this.next(MessageType.NOTIFICATION, ms));
  }

  async waitClosed(ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error(`peer: connection still open after ${ms} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** OPEN from us, then KEEPALIVE once the speaker's OPEN and KEEPALIVE came: the session is established. */
  async establish(o: { as: number; routerId: string; holdTime?: number; capabilities?: Partial<Capabilities> }): Promise<Uint8Array> {
    await this.connected();
    this.send(encodeOpen({
      as: o.as, holdTime: o.holdTime ?? 90, bgpIdentifier: o.routerId,
      capabilities: { multiprotocol: [{ afi: 1, safi: 1 }, { afi: 2, safi: 1 }], routeRefresh: true, fourOctetAs: o.as, unknown: [], ...o.capabilities },
    }));
    const open = await this.next(MessageType.OPEN);
    await this.next(MessageType.KEEPALIVE);
    this.send(encodeKeepalive());
    return open;
  }

  destroy(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.end();
  }
}
