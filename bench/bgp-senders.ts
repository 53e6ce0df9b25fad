// The senders of `npm run bench -- bgp`: a replay of pre-encoded UPDATEs (the speaker's own
// ceiling) and BIRD 2 holding the table as static routes (a real daemon that loads a million
// routes in seconds, where gobgpd's `mrt inject` takes minutes).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { MrtRoute } from './mrt.js';

const formatIPv4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// fibscope's own encoders, loaded from the build like bgp.ts loads the speaker
interface Encoders {
  encodeOpen(o: { as: number; holdTime: number; bgpIdentifier: string; capabilities: object }): Uint8Array;
  encodeKeepalive(): Uint8Array;
  encodeUpdate(parts: { attributes?: readonly Uint8Array[]; nlri?: readonly string[] }): Uint8Array;
  encodePathAttributes(a: { origin: number; asPath: string; nextHop?: string }, fourOctetAs: boolean): Uint8Array[];
}

async function encoders(): Promise<Encoders> {
  const load = async (path: string) => import(new URL(`../../dist/bgp/message/${path}`, import.meta.url).href);
  return { ...(await load('open.js')), ...(await load('keepalive.js')), ...(await load('update.js')) } as Encoders;
}

/**
 * The table as UPDATE messages of `perUpdate` prefixes each, every message with the AS path and
 * next hop of its first route (routers pack prefixes sharing attributes: 100-400 a message).
 */
export async function encodeTable(routes: readonly MrtRoute[], perUpdate: number): Promise<Uint8Array[]> {
  const e = await encoders();
  const updates: Uint8Array[] = [];
  for (let i = 0; i < routes.length; i += perUpdate) {
    const batch = routes.slice(i, i + perUpdate);
    const attributes = e.encodePathAttributes({ origin: 0, asPath: batch[0].asPath.join(' '), nextHop: formatIPv4(batch[0].nextHop) }, true);
    updates.push(e.encodeUpdate({ attributes, nlri: batch.map((r) => `${formatIPv4(r.addr)}/${r.length}`) }));
  }
  return updates;
}

/** Joins the messages into writes of about `bytes` each. */
function joinWrites(messages: readonly Uint8Array[], bytes: number): Buffer[] {
  const writes: Buffer[] = [];
  for (let i = 0; i < messages.length;) {
    const group: Uint8Array[] = [];
    let size = 0;
    while (i < messages.length && size < bytes) { group.push(messages[i]); size += messages[i++].length; }
    writes.push(Buffer.concat(group));
  }
  return writes;
}

/**
 * Connects from `localAddress` to the speaker, opens a session (hold time 0) and writes every
 * UPDATE as fast as TCP takes them. Resolves with the ms from the session up (the speaker's
 * KEEPALIVE received) to the last byte handed to the kernel.
 */
export async function replay(o: { host: string; port: number; localAddress: string; as: number; updates: readonly Uint8Array[] }): Promise<number> {
  const e = await encoders();
  const writes = joinWrites(o.updates, 1 << 20);
  const socket = connect({ host: o.host, port: o.port, localAddress: o.localAddress });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  socket.write(e.encodeOpen({
    as: o.as, holdTime: 0, bgpIdentifier: o.localAddress,
    capabilities: { multiprotocol: [{ afi: 1, safi: 1 }], routeRefresh: true, fourOctetAs: o.as, unknown: [] },
  }));
  // the speaker's OPEN then KEEPALIVE: count whole messages by their header's length field
  await new Promise<void>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    let messages = 0;
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 19 && buffered.length >= buffered.readUInt16BE(16)) {
        const type = buffered[18];
        if (type === 3) reject(new Error('the speaker sent a NOTIFICATION to the replay sender'));
        buffered = buffered.subarray(buffered.readUInt16BE(16));
        if (++messages === 2) { socket.off('data', onData); resolve(); }
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('the speaker closed the replay session')));
  });
  socket.write(e.encodeKeepalive());
  const upAt = performance.now();
  for (const bytes of writes) {
    if (!socket.write(bytes)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  await new Promise<void>((resolve) => socket.write(new Uint8Array(0), () => resolve()));
  const sentMs = performance.now() - upAt;
  // the session stays open (a closed one would withdraw the routes); the caller's speaker.close() ends it
  socket.on('data', () => {});
  return sentMs;
}

export function birdMissing(): string | undefined {
  for (const tool of ['bird', 'birdc']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `the command ${tool} is missing (Debian: bird2)`;
  }
  return undefined;
}

export interface BirdNeighbor { name: string; localAddress: string; localAs: number; address: string; port?: number; as: number; passive?: boolean; importAll?: boolean }

/**
 * BIRD 2 with the routes as one static protocol (blackhole routes, each AS path prepended: BIRD
 * then packs the prefixes sharing a path in one UPDATE) and a BGP protocol per neighbour. Sessions
 * are multihop, so that next hops on loopback addresses are accepted, and bound to their own
 * address (strict bind), so that BIRD's listening socket takes port 179 on that address only.
 */
export class Bird {
  private readonly child: ChildProcess;
  private output = '';
  readonly socket: string;

  constructor(dir: string, name: string, routerId: string, routes: readonly MrtRoute[], neighbors: readonly BirdNeighbor[]) {
    const config = join(dir, `${name}.conf`);
    this.socket = join(dir, `${name}.ctl`);
    const lines = [`router id ${routerId};`, 'protocol device {}'];
    if (routes.length > 0) {
      lines.push('protocol static table_routes {', '  ipv4;');
      for (const r of routes) lines.push(`  route ${formatIPv4(r.addr)}/${r.length} blackhole { bgp_path.prepend(${r.asPath[0]}); };`);
      lines.push('}');
    }
    for (const n of neighbors) {
      lines.push(
        `protocol bgp ${n.name} {`,
        `  local ${n.localAddress} as ${n.localAs};`,
        `  neighbor ${n.address}${n.port ? ` port ${n.port}` : ''} as ${n.as};`,
        '  strict bind yes; multihop; hold time 240; connect retry time 1; error wait time 1, 2;',
        ...(n.passive ? ['  passive yes;'] : []),
        `  ipv4 { import ${n.importAll ? 'all' : 'none'}; export ${n.importAll ? 'none' : 'all'}; };`,
        '}',
      );
    }
    writeFileSync(config, `${lines.join('\n')}\n`);
    this.child = spawn('bird', ['-f', '-c', config, '-s', this.socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
  }

  birdc(args: readonly string[]): string {
    if (this.child.exitCode !== null) throw new Error(`bird exited: ${this.output}`);
    const result = spawnSync('birdc', ['-s', this.socket, ...args], { encoding: 'utf8', timeout: 30_000 });
    return result.stdout ?? '';
  }

  /** Routes in its IPv4 table (`birdc show route count`). */
  routes(): number {
    const match = /(\d+) of \d+ routes for \d+ networks in table master4/.exec(this.birdc(['show', 'route', 'count']));
    return match ? Number(match[1]) : 0;
  }

  established(protocol: string): boolean {
    return /Established/.test(this.birdc(['show', 'protocols', protocol]));
  }

  /** Polls `done` every `ms` until it holds or `limitMs` passed. */
  async until(done: () => boolean, limitMs: number, what: string, ms = 100): Promise<void> {
    const deadline = performance.now() + limitMs;
    while (!done()) {
      if (performance.now() > deadline) throw new Error(`bird: ${what} not after ${limitMs / 1000} s: ${this.output}`);
      await sleep(ms);
    }
  }

  stop(): Promise<void> {
    return stopDaemon(this.child);
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the daemon exited. */
export async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
