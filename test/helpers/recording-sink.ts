// A RouteSink that records every call and keeps each source's routes the obvious slow way (a
// map of prefix to attributes, withdraw then announce), for tests of route protocol sessions.
import type { AddressFamily, PathAttributes, PeerDescription, RouteChange, RouteSink } from '../../src/bgp/types.js';

export type SinkCall =
  | { call: 'peerUp'; peer: PeerDescription }
  | { call: 'update'; peerId: string; changes: readonly RouteChange[] }
  | { call: 'endOfRib'; peerId: string; family: AddressFamily }
  | { call: 'peerDown'; peerId: string; reason: string; restartSeconds?: number };

export class RecordingSink implements RouteSink {
  readonly calls: SinkCall[] = [];
  /** Routes of each source that is up, by prefix. */
  readonly routes = new Map<string, Map<string, PathAttributes>>();
  readonly peers = new Map<string, PeerDescription>();
  /** Calls that broke the contract (update before peerUp…), as text. */
  readonly violations: string[] = [];
  private waiters: (() => void)[] = [];

  private record(call: SinkCall): void {
    this.calls.push(call);
    for (const wake of this.waiters.splice(0)) wake();
  }

  peerUp(peer: PeerDescription): void {
    this.record({ call: 'peerUp', peer });
    if (this.routes.has(peer.id)) this.violations.push(`peerUp of ${peer.id}, which is up`);
    this.routes.set(peer.id, new Map());
    this.peers.set(peer.id, peer);
  }

  update(peerId: string, changes: readonly RouteChange[]): void {
    this.record({ call: 'update', peerId, changes });
    const table = this.routes.get(peerId);
    if (!table) {
      this.violations.push(`update of ${peerId}, which is not up`);
      return;
    }
    for (const change of changes) {
      for (const prefix of change.withdrawn) table.delete(prefix);
      if (change.announced.length > 0 && !change.attributes) this.violations.push(`announcement without attributes from ${peerId}`);
      for (const prefix of change.announced) table.set(prefix, change.attributes!);
    }
  }

  endOfRib(peerId: string, family: AddressFamily): void {
    this.record({ call: 'endOfRib', peerId, family });
    if (!this.routes.has(peerId)) this.violations.push(`endOfRib of ${peerId}, which is not up`);
  }

  peerDown(peerId: string, reason: string, restartSeconds?: number): void {
    this.record(restartSeconds === undefined ? { call: 'peerDown', peerId, reason } : { call: 'peerDown', peerId, reason, restartSeconds });
    if (!this.routes.delete(peerId)) this.violations.push(`peerDown of ${peerId}, which is not up`);
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

  /** Every call about one source, in order. */
  of(peerId: string): SinkCall[] {
    return this.calls.filter((c) => (c.call === 'peerUp' ? c.peer.id === peerId : c.peerId === peerId));
  }

  /** The calls of one kind, in order. */
  callsOf<K extends SinkCall['call']>(kind: K): Extract<SinkCall, { call: K }>[] {
    return this.calls.filter((c): c is Extract<SinkCall, { call: K }> => c.call === kind);
  }
}
