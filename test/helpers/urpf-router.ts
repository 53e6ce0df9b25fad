// A real Linux router in network namespaces, the oracle for uRPF (RFC 3704): the router `fs-r-*`
// is joined by veth pairs to three neighbours `fs-a-*`, `fs-b-*`, `fs-c-*`, forwards IPv4, has
// rp_filter set (1 strict, 2 loose) and a route of every type: unicast via each neighbour, a
// multipath route over two of them, blackhole, unreachable and prohibit. Every name carries a
// per-run tag, so parallel runs do not meet; close() deletes the namespaces (and with them the
// veth pairs). All addresses are private or documentation space and no packet leaves the
// namespaces.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { LINKTYPE, type PcapngEpb, pcapLayout, pcapng } from './captures.js';
import { untilListening } from './tcpdump.js';

export type UrpfMode = 'strict' | 'loose';
export type Neighbour = 'a' | 'b' | 'c';
export const NEIGHBOURS: readonly Neighbour[] = ['a', 'b', 'c'];

/** rp_filter as the kernel applies it: the larger of conf/all and conf/<interface>. */
export const RP_FILTER: Record<UrpfMode, number> = { strict: 1, loose: 2 };

/** The address plan: each neighbour's link to the router and the network behind it. */
export const PLAN = {
  a: { link: '10.1.0.0/24', router: '10.1.0.1', neighbour: '10.1.0.2', behind: '10.10.0.0/16', link6: 'fd00:1::', behind6: 'fd00:10::/48' },
  b: { link: '10.2.0.0/24', router: '10.2.0.1', neighbour: '10.2.0.2', behind: '10.20.0.0/16', link6: 'fd00:2::', behind6: 'fd00:20::/48' },
  c: { link: '10.3.0.0/24', router: '10.3.0.1', neighbour: '10.3.0.2', behind: '10.30.0.0/16', link6: 'fd00:3::', behind6: 'fd00:30::/48' },
} as const satisfies Record<Neighbour, unknown>;

/** The router's other routes, by what they are for. */
export const ROUTES = {
  /** multipath over a and b */
  multipath: '10.40.0.0/16',
  blackhole: '10.50.0.0/16',
  unreachable: '10.51.0.0/16',
  prohibit: '10.52.0.0/16',
  /** a blackhole inside b's network: the longer prefix wins, for the source as for the destination */
  blackholeInsideB: '10.20.99.0/24',
  /** covered by no route at all (the router has no default route) */
  unrouted: '198.51.100.0/24',
} as const;

export interface UrpfRouterOptions {
  /** a default route via this neighbour (none by default: then some sources have no route) */
  defaultVia?: Neighbour;
  /** rp_filter on conf/all and conf/default (default: the mode's value) */
  rpFilterAll?: number;
  /** rp_filter on each interface (default: the mode's value) */
  rpFilterInterfaces?: number;
}

/** What tcpdump saw on each router interface, by interface name: classic pcap, Ethernet. */
export interface RouterCaptures {
  /** packets the router received on that interface (`-Q in`) */
  ingress: Map<string, Uint8Array>;
  /** packets the router sent out of that interface (`-Q out`): UDP it forwarded, and its ICMP errors (types 3 and 11) */
  egress: Map<string, Uint8Array>;
}

export interface RunningCaptures {
  /**
   * Stops every tcpdump and returns the captures: first waits (5 s at most) until the ingress
   * captures hold `ingressPackets` records, then a pause for forwarding and ARP still in flight.
   */
  stop(ingressPackets?: number): Promise<RouterCaptures>;
}

function ip(args: readonly string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw new Error(`ip ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * Counters of /proc/net/snmp and /proc/net/netstat named as nstat names them (`IpInNoRoutes`,
 * `TcpExtIPReversePathFilter`): each file holds pairs of lines, `Prefix: names…` then
 * `Prefix: values…`.
 */
export function parseNetCounters(text: string, where: string): Map<string, number> {
  const counters = new Map<string, number>();
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [prefix, ...names] = lines[i].trim().split(/\s+/);
    const [valuePrefix, ...values] = lines[i + 1].trim().split(/\s+/);
    if (prefix !== valuePrefix || names.length !== values.length) {
      throw new Error(`${where}:${i + 1}: header "${prefix}" with ${names.length} names, then "${valuePrefix}" with ${values.length} values`);
    }
    names.forEach((name, k) => counters.set(prefix.replace(/:$/, '') + name, Number(values[k])));
  }
  return counters;
}

/** Why a router cannot be built here, or null. */
export function urpfRouterMissing(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return `not running as root (uid ${process.getuid?.()}): ip netns needs CAP_SYS_ADMIN`;
  for (const [tool, pkg] of [['ip', 'iproute2'], ['tcpdump', 'tcpdump'], ['sysctl', 'procps']]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `the command ${tool} is missing (Debian: ${pkg})`;
  }
  const probe = `fs-probe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error || add.status !== 0) return `ip netns add fails: ${add.error?.message ?? add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

export class UrpfRouter {
  readonly router: string;
  readonly neighbours: Record<Neighbour, string>;
  /** the router's device towards each neighbour */
  readonly interfaces: Record<Neighbour, string>;
  private readonly tcpdumps = new Set<ChildProcess>();

  constructor(readonly mode: UrpfMode, tag: string) {
    this.router = `fs-r-${tag}`;
    this.neighbours = { a: `fs-a-${tag}`, b: `fs-b-${tag}`, c: `fs-c-${tag}` };
    this.interfaces = { a: `r-a-${tag}`, b: `r-b-${tag}`, c: `r-c-${tag}` };
  }

  /** Runs `ip -n <ns> args…` and returns its output. */
  ip(ns: string, args: readonly string[]): string {
    return ip(['-n', ns, ...args]);
  }

  sysctl(ns: string, settings: Record<string, number>): void {
    const args = ['netns', 'exec', ns, 'sysctl', '-q', '-w', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)];
    ip(args);
  }

  /** `ip -j route show table all` of the router: the table fibscope loads. */
  routesJson(family: 4 | 6 = 4): string {
    return this.ip(this.router, [`-${family}`, '-j', 'route', 'show', 'table', 'all']);
  }

  /** The router's /proc/net/snmp and /proc/net/netstat counters, by nstat name. */
  counters(): Map<string, number> {
    const counters = new Map<string, number>();
    for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
      const text = ip(['netns', 'exec', this.router, 'cat', file]);
      for (const [k, v] of parseNetCounters(text, `${this.router} ${file}`)) counters.set(k, v);
    }
    return counters;
  }

  /**
   * One tcpdump per router interface and direction, each writing pcap to memory. Immediate mode:
   * with TPACKET_V3's buffered blocks a tcpdump stopped within its 1 s timeout drops what the
   * open block holds (the whole capture, in a test this short).
   */
  async capture(): Promise<RunningCaptures> {
    const runs: { dir: 'ingress' | 'egress'; dev: string; child: ChildProcess; chunks: Buffer[]; closed: Promise<void> }[] = [];
    for (const dev of Object.values(this.interfaces)) {
      for (const [dir, q] of [['ingress', 'in'], ['egress', 'out']] as const) {
        const filter = dir === 'ingress' ? 'ip and udp' : `(ip and udp) or (icmp and (icmp[icmptype] == icmp-unreach or icmp[icmptype] == icmp-timxceed))`;
        const child = spawn('ip', ['netns', 'exec', this.router, 'tcpdump', '--immediate-mode', '-U', '-n', '-i', dev, '-Q', q, '-w', '-', filter],
          { stdio: ['ignore', 'pipe', 'pipe'] });
        this.tcpdumps.add(child);
        const chunks: Buffer[] = [];
        child.stdout!.on('data', (d: Buffer) => chunks.push(d));
        const closed = new Promise<void>((resolve) => child.on('close', () => {
          this.tcpdumps.delete(child);
          resolve();
        }));
        runs.push({ dir, dev, child, chunks, closed });
      }
    }
    await Promise.all(runs.map((r) => untilListening(r.child)));
    return {
      stop: async (ingressPackets = 0) => {
        const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        const ingressRecords = () => runs.filter((r) => r.dir === 'ingress')
          .reduce((n, r) => n + pcapLayout(new Uint8Array(Buffer.concat(r.chunks))).records.length, 0);
        for (const deadline = Date.now() + 5_000; ingressRecords() < ingressPackets && Date.now() < deadline;) await pause(20);
        // forwarding and the neighbours' ARP replies take microseconds; this is generous
        await pause(200);
        for (const r of runs) r.child.kill('SIGINT');
        await Promise.all(runs.map((r) => r.closed));
        const captures: RouterCaptures = { ingress: new Map(), egress: new Map() };
        for (const r of runs) captures[r.dir].set(r.dev, new Uint8Array(Buffer.concat(r.chunks)));
        return captures;
      },
    };
  }

  /** Deletes the namespaces (their veth pairs go with them) and stops any capture left running. */
  close(): void {
    for (const child of this.tcpdumps) child.kill('SIGKILL');
    for (const ns of [this.router, ...Object.values(this.neighbours)]) spawnSync('ip', ['netns', 'del', ns]);
  }

  build(options: UrpfRouterOptions): void {
    const r = this.router;
    const rp = RP_FILTER[this.mode];
    const rpAll = options.rpFilterAll ?? rp;
    const rpInterfaces = options.rpFilterInterfaces ?? rp;
    ip(['netns', 'add', r]);
    this.ip(r, ['link', 'set', 'lo', 'up']);
    // conf/default first, so the interfaces made next start with it; each is then set explicitly
    this.sysctl(r, {
      'net.ipv4.ip_forward': 1, 'net.ipv6.conf.all.forwarding': 1,
      'net.ipv4.conf.all.rp_filter': rpAll, 'net.ipv4.conf.default.rp_filter': rpAll,
      // no ICMP type is rate-limited (per host or globally), so every error the router sends
      // shows why it dropped a packet; ip_error's own per-source bucket still allows a burst of 5
      'net.ipv4.icmp_ratemask': 0,
    });
    for (const n of NEIGHBOURS) {
      const ns = this.neighbours[n];
      const dev = this.interfaces[n];
      const plan = PLAN[n];
      const prefixLength = plan.link.split('/')[1];
      ip(['netns', 'add', ns]);
      this.ip(r, ['link', 'add', dev, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      this.ip(r, ['addr', 'add', `${plan.router}/${prefixLength}`, 'dev', dev]);
      this.ip(r, ['-6', 'addr', 'add', `${plan.link6}1/64`, 'dev', dev, 'nodad']);
      this.ip(r, ['link', 'set', dev, 'up']);
      this.sysctl(r, { [`net.ipv4.conf.${dev}.rp_filter`]: rpInterfaces });
      this.ip(ns, ['link', 'set', 'lo', 'up']);
      this.ip(ns, ['addr', 'add', `${plan.neighbour}/${prefixLength}`, 'dev', 'eth0']);
      this.ip(ns, ['-6', 'addr', 'add', `${plan.link6}2/64`, 'dev', 'eth0', 'nodad']);
      this.ip(ns, ['link', 'set', 'eth0', 'up']);
      // routes back: everything through the router; the neighbour checks no source itself
      this.ip(ns, ['route', 'add', 'default', 'via', plan.router]);
      this.ip(ns, ['-6', 'route', 'add', 'default', 'via', `${plan.link6}1`]);
      this.sysctl(ns, { 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0, 'net.ipv4.conf.eth0.rp_filter': 0 });
      // unicast via each neighbour
      this.ip(r, ['route', 'add', plan.behind, 'via', plan.neighbour, 'dev', dev]);
      this.ip(r, ['-6', 'route', 'add', plan.behind6, 'via', `${plan.link6}2`, 'dev', dev]);
    }
    const { a, b } = PLAN;
    this.ip(r, ['route', 'add', ROUTES.multipath,
      'nexthop', 'via', a.neighbour, 'dev', this.interfaces.a, 'weight', '1',
      'nexthop', 'via', b.neighbour, 'dev', this.interfaces.b, 'weight', '1']);
    for (const type of ['blackhole', 'unreachable', 'prohibit'] as const) this.ip(r, ['route', 'add', type, ROUTES[type]]);
    this.ip(r, ['route', 'add', 'blackhole', ROUTES.blackholeInsideB]);
    if (options.defaultVia) {
      this.ip(r, ['route', 'add', 'default', 'via', PLAN[options.defaultVia].neighbour, 'dev', this.interfaces[options.defaultVia]]);
    }
    // the IPv6 table has the same kinds of route (the kernel has no IPv6 rp_filter: table only)
    this.ip(r, ['-6', 'route', 'add', 'fd00:40::/48',
      'nexthop', 'via', `${a.link6}2`, 'dev', this.interfaces.a, 'weight', '1',
      'nexthop', 'via', `${b.link6}2`, 'dev', this.interfaces.b, 'weight', '1']);
    this.ip(r, ['-6', 'route', 'add', 'blackhole', 'fd00:50::/48']);
    this.ip(r, ['-6', 'route', 'add', 'unreachable', 'fd00:51::/48']);
    this.ip(r, ['-6', 'route', 'add', 'prohibit', 'fd00:52::/48']);
  }
}

/**
 * The ingress captures as one pcapng, an interface (IDB with if_name) per router device and the
 * packets of all in time order: the file to give fibscope, which takes the capture interface of
 * each packet from its IDB's name.
 */
export function ingressPcapng(captures: RouterCaptures): Uint8Array {
  const devices = [...captures.ingress.keys()];
  const packets: PcapngEpb[] = [];
  devices.forEach((device, index) => {
    const bytes = captures.ingress.get(device)!;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const layout = pcapLayout(bytes);
    const microseconds = view.getUint32(0, !layout.bigEndian) === 0xa1b2c3d4;
    if (!microseconds) throw new Error(`${device}: expected tcpdump's µs pcap, magic 0x${view.getUint32(0, !layout.bigEndian).toString(16)}`);
    for (const record of layout.records) {
      const sec = view.getUint32(record.offset, !layout.bigEndian);
      const usec = view.getUint32(record.offset + 4, !layout.bigEndian);
      packets.push({
        kind: 'epb', interface: index, ts: BigInt(sec) * 1_000_000n + BigInt(usec),
        data: bytes.slice(record.dataOffset, record.dataEnd), origLen: record.origLen, flags: 1, // inbound
      });
    }
  });
  packets.sort((x, y) => (x.ts < y.ts ? -1 : x.ts > y.ts ? 1 : 0));
  return pcapng({ sections: [{ interfaces: devices.map((name) => ({ linkType: LINKTYPE.EN10MB, name })), blocks: packets }] });
}

let runs = 0;

/**
 * Builds the router in `mode`. The caller must close() it (in `finally`); when building fails
 * half-way, what was made is deleted before the error is thrown.
 */
export function buildUrpfRouter(mode: UrpfMode, options: UrpfRouterOptions = {}): UrpfRouter {
  // names: 15 bytes at most for an interface; pid and a counter keep runs and routers apart
  const tag = `${(process.pid % 46656).toString(36)}${(runs++ % 36).toString(36)}`;
  const router = new UrpfRouter(mode, tag);
  try {
    router.build(options);
  } catch (error) {
    router.close();
    throw error;
  }
  return router;
}

/** Builds a router, runs `body` with it, and always deletes it. */
export async function withUrpfRouter<T>(mode: UrpfMode, options: UrpfRouterOptions, body: (router: UrpfRouter) => Promise<T>): Promise<T> {
  const router = buildUrpfRouter(mode, options);
  try {
    return await body(router);
  } finally {
    router.close();
  }
}
