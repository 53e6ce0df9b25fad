// `fibscope compare`: one pass over captures, classified by the current table and a proposed
// one (a whole table, or a change list applied to a copy of the current): docs/compare.md.
import { Command, Option } from 'commander';
import { FibscopeError, RouteFormatError } from '../errors.js';
import { Fib } from '../fib/fib.js';
import { readRoutesBytes } from '../routes/read.js';
import { ROUTE_FORMATS, type RouteFormat } from '../routes/index.js';
import { detectionText } from '../routes/detect.js';
import { checkCapturePath } from '../analyze/analyze-file.js';
import { compareFiles } from '../compare/compare-files.js';
import { applyChangeList, isChangeList, parseChangeList } from '../compare/change-list.js';
import { writeCompareJson } from '../compare/format-json.js';
import { COMPARE_BYS, type CompareBy } from '../compare/compare-rows.js';
import { parseByteSize } from '../serve/limits.js';
import { progressFor } from './progress.js';
import { openSink } from './sink.js';
import { parseDuration } from '../intervals/duration.js';
import { jsonText } from '../report/exact-json.js';
import type { CompareOptions } from '../compare/compare-files.js';
import { CompareSparklines } from '../compare/interval-table.js';

interface CompareCliOptions {
  routes: string[];
  with: string[];
  routesFormat?: RouteFormat;
  format: 'table' | 'json' | 'ndjson' | 'csv' | 'prom';
  by: CompareBy;
  top: number;
  sort: 'packets' | 'bytes';
  output?: string;
  filter?: string;
  progress?: boolean;
  plainNumbers?: boolean;
  memoryLimit?: number;
  interval?: bigint;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const count = (value: string) => {
  if (!/^\d+$/.test(value)) throw new FibscopeError('BAD_ARGUMENT', `--top takes a whole number, not '${value}'`);
  return Number(value);
};
const byteSize = (value: string) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) throw new FibscopeError('BAD_ARGUMENT', `--memory-limit takes a size such as 512MiB or 2g, not '${value}'`);
  return bytes;
};

/** A routes file or change list as given: its path, bytes, and which of the two it is. */
interface TableInput {
  path: string;
  bytes: Uint8Array;
  changes: boolean;
}

async function readInput(path: string): Promise<TableInput> {
  const bytes = await readRoutesBytes(path);
  return { path, bytes, changes: isChangeList(detectionText(bytes)) };
}

function loadInto(fib: Fib, input: TableInput, format: RouteFormat | undefined): void {
  const loaded = fib.load(input.bytes, { format: format ?? 'auto', source: input.path });
  if (loaded.added + loaded.duplicates === 0) throw new RouteFormatError(input.path, 1, 'no routes: the file is empty or holds only comments');
}

/**
 * The current table (every -r), and the proposed one: the tables among --with, or a copy of the
 * current table when they are all change lists; then every change list, in the order given.
 */
async function loadTables(options: CompareCliOptions): Promise<{ current: Fib; proposed: Fib }> {
  const currentInputs = await Promise.all(options.routes.map(readInput));
  for (const input of currentInputs) {
    if (input.changes) throw new FibscopeError('BAD_ARGUMENT', `${input.path} is a change list (add/del/replace lines): give it with --with; -r takes whole tables`);
  }
  const proposedInputs = await Promise.all(options.with.map(readInput));
  const current = await Fib.create({ memoryLimit: options.memoryLimit });
  for (const input of currentInputs) loadInto(current, input, options.routesFormat);
  const proposed = await Fib.create({ memoryLimit: options.memoryLimit });
  const tables = proposedInputs.filter((input) => !input.changes);
  for (const input of tables.length > 0 ? tables : currentInputs) loadInto(proposed, input, options.routesFormat);
  for (const input of proposedInputs.filter((each) => each.changes)) {
    applyChangeList(proposed, parseChangeList(new TextDecoder('utf-8').decode(input.bytes), input.path));
  }
  return { current, proposed };
}

export function addCompareCommand(program: Command): void {
  program.command('compare')
    .description('what-if: count captures by the current table and a proposed one in one pass; what moves from which next hop to which')
    .argument('<capture...>', "pcap or pcapng files (gzip read transparently); '-' reads standard input")
    .addOption(new Option('-r, --routes <file>', 'the current table (repeatable; gzip read transparently)').argParser(collect).makeOptionMandatory())
    .addOption(new Option('--with <file>', "the proposed table, or a change list of 'ip route' add/del/replace lines applied to a copy of the current one (repeatable)")
      .argParser(collect).makeOptionMandatory())
    .addOption(new Option('--routes-format <format>', 'format of the tables (default: detect per file)').choices(ROUTE_FORMATS))
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'ndjson', 'csv', 'prom']).default('table'))
    .addOption(new Option('--by <key>', 'rows of table, csv and ndjson: the move matrix, what changed, or either side\'s rows').choices([...COMPARE_BYS]).default('move'))
    .addOption(new Option('-n, --top <n>', 'rows per table, and prefixes and destinations in `changed` (0 = all)').argParser(count).default(20))
    .addOption(new Option('--sort <key>', 'order of the rows of either side').choices(['packets', 'bytes']).default('packets'))
    .option('--filter <expr>', "count only the records a pcap-filter expression (tcpdump's language) matches")
    .option('-o, --output <file>', 'write the report there instead of to stdout')
    .option('--progress', 'report progress on stderr for every input')
    .option('--no-progress', 'no progress report')
    .option('--plain-numbers', 'print exact numbers in tables instead of human units')
    .addOption(new Option('--memory-limit <size>', 'most WebAssembly memory each of the three tables may use (default and ceiling: 4 GiB)').argParser(byteSize))
    .addOption(new Option('--interval <duration>', 'also compare in time bins of this width: 1s, 500ms, 5m, 1h, or seconds (json, ndjson, table)')
      .argParser((value) => parseDuration(value, '--interval')))
    .action(async (captures: string[], options: CompareCliOptions) => {
      if (captures.filter((c) => c === '-').length > 1) throw new FibscopeError('BAD_ARGUMENT', "standard input ('-') can be read once");
      const { current, proposed } = await loadTables(options);
      for (const capture of captures) await checkCapturePath(capture);
      const sink = openSink(options.output);
      let damaged = false;
      // with --interval: json keeps the bins in the report, ndjson writes each as it closes, the table draws them
      let sparklines: CompareSparklines | undefined;
      let interval: CompareOptions['interval'];
      if (options.interval !== undefined) {
        const binNanoseconds = options.interval;
        if (options.format === 'json') interval = { binNanoseconds, top: options.top };
        else if (options.format === 'ndjson') interval = { binNanoseconds, top: options.top, onBin: (bin) => sink.write(`${jsonText({ type: 'interval', ...bin })}\n`) };
        else if (options.format === 'table') {
          const drawn = new CompareSparklines(options.sort);
          sparklines = drawn;
          interval = { binNanoseconds, top: options.top, onBin: (bin) => drawn.add(bin) };
        } else process.stderr.write(`fibscope: warning: --interval is ignored with -f ${options.format} (json, ndjson and table show time bins)\n`);
      }
      try {
        const progress = await progressFor(options.progress === undefined ? 'auto' : options.progress ? 'always' : 'off');
        let report;
        try {
          report = await compareFiles(captures, {
            fib: current, compareWith: proposed, top: options.top, filter: options.filter, memoryLimit: options.memoryLimit, interval,
            onInput: (path) => progress.start(path), onProgress: progress.listener,
          });
        } finally {
          progress.stop();
        }
        for (const input of report.inputs) {
          if (input.error === null) continue;
          damaged = true;
          process.stderr.write(`fibscope: ${input.path}: ${input.error}\n`);
        }
        if (options.format === 'json') writeCompareJson(report, (chunk) => sink.write(chunk));
        else {
          const { formatCompare } = await import('../compare/format-text.js');
          sink.write(formatCompare(report, options.format, { by: options.by, top: options.top, sort: options.sort, humanUnits: !options.plainNumbers }));
          if (sparklines) {
            const { humanBytes, humanPackets } = await import('../report/units.js');
            const count = options.plainNumbers ? String : options.sort === 'bytes' ? humanBytes : humanPackets;
            sink.write(sparklines.render((n) => count(n as number)));
          }
        }
      } finally {
        await sink.close();
      }
      if (damaged) process.exitCode = 1;
    });
}
