// Against native code (issue 11): the C yardstick of ../shared/yardsticks/native-analyze does
// the same job (same capture, same counting rules, same JSON report); each figure here is
// fibscope's time over the C program's, measured A B A B in the same run, medians. Skipped
// with a message when the yardstick is not beside the project.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Analyzer, Fib, readRoutesBytes, writeJson } from 'fibscope';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import { dpdkBenchmarks } from './dpdk.js';
import type { Figure } from './fib.js';
import { SHARED_ROUTES } from './tables.js';
import { median, ratioRange } from './median.js';

const YARDSTICK = fileURLToPath(new URL('../../../shared/yardsticks/native-analyze/', import.meta.url));
// the program `npx fibscope` runs (src/bin.ts: the compile cache on, where Node has one)
const CLI = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
/** The Node the whole processes run on: this one, or FIBSCOPE_BENCH_NODE (another version's binary). */
const NODE = process.env.FIBSCOPE_BENCH_NODE ?? process.execPath;

/**
 * One measurement, milliseconds: elapsed, and processor time (user + system), which a busy
 * shared machine disturbs far less than elapsed time.
 */
interface Timing { wall: number; cpu: number }

/** The C program's phase times (stderr without -q). */
interface NativePhases { load: Timing; report: Timing; fromMemory?: Timing }

function runNative(bin: string, args: string[]): NativePhases {
  const result = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr}`);
  // the first value of `name=` is elapsed time, the one after "cpu:" processor time
  const [wallText, cpuText = ''] = result.stderr.split('cpu:');
  const field = (text: string, name: string) => {
    const match = new RegExp(`(?:^|\\s)${name}=([\\d.]+)(?: \\(cpu ([\\d.]+)\\))?`).exec(text);
    return match ? { value: Number(match[1]), cpu: Number(match[2]) } : { value: NaN, cpu: NaN };
  };
  const phase = (name: string): Timing => ({ wall: field(wallText, name).value, cpu: field(cpuText, name).value });
  const fromMemory = field(result.stderr, 'loop_from_memory_ms');
  const parse = phase('routes_parse_ms');
  const build = phase('lpm_build_ms');
  return {
    load: { wall: parse.wall + build.wall, cpu: parse.cpu + build.cpu },
    report: phase('report_ms'),
    ...(Number.isNaN(fromMemory.value) ? {} : { fromMemory: { wall: fromMemory.value, cpu: fromMemory.cpu } }),
  };
}

/** A whole process, timed from outside; processor time from /usr/bin/time when it is there. */
function processTiming(command: string, args: string[]): Timing {
  const timed = existsSync('/usr/bin/time');
  const start = performance.now();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', '%U %S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wall = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const [user, system] = timed ? result.stderr.trim().split('\n').pop()!.split(' ').map(Number) : [NaN, NaN];
  return { wall, cpu: (user + system) * 1000 };
}

/**
 * The whole `fibscope analyze -f json` process. With a table the checks are on by default and
 * add `anomalies`, which the C does not count: `--no-checks` writes the C's report.
 */
function fibscopeProcess(capture: string, routes: string, checks = false): Timing {
  return processTiming(NODE, [CLI, 'analyze', '--no-progress', '--threads', '1', checks ? '--checks' : '--no-checks', '-r', routes, '-f', 'json', '-o', '/dev/null', capture]);
}

/** Times `fn` in this process. */
async function inProcess(fn: () => void | Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** The medians of A's and B's rounds, and each round's elapsed ratio A / B (its turns). */
type Alternation = [Timing, Timing, number[]];

/**
 * `rounds` times A then B; the medians of each. A turn of each runs first, untimed: the C's first
 * runs measured 290–400 ms against 230–245 ms after (a 1M-packet median of 5 once came out 293 ms).
 * FIBSCOPE_BENCH_NATIVE_ROUNDS sets every figure's rounds: this shared machine's speed moves by a
 * third from second to second, and more rounds steady the medians.
 */
async function alternate(rounds: number, a: () => Timing | Promise<Timing>, b: () => Timing | Promise<Timing>): Promise<Alternation> {
  const asked = Number(process.env.FIBSCOPE_BENCH_NATIVE_ROUNDS);
  if (asked > 0) rounds = Math.round(asked);
  await a();
  await b();
  const as: Timing[] = [];
  const bs: Timing[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  const medians = (list: Timing[]) => ({ wall: median(list.map((t) => t.wall)), cpu: median(list.map((t) => t.cpu)) });
  return [medians(as), medians(bs), as.map((t, i) => t.wall / bs[i].wall)];
}

/** `turns`: each round's elapsed ratio, whose spread the note gives (how far to trust the median). */
function ratioFigure(name: string, ours: Timing, native: Timing, target?: number, turns: number[] = []): Figure {
  const spread = turns.length > 1 ? `; turns ${ratioRange(turns)}` : '';
  return {
    name: `${name}: fibscope / native, elapsed`,
    value: ours.wall / native.wall,
    unit: '×',
    note: `${ours.wall.toFixed(0)} ms vs ${native.wall.toFixed(0)} ms${spread}; processor time ${ours.cpu.toFixed(0)} vs ${native.cpu.toFixed(0)} ms = `
      + `${(ours.cpu / native.cpu).toFixed(2)}×${target === undefined ? '' : ` (target ≤ ${target}×)`}`,
  };
}

/** Reading and loading a routes file as the CLI does, excluding the WebAssembly start. */
async function fibscopeLoad(path: string): Promise<Timing> {
  const fib = await Fib.create();
  return inProcess(async () => {
    fib.load(await readRoutesBytes(path), { format: 'auto', source: path });
  });
}

export async function nativeBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  if (!existsSync(join(YARDSTICK, 'analyze.c'))) {
    log(`native: skipped, no yardstick at ${YARDSTICK} (it sits beside the project as ../shared/yardsticks)`);
    return [];
  }
  const built = spawnSync('sh', [join(YARDSTICK, 'build.sh')], { encoding: 'utf8' });
  if (built.status !== 0) {
    log(`native: skipped, the yardstick does not build: ${built.stderr}`);
    return [];
  }
  const bin = built.stdout.trim();
  const nodeVersion = spawnSync(NODE, ['--version'], { encoding: 'utf8' }).stdout.trim();
  log(`native: the whole fibscope processes run on Node ${nodeVersion} (${NODE}; FIBSCOPE_BENCH_NODE chooses another)`);
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-native-'));
  try {
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const capture = join(dir, 'capture-1m.pcap');
    writeCapture(capture, { packets: 1_000_000 });
    const tiny = join(dir, 'capture-1.pcap');
    writeCapture(tiny, { packets: 1 });
    readFileSync(capture);

    // the whole process
    const [whole, wholeNative, wholeTurns] = await alternate(5, () => fibscopeProcess(capture, routes),
      () => processTiming(bin, ['-q', '-o', '/dev/null', routes, capture]));
    figures.push(ratioFigure(`analyze --no-checks -f json, 1M packets, 100k routes, whole process on Node ${nodeVersion} (the C's report)`, whole, wholeNative, 1.5, wholeTurns));
    const [withChecks, withChecksNative, withChecksTurns] = await alternate(3, () => fibscopeProcess(capture, routes, true),
      () => processTiming(bin, ['-q', '-o', '/dev/null', routes, capture]));
    figures.push(ratioFigure('analyze -f json with the default checks (anomalies too), whole process', withChecks, withChecksNative, undefined, withChecksTurns));

    // the per-packet loop, the capture already in memory
    const bytes = readFileSync(capture);
    const fib = await Fib.create();
    fib.load(readFileSync(routes));
    const pushAlone = async () => {
      const analyzer = new Analyzer({ fib });
      const timing = await inProcess(() => {
        for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
        analyzer.end();
      });
      analyzer.dispose();
      return timing;
    };
    await pushAlone(); // warm up the compiled code
    const [loop, loopNative, loopTurns] = await alternate(7, pushAlone, () => runNative(bin, ['-P', routes, capture]).fromMemory!);
    figures.push(ratioFigure('Analyzer.push alone vs the C loop from memory (-P), 1M packets', loop, loopNative, 1.3, loopTurns));
    const prefetchRuns = Array.from({ length: 3 }, () => runNative(bin, ['-P', '-p', routes, capture]).fromMemory!);
    const prefetched = { wall: median(prefetchRuns.map((t) => t.wall)), cpu: median(prefetchRuns.map((t) => t.cpu)) };
    figures.push(ratioFigure('Analyzer.push alone vs the C loop from memory, prefetching (-P -p)', loop, prefetched, 1.3));

    // the report: built and written, after the same capture
    const reportOnce = async () => {
      const analyzer = new Analyzer({ fib, name: capture });
      for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
      analyzer.end();
      const out = openSync('/dev/null', 'w');
      const timing = await inProcess(() => writeJson(analyzer.report(), (chunk) => { writeSync(out, chunk); }));
      closeSync(out);
      analyzer.dispose();
      return timing;
    };
    const [report, reportNative, reportTurns] = await alternate(5, reportOnce, () => runNative(bin, ['-o', '/dev/null', routes, capture]).report);
    figures.push(ratioFigure('report built and written, 1M packets', report, reportNative, 1.5, reportTurns));

    // routes read and loaded: the C's parse and build phases
    const nativeLoad = (path: string) => runNative(bin, [path, tiny]).load;
    const [load, loadNative, loadTurns] = await alternate(7, () => fibscopeLoad(routes), () => nativeLoad(routes));
    figures.push(ratioFigure('routes read and loaded, 100k prefixes', load, loadNative, 1.5, loadTurns));
    const full = join(SHARED_ROUTES, 'tier1-2024.txt.gz');
    if (existsSync(full)) {
      const fullText = join(dir, 'tier1-2024.txt');
      writeFileSync(fullText, gunzipSync(readFileSync(full)));
      const [loadFull, loadFullNative, loadFullTurns] = await alternate(5, () => fibscopeLoad(fullText), () => nativeLoad(fullText));
      figures.push(ratioFigure('routes read and loaded, tier1-2024 (1.06M prefixes)', loadFull, loadFullNative, 1.5, loadFullTurns));
      figures.push(...await dpdkBenchmarks(log, dir, fullText, readFileSync(fullText, 'utf8')));
    } else {
      log('native: no ../shared/data: the 1M-prefix load and the DPDK comparison are skipped');
    }

    // a larger capture: fixed costs spread
    const big = join(dir, 'capture-4m.pcap');
    writeCapture(big, { packets: 4_000_000 });
    readFileSync(big);
    const [whole4, whole4Native, whole4Turns] = await alternate(3, () => fibscopeProcess(big, routes),
      () => processTiming(bin, ['-q', '-o', '/dev/null', routes, big]));
    figures.push(ratioFigure(`analyze --no-checks -f json, 4M packets, whole process on Node ${nodeVersion}`, whole4, whole4Native, 1.5, whole4Turns));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log('native: ratios are fibscope time / C time (lower is better)');
  return figures;
}
