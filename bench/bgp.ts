// `npm run bench -- bgp`: a full IPv4 table (1,000,000 distinct prefixes; FIBSCOPE_BGP_PREFIXES
// for another size) over a real BGP session to fibscope's BgpSpeaker in this process, which
// installs it in a Fib through LiveRoutes. Senders (FIBSCOPE_BGP_SENDERS, comma-separated):
//   - replay (default): pre-encoded UPDATEs of 200 prefixes from fibscope's encoder, written as
//     fast as TCP takes them: the speaker's own ceiling;
//   - bird (default): BIRD 2 holding the table as static routes, then the same BIRD to a second
//     BIRD: the daemon's own send rate;
//   - gobgp: gobgpd with the table injected from a generated MRT dump (about 5 minutes to load).
// Reports seconds from session up (the sink's peerUp) to the last prefix in the Fib, route
// changes per second, and Analyzer.push of bench's generated capture on the Fib being filled
// against the same capture on the full Fib alone.
// Target: the full table converged in at most 10 s while classification keeps 50% of its speed.
//
// The daemons run in this namespace and talk over loopback addresses only (127.0.0.1-3): the
// speaker and the analyzer must share this process's event loop, which a process cannot take
// into another network namespace. The daemons' BGP ports are bound to 127.0.0.2 and 127.0.0.3.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEvents } from 'node:timers/promises';
import { Analyzer, Fib } from 'fibscope';
import { bgpLikeTable, generateCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { ipv4Number, type MrtRoute, writeMrtRib } from './mrt.js';
import { seeded } from './tables.js';
import { Bird, birdMissing, encodeTable, replay, stopDaemon } from './bgp-senders.js';

/** A full IPv4 table; FIBSCOPE_BGP_PREFIXES sets another size (a quick run). */
const PREFIXES = Number(process.env.FIBSCOPE_BGP_PREFIXES ?? 1_000_000);
/** Prefixes per distinct AS path: a 2026 table has roughly one path per three prefixes. */
const PREFIXES_PER_PATH = 3;
const CAPTURE_PACKETS = 1_000_000;
/** Capture bytes per Analyzer.push; the loop yields to I/O between pushes, as serve's reader does. */
const PUSH_BYTES = 256 << 10;
const CONVERGE_LIMIT_MS = 600_000;
/** Routes the MRT file repeats at its end (see the injection). */
const INJECT_TAIL = 20_000;
const FIBSCOPE_AS = 65000;
const SENDER_AS = 65010;
const RECEIVER_AS = 65020;
const SENDER = '127.0.0.3';
const RECEIVER = '127.0.0.2';
const SPEAKER = '127.0.0.1';

// the parts of the BGP speaker and live table this benchmark uses (src/bgp/, src/live-routes/),
// loaded from the build at run time so that the suite can say they are missing instead of failing
interface Sink {
  peerUp(peer: { id: string }): void;
  update(peerId: string, changes: readonly { family: 4 | 6; withdrawn: readonly string[]; announced: readonly string[] }[]): void;
  endOfRib(peerId: string, family: 4 | 6): void;
  peerDown(peerId: string, reason: string, restartSeconds?: number): void;
}
interface Speaker { listen(port: number, host?: string): Promise<unknown>; close(): Promise<void> }
interface SpeakerModules {
  BgpSpeaker: new (options: { localAs: number; routerId: string; peers: { address: string; as: number }[]; sink: Sink; holdTime?: number }) => Speaker;
  LiveRoutes: new (fib: Fib, options?: { metric?: number }) => Sink;
}

async function speakerModules(): Promise<SpeakerModules | string> {
  const load = async (path: string, name: string) => {
    try {
      return (await import(new URL(path, import.meta.url).href))[name];
    } catch (error) {
      return `${path} does not load (${(error as Error).message.split('\n')[0]}): build a fibscope with ${name}`;
    }
  };
  const BgpSpeaker = await load('../../dist/bgp/speaker.js', 'BgpSpeaker');
  if (typeof BgpSpeaker !== 'function') return BgpSpeaker ?? 'dist/bgp/speaker.js has no BgpSpeaker';
  const LiveRoutes = await load('../../dist/live-routes/live-routes.js', 'LiveRoutes');
  if (typeof LiveRoutes !== 'function') return LiveRoutes ?? 'dist/live-routes/live-routes.js has no LiveRoutes';
  return { BgpSpeaker, LiveRoutes };
}

function gobgpMissing(): string | undefined {
  for (const tool of ['gobgpd', 'gobgp']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `the command ${tool} is missing (Debian: gobgpd)`;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The v4 half of bench's BGP-like table, each prefix with an AS path shared by PREFIXES_PER_PATH of them. */
function tableRoutes(): MrtRoute[] {
  const random = seeded(11);
  const routes: MrtRoute[] = [];
  const seen = new Set<string>();
  let asPath: number[] = [];
  for (const line of bgpLikeTable(1, PREFIXES, 0).split('\n')) {
    if (line === '') continue;
    const [prefix, nextHop] = line.split(' ');
    // the generator repeats a few dozen prefixes in a million: a daemon holds each once
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const [addr, length] = prefix.split('/');
    if (routes.length % PREFIXES_PER_PATH === 0) {
      asPath = Array.from({ length: 1 + (random() % 5) }, () => 1 + (random() % 70_000));
    }
    routes.push({ addr: ipv4Number(addr), length: Number(length), asPath, nextHop: ipv4Number(nextHop) });
  }
  return routes;
}

class Gobgpd {
  private readonly child: ChildProcess;
  private output = '';

  constructor(dir: string, name: string, config: string, readonly apiPort: number) {
    const path = join(dir, `${name}.toml`);
    writeFileSync(path, config);
    this.child = spawn('gobgpd', ['-f', path, '-t', 'toml', '--api-hosts', `127.0.0.1:${apiPort}`, '-l', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d) => (this.output += d));
    this.child.stderr!.on('data', (d) => (this.output += d));
  }

  cli(args: string[], timeout = 600_000): string {
    const result = spawnSync('gobgp', ['-p', String(this.apiPort), ...args], { encoding: 'utf8', timeout, maxBuffer: 1 << 20 });
    if (result.status !== 0) throw new Error(`gobgp ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}\ngobgpd: ${this.output}`);
    return result.stdout;
  }

  async ready(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`gobgpd exited: ${this.output}`);
      const result = spawnSync('gobgp', ['-p', String(this.apiPort), 'global'], { encoding: 'utf8', timeout: 5_000 });
      if (result.status === 0) return;
      if (Date.now() > deadline) throw new Error(`gobgpd did not answer: ${this.output}`);
      await sleep(100);
    }
  }

  /** Paths in its IPv4 RIB (`gobgp global rib summary`). */
  ribPaths(): number {
    const match = /Path:\s*(\d+)/.exec(this.cli(['global', 'rib', 'summary', '-a', 'ipv4']));
    return match ? Number(match[1]) : 0;
  }

  neighbor(address: string): { state: string; received: number } {
    const info = JSON.parse(this.cli(['neighbor', address, '-j'])) as {
      state: { session_state: number; afi_safis?: unknown };
      afi_safis?: { state?: { received?: number } }[];
    };
    // session_state 6 is ESTABLISHED in GoBGP's API
    return { state: info.state.session_state === 6 ? 'established' : String(info.state.session_state), received: info.afi_safis?.[0]?.state?.received ?? 0 };
  }

  stop(): Promise<void> {
    return stopDaemon(this.child);
  }
}

/** Pushes the capture through fresh Analyzers on `fib`, yielding to I/O between pushes, until `stop()`; returns bytes pushed. */
async function classifyUntil(fib: Fib, capture: Uint8Array, stop: () => boolean): Promise<number> {
  let analyzer = new Analyzer({ fib });
  let offset = 0;
  let pushed = 0;
  try {
    while (!stop()) {
      const chunk = capture.subarray(offset, offset + PUSH_BYTES);
      analyzer.push(chunk);
      pushed += chunk.length;
      offset += chunk.length;
      if (offset >= capture.length) {
        analyzer.dispose();
        analyzer = new Analyzer({ fib });
        offset = 0;
      }
      await yieldToEvents();
    }
  } finally {
    analyzer.dispose();
  }
  return pushed;
}

interface Convergence {
  /** session up to the last prefix in the Fib */
  ms: number;
  /** capture bytes classified meanwhile, and over how long */
  classifiedBytes: number;
  classifyMs: number;
  fib: Fib;
  speaker: Speaker;
}

/** A fresh Fib, LiveRoutes and BgpSpeaker on SPEAKER:port; resolves when all PREFIXES are in the Fib. */
async function converge(modules: SpeakerModules, port: number, capture: Uint8Array | undefined, expected: number, start: () => void): Promise<Convergence> {
  const fib = await Fib.create();
  const live = new modules.LiveRoutes(fib);
  let upAt: number | undefined;
  let doneAt: number | undefined;
  let announced = 0;
  let down: string | undefined;
  const sink: Sink = {
    peerUp(peer) { upAt = performance.now(); live.peerUp(peer); },
    update(peerId, changes) {
      live.update(peerId, changes);
      for (const change of changes) announced += change.announced.length;
      if (doneAt === undefined && announced >= expected && fib.stats().ipv4Routes >= expected) doneAt = performance.now();
    },
    endOfRib(peerId, family) { live.endOfRib(peerId, family); },
    peerDown(peerId, reason, restartSeconds) { down = reason; live.peerDown(peerId, reason, restartSeconds); },
  };
  // hold time 0 (no keepalives): gobgpd 3.10 sends nothing at all, not even a KEEPALIVE, for more
  // than 90 s while it prepares a million routes for a new session, and the default hold timer ends it
  const speaker = new modules.BgpSpeaker({ localAs: FIBSCOPE_AS, routerId: SPEAKER, peers: [{ address: SENDER, as: SENDER_AS }], sink, holdTime: 0 });
  await speaker.listen(port, SPEAKER);
  start();
  const deadline = performance.now() + CONVERGE_LIMIT_MS;
  const check = () => {
    if (down !== undefined && doneAt === undefined) throw new Error(`the session went down before convergence: ${down}`);
    if (performance.now() > deadline) throw new Error(`not converged after ${CONVERGE_LIMIT_MS / 1000} s: ${announced} prefixes announced, ${fib.stats().ipv4Routes} in the Fib`);
  };
  while (upAt === undefined) { check(); await sleep(5); }
  let classifiedBytes = 0;
  const classifyStart = performance.now();
  if (capture) {
    classifiedBytes = await classifyUntil(fib, capture, () => { check(); return doneAt !== undefined; });
  } else {
    while (doneAt === undefined) { check(); await sleep(1); }
  }
  const classifyMs = performance.now() - classifyStart;
  return { ms: doneAt! - upAt, classifiedBytes, classifyMs, fib, speaker };
}

/** fibscope's runs: the table alone, then with a capture classified meanwhile (each a new session), then classification alone. */
async function fibscopeRuns(modules: SpeakerModules, speakerPort: number, capture: Uint8Array, packetsPerByte: number, log: (line: string) => void, speakers: Speaker[], expected: number, start: () => void = () => {}) {
  const plain = await converge(modules, speakerPort, undefined, expected, start);
  speakers.push(plain.speaker);
  log(`bgp: converged in ${(plain.ms / 1000).toFixed(2)} s`);
  await plain.speaker.close();
  const busy = await converge(modules, speakerPort, capture, expected, start);
  speakers.push(busy.speaker);
  log(`bgp: converged in ${(busy.ms / 1000).toFixed(2)} s while classifying`);

  // classification alone: the full Fib, nothing else running, for as long as it ran beside the session (2 s at least)
  const aloneMs = Math.max(2_000, busy.classifyMs);
  const aloneStart = performance.now();
  const aloneBytes = await classifyUntil(busy.fib, capture, () => performance.now() - aloneStart >= aloneMs);
  const alonePps = (aloneBytes * packetsPerByte) / ((performance.now() - aloneStart) / 1000);
  const busyPps = (busy.classifiedBytes * packetsPerByte) / (busy.classifyMs / 1000);
  await busy.speaker.close();
  return { plainMs: plain.ms, busyMs: busy.ms, busyPps, alonePps };
}

async function gobgpBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const missing = process.platform !== 'linux' ? `not Linux (${process.platform})` : gobgpMissing();
  if (missing) {
    log(`bgp: skipped: ${missing}`);
    return [];
  }
  // without the speaker, the daemon's own figures still tell what a speaker has to match
  const modules = await speakerModules();
  if (typeof modules === 'string') log(`bgp: fibscope's part skipped: ${modules}`);
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-bgp-'));
  const daemons: Gobgpd[] = [];
  const speakers: Speaker[] = [];
  try {
    let start = performance.now();
    const routes = tableRoutes();
    const mrt = join(dir, 'rib.mrt');
    // `gobgp mrt inject` (3.10) loses the last thousand or two routes of a file, those still in
    // flight when the command ends: the file repeats its first routes after the last, which
    // change nothing if they arrive
    const mrtBytes = writeMrtRib(mrt, { bgpId: ipv4Number('192.0.2.1'), address: ipv4Number('192.0.2.1'), as: 64999 }, [...routes, ...routes.slice(0, INJECT_TAIL)]);
    log(`bgp: ${routes.length.toLocaleString('en')} prefixes, ${Math.ceil(routes.length / PREFIXES_PER_PATH).toLocaleString('en')} AS paths: ${(mrtBytes / 2 ** 20).toFixed(0)} MiB of MRT in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const { bytes: capture, stats } = generateCapture({ packets: CAPTURE_PACKETS, v4Prefixes: PREFIXES });
    const packetsPerByte = stats.packets / capture.length;

    const speakerPort = await freePort(SPEAKER);
    const receiverPort = await freePort(RECEIVER);
    const neighbor = (address: string, as: number, port: number) => [
      '[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${address}"`, `    peer-as = ${as}`,
      '  [neighbors.timers.config]', '    connect-retry = 1',
      '  [neighbors.transport.config]', `    remote-port = ${port}`, `    local-address = "${SENDER}"`,
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"',
    ].join('\n');
    const sender = new Gobgpd(dir, 'sender', [
      '[global.config]', `  as = ${SENDER_AS}`, `  router-id = "${SENDER}"`, '  port = -1',
      neighbor(SPEAKER, FIBSCOPE_AS, speakerPort), neighbor(RECEIVER, RECEIVER_AS, receiverPort),
    ].join('\n') + '\n', await freePort('127.0.0.1'));
    daemons.push(sender);
    await sender.ready();
    start = performance.now();
    sender.cli(['mrt', 'inject', 'global', mrt]);
    for (let paths = 0; (paths = sender.ribPaths()) < PREFIXES;) {
      if (performance.now() - start > CONVERGE_LIMIT_MS) throw new Error(`gobgpd holds ${paths} of ${PREFIXES} paths ${CONVERGE_LIMIT_MS / 1000} s after the injection`);
      await sleep(100);
    }
    const loadMs = performance.now() - start;
    log(`bgp: gobgpd loaded the table in ${(loadMs / 1000).toFixed(1)} s`);
    figures.push({ name: `gobgp mrt inject of ${PREFIXES.toLocaleString('en')} IPv4 prefixes`, value: loadMs / 1000, unit: 's' });

    const fibscope = typeof modules === 'string' ? undefined : await fibscopeRuns(modules, speakerPort, capture, packetsPerByte, log, speakers, routes.length);

    // the daemon's own send rate: the same table from the same gobgpd to a second gobgpd
    const receiver = new Gobgpd(dir, 'receiver', [
      '[global.config]', `  as = ${RECEIVER_AS}`, `  router-id = "${RECEIVER}"`, `  port = ${receiverPort}`, `  local-address-list = ["${RECEIVER}"]`,
      '[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${SENDER}"`, `    peer-as = ${SENDER_AS}`,
      '  [neighbors.transport.config]', '    passive-mode = true',
      '  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', '      afi-safi-name = "ipv4-unicast"',
    ].join('\n') + '\n', await freePort('127.0.0.1'));
    daemons.push(receiver);
    await receiver.ready();
    const receiverDeadline = performance.now() + CONVERGE_LIMIT_MS;
    let receiverUp: number | undefined;
    let receiverDone: number | undefined;
    while (receiverDone === undefined) {
      if (performance.now() > receiverDeadline) throw new Error('the second gobgpd did not receive the table in time');
      const state = receiver.neighbor(SENDER);
      if (receiverUp === undefined && state.state === 'established') receiverUp = performance.now();
      if (receiverUp !== undefined && state.received >= PREFIXES) receiverDone = performance.now();
      await sleep(50);
    }
    const daemonMs = receiverDone - receiverUp!;

    const note = 'session up to the last prefix in the table; target ≤ 10 s';
    figures.push({ name: `gobgpd → gobgpd: ${PREFIXES.toLocaleString('en')} IPv4 prefixes, session up to the last received (polled every 50 ms)`, value: daemonMs / 1000, unit: 's' });
    if (fibscope) {
      figures.push(
        { name: `BGP convergence of ${PREFIXES.toLocaleString('en')} IPv4 prefixes: gobgpd → BgpSpeaker + LiveRoutes + Fib`, value: fibscope.plainMs / 1000, unit: 's', peer: daemonMs / 1000, peerName: 'gobgpd → gobgpd', note },
        { name: 'route changes per second into the Fib', value: PREFIXES / (fibscope.plainMs / 1000), unit: 'routes/s', peer: PREFIXES / (daemonMs / 1000), peerName: 'gobgpd → gobgpd' },
        { name: 'BGP convergence while Analyzer.push classifies a capture on the same Fib', value: fibscope.busyMs / 1000, unit: 's', note },
        { name: 'Analyzer.push while converging, against alone on the full Fib', value: fibscope.busyPps / 1e6, unit: 'Mpps', peer: fibscope.alonePps / 1e6, peerName: 'alone', note: `${(100 * fibscope.busyPps / fibscope.alonePps).toFixed(0)}% of alone; target ≥ 50%` },
      );
    }
  } finally {
    for (const speaker of speakers) await speaker.close().catch(() => undefined);
    for (const daemon of daemons) await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}

/** Prefixes per replayed UPDATE: routers pack 100-400 prefixes sharing attributes in one message. */
const REPLAY_PER_UPDATE = 200;
/** The second BIRD's route count unchanged this long: it has the whole table. */
const STABLE_MS = 3_000;
const LOAD_NOTE = 'session up to the last prefix in the Fib; target ≤ 10 s';

function convergenceFigures(sender: string, expected: number, runs: Awaited<ReturnType<typeof fibscopeRuns>>, peer?: { name: string; ms: number }): Figure[] {
  const count = expected.toLocaleString('en');
  return [
    { name: `BGP convergence of ${count} IPv4 prefixes: ${sender} → BgpSpeaker + LiveRoutes + Fib`, value: runs.plainMs / 1000, unit: 's', ...(peer && { peer: peer.ms / 1000, peerName: peer.name }), note: LOAD_NOTE },
    { name: `route changes per second into the Fib (${sender})`, value: expected / (runs.plainMs / 1000), unit: 'routes/s', ...(peer && { peer: expected / (peer.ms / 1000), peerName: peer.name }) },
    { name: `BGP convergence (${sender}) while Analyzer.push classifies a capture on the same Fib`, value: runs.busyMs / 1000, unit: 's', note: LOAD_NOTE },
    { name: `Analyzer.push while converging (${sender}), against alone on the full Fib`, value: runs.busyPps / 1e6, unit: 'Mpps', peer: runs.alonePps / 1e6, peerName: 'alone', note: `${(100 * runs.busyPps / runs.alonePps).toFixed(0)}% of alone; target ≥ 50%` },
  ];
}

/** Pre-encoded UPDATEs from fibscope's encoder, written as fast as TCP takes them: the speaker's own ceiling. */
async function replayBenchmarks(modules: SpeakerModules, routes: readonly MrtRoute[], capture: Uint8Array, packetsPerByte: number, log: (line: string) => void): Promise<Figure[]> {
  const updates = await encodeTable(routes, REPLAY_PER_UPDATE);
  log(`bgp replay: ${updates.length.toLocaleString('en')} UPDATEs of ${REPLAY_PER_UPDATE} prefixes, ${(updates.reduce((n, u) => n + u.length, 0) / 2 ** 20).toFixed(1)} MiB`);
  const port = await freePort(SPEAKER);
  const speakers: Speaker[] = [];
  const sent: number[] = [];
  try {
    const start = () => {
      replay({ host: SPEAKER, port, localAddress: SENDER, as: SENDER_AS, updates }).then((ms) => sent.push(ms), (error) => log(`bgp replay: ${(error as Error).message}`));
    };
    const runs = await fibscopeRuns(modules, port, capture, packetsPerByte, (line) => log(`${line} (replay)`), speakers, routes.length, start);
    return [
      { name: `replay: ${routes.length.toLocaleString('en')} prefixes written into the socket (session up to the last byte taken)`, value: sent[0] / 1000, unit: 's' },
      ...convergenceFigures('replay', routes.length, runs),
    ];
  } finally {
    for (const speaker of speakers) await speaker.close().catch(() => undefined);
  }
}

/** BIRD 2 holding the table as static routes sends it to the speaker, then to a second BIRD (its own send rate). */
async function birdBenchmarks(modules: SpeakerModules, routes: readonly MrtRoute[], capture: Uint8Array, packetsPerByte: number, log: (line: string) => void): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-bird-'));
  const port = await freePort(SPEAKER);
  const speakers: Speaker[] = [];
  const birds: Bird[] = [];
  const count = routes.length.toLocaleString('en');
  try {
    const start = performance.now();
    const sender = new Bird(dir, 'sender', SENDER, routes, [
      { name: 'to_fibscope', localAddress: SENDER, localAs: SENDER_AS, address: SPEAKER, port, as: FIBSCOPE_AS },
      { name: 'to_receiver', localAddress: SENDER, localAs: SENDER_AS, address: RECEIVER, as: RECEIVER_AS },
    ]);
    birds.push(sender);
    await sender.until(() => sender.routes() >= routes.length, CONVERGE_LIMIT_MS, 'the table loaded');
    const loadMs = performance.now() - start;
    log(`bgp bird: loaded ${count} static routes in ${(loadMs / 1000).toFixed(1)} s`);
    const runs = await fibscopeRuns(modules, port, capture, packetsPerByte, (line) => log(`${line} (bird)`), speakers, routes.length);
    for (const speaker of speakers.splice(0)) await speaker.close();

    const receiver = new Bird(dir, 'receiver', RECEIVER, [], [
      { name: 'from_sender', localAddress: RECEIVER, localAs: RECEIVER_AS, address: SENDER, as: SENDER_AS, passive: true, importAll: true },
    ]);
    birds.push(receiver);
    await receiver.until(() => receiver.established('from_sender'), 60_000, 'the session to the second BIRD up', 20);
    const upAt = performance.now();
    // BIRD drops a dozen of the generated prefixes as martians (0/8, 127/8, class D and E) when it
    // receives them: the table is complete once the count stays put for STABLE_MS
    let last = { count: 0, at: upAt };
    await receiver.until(() => {
      const count = receiver.routes();
      if (count !== last.count) last = { count, at: performance.now() };
      return count >= routes.length || (count > 0.999 * routes.length && performance.now() - last.at > STABLE_MS);
    }, CONVERGE_LIMIT_MS, 'the table at the second BIRD', 20);
    const daemonMs = last.at - upAt;
    log(`bgp bird: BIRD → BIRD in ${(daemonMs / 1000).toFixed(2)} s (${last.count.toLocaleString('en')} routes)`);
    return [
      { name: `BIRD 2 loads ${count} static routes (start to all in its table)`, value: loadMs / 1000, unit: 's' },
      { name: `BIRD → BIRD: ${count} IPv4 prefixes, session up to the last in its table (birdc polled)`, value: daemonMs / 1000, unit: 's' },
      ...convergenceFigures('BIRD', routes.length, runs, { name: 'BIRD → BIRD', ms: daemonMs }),
    ];
  } finally {
    for (const speaker of speakers) await speaker.close().catch(() => undefined);
    for (const bird of birds) await bird.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * FIBSCOPE_BGP_SENDERS picks the senders, comma-separated: replay and bird by default (minutes
 * for a million prefixes); gobgp (its `mrt inject` alone takes about 5 minutes here) when named.
 */
export async function bgpBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  if (process.platform !== 'linux') {
    log(`bgp: skipped: not Linux (${process.platform})`);
    return [];
  }
  const senders = (process.env.FIBSCOPE_BGP_SENDERS ?? 'replay,bird').split(',');
  const figures: Figure[] = [];
  if (senders.includes('replay') || senders.includes('bird')) {
    const modules = await speakerModules();
    if (typeof modules === 'string') {
      log(`bgp: skipped: ${modules}`);
    } else {
      const routes = tableRoutes();
      const { bytes: capture, stats } = generateCapture({ packets: CAPTURE_PACKETS, v4Prefixes: PREFIXES });
      const packetsPerByte = stats.packets / capture.length;
      log(`bgp: ${routes.length.toLocaleString('en')} distinct prefixes; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
      if (senders.includes('replay')) figures.push(...await replayBenchmarks(modules, routes, capture, packetsPerByte, log));
      const noBird = birdMissing();
      if (senders.includes('bird') && noBird) log(`bgp bird: skipped: ${noBird}`);
      else if (senders.includes('bird')) figures.push(...await birdBenchmarks(modules, routes, capture, packetsPerByte, log));
      log(`bgp: load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} after`);
    }
  }
  if (senders.includes('gobgp')) figures.push(...await gobgpBenchmarks(log));
  return figures;
}
