// `fibscope serve` under load: a seeded capture piped through the process at full speed, with
// and without an HTTP load beside it (100 scrapes of /metrics a second and 1,000 route changes a
// second, as POST and DELETE of one route each). Reports packets classified per second both
// ways, and the route changes and scrapes actually answered per second.
//
// Two tables: an edge router's (1,000 prefixes and default routes: a few thousand series per
// scrape) and the 100,000-prefix BGP-like table the capture is drawn from, where some 78,000
// routes match and a scrape is 155,000 series — what a scrape costs grows with that — or, with
// `--top-routes 1000`, some 2,000. With FIBSCOPE_BASE_CLI, the full table also with that build.
//
// The clock starts when serve logs that it listens (the table is loaded; reading starts in the
// same tick) and stops when it logs the end of the stream, as seen from this process.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { median } from './median.js';

const CLI = process.env.FIBSCOPE_CLI ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** Another build to compare with on the full table (an A/B in one run): FIBSCOPE_BASE_CLI=/elsewhere/dist/cli.js. */
const BASE_CLI = process.env.FIBSCOPE_BASE_CLI;

/** FIBSCOPE_SERVE_RUNS: fewer runs for a quick look. */
const RUNS = Number(process.env.FIBSCOPE_SERVE_RUNS ?? 3);
const SCRAPES_PER_SECOND = 100;
const CHANGES_PER_SECOND = 1000;
/** Requests allowed in flight: enough to keep the rates when serve answers late, bounded so they do not pile up. */
const MAX_SCRAPES_IN_FLIGHT = 4;
const MAX_CHANGES_IN_FLIGHT = 32;

interface Run {
  seconds: number;
  packets: number;
  scrapes: number;
  scrapeMs: number[];
  series: number;
  changes: number;
  failedChanges: number;
  /** Requests that failed outright (a connection reset, say). */
  errors: number;
}

interface Http {
  /** The answer's body as bytes: a scrape's is decoded only when it is looked at. */
  call(method: string, path: string, body?: string): Promise<{ status: number; body: Buffer }>;
  close(): void;
}

function http(port: number): Http {
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_SCRAPES_IN_FLIGHT + MAX_CHANGES_IN_FLIGHT });
  return {
    call: (method, path, body) => new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    }),
    close: () => agent.destroy(),
  };
}

/**
 * Keeps `perSecond` calls of `call` going from now until stopped, at most `inFlight` at once
 * (a call that runs late delays the next ones rather than piling up).
 */
function paced(perSecond: number, inFlight: number, call: (n: number) => Promise<void>, failed: () => void): { stop(): Promise<void> } {
  const start = performance.now();
  let issued = 0;
  let running = 0;
  let stopped = false;
  const pending = new Set<Promise<void>>();
  const tick = () => {
    const due = Math.floor(((performance.now() - start) / 1000) * perSecond);
    while (!stopped && issued < due && running < inFlight) {
      running++;
      const done = call(issued++).catch(failed).finally(() => {
        running--;
        pending.delete(done);
      });
      pending.add(done);
    }
  };
  const timer = setInterval(tick, 2);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...pending]);
    },
  };
}

/** One serve process over the capture, with or without load; resolves when the stream is read. */
async function serveRun(scenario: Scenario, load: boolean): Promise<Run> {
  const { capture, routes, packets } = scenario;
  // FIBSCOPE_SERVE_PROFILE=DIR: each serve process writes a CPU profile there (node --cpu-prof)
  const profile = process.env.FIBSCOPE_SERVE_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FIBSCOPE_SERVE_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, scenario.cli ?? CLI, 'serve', '-r', routes, ...(scenario.args ?? []), '--listen', '127.0.0.1:0', '-o', '/dev/null', '-'],
    { stdio: ['pipe', 'ignore', 'pipe'] });
  // the pipe goes from cat to serve directly, not through this process: this process lets go of
  // its end once cat has it (had this process held the read end, as cat's stdout, it could have
  // read the first chunk of the capture itself, and serve would wait for an end that never came)
  spawn('cat', [capture], { stdio: ['ignore', child.stdin!, 'inherit'] });
  child.stdin!.destroy();
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const run: Run = { seconds: 0, packets, scrapes: 0, scrapeMs: [], series: 0, changes: 0, failedChanges: 0, errors: 0 };
  const failed = () => { run.errors++; };
  const started = new Promise<{ port: number; at: number }>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      const before = stderr.length;
      stderr += d;
      const match = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr);
      if (match && !/serving http/.test(stderr.slice(0, before))) resolve({ port: Number(match[1]), at: performance.now() });
    });
    void exited.then((status) => reject(new Error(`fibscope serve exited with ${status}: ${stderr}`)));
  });
  // the end of the stream, or the reading stopped at damage (`standard input: <why>`)
  const ended = new Promise<number>((resolve, reject) => {
    child.stderr!.on('data', () => {
      if (/the capture ended after (\d+) records/.test(stderr)) resolve(performance.now());
      else if (/standard input: (?!the capture ended)/.test(stderr)) reject(new Error(`fibscope serve stopped reading: ${stderr}`));
    });
  });
  const { port, at } = await started;
  const client = http(port);
  const loads: { stop(): Promise<void> }[] = [];
  if (load) {
    loads.push(paced(SCRAPES_PER_SECOND, MAX_SCRAPES_IN_FLIGHT, async () => {
      const start = performance.now();
      const { status, body } = await client.call('GET', '/metrics');
      if (status !== 200) throw new Error(`GET /metrics: ${status} ${body.toString()}`);
      run.scrapeMs.push(performance.now() - start);
      // the series of one scrape in 16: this process shares the two cores with serve, and
      // splitting every text (100 a second) took processor time from it
      if (run.scrapes++ % 16 === 0) {
        run.series = Math.max(run.series, body.toString().split('\n').filter((line) => line !== '' && !line.startsWith('#')).length);
      }
    }, failed));
    // each call is one route announced then withdrawn: two changes, in that order
    loads.push(paced(CHANGES_PER_SECOND / 2, MAX_CHANGES_IN_FLIGHT / 2, async (n) => {
      const prefix = `100.${64 + ((n >>> 8) & 63)}.${n & 255}.0/24`;
      const added = await client.call('POST', '/routes', `${prefix} 192.0.2.99 eth9\n`);
      if (added.status === 200) run.changes++; else run.failedChanges++;
      const removed = await client.call('DELETE', `/routes/${prefix}`);
      if (removed.status === 200) run.changes++; else run.failedChanges++;
    }, failed));
  }
  let end: number;
  try {
    end = await Promise.race([ended, new Promise<number>((_, reject) => setTimeout(() => reject(new Error('no end of the stream in 120 s')), 120_000).unref())]);
  } catch (error) {
    // stop this run, say what serve said, and let the caller run it again
    await Promise.all(loads.map((l) => l.stop()));
    client.close();
    child.kill('SIGKILL');
    await exited;
    throw new Error(`${(error as Error).message}; serve said: ${stderr.slice(-600)}`);
  }
  run.seconds = (end - at) / 1000;
  await Promise.all(loads.map((l) => l.stop()));
  client.close();
  child.kill('SIGTERM');
  const status = await exited;
  if (status !== 0) throw new Error(`fibscope serve exited with ${status}: ${stderr}`);
  return run;
}

/** A run that timed out (serve, rarely, never reports the end of the stream) is run once more. */
async function retried(run: () => Promise<Run>, log: (line: string) => void): Promise<Run> {
  try {
    return await run();
  } catch (error) {
    log(`a run failed and is run again: ${(error as Error).message}`);
    return run();
  }
}

interface Scenario {
  name: string;
  routes: string;
  capture: string;
  packets: number;
  /** More serve flags (--top-routes K). */
  args?: string[];
  /** Another build's cli.js (BASE_CLI). */
  cli?: string;
}

/** Runs a scenario alone and under load, alternated so that drift in the machine's speed falls on both. */
async function measure(scenario: Scenario, log: (line: string) => void): Promise<Figure[]> {
  const quiet: Run[] = [];
  const loaded: Run[] = [];
  const rate = (r: Run) => r.packets / r.seconds / 1e6;
  for (let i = 0; i < RUNS; i++) {
    quiet.push(await retried(() => serveRun(scenario, false), log));
    loaded.push(await retried(() => serveRun(scenario, true), log));
    const l = loaded[i];
    log(`serve, ${scenario.name}, run ${i + 1}: ${rate(quiet[i]).toFixed(2)} M packets/s alone, ${rate(l).toFixed(2)} under load ` +
      `(${(l.scrapes / l.seconds).toFixed(0)} scrapes/s, median ${median(l.scrapeMs).toFixed(1)} ms, ${l.series} series; ` +
      `${(l.changes / l.seconds).toFixed(0)} route changes/s, ${l.failedChanges} refused, ${l.errors} requests failed)`);
  }
  const alone = median(quiet.map(rate));
  const underLoad = median(loaded.map(rate));
  const millions = `${scenario.packets / 1e6}M`;
  return [
    { name: `fibscope serve, ${scenario.name}, ${millions} packets piped in, no HTTP load`, value: alone, unit: 'M packets/s' },
    {
      name: `fibscope serve, ${scenario.name}, while scraping /metrics ${SCRAPES_PER_SECOND}/s and changing routes ${CHANGES_PER_SECOND}/s`,
      value: underLoad,
      unit: 'M packets/s',
      note: `${((underLoad / alone) * 100).toFixed(0)}% of the rate without load`,
    },
    {
      name: `route changes applied per second under that load, ${scenario.name} (POST and DELETE of one route each)`,
      value: median(loaded.map((r) => r.changes / r.seconds)),
      unit: 'changes/s',
      note: `asked ${CHANGES_PER_SECOND}/s; ${loaded.reduce((sum, r) => sum + r.failedChanges + r.errors, 0)} failed`,
    },
    {
      name: `/metrics scrapes answered per second under that load, ${scenario.name}`,
      value: median(loaded.map((r) => r.scrapes / r.seconds)),
      unit: 'scrapes/s',
      note: `asked ${SCRAPES_PER_SECOND}/s; median scrape ${median(loaded.flatMap((r) => r.scrapeMs)).toFixed(1)} ms, ${Math.max(...loaded.map((r) => r.series))} series`,
    },
  ];
}

/**
 * What one /metrics text costs to build, alone (no capture being read, no HTTP): the counters of
 * `capture` over the 100k-prefix table, then builds timed one after the other, this build's and
 * (with FIBSCOPE_BASE_CLI) the base build's alternated, medians of 15.
 */
async function scrapeCosts(routesText: string, capture: string, log: (line: string) => void): Promise<Figure[]> {
  interface Build { name: string; render: () => Promise<Buffer> }
  const load = async (cli: string, name: string, topRoutes?: number): Promise<Build> => {
    const dist = dirname(cli);
    const { Fib } = await import(join(dist, 'fib/fib.js'));
    const { Analyzer } = await import(join(dist, 'analyze/analyzer.js'));
    const { MetricsEndpoint } = await import(join(dist, 'serve/metrics.js'));
    const fib = await Fib.create();
    fib.load(routesText);
    const analyzer = new Analyzer({ fib });
    analyzer.push(readFileSync(capture));
    analyzer.end();
    const endpoint = new MetricsEndpoint({ analyzer, fib, changes: { add: 0, replace: 0, remove: 0 }, topRoutes });
    return { name, render: () => endpoint.render() };
  };
  const builds = [await load(CLI, 'every route'), await load(CLI, '--top-routes 1000', 1000)];
  if (BASE_CLI) builds.push(await load(BASE_CLI, 'every route, base build'));
  const times = builds.map(() => [] as number[]);
  const lines = builds.map(() => 0);
  for (let round = 0; round < 15; round++) {
    for (const [i, build] of builds.entries()) {
      const start = performance.now();
      const text = await build.render();
      times[i].push(performance.now() - start);
      lines[i] = text.toString().split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
    }
  }
  return builds.map((build, i) => {
    log(`one /metrics text, 100k-prefix table, ${build.name}: median ${median(times[i]).toFixed(1)} ms, ${lines[i]} series`);
    return { name: `one /metrics text of the 100k-prefix table, ${build.name} (no load)`, value: median(times[i]), unit: 'ms', note: `${lines[i]} series` };
  });
}

export async function serveBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-serve-'));
  try {
    // the capture's destinations are drawn from this table (seed 1)
    const bgp = bgpLikeTable(1, 85_000, 15_000);
    const fullTable = join(dir, 'routes-100k.txt');
    writeFileSync(fullTable, bgp);
    const edgeTable = join(dir, 'routes-edge.txt');
    const lines = bgp.split('\n');
    writeFileSync(edgeTable, `0.0.0.0/0 192.0.2.254 eth0\n::/0 2001:db8::fe eth0\n${lines.slice(0, 900).join('\n')}\n${lines.slice(85_000, 85_100).join('\n')}\n`);

    // FIBSCOPE_SERVE_TABLES=edge: the edge table only; =full: the 100k-prefix table only; =top: only
    // with --top-routes; =cost: a text's cost only
    const tables = process.env.FIBSCOPE_SERVE_TABLES;
    const big = join(dir, 'capture-2m.pcap');
    const bigPackets = 2_000_000;
    if (tables !== 'cost') {
      const generated = writeCapture(big, { packets: bigPackets });
      log(`generated ${bigPackets.toLocaleString('en-US')} packets (${(generated.fileBytes / 2 ** 20).toFixed(0)} MiB, ${generated.destinationsSeen} destinations)`);
      readFileSync(big); // into page cache
    }
    if (tables === undefined || tables === 'edge') {
      const edge = { name: 'edge table (1,000 prefixes + defaults)', routes: edgeTable, capture: big, packets: bigPackets };
      figures.push(...await measure(edge, log));
      if (BASE_CLI) figures.push(...await measure({ ...edge, name: `${edge.name}, base build`, cli: BASE_CLI }, log));
      if (tables === 'edge') return figures;
    }

    // a scrape of the full table is ~155,000 series: fewer packets keep the loaded runs short
    const small = join(dir, 'capture-500k.pcap');
    const smallPackets = 500_000;
    writeCapture(small, { packets: smallPackets });
    readFileSync(small);
    figures.push(...await scrapeCosts(bgp, small, log));
    if (tables === 'cost') return figures;
    const full = { routes: fullTable, capture: small, packets: smallPackets };
    // a bounded scrape is cheap: the 2M-packet capture, whose loaded runs last two seconds or so
    // (with 0.5M packets they lasted half a second, and one run's rate swung by 10%)
    figures.push(...await measure({ routes: fullTable, capture: big, packets: bigPackets, name: '100k-prefix table, --top-routes 1000', args: ['--top-routes', '1000'] }, log));
    if (tables === 'top') return figures;
    // every route's series: a scrape costs the better part of a second, so fewer packets again
    const tiny = join(dir, 'capture-100k.pcap');
    writeCapture(tiny, { packets: 100_000 });
    readFileSync(tiny);
    const every = { routes: fullTable, capture: tiny, packets: 100_000 };
    figures.push(...await measure({ ...every, name: '100k-prefix table, every route' }, log));
    if (BASE_CLI) figures.push(...await measure({ ...every, name: '100k-prefix table, every route, base build', cli: BASE_CLI }, log));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
