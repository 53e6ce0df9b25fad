// The test side of bgp-speaker-host.mjs: starts fibscope's BGP speaker with a live Fib in a lab
// namespace and asks it for its routes and sessions.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SessionInfo } from '../../src/bgp/types.js';
import type { RoutingLab, Side } from './routing-lab.js';

const HOST = new URL('./bgp-speaker-host.mjs', import.meta.url).pathname;

export interface SpeakerHostConfig {
  localAs: number;
  routerId: string;
  peers: { address: string; as: number }[];
  holdTime?: number;
  host: string;
  port: number;
}

/** A route as the host reports it: fib.routesFor's fields without the id. */
export interface HostRoute {
  prefix: string;
  nextHop: string | null;
  metric: number;
  type: string;
  asPath?: string;
  originAs?: number;
  communities?: string[];
  source?: string;
  med?: number;
  localPref?: number;
}

export type HostEvent =
  | { event: 'peerUp'; peer: { id: string; address: string; as: number; routerId: string; internal: boolean } }
  | { event: 'update'; peerId: string; announced: string[]; withdrawn: string[] }
  | { event: 'endOfRib'; peerId: string; family: 4 | 6 }
  | { event: 'peerDown'; peerId: string; reason: string; restartSeconds?: number }
  | { event: 'log'; line: string };

export class SpeakerHost {
  /** Every sink call and log line so far, in order. */
  readonly events: HostEvent[] = [];
  private readonly waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  private nextId = 1;
  private stderr = '';

  private constructor(private readonly child: ChildProcess, readonly port: number) {}

  static start(lab: RoutingLab, side: Side, config: SpeakerHostConfig): Promise<SpeakerHost> {
    const child = lab.spawn(side, process.execPath, [HOST, JSON.stringify(config)]);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the speaker host did not listen: ${stderr}`)), 15_000);
      child.on('exit', (code) => reject(new Error(`the speaker host exited (${code}): ${stderr}`)));
      let host: SpeakerHost | undefined;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as Record<string, unknown>;
        if (host === undefined) {
          if (typeof message.listening !== 'number') return;
          clearTimeout(timer);
          host = new SpeakerHost(child, message.listening);
          child.stderr!.on('data', (d) => (host!.stderr += d));
          resolve(host);
        } else if (typeof message.id === 'number') {
          host.waiting.get(message.id)?.(message);
          host.waiting.delete(message.id);
        } else {
          host.events.push(message as unknown as HostEvent);
        }
      });
    });
  }

  private ask(op: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the speaker host did not answer ${op}: ${this.stderr}`)), 10_000);
      this.waiting.set(id, (reply) => { clearTimeout(timer); resolve(reply); });
      this.child.stdin!.write(`${JSON.stringify({ id, op })}\n`);
    });
  }

  /** Every route in the Fib, by prefix (one per prefix: a single peer per family in these tests). */
  async routes(): Promise<Map<string, HostRoute>> {
    const reply = await this.ask('routes');
    return new Map((reply.routes as HostRoute[]).map((route) => [route.prefix, route]));
  }

  async sessions(): Promise<SessionInfo[]> {
    return (await this.ask('sessions')).sessions as SessionInfo[];
  }

  /** What the host logged: for failure messages. */
  log(): string {
    return this.events.filter((e) => e.event === 'log').map((e) => (e as { line: string }).line).join('\n') + this.stderr;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    await this.ask('close');
  }
}
