#!/usr/bin/env node
// The command line: parses arguments, calls the library, formats the answer. Nothing else.
import { Command, CommanderError, Option } from 'commander';
import { FibscopeError, RouteFormatError } from './errors.js';
import { Fib } from './fib/fib.js';
import { readRoutesFile } from './routes/read.js';
import { ROUTE_FORMATS, type RouteFormat } from './routes/index.js';
import { formatLookups, formatRouteSummary, type OutputFormat } from './cli/output.js';

const VERSION = '0.1.0';

/** Exit statuses of SPEC section 4. */
const EXIT_USAGE = 2;

interface RoutesOptions {
  routes: string[];
  routesFormat?: RouteFormat;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function routesOptions(command: Command): Command {
  return command
    .requiredOption('-r, --routes <file>', 'routes file (repeatable; gzip read transparently)', collect)
    .addOption(new Option('--routes-format <format>', 'routes file format (default: detect per file)')
      .choices(ROUTE_FORMATS));
}

/** Loads every routes file into one table; a bad file stops with its name and line. */
async function loadTables(options: RoutesOptions): Promise<{ fib: Fib; duplicates: number }> {
  const fib = await Fib.create();
  let duplicates = 0;
  for (const path of options.routes) {
    const list = await readRoutesFile(path, { format: options.routesFormat ?? 'auto' });
    if (list.count === 0) throw new RouteFormatError(path, 1, 'no routes: the file is empty or holds only comments');
    duplicates += fib.load(list).duplicates;
  }
  return { fib, duplicates };
}

const program = new Command()
  .name('fibscope')
  .description('Classify captured packets by route: longest-prefix match in WebAssembly')
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride();

routesOptions(program.command('lookup'))
  .description('the matching route per address, like `ip route get`')
  .argument('<address...>', 'IPv4 or IPv6 addresses')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
  .action(async (addresses: string[], options: RoutesOptions & { format: OutputFormat }) => {
    const { fib } = await loadTables(options);
    process.stdout.write(formatLookups(fib, addresses, options.format));
  });

routesOptions(program.command('routes'))
  .description('table summary: routes per family, prefix-length histogram, duplicates, memory')
  .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
  .action(async (options: RoutesOptions & { format: OutputFormat }) => {
    const { fib, duplicates } = await loadTables(options);
    process.stdout.write(formatRouteSummary(fib, options.routes, duplicates, options.format));
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = exitStatusFor(error);
}

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
