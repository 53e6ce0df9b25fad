// A routing lab in network namespaces: two namespaces, `router` and `speaker`, joined by one veth
// pair with IPv4 and IPv6 addresses; real routing daemons (BIRD 2, GoBGP) run in `router`, the
// side under test in `speaker`. Every name carries a per-run tag, so parallel runs do not meet.
// close() kills every process still inside the namespaces (they are ours: the namespaces are) and
// deletes them, which deletes the veth pair too. Addresses are private space, and no packet
// leaves the namespaces.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a command, throwing with its stderr when it fails. */
function run(command: string, args: readonly string[], timeout = 10_000): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${result.status}: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every `interval` ms until it returns a value other than undefined, or throws after `ms` with the last state. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 15_000, interval = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(interval);
  }
}

/** Why a lab cannot be built here, or null. */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return `not running as root (uid ${process.getuid?.()}): ip netns needs CAP_SYS_ADMIN`;
  if (spawnSync('sh', ['-c', 'command -v ip']).status !== 0) return 'the command ip is missing (Debian: iproute2)';
  const probe = `fs-labprobe-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error || add.status !== 0) return `ip netns add fails: ${add.error?.message ?? add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

/** Why a daemon cannot run here, or null. */
export function daemonMissing(daemon: 'bird' | 'gobgp'): string | null {
  const tools = daemon === 'bird' ? [['bird', 'bird2'], ['birdc', 'bird2']] : [['gobgpd', 'gobgpd'], ['gobgp', 'gobgpd']];
  for (const [tool, pkg] of tools) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `the command ${tool} is missing (Debian: ${pkg})`;
  }
  return null;
}

export type Side = 'router' | 'speaker';

/** The address plan of the link between the two namespaces. */
export interface LinkAddresses {
  v4: string;
  v6: string;
}

export class RoutingLab {
  readonly spaces: Record<Side, string>;
  readonly devices: Record<Side, string>;
  readonly addresses: Record<Side, LinkAddresses>;
  /** The IPv4 and IPv6 networks of the link, for gateways of static routes (any host address in them). */
  readonly link: { v4: (host: number) => string; v6: (host: number) => string };
  /** A scratch folder for configs, sockets and logs; made by create(), removed by close(). */
  readonly dir: string;
  private readonly children = new Set<ChildProcess>();
  private up = false;

  /** `name` is short (it goes into interface names: 15 characters at most); `octet` picks the link's networks, 10.<octet>.0.0/24 and fd00:<octet>::/64. */
  constructor(name: string, octet: number) {
    const tag = `${name}${process.pid}`;
    this.spaces = { router: `fs-${tag}-r`, speaker: `fs-${tag}-s` };
    this.devices = { router: 'lab-r', speaker: 'lab-s' };
    this.link = { v4: (host) => `10.${octet}.0.${host}`, v6: (host) => `fd00:${octet}::${host.toString(16)}` };
    this.addresses = { router: { v4: this.link.v4(1), v6: this.link.v6(1) }, speaker: { v4: this.link.v4(2), v6: this.link.v6(2) } };
    // only named here: a suite skipped (no root, no daemon) still builds its lab but never runs
    // the afterAll that would close it
    this.dir = join(tmpdir(), `fibscope-${tag}-${randomBytes(4).toString('hex')}`);
  }

  /** Makes the scratch folder, the namespaces and the link; a failure half way leaves what close() removes. */
  create(): void {
    mkdirSync(this.dir, { mode: 0o700 }); // fails rather than share a folder that exists
    this.up = true;
    const { router, speaker } = this.spaces;
    run('ip', ['netns', 'add', router]);
    run('ip', ['netns', 'add', speaker]);
    run('ip', ['-n', router, 'link', 'add', this.devices.router, 'type', 'veth', 'peer', 'name', this.devices.speaker, 'netns', speaker]);
    for (const side of ['router', 'speaker'] as const) {
      const ns = this.spaces[side];
      const dev = this.devices[side];
      run('ip', ['-n', ns, 'addr', 'add', `${this.addresses[side].v4}/24`, 'dev', dev]);
      // nodad: usable at once, not after duplicate address detection's second or two
      run('ip', ['-n', ns, '-6', 'addr', 'add', `${this.addresses[side].v6}/64`, 'dev', dev, 'nodad']);
      // a device set down keeps its IPv6 addresses (Linux flushes them by default), so a test can silence the link and bring it back
      run('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv6.conf.${dev}.keep_addr_on_down=1`]);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
  }

  /** Runs a command inside a namespace and returns its output. */
  exec(side: Side, command: string, args: readonly string[], timeout = 10_000): string {
    return run('ip', ['netns', 'exec', this.spaces[side], command, ...args], timeout);
  }

  /** Starts a long-running command inside a namespace; close() kills it if it is still running. */
  spawn(side: Side, command: string, args: readonly string[], stdio: 'pipe' | 'ignore' = 'pipe', ipc = false): ChildProcess {
    const io = ipc ? [stdio, stdio, stdio, 'ipc'] as const : [stdio, stdio, stdio] as const;
    const child = spawn('ip', ['netns', 'exec', this.spaces[side], command, ...args], { stdio: [...io] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Writes a file in the scratch folder and returns its path. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** Kills what runs in the namespaces (our children first, then any stray process in them), deletes the namespaces and the scratch folder. */
  async close(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    if (this.up) {
      for (const ns of Object.values(this.spaces)) {
        const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
        for (const pid of pids.split('\n').filter(Boolean)) {
          try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone already */ }
        }
      }
      // a namespace is deleted at once; a killed process may hold its socket a moment, which delays nothing here
      for (const ns of Object.values(this.spaces)) spawnSync('ip', ['netns', 'del', ns]);
    }
    await sleep(0);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A daemon process in a lab namespace: started in the foreground, so this process owns it. */
abstract class Daemon {
  protected child: ChildProcess | undefined;
  protected output = '';

  constructor(protected readonly lab: RoutingLab, protected readonly side: Side) {}

  protected abstract command(): { command: string; args: string[] };
  /** Resolves once the daemon answers on its control channel. */
  protected abstract ready(): boolean;

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the daemon wrote to stdout and stderr since it was last started: for failure messages. */
  log(): string {
    return this.output;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.constructor.name} already running`);
    const { command, args } = this.command();
    this.output = '';
    const child = this.lab.spawn(this.side, command, args);
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    await waitFor(`${command} to answer on its control channel`, () => {
      if (!this.running) throw new Error(`${command} exited (${child.exitCode ?? child.signalCode}): ${this.output}`);
      return this.ready() ? true : undefined;
    }, 15_000, 100);
  }

  /** Ends it with `signal` and waits until it is gone: SIGTERM is a clean stop (BIRD and GoBGP send a CEASE), SIGKILL a crash (the TCP connection is reset by the kernel). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

// ---------------------------------------------------------------- BIRD 2

export interface StaticRoute {
  prefix: string;
  /** a gateway on the link (next hop keep passes it on unchanged) */
  via: string;
}

export interface BirdBgpNeighbor {
  name: string;
  family: 4 | 6;
  localAddress: string;
  localAs: number;
  neighborAddress: string;
  neighborAs: number;
  neighborPort?: number;
  /** seconds; BIRD's minimum is 3 */
  holdTime?: number;
  /** `next hop keep`: eBGP passes on the static route's gateway instead of BIRD's own address */
  nextHopKeep?: boolean;
  /** RFC 4724 capability: BIRD's default is `aware` (announced, restart time 120 s); false turns it off */
  gracefulRestart?: boolean;
  /** seconds BIRD waits after its start before it first connects; its default is 5 */
  connectDelay?: number;
}

export interface BirdConfig {
  routerId: string;
  static4?: readonly StaticRoute[];
  static6?: readonly StaticRoute[];
  bgp: readonly BirdBgpNeighbor[];
  /** text appended as is (more protocols) */
  extra?: string;
}

/** A BIRD 2 config: a static protocol per family and a BGP protocol per neighbour, exporting every static route. */
export function birdConfig(config: BirdConfig): string {
  const statics = (family: 4 | 6, routes: readonly StaticRoute[] | undefined) =>
    `protocol static static${family} {\n  ipv${family};\n${(routes ?? []).map((r) => `  route ${r.prefix} via ${r.via};\n`).join('')}}\n`;
  const bgp = (n: BirdBgpNeighbor) => [
    `protocol bgp ${n.name} {`,
    `  local ${n.localAddress} as ${n.localAs};`,
    `  neighbor ${n.neighborAddress}${n.neighborPort ? ` port ${n.neighborPort}` : ''} as ${n.neighborAs};`,
    `  hold time ${n.holdTime ?? 90};`,
    // BIRD retries a refused connection after 120 s by default: too slow for a test waiting on a restart
    '  connect retry time 1;',
    '  error wait time 1, 2;',
    ...(n.connectDelay !== undefined ? [`  connect delay time ${n.connectDelay};`] : []),
    ...(n.gracefulRestart === false ? ['  graceful restart off;'] : []),
    `  ipv${n.family} { import none; export all;${n.nextHopKeep ? ' next hop keep;' : ''} };`,
    '}',
  ].join('\n');
  return [
    `router id ${config.routerId};`,
    'protocol device {}',
    statics(4, config.static4),
    statics(6, config.static6),
    ...config.bgp.map(bgp),
    config.extra ?? '',
  ].join('\n') + '\n';
}

/** BIRD 2 in the foreground (`-f`), controlled through its socket with birdc. */
export class Bird extends Daemon {
  readonly configPath: string;
  readonly socket: string;
  private readonly pidFile: string;

  constructor(lab: RoutingLab, side: Side, private config: string, name = 'bird') {
    super(lab, side);
    this.configPath = lab.file(`${name}.conf`, config);
    this.socket = join(lab.dir, `${name}.ctl`);
    this.pidFile = join(lab.dir, `${name}.pid`);
  }

  protected command() {
    return { command: 'bird', args: ['-f', '-c', this.configPath, '-s', this.socket, '-P', this.pidFile] };
  }

  protected ready(): boolean {
    return spawnSync('birdc', ['-s', this.socket, 'show', 'status'], { encoding: 'utf8', timeout: 5_000 }).stdout?.includes('Daemon is up') ?? false;
  }

  birdc(args: readonly string[], timeout = 10_000): string {
    return run('birdc', ['-s', this.socket, ...args], timeout);
  }

  /** Rewrites the config and has BIRD apply it (`birdc configure`): routes that changed are announced, withdrawn ones withdrawn. */
  reconfigure(config: string): void {
    this.config = config;
    writeFileSync(this.configPath, config);
    const out = this.birdc(['configure']);
    if (!/Reconfigured|Reconfiguration in progress/.test(out)) throw new Error(`birdc configure: ${out.trim()}`);
  }

  /** `show protocols` as name → state and info: `{ state: 'up', info: 'Established' }`. */
  protocols(): Map<string, { state: string; info: string }> {
    const rows = new Map<string, { state: string; info: string }>();
    for (const line of this.birdc(['show', 'protocols']).split('\n').slice(2)) {
      const m = /^(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s*(.*)$/.exec(line);
      if (m) rows.set(m[1], { state: m[2], info: m[3].trim() });
    }
    return rows;
  }

  /** Resolves once the BGP protocol `name` shows `info` (Established, Active, Connect...). */
  waitForProtocol(name: string, info: RegExp, ms = 15_000): Promise<string> {
    return waitFor(`BIRD protocol ${name} to show ${info}`, () => {
      const row = this.protocols().get(name);
      return row && info.test(row.info) ? row.info : undefined;
    }, ms, 200);
  }
}

// ---------------------------------------------------------------- GoBGP

export interface GobgpNeighbor {
  address: string;
  as: number;
  remotePort?: number;
  holdTime?: number;
  families: readonly (4 | 6)[];
  /** the local address to connect from */
  localAddress?: string;
}

export interface GobgpConfig {
  as: number;
  routerId: string;
  /** the port gobgpd listens on for BGP; -1 (the default) listens nowhere: the lab's daemons connect out */
  listenPort?: number;
  /** the addresses it listens on and connects from (default: gobgpd's own, every address) */
  listenAddresses?: readonly string[];
  neighbors: readonly GobgpNeighbor[];
}

/** A gobgpd TOML config. */
export function gobgpConfig(config: GobgpConfig): string {
  const lines = ['[global.config]', `  as = ${config.as}`, `  router-id = "${config.routerId}"`, `  port = ${config.listenPort ?? -1}`];
  if (config.listenAddresses) lines.push(`  local-address-list = [${config.listenAddresses.map((address) => `"${address}"`).join(', ')}]`);
  for (const n of config.neighbors) {
    lines.push(
      '[[neighbors]]',
      '  [neighbors.config]', `    neighbor-address = "${n.address}"`, `    peer-as = ${n.as}`,
      '  [neighbors.timers.config]', '    connect-retry = 1', `    hold-time = ${n.holdTime ?? 90}`,
      '  [neighbors.transport.config]', `    remote-port = ${n.remotePort ?? 179}`,
      ...(n.localAddress ? [`    local-address = "${n.localAddress}"`] : []),
    );
    for (const family of n.families) {
      lines.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "ipv${family}-unicast"`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** gobgpd with its gRPC API on the namespace's loopback, controlled with the gobgp CLI. */
export class Gobgp extends Daemon {
  readonly configPath: string;

  constructor(lab: RoutingLab, side: Side, config: string, readonly apiPort = 50051, name = 'gobgp') {
    super(lab, side);
    this.configPath = lab.file(`${name}.toml`, config);
  }

  protected command() {
    return { command: 'gobgpd', args: ['-f', this.configPath, '-t', 'toml', '--api-hosts', `127.0.0.1:${this.apiPort}`, '-l', 'warn'] };
  }

  protected ready(): boolean {
    const result = spawnSync('ip', ['netns', 'exec', this.lab.spaces[this.side], 'gobgp', '-p', String(this.apiPort), 'global'], { encoding: 'utf8', timeout: 5_000 });
    return result.status === 0 && /AS:/.test(result.stdout);
  }

  /** Runs the gobgp CLI against this daemon: `cli(['global', 'rib', 'add', '10.0.0.0/24', '-a', 'ipv4'])`. */
  cli(args: readonly string[], timeout = 10_000): string {
    return this.lab.exec(this.side, 'gobgp', ['-p', String(this.apiPort), ...args], timeout);
  }

  /** The state of the session to `address` as `gobgp neighbor` shows it (Establ, Active, Idle...). */
  neighborState(address: string): string | undefined {
    for (const line of this.cli(['neighbor']).split('\n')) {
      const cells = line.trim().split(/\s+/);
      if (cells[0] === address) return cells[3];
    }
    return undefined;
  }
}
