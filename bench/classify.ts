// The classifier benchmarks of issues 12 and 13, on the seeded 1M-packet bench capture: what a
// filter, rule sets and the security checks cost the per-packet loop (same run, runs alternated
// A B A B), a filtering process against tcpdump's own (libpcap's BPF), and how long rule sets
// take to compile.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer, compileFilter, compileRules, Fib, parseRules, type AnalyzerOptions } from 'fibscope';
import { bgpLikeTable, writeCapture } from './capture-gen.js';
import type { Figure } from './fib.js';
import { classBenchRuleSet, RULE_SET_SIZES, ruleSetText } from './rule-sets.js';
import { median } from './median.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const FILTER = 'tcp and dst port 443';
const RUNS = 5;

function hasTcpdump(): boolean {
  return spawnSync('tcpdump', ['--version']).status === 0;
}

/** Milliseconds of one process, timed from outside. */
function processMs(command: string, args: string[]): number {
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return performance.now() - start;
}

/** Milliseconds to push the whole capture through one Analyzer made with `options`. */
function pushMs(bytes: Uint8Array, options: AnalyzerOptions): number {
  const analyzer = new Analyzer(options);
  const start = performance.now();
  for (let offset = 0; offset < bytes.length; offset += 1 << 20) analyzer.push(bytes.subarray(offset, offset + (1 << 20)));
  analyzer.end();
  const ms = performance.now() - start;
  analyzer.dispose();
  return ms;
}

/** Medians of runs of each variant, the variants taking turns so that noise hits them alike. */
function alternate(variants: Record<string, () => number>, runs = RUNS): Record<string, number> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  for (let run = 0; run < runs; run++) for (const [name, once] of Object.entries(variants)) times[name].push(once());
  return Object.fromEntries(Object.entries(times).map(([name, values]) => [name, median(values)]));
}

const mpps = (packets: number, ms: number) => packets / (ms / 1000) / 1e6;

export async function classifyBenchmarks(log: (line: string) => void): Promise<Figure[]> {
  const figures: Figure[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fibscope-bench-classify-'));
  try {
    const routes = join(dir, 'routes.txt');
    const routesText = bgpLikeTable(1, 85_000, 15_000);
    writeFileSync(routes, routesText);
    const capture = join(dir, 'capture-1m.pcap');
    const packets = 1_000_000;
    writeCapture(capture, { packets });
    const bytes = readFileSync(capture);
    const fib = await Fib.create();
    fib.load(routesText);

    // the loop with a filter against the loop without
    const tcpdump = hasTcpdump() ? () => processMs('tcpdump', ['-r', capture, '-w', '/dev/null', FILTER]) : undefined;
    const loop = alternate({
      plain: () => pushMs(bytes, { fib }),
      filter: () => pushMs(bytes, { fib, filter: FILTER }),
      ...(tcpdump ? { tcpdump } : {}),
    });
    figures.push({
      name: `Analyzer.push with --filter '${FILTER}'`,
      value: mpps(packets, loop.filter),
      unit: 'M packets/s',
      peer: mpps(packets, loop.plain),
      peerName: 'no filter',
      note: `${loop.filter.toFixed(0)} ms vs ${loop.plain.toFixed(0)} ms`,
    });

    // whole processes: analyze with and without the filter, and tcpdump filtering the same file
    const analyzeArgs = (extra: string[]) => [CLI, 'analyze', '--no-progress', '-r', routes, '-f', 'json', '-o', '/dev/null', ...extra, capture];
    const processes: Record<string, () => number> = {
      plain: () => processMs(process.execPath, analyzeArgs([])),
      filter: () => processMs(process.execPath, analyzeArgs(['--filter', FILTER])),
    };
    if (tcpdump) processes.tcpdump = tcpdump;
    else log('tcpdump not found: the filter is not measured against libpcap');
    const whole = alternate(processes);
    figures.push({
      name: `fibscope analyze -f json --filter '${FILTER}', 1M packets, whole process`,
      value: mpps(packets, whole.filter),
      unit: 'M packets/s',
      peer: mpps(packets, whole.plain),
      peerName: 'no filter',
      note: `${whole.filter.toFixed(0)} ms vs ${whole.plain.toFixed(0)} ms`,
    });
    if (whole.tcpdump !== undefined) {
      // the filter's own throughput: records framed and tested per second, the capture in memory
      // (tcpdump's file is in page cache; its process start is a few ms of its time)
      figures.push({
        name: `records filtered per second: Analyzer.push --filter vs tcpdump -r -w /dev/null '${FILTER}'`,
        value: mpps(packets, loop.filter),
        unit: 'M records/s',
        peer: mpps(packets, loop.tcpdump),
        peerName: 'tcpdump (libpcap BPF)',
        note: `${loop.filter.toFixed(0)} ms vs ${loop.tcpdump.toFixed(0)} ms; fibscope also looks up and counts what passes`,
      });
      figures.push({
        name: `whole processes: fibscope analyze -f json --filter vs tcpdump -r -w /dev/null '${FILTER}'`,
        value: mpps(packets, whole.filter),
        unit: 'M records/s',
        peer: mpps(packets, whole.tcpdump),
        peerName: 'tcpdump (libpcap BPF)',
        note: `${whole.filter.toFixed(0)} ms vs ${whole.tcpdump.toFixed(0)} ms: Node's start, the route table's load and the JSON report are in fibscope's`,
      });
    }

    // rule sets: compile time, and the loop with them against the loop without
    for (const size of RULE_SET_SIZES) {
      const text = ruleSetText(classBenchRuleSet(size));
      const set = parseRules(text);
      const compileTimes = Array.from({ length: 3 }, () => {
        const start = performance.now();
        compileRules(set, { interfaceNumber: () => 0 });
        return performance.now() - start;
      });
      const withRules = alternate({
        plain: () => pushMs(bytes, { fib }),
        rules: () => pushMs(bytes, { fib, rules: text }),
      });
      figures.push({
        name: `Analyzer.push with ${size.toLocaleString('en')} ClassBench-like rules`,
        value: mpps(packets, withRules.rules),
        unit: 'M packets/s',
        peer: mpps(packets, withRules.plain),
        peerName: 'no rules',
        note: `${(withRules.plain / withRules.rules).toFixed(2)}× of the loop without; compiled in ${median(compileTimes).toFixed(0)} ms`,
      });
    }
    // security checks: every anomaly class, sources looked up beside destinations
    const checks = alternate({
      plain: () => pushMs(bytes, { fib }),
      checks: () => pushMs(bytes, { fib, checks: true }),
    });
    figures.push({
      name: 'Analyzer.push with every check on (bogons, uRPF, dropped, land, TTL)',
      value: mpps(packets, checks.checks),
      unit: 'M packets/s',
      peer: mpps(packets, checks.plain),
      peerName: 'checks off',
      note: `${(checks.plain / checks.checks).toFixed(2)}× of the loop without`,
    });
    const filterCompile = median(Array.from({ length: 5 }, () => {
      const start = performance.now();
      compileFilter(FILTER);
      return performance.now() - start;
    }));
    log(`compileFilter('${FILTER}'): ${filterCompile.toFixed(2)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
