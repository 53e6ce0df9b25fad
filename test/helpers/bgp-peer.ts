// A scripted BGP peer for session tests, built from fibscope's own encoders, and a RouteSink that
// records every call.
import { connect, type Socket } from 'node:net';
import type { AddressFamily, PeerDescription, RouteChange, RouteSink } from '../../src/bgp/types.js';
import { MessageFramer } from '../../src/bgp/framer.js';
import { MessageType } from '../../src/bgp/message/constants.js';
import { encodeOpen } from '../../src/bgp/message/open.js';
import { encodeKeepalive } from '../../src/bgp/message/keepalive.js';
import type { Capabilities } from '../../src/bgp/message/capabilities.js';
import { decodeNotification, type Notification } from '../../src/bgp/message/notification.js';

export type SinkCall =
  | { call: 'peerUp'; peer: PeerDescription }
  | { call: 'update'; peerId: string; changes: readonly RouteChange[] }
  | { call: 'endOfRib'; peerId: string; family: AddressFamily }
  | { call: 'peerDown'; peerId: string; reason: string; restartSeconds?: number };

export class RecordingSink implements RouteSink {
  readonly calls: SinkCall[] = [];
  private waiters: (() => void)[] = [];
  peerUp(peer: PeerDescription): void { this.record({ call: 'peerUp', peer }); }
  update(peerId: string, changes: readonly RouteChange[]): void { this.record({ call: 'update', peerId, changes }); }
  endOfRib(peerId: string, family: AddressFamily): void { this.record({ call: 'endOfRib', peerId, family }); }
  peerDown(peerId: string, reason: string, restartSeconds?: number): void {
    this.record(restartSeconds === undefined ? { call: 'peerDown', peerId, reason } : { call: 'peerDown', peerId, reason, restartSeconds });
  }
  private record(call: SinkCall): void {
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();
  }
  /** Resolves with the first call matching `match` (already made or to come); rejects after `ms`. */
  async waitFor(match: (call: SinkCall) => boolean, ms = 10_000): Promise<SinkCall> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.calls.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`sink: no matching call in ${ms} ms; calls: ${JSON.stringify(this.calls.map((c) => c.call))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
  of(peerId: string): SinkCall[] {
    return this.calls.filter((c) => c.call === 'peerUp' ? c.peer.id === peerId : c.peerId === peerId);
  }
}

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
