// One passive BGP session over an accepted TCP connection (RFC 4271 8, with the peer doing the
// connecting): OPEN exchange, timers, and UPDATEs to the RouteSink. The codec lives in message/;
// what a bad UPDATE costs comes from decodeUpdate's RFC 7606 outcome.
import type { Socket } from 'node:net';
import type { AddressFamily, PeerDescription, RouteSink, SessionState } from './types.js';
import {
  Afi, BGP_VERSION, CeaseSubcode, ErrorCode, FsmSubcode, MessageType, MESSAGE_TYPE_NAMES, OpenSubcode, Safi,
} from './message/constants.js';
import { BgpMessageError } from './message/errors.js';
import type { Capabilities } from './message/capabilities.js';
import { decodeOpen, encodeOpen, type OpenMessage } from './message/open.js';
import { encodeKeepalive } from './message/keepalive.js';
import { decodeNotification, describeNotification, encodeNotification } from './message/notification.js';
import { decodeUpdate } from './message/update.js';
import { u16Bytes } from './message/bytes.js';
import { MessageFramer } from './framer.js';

/** RFC 4271 8: the hold time while waiting for the peer's OPEN ("a large value", 4 minutes suggested). */
export const OPEN_HOLD_SECONDS = 240;
/**
 * Milliseconds of framing and route changes per turn of the event loop before the rest waits for
 * the next (at least one whole message a turn): the analyzer's chunks of a capture get turns in
 * between. Measured with a full table replayed (README, "Live routing"): 16% of the analyzer's
 * speed alone while converging, against 0% with no limit, for 4.3 -> 6.0 s of convergence.
 */
export const WORK_PER_TURN_MS = 0.5;

/**
 * What this speaker advertises: IPv4 and IPv6 unicast, route refresh (requests are ignored:
 * nothing is sent anyway), 4-octet AS, and graceful restart as a receiver only: no families, so
 * no forwarding state of ours is claimed (RFC 4724 3), restart time 0, flags 0.
 */
export function speakerCapabilities(localAs: number): Capabilities {
  return {
    multiprotocol: [{ afi: Afi.IPV4, safi: Safi.UNICAST }, { afi: Afi.IPV6, safi: Safi.UNICAST }],
    routeRefresh: true,
    fourOctetAs: localAs,
    gracefulRestart: { restarting: false, notification: false, restartTime: 0, families: [] },
    unknown: [],
  };
}

export interface SessionOptions {
  readonly localAs: number;
  readonly routerId: string;
  /** The configured peer: its address (canonical text) and AS. */
  readonly peerAddress: string;
  readonly peerAs: number;
  /** Offered hold time, seconds: 0 or >= 3. */
  readonly holdTime: number;
  readonly sink: RouteSink;
  readonly log: (line: string) => void;
  /** Counters the speaker keeps per peer across sessions. */
  readonly counters: { updatesReceived: number; prefixesAnnounced: number; prefixesWithdrawn: number };
  /** Called once when the session has ended, with why. */
  readonly onEnd: (session: BgpSession, reason: string) => void;
}

export class BgpSession {
  state: SessionState = 'active';
  since = Date.now();
  peerOpen?: OpenMessage;
  peer?: PeerDescription;
  /** Agreed in the OPEN exchange; 0 means no keepalives and no hold timer. */
  holdTime?: number;
  private fourOctetAs = false;
  private holdTimer?: NodeJS.Timeout;
  private keepaliveTimer?: NodeJS.Timeout;
  private ended = false;
  private readonly framer: MessageFramer;
  /** Bytes read and not yet framed: a full table arrives faster than it is taken in. */
  private readonly received: Uint8Array[] = [];
  private draining = false;
  readonly peerId: string;

  constructor(private readonly socket: Socket, private readonly o: SessionOptions) {
    this.peerId = `bgp ${o.peerAddress}`;
    this.framer = new MessageFramer((type, message) => this.onMessage(type, message), (error) => this.fail(error));
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      if (!this.draining) this.drain();
    });
    socket.on('error', (error) => this.end(`connection error: ${error.message}`, { tcpLoss: true }));
    socket.on('close', () => this.end('connection closed by the peer', { tcpLoss: true }));
    socket.on('end', () => this.end('connection closed by the peer', { tcpLoss: true }));
  }

  /**
   * Frames and applies what was read, for at most WORK_PER_TURN_MS, then lets the event loop run
   * (the capture being classified, HTTP requests) with the socket paused, and goes on next turn:
   * a peer sending a full table must not starve the analyzer. TCP holds the peer back meanwhile.
   */
  private drain(): void {
    this.draining = true;
    const deadline = performance.now() + WORK_PER_TURN_MS;
    try {
      while (this.received.length > 0 && !this.ended) {
        const chunk = this.received[0];
        const taken = this.framer.push(chunk, deadline);
        if (taken < chunk.length) {
          this.received[0] = chunk.subarray(taken);
          break;
        }
        this.received.shift();
      }
    } catch (error) {
      // A bug, not the peer's fault: end this session only, never the process.
      this.received.length = 0;
      this.fail(new BgpMessageError(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_RESET, `internal error: ${(error as Error).message}`));
    }
    if (this.received.length > 0 && !this.ended) {
      this.socket.pause();
      setImmediate(() => this.drain());
      return;
    }
    this.received.length = 0;
    // read on next turn, not now: a resumed socket hands over every chunk it holds at once
    this.socket.pause();
    setImmediate(() => {
      this.draining = false;
      if (!this.socket.destroyed && !this.ended) this.socket.resume();
    });
  }

  /** Sends our OPEN and waits for the peer's (RFC 4271 8.2.2, Active/Connect → OpenSent). */
  start(): void {
    this.send(encodeOpen({ as: this.o.localAs, holdTime: this.o.holdTime, bgpIdentifier: this.o.routerId, capabilities: speakerCapabilities(this.o.localAs) }));
    this.enter('opensent');
    this.armHoldTimer(OPEN_HOLD_SECONDS);
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Whether the peer advertised graceful restart in its OPEN. */
  get peerRestartSeconds(): number | undefined {
    return this.peerOpen?.capabilities.gracefulRestart?.restartTime;
  }

  /** Ends the session with a NOTIFICATION (ours: a shutdown, a refused collision, a bad message). */
  notifyAndClose(errorCode: number, subcode: number, reason: string, data?: Uint8Array): void {
    this.fail(new BgpMessageError(errorCode, subcode, reason, data));
  }

  /** Ends the session as if the connection dropped: a peer restarting gracefully (RFC 4724 4.2). */
  dropForRestart(reason: string): void {
    this.end(reason, { tcpLoss: true });
  }

  private enter(state: SessionState): void {
    this.state = state;
    this.since = Date.now();
  }

  private send(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private onMessage(type: number, message: Uint8Array): boolean {
    if (this.ended) return false;
    // Any message proves the peer alive (RFC 4271 8.2.2 restarts the hold timer on KEEPALIVE and UPDATE; OPEN sets it).
    if (this.holdTime !== undefined && this.holdTime > 0) this.armHoldTimer(this.holdTime);
    if (type === MessageType.NOTIFICATION) {
      const notification = decodeNotification(message);
      this.end(`NOTIFICATION received: ${describeNotification(notification)}`, { tcpLoss: false });
      return false;
    }
    switch (this.state) {
      case 'opensent':
        if (type !== MessageType.OPEN) return this.unexpected(type, FsmSubcode.UNEXPECTED_IN_OPENSENT);
        return this.onOpen(message);
      case 'openconfirm':
        if (type !== MessageType.KEEPALIVE) return this.unexpected(type, FsmSubcode.UNEXPECTED_IN_OPENCONFIRM);
        this.established();
        return !this.ended;
      case 'established':
        if (type === MessageType.UPDATE) return this.onUpdate(message);
        if (type === MessageType.KEEPALIVE || type === MessageType.ROUTE_REFRESH) return true; // nothing to re-send
        return this.unexpected(type, FsmSubcode.UNEXPECTED_IN_ESTABLISHED);
      default:
        return false;
    }
  }

  private unexpected(type: number, subcode: number): false {
    this.fail(new BgpMessageError(ErrorCode.FSM, subcode, `${MESSAGE_TYPE_NAMES[type]} in state ${this.state}`));
    return false;
  }

  private onOpen(message: Uint8Array): boolean {
    const open = decodeOpen(message);
    if (open instanceof BgpMessageError) return this.failed(open);
    if (open.version !== BGP_VERSION) {
      return this.failed(new BgpMessageError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSUPPORTED_VERSION, `version ${open.version}, only 4 is spoken`, u16Bytes(BGP_VERSION)));
    }
    if (open.as !== this.o.peerAs) {
      return this.failed(new BgpMessageError(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_PEER_AS, `peer AS ${open.as}, configured ${this.o.peerAs}`));
    }
    if (open.bgpIdentifierValue === 0 || open.bgpIdentifier === this.o.routerId) {
      return this.failed(new BgpMessageError(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_BGP_IDENTIFIER, `BGP identifier ${open.bgpIdentifier} is ${open.bgpIdentifierValue === 0 ? 'zero' : 'ours'}`));
    }
    if (open.holdTime === 1 || open.holdTime === 2) {
      return this.failed(new BgpMessageError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${open.holdTime}: 0 or at least 3 seconds`));
    }
    this.peerOpen = open;
    this.fourOctetAs = open.capabilities.fourOctetAs !== undefined;
    this.holdTime = Math.min(this.o.holdTime, open.holdTime);
    this.peer = {
      id: this.peerId, kind: 'bgp', address: this.o.peerAddress, as: open.as, routerId: open.bgpIdentifier,
      internal: open.as === this.o.localAs,
    };
    this.send(encodeKeepalive());
    this.enter('openconfirm');
    if (this.holdTime > 0) {
      this.armHoldTimer(this.holdTime);
      this.keepaliveTimer = setInterval(() => this.send(encodeKeepalive()), Math.max(1, Math.floor(this.holdTime / 3)) * 1000);
      this.keepaliveTimer.unref();
    } else {
      this.clearHoldTimer();
    }
    return true;
  }

  private established(): void {
    this.enter('established');
    this.o.log(`bgp: session with ${this.o.peerAddress} (AS ${this.peer!.as}, id ${this.peer!.routerId}) established, hold time ${this.holdTime}s`);
    this.guardSink(() => this.o.sink.peerUp(this.peer!));
  }

  private onUpdate(message: Uint8Array): boolean {
    const decoded = decodeUpdate(message, { fourOctetAs: this.fourOctetAs });
    const counters = this.o.counters;
    counters.updatesReceived++;
    if (decoded.notification) return this.failed(decoded.notification);
    for (const problem of decoded.problems) this.o.log(`bgp: UPDATE from ${this.o.peerAddress}: ${problem.action}: ${problem.reason}`);
    if (decoded.endOfRib !== undefined) {
      const family: AddressFamily = decoded.endOfRib;
      return this.guardSink(() => this.o.sink.endOfRib(this.peerId, family));
    }
    if (decoded.changes.length === 0) return true;
    for (const change of decoded.changes) {
      counters.prefixesAnnounced += change.announced.length;
      counters.prefixesWithdrawn += change.withdrawn.length;
    }
    return this.guardSink(() => this.o.sink.update(this.peerId, decoded.changes));
  }

  /** A sink that throws is a bug on the table's side: it ends this session, not the process. */
  private guardSink(call: () => void): boolean {
    try {
      call();
      return true;
    } catch (error) {
      this.fail(new BgpMessageError(ErrorCode.CEASE, CeaseSubcode.OUT_OF_RESOURCES, `the route table refused a change: ${(error as Error).message}`));
      return false;
    }
  }

  private failed(error: BgpMessageError): false {
    this.fail(error);
    return false;
  }

  /** Sends the error's NOTIFICATION, then closes. */
  private fail(error: BgpMessageError): void {
    if (this.ended) return;
    if (!this.socket.destroyed) {
      this.socket.end(encodeNotification(error.errorCode, error.subcode, error.data));
      setTimeout(() => this.socket.destroy(), 1000).unref();
    }
    this.end(`NOTIFICATION sent: ${error.message}`, { tcpLoss: false });
  }

  private armHoldTimer(seconds: number): void {
    this.clearHoldTimer();
    this.holdTimer = setTimeout(() => {
      this.fail(new BgpMessageError(ErrorCode.HOLD_TIMER_EXPIRED, 0, `no message from the peer in ${seconds} seconds`));
    }, seconds * 1000);
    this.holdTimer.unref();
  }

  private clearHoldTimer(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  /**
   * Once per session: stops the timers, tells the sink (routes kept stale for the peer's restart
   * time when it advertised graceful restart and the connection was lost without a NOTIFICATION).
   */
  private end(reason: string, how: { tcpLoss: boolean }): void {
    if (this.ended) return;
    this.ended = true;
    this.clearHoldTimer();
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    const wasEstablished = this.state === 'established';
    this.enter('idle');
    if (how.tcpLoss && !this.socket.destroyed) this.socket.destroy();
    this.o.log(`bgp: session with ${this.o.peerAddress} ended: ${reason}`);
    if (wasEstablished) {
      const restart = how.tcpLoss ? this.peerRestartSeconds : undefined;
      try {
        this.o.sink.peerDown(this.peerId, reason, restart);
      } catch (error) {
        this.o.log(`bgp: the route table failed to drop ${this.peerId}'s routes: ${(error as Error).message}`);
      }
    }
    this.o.onEnd(this, reason);
  }
}
