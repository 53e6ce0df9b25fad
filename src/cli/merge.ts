// `fibscope merge`: saved JSON reports as one report, in any format analyze writes.
import { Command, Option } from 'commander';
import { mergeReports } from '../merge/merge-reports.js';
import { readReport } from '../merge/read-report.js';
import { writeJson } from '../report/json.js';
import type { ReportFormat } from '../report/index.js';
import { openSink } from './sink.js';
import { FibscopeError } from '../errors.js';

interface MergeOptions {
  format: ReportFormat;
  output?: string;
  by: 'route' | 'destination' | 'nexthop' | 'dev' | 'anomaly' | 'as';
  top: number;
  sort: 'packets' | 'bytes';
  plainNumbers?: boolean;
}

const count = (value: string) => {
  if (!/^\d+$/.test(value)) throw new FibscopeError('BAD_ARGUMENT', `--top takes a whole number, not '${value}'`);
  return Number(value);
};

export function addMergeCommand(program: Command): void {
  program.command('merge')
    .description('merge saved JSON reports (analyze -f json) into one, exactly: counts summed, first and last seen kept, distinct destinations counted again')
    .argument('<report...>', "JSON reports, in the order their captures were taken; '-' reads one from standard input")
    .addOption(new Option('-f, --format <format>', 'report format').choices(['table', 'json', 'ndjson', 'csv', 'prom']).default('json'))
    .addOption(new Option('--by <key>', 'rows of table, csv and ndjson').choices(['route', 'destination', 'nexthop', 'dev', 'anomaly', 'as']).default('route'))
    .addOption(new Option('-n, --top <n>', 'rows per table (0 = all)').argParser(count).default(20))
    .addOption(new Option('--sort <key>', 'order of rows').choices(['packets', 'bytes']).default('packets'))
    .option('-o, --output <file>', 'write the report there instead of to stdout')
    .option('--plain-numbers', 'print exact numbers in tables instead of human units')
    .action(async (paths: string[], options: MergeOptions) => {
      if (paths.filter((path) => path === '-').length > 1) throw new FibscopeError('BAD_ARGUMENT', "standard input ('-') can be read once");
      const reports = [];
      for (const path of paths) reports.push({ name: path, report: await readReport(path) });
      const merged = mergeReports(reports);
      const sink = openSink(options.output);
      try {
        if (options.format === 'json') writeJson(merged, (chunk) => sink.write(chunk));
        else sink.write((await import('../report/index.js')).formatReport(merged, options.format, { by: options.by, top: options.top, sort: options.sort, humanUnits: !options.plainNumbers }));
      } finally {
        await sink.close();
      }
    });
}
