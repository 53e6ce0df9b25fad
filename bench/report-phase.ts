// The report phase of `fibscope analyze -f json` (building the report and writing its JSON)
// against the native yardstick's (../shared/yardsticks/native-analyze, its report_ms), on bench's
// 1M-packet capture and 100,000-route table, rounds alternating A B A B in one run, medians; and
// the whole `analyze -f json` process. Another build can run beside this one (before/after):
//
//   node build/bench/report-phase.js [--rounds N] [--base ROOT]   ROOT: a checkout with dist/ and build/
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import { median } from './median.js';

const HERE = fileURLToPath(import.meta.url);
const OURS = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const YARDSTICK = resolve(OURS, '../shared/yardsticks/native-analyze');

interface Phase {
  /** wall-clock ms of report() and writing its JSON to /dev/null */
  ms: number;
  /** CPU ms of the process over the same span */
  cpuMs: number;
}

/** In a child process: analyze the capture with the build at `root`, then time the report phase. */
async function child(root: string, routes: string, capture: string): Promise<void> {
  const { Fib, Analyzer } = await import(pathToFileURL(join(root, 'dist/node.js')).href);
  const { writeJson } = await import(pathToFileURL(join(root, 'dist/report/json.js')).href);
  const fib = await Fib.create();
  fib.load(readFileSync(routes, 'utf8'));
  const bytes = readFileSync(capture);
  const analyzer = new Analyzer({ fib });
  for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
  analyzer.end();
  const out = openSync('/dev/null', 'w');
  const cpu = process.cpuUsage();
  const start = performance.now();
  writeJson(analyzer.report(), (chunk: Uint8Array) => writeSync(out, chunk));
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  closeSync(out);
  process.stdout.write(JSON.stringify({ ms, cpuMs: (used.user + used.system) / 1000 } satisfies Phase));
}

function ourPhase(root: string, routes: string, capture: string): Phase {
  const result = spawnSync(process.execPath, [HERE, '--child', root, routes, capture], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`report phase of ${root} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Phase;
}

/** The native yardstick's report phase (its stderr), and its whole process timed from outside. */
function nativePhase(binary: string, routes: string, capture: string): Phase & { wholeMs: number } {
  const start = performance.now();
  const result = spawnSync(binary, ['-o', '/dev/null', routes, capture], { encoding: 'utf8' });
  const wholeMs = performance.now() - start;
  if (result.status !== 0) throw new Error(`the native yardstick failed: ${result.stderr}`);
  const figure = (pattern: RegExp) => Number(pattern.exec(result.stderr)?.[1]);
  return { ms: figure(/ report_ms=([\d.]+)/), cpuMs: figure(/cpu:.* report_ms=([\d.]+)/), wholeMs };
}

function wholeProcess(root: string, routes: string, capture: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [join(root, 'dist/cli.js'), 'analyze', '--no-progress', '-r', routes, '-f', 'json', '-o', '/dev/null', capture]);
  if (result.status !== 0) throw new Error(`fibscope analyze (${root}) failed: ${result.stderr}`);
  return performance.now() - start;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], args[3]);
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const rounds = Number(option('--rounds') ?? 7);
  const base = option('--base');
  if (!existsSync(join(YARDSTICK, 'build.sh'))) {
    console.log(`no native yardstick at ${YARDSTICK}: skipped`);
    return;
  }
  const binary = spawnSync('sh', [join(YARDSTICK, 'build.sh')], { encoding: 'utf8' }).stdout.trim();
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-report-phase-'));
  try {
    const routes = join(dir, 'routes.txt');
    writeFileSync(routes, bgpLikeTable(1, 85_000, 15_000));
    const capture = join(dir, 'capture-1m.pcap');
    writeCapture(capture, { packets: 1_000_000 });
    const builds: [string, string][] = [...(base ? [['base', resolve(base)] as [string, string]] : []), ['this', OURS]];
    const phases = new Map<string, Phase[]>([['native', []], ...builds.map(([name]) => [name, []] as [string, Phase[]])]);
    const wholes = new Map<string, number[]>([['native', []], ...builds.map(([name]) => [name, []] as [string, number[]])]);
    for (let round = 0; round < rounds; round++) {
      const native = nativePhase(binary, routes, capture);
      phases.get('native')!.push(native);
      wholes.get('native')!.push(native.wholeMs);
      for (const [name, root] of builds) {
        phases.get(name)!.push(ourPhase(root, routes, capture));
        wholes.get(name)!.push(wholeProcess(root, routes, capture));
      }
    }
    const nativeMs = median(phases.get('native')!.map((p) => p.ms));
    const nativeCpu = median(phases.get('native')!.map((p) => p.cpuMs));
    const nativeWhole = median(wholes.get('native')!);
    console.log(`report phase (build + write JSON), medians of ${rounds} rounds, A B A B; whole process: analyze -f json`);
    for (const [name, list] of phases) {
      const ms = median(list.map((p) => p.ms));
      const cpuMs = median(list.map((p) => p.cpuMs));
      const whole = median(wholes.get(name)!);
      console.log(`${name.padEnd(7)} report ${ms.toFixed(0).padStart(5)} ms (${(ms / nativeMs).toFixed(2)}x native), cpu ${cpuMs.toFixed(0).padStart(5)} ms (${(cpuMs / nativeCpu).toFixed(2)}x)`
        + `; whole ${whole.toFixed(0).padStart(5)} ms (${(whole / nativeWhole).toFixed(2)}x)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
