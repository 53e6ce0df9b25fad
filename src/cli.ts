#!/usr/bin/env node
// The command line: parses arguments, calls the library, formats the answer. Nothing else.
import { Command, CommanderError, Option } from 'commander';
import { FibscopeError, RouteFormatError } from './errors.js';
import { Fib } from './fib/fib.js';
import { readRoutesBytes } from './routes/read.js';
import { looksLikeMrt } from './mrt/detect.js';
import { ROUTE_FORMATS, type RouteFormat } from './routes/index.js';
import type { OutputFormat } from './cli/output.js';
import { progressFor } from './cli/progress.js';
import { analyzeFiles, checkCapturePath } from './analyze/analyze-file.js';
import { writeJson } from './report/json.js';
import type { ReportFormat } from './report/index.js';
import { openSink } from './cli/sink.js';
import { addServeCommand } from './cli/serve.js';
import { addMergeCommand } from './cli/merge.js';
import { addCompareCommand } from './cli/compare.js';
import type { RouteSource } from './threads/piece.js';
import { coresAvailable } from './threads/thread-count.js';
import { parseByteSize } from './serve/limits.js';
import {
  addClassifyOptions, explainingClassifyErrors, readRulesFile, refusedLinkTypesWarnings, type ClassifyOptions,
} from './cli/classify-options.js';
import { compileFilter } from './filter/index.js';
import {
  addCheckOptions, asDataWarnings, checkAsData, checkWarnings, resolveCheckOptions, type CheckOptions,
} from './cli/check-options.js';
import { parseRules } from './rules/index.js';
import { addUpdatesOptions, readUpdatesOption, updatesWarnings, type UpdatesCliOptions } from './cli/updates-options.js';
import { parseDuration } from './intervals/duration.js';
import { intervalOutput } from './cli/interval-output.js';

// The table and text writers (and their libraries) load only for the commands that print them.
const textOutput = () => import('./cli/output.js');
const reportFormats = () => import('./report/index.js');

const VERSION = '0.1.0';

/** Exit statuses (docs/cli.md, "Exit status"). */
const EXIT_USAGE = 2;
const EXIT_DAMAGED_INPUT = 1;
/** `lookup`: an address that no route covers. */
const EXIT_NO_ROUTE = 1;
/** sysexits' EX_IOERR: the report could not be written. */
const EXIT_OUTPUT = 74;

interface RoutesOptions {
  routes?: string[];
  routesFormat?: RouteFormat;
  peer?: string;
  memoryLimit?: number;
}

const byteSize = (value: string) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new FibscopeError('BAD_ARGUMENT', `--memory-limit takes a size such as 512MiB or 2g, not '${value}'`);
  return bytes;
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

function routesOptions(command: Command, required = true): Command {
  const routes = new Option('-r, --routes <file>', 'routes file (repeatable; gzip read transparently)').argParser(collect);
  return command
    .addOption(required ? routes.makeOptionMandatory() : routes)
    .addOption(new Option('--routes-format <format>', 'routes file format (default: detect per file)')
      .choices(ROUTE_FORMATS))
    .addOption(new Option('--peer <address|as>', "MRT RIB dumps: load this peer's routes (default: the first entry of each prefix); "
      + 'analyze --updates: apply this peer\'s updates'));
}

/**
 * Loads every routes file into one table; a bad file stops with its name and line. With
 * `peerForMrtOnly` (analyze --updates, where --peer chooses the update stream's peer too), a
 * text routes file loads without the peer instead of refusing it.
 */
async function loadTables(options: RoutesOptions, peerForMrtOnly = false): Promise<{ fib: Fib; duplicates: number; sources: RouteSource[] }> {
  const fib = await Fib.create({ memoryLimit: options.memoryLimit });
  let duplicates = 0;
  // the bytes read stay for analyze's worker threads, which load the same table from them
  const sources: RouteSource[] = [];
  for (const path of options.routes ?? []) {
    const bytes = await readRoutesBytes(path);
    const peer = peerForMrtOnly && !looksLikeMrt(bytes) ? undefined : options.peer;
    sources.push({ bytes, format: options.routesFormat ?? 'auto', source: path, peer });
    const loaded = fib.load(bytes, { format: options.routesFormat ?? 'auto', source: path, peer });
    if (loaded.mrt?.truncated) process.stderr.write(`fibscope: warning: ${loaded.mrt.truncated.where}: ${loaded.mrt.truncated.reason}; the routes before it were loaded\n`);
    if (loaded.added + loaded.duplicates === 0) throw new RouteFormatError(path, 1, 'no routes: the file is empty or holds only comments');
    duplicates += loaded.duplicates;
  }
  return { fib, duplicates, sources };
}

// A reader that stops early (`| head`) closes the pipe: stop quietly, as command-line tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  process.stderr.write(`fibscope: cannot write to standard output: ${error.message}\n`);
  process.exit(EXIT_OUTPUT);
});

const program = new Command()
  .name('fibscope')
  .description('Classify captured packets by route: longest-prefix match in WebAssembly')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

/** The row kinds of `--by` (docs/cli.md). */
const BY_KINDS = ['route', 'destination', 'nexthop', 'dev', 'rule', 'src-route', 'source', 'interface', 'matrix', 'anomaly', 'as', 'src-as'] as const;

interface AnalyzeOptions extends RoutesOptions, ClassifyOptions, CheckOptions, UpdatesCliOptions {
  format: ReportFormat;
  by: (typeof BY_KINDS)[number];
  top: number;
  sort: 'packets' | 'bytes';
  output?: string;
  progress?: boolean;
  plainNumbers?: boolean;
  /** absent: the cores available (thread-count.ts) */
  threads?: number;
  interval?: bigint;
}

const threadCount = (value: string) => {
  if (value === 'cores') return coresAvailable();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256) {
    throw new FibscopeError('BAD_ARGUMENT', `--threads takes a whole number from 1 to 256, or 'cores', not '${value}'`);
  }
  return Number(value);
};

const count = (value: string) => {
  if (!/^\d+$/.test(value)) throw new FibscopeError('BAD_ARGUMENT', `--top takes a whole number, not '${value}'`);
  return Number(value);
};

addUpdatesOptions(addCheckOptions(addClassifyOptions(routesOptions(program.command('analyze'), false))))
  .description('count the packets of captures by route, next hop, device, destination and rule; check them for anomalies')
  .argument('<capture...>', "pcap or pcapng files (gzip read transparently); '-' reads standard input")
  .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'ndjson', 'csv', 'prom']).default('table'))
  .addOption(new Option('--by <key>', 'rows of table, csv and ndjson (default: route; destination without -r)').choices([...BY_KINDS]).default('route'))
  .addOption(new Option('-n, --top <n>', 'rows per table, and cells of --matrix (0 = all)').argParser(count).default(20))
  .addOption(new Option('--sort <key>', 'order of rows').choices(['packets', 'bytes']).default('packets'))
  .option('-o, --output <file>', 'write the report there instead of to stdout')
  .option('--progress', 'report progress on stderr for every input: a bar on a terminal, a line per 10% otherwise '
    + '(default: a bar for inputs of 16 MiB or more when stderr is a terminal)')
  .option('--no-progress', 'no progress report')
  .option('--plain-numbers', 'print exact numbers in tables instead of human units')
  .addOption(new Option('--memory-limit <size>', 'most WebAssembly memory to use (default and ceiling: 4 GiB, all wasm32 has)').argParser(byteSize))
  .addOption(new Option('--interval <duration>', 'also count traffic in time bins of this width: 1s, 500ms, 5m, 1h, or seconds (docs/intervals.md)')
    .argParser((value) => parseDuration(value, '--interval')))
  // by default the cores available, as many as the bytes pay for (src/threads/thread-count.ts)
  .addOption(new Option('--threads <n>', 'most threads to read plain capture files on, each with its own copy of the table '
    + `(default and 'cores': the ${coresAvailable()} cores available, fewer when the captures are too small to pay for a worker's start and table; `
    + 'one by default with --memory-limit, which each thread has for itself)')
    .argParser(threadCount))
  .action(async (captures: string[], options: AnalyzeOptions, command: Command) => {
    if (captures.filter((c) => c === '-').length > 1) throw new FibscopeError('BAD_ARGUMENT', "standard input ('-') can be read once");
    if (options.by === 'rule' && options.rules === undefined) throw new FibscopeError('BAD_ARGUMENT', '--by rule needs a rule set: give --rules FILE');
    for (const warning of ignoredOptionWarnings(options, (name) => command.getOptionValueSource(name) === 'cli')) {
      process.stderr.write(`fibscope: warning: ${warning}\n`);
    }
    // the checks and views: a bad bogon list stops here, named by file and line
    const checkSetup = await resolveCheckOptions(options, options.by, options.top, (options.routes ?? []).length > 0);
    const rulesFile = options.rules === undefined ? undefined : await readRulesFile(options.rules, captures);
    // the filter and the rules are read whole first: a mistake in either stops here, before the
    // table loads and before a report file is made (the filter is compiled again, in its analyzer)
    const refusals = await explainingClassifyErrors(options.filter, async () =>
      (options.filter === undefined ? [] : compileFilter(options.filter).refusals));
    const rules = await explainingClassifyErrors(undefined, async () =>
      rulesFile && parseRules(rulesFile.text, { source: rulesFile.source, format: options.rulesFormat }));
    const updates = await readUpdatesOption(options);
    for (const note of updates?.notes ?? []) process.stderr.write(`fibscope: ${note}\n`);
    const { fib, sources } = await loadTables(options, updates !== undefined);
    checkAsData(options, options.by, fib);
    // a capture that is missing or a directory, and a report that cannot be written, are known
    // before any capture is read
    for (const capture of captures) await checkCapturePath(capture);
    const sink = openSink(options.output);
    let damaged = false;
    // without a routing table every route view is empty: lead with the destinations
    const by = command.getOptionValueSource('by') !== 'cli' && (options.routes ?? []).length === 0 ? 'destination' : options.by;
    try {
      const bins = options.interval === undefined ? undefined
        : intervalOutput(options.interval, options.format, { by, top: options.top, sort: options.sort }, sink, fib);
      for (const warning of bins?.warnings ?? []) process.stderr.write(`fibscope: warning: ${warning}\n`);
      if (bins?.interval && (options.threads ?? 1) > 1) process.stderr.write('fibscope: note: --interval reads on one thread\n');
      const progress = await progressFor(options.progress === undefined ? 'auto' : options.progress ? 'always' : 'off');
      let report;
      try {
        report = await explainingClassifyErrors(undefined, () => analyzeFiles(captures, {
          fib, filter: options.filter, rules, interfaceName: options.interface, checks: checkSetup.checks, views: checkSetup.views,
          onInput: (path) => progress.start(path), onProgress: progress.listener,
          // a memory limit holds for each thread: by default it keeps the run to one
          threads: options.threads ?? (options.memoryLimit === undefined ? coresAvailable() : 1), routeSources: sources, memoryLimit: options.memoryLimit, interval: bins?.interval, updates: updates?.updates,
        }));
      } finally {
        progress.stop();
      }
      if (options.filter !== undefined) {
        const warnings = refusedLinkTypesWarnings(options.filter, refusals, report.inputs.flatMap((input) => input.linkTypes));
        for (const warning of warnings) process.stderr.write(`fibscope: ${warning}\n`);
      }
      for (const input of report.inputs) {
        if (input.badTimes) process.stderr.write(`fibscope: ${input.path}: warning: ${input.badTimes.message}\n`);
        if (input.error === null) continue;
        damaged = true;
        process.stderr.write(`fibscope: ${input.path}: ${input.error}\n`);
      }
      for (const warning of [...checkWarnings(report, options, checkSetup), ...asDataWarnings(report, options, options.by), ...updatesWarnings(report)]) {
        process.stderr.write(`fibscope: ${warning}\n`);
      }
      const overflow = report.totals.destinationOverflow;
      if (overflow) {
        process.stderr.write(`fibscope: warning: the destination table is full (memory limit): ${overflow.packets} packets `
          + `(${overflow.bytes} bytes) to further destinations are counted in totals and routes but under no destination `
          + '(totals.destinationOverflow)\n');
      }
      if (options.format === 'json') {
        writeJson(report, (chunk) => sink.write(chunk));
      } else {
        const { formatReport } = await reportFormats();
        const text = formatReport(report, options.format, {
          by, top: options.top, sort: options.sort, humanUnits: !options.plainNumbers, matrix: options.matrix === 'src-as,as' ? 'as' : 'route',
        });
        sink.write(bins ? bins.finish(report, text) : text);
      }
    } finally {
      await sink.close();
    }
    if (damaged) process.exitCode = EXIT_DAMAGED_INPUT;
  });

/**
 * The options given that `format` does not use (SPEC section 4: json and prom hold everything).
 * `--by` of a view also turns the view on, which json holds (and prom, for interfaces); `--top`
 * also bounds the cells of `--matrix`, in every format.
 */
function ignoredOptionWarnings(options: AnalyzeOptions, given: (option: string) => boolean): string[] {
  const format = options.format;
  const viewFormats: Partial<Record<AnalyzeOptions['by'], readonly ReportFormat[]>> = {
    'src-route': ['json'], source: ['json'], interface: ['json', 'prom'], matrix: ['json'], anomaly: ['json', 'prom'], 'src-as': ['json'],
  };
  const uses: Record<string, readonly ReportFormat[]> = {
    by: ['table', 'csv', 'ndjson', ...(viewFormats[options.by] ?? [])],
    sort: ['table', 'csv', 'ndjson'],
    // --top also bounds each time bin's rows
    top: options.matrix || options.interval !== undefined ? ['table', 'json', 'ndjson', 'csv', 'prom'] : ['table'],
    plainNumbers: ['table'],
  };
  const flags: Record<string, string> = { by: '--by', sort: '--sort', top: '--top', plainNumbers: '--plain-numbers' };
  const why = (option: string) => option === 'plainNumbers' ? `${format} numbers are always exact`
    : format === 'json' || format === 'prom' ? `${format} holds every row` : `${format} gives every row of --by`;
  const warnings = Object.entries(uses).filter(([option, formats]) => given(option) && !formats.includes(format))
    .map(([option, formats]) => `${flags[option]} is ignored with -f ${format}: it applies to ${formats.join(', ')} only (${why(option)})`);
  // a matrix's cells would be a series each, unbounded across runs
  if (options.matrix !== undefined && format === 'prom') warnings.push('--matrix is ignored with -f prom: the matrix is in table, json, ndjson and csv');
  return warnings;
}

routesOptions(program.command('lookup'))
  .description('the matching route per address, like `ip route get`')
  .argument('<address...>', 'IPv4 or IPv6 addresses')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (addresses: string[], options: RoutesOptions & { format: OutputFormat }) => {
    const { fib } = await loadTables(options);
    const { formatLookupAnswer, formatLookupsJson, lookupAll } = await textOutput();
    const answers = lookupAll(fib, addresses);
    // a bad address is said on stderr; the others are still answered
    for (const { error } of answers) if (error !== undefined) process.stderr.write(`fibscope: ${error}\n`);
    if (options.format === 'json') process.stdout.write(formatLookupsJson(answers));
    else process.stdout.write(answers.filter((answer) => answer.error === undefined).map(formatLookupAnswer).join(''));
    // as scripts test it: 2 for a bad address, else 1 when an address has no route
    if (answers.some((answer) => answer.error !== undefined)) process.exitCode = EXIT_USAGE;
    else if (answers.some((answer) => answer.route === null)) process.exitCode = EXIT_NO_ROUTE;
  });

routesOptions(program.command('routes'))
  .description('table summary: routes per family, prefix-length histogram, duplicates, memory')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
  .action(async (options: RoutesOptions & { format: OutputFormat }) => {
    const { fib, duplicates } = await loadTables(options);
    const { formatRouteSummary } = await textOutput();
    process.stdout.write(formatRouteSummary(fib, options.routes ?? [], duplicates, options.format));
  });

addServeCommand(program, loadTables);
addMergeCommand(program);
addCompareCommand(program);

// no top-level await: the same module is bundled as CommonJS too, for Node 20's code cache (src/code-cache.ts)
program.parseAsync(process.argv).catch((error: unknown) => {
  process.exitCode = exitStatusFor(error);
});

function exitStatusFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has printed its message (and help, for usage errors) already
    return error.exitCode === 0 ? 0 : EXIT_USAGE;
  }
  if (error instanceof FibscopeError) {
    process.stderr.write(`fibscope: ${error.message}\n`);
    return EXIT_USAGE;
  }
  // a bug, not bad input: say so briefly, with the stack only on request
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`fibscope: internal error: ${message}\n`);
  if (process.env.FIBSCOPE_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
  else process.stderr.write('(set FIBSCOPE_DEBUG=1 for details; please report this)\n');
  return 70;
}
