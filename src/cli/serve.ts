// `fibscope serve`: classify a live capture stream and serve its counters and the table over
// HTTP until signalled, then write the final report. The server loads only when this runs.
import { access, constants, stat } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { FibscopeError } from '../errors.js';
import type { Fib } from '../fib/fib.js';
import { ROUTE_FORMATS, type RouteFormat } from '../routes/index.js';
import {
  DEFAULT_BODY_TIMEOUT_MS, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_REPORT_BYTES_IN_FLIGHT, DEFAULT_STALL_TIMEOUT_MS, parseByteSize,
} from '../serve/limits.js';
import { DEFAULT_HOST, DEFAULT_PORT, parseListenAddress, type ListenAddress } from '../serve/listen-address.js';
import { linkTypeName } from '../report/link-type-names.js';
import { openSink } from './sink.js';
import { addClassifyOptions, explainingClassifyErrors, readRulesFile, type ClassifyOptions } from './classify-options.js';
import { addCheckOptions, checkWarnings, resolveCheckOptions, type CheckOptions } from './check-options.js';
import { addRoutingOptions, resolveRoutingOptions, type RoutingFlags } from './routing-options.js';
import { addHttpSecurityOptions, exposureWarnings, resolveHttpSecurity, type HttpSecurityOptions } from './serve-security.js';

export interface ServeRoutesOptions {
  routes?: string[];
  routesFormat?: RouteFormat;
  memoryLimit?: number;
}

/** cli.ts's table loader: every -r file into one table, a bad file stopping with its name and line. */
export type LoadTables = (options: ServeRoutesOptions) => Promise<{ fib: Fib }>;

interface ServeOptions extends ServeRoutesOptions, ClassifyOptions, CheckOptions, RoutingFlags, HttpSecurityOptions {
  listen: ListenAddress;
  topDestinations: number;
  topRoutes?: number;
  maxBody: number;
  bodyTimeout: number;
  maxReportMemory: number;
  stallTimeout: number;
  output?: string;
  exitOnEof?: boolean;
}

/** Series a scrape may carry per destination (or top-routes) family; beyond this, use the JSON report. */
const MAX_TOP_DESTINATIONS = 10_000;
/** The cells of --matrix that /report shows (analyze's default --top); the rest are summed in `other`. */
const MATRIX_TOP = 20;
/** After the final report, whatever still holds the process (a file being read) gets this long. */
const EXIT_GRACE_MS = 2000;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function topDestinations(value: string): number {
  const k = Number(value);
  if (!/^\d+$/.test(value) || k > MAX_TOP_DESTINATIONS) {
    throw new FibscopeError('BAD_ARGUMENT', `--top-destinations takes a whole number 0..${MAX_TOP_DESTINATIONS}, not '${value}'`);
  }
  return k;
}

function topRoutes(value: string): number {
  const k = Number(value);
  if (!/^\d+$/.test(value) || k < 1 || k > MAX_TOP_DESTINATIONS) {
    throw new FibscopeError('BAD_ARGUMENT', `--top-routes takes a whole number 1..${MAX_TOP_DESTINATIONS}, not '${value}'`);
  }
  return k;
}

function byteSize(flag: string): (value: string) => number {
  return (value) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) throw new FibscopeError('BAD_ARGUMENT', `${flag} takes a size in bytes (1048576, 512k, 1MiB), not '${value}'`);
    return bytes;
  };
}

/** Seconds, as a whole number of milliseconds: 10, 0.5. */
function seconds(flag: string): (value: string) => number {
  return (value) => {
    const ms = Math.round(Number(value) * 1000);
    if (!/^\d+(\.\d+)?$/.test(value) || ms < 1 || ms > 3_600_000) {
      throw new FibscopeError('BAD_ARGUMENT', `${flag} takes a number of seconds, 0.001..3600, not '${value}'`);
    }
    return ms;
  };
}

export function addServeCommand(program: Command, loadTables: LoadTables): Command {
  const command = program.command('serve')
    .description('classify a live capture stream; serve Prometheus metrics, the report and a route API over HTTP')
    .argument('[capture]', "pcap or pcapng file, or '-' for standard input", '-')
    .addOption(new Option('-r, --routes <file>', 'routes file (repeatable; without it the table starts empty)').argParser(collect))
    .addOption(new Option('--routes-format <format>', 'routes file format (default: detect per file)').choices(ROUTE_FORMATS));
  addHttpSecurityOptions(addCheckOptions(addClassifyOptions(command)))
    .addOption(new Option('-l, --listen <address>', 'HOST:PORT to serve HTTP on; :PORT for every interface')
      .argParser(parseListenAddress).default(parseListenAddress(`${DEFAULT_HOST}:${DEFAULT_PORT}`), `${DEFAULT_HOST}:${DEFAULT_PORT}`))
    .addOption(new Option('--top-destinations <k>', 'per-destination series in /metrics for the top K, plus "other"')
      .argParser(topDestinations).default(0))
    .addOption(new Option('--top-routes <k>', 'route series in /metrics for the top K routes by packets, plus "other" (default: every route)')
      .argParser(topRoutes))
    .addOption(new Option('--max-body <size>', 'largest request body (bytes, or 512k, 1MiB)').argParser(byteSize('--max-body'))
      .default(DEFAULT_MAX_BODY_BYTES, '1MiB'))
    .addOption(new Option('--max-report-memory <size>', '/report text held for clients still reading it, all together; past it, 503')
      .argParser(byteSize('--max-report-memory')).default(DEFAULT_MAX_REPORT_BYTES_IN_FLIGHT, '256MiB'))
    .addOption(new Option('--body-timeout <seconds>', 'a request body must arrive within this, else 408').argParser(seconds('--body-timeout'))
      .default(DEFAULT_BODY_TIMEOUT_MS, String(DEFAULT_BODY_TIMEOUT_MS / 1000)))
    .addOption(new Option('--stall-timeout <seconds>', 'cut a client that reads none of its answer for this long').argParser(seconds('--stall-timeout'))
      .default(DEFAULT_STALL_TIMEOUT_MS, String(DEFAULT_STALL_TIMEOUT_MS / 1000)))
    .addOption(new Option('--memory-limit <size>', 'most WebAssembly memory to use (default and ceiling: 4 GiB)')
      .argParser(byteSize('--memory-limit')))
    .option('-o, --output <file>', 'write the final report there instead of to stdout')
    .option('--exit-on-eof', 'stop when the capture stream ends (default: keep serving until SIGTERM or SIGINT)');
  return addRoutingOptions(command)
    .action(async (capture: string, options: ServeOptions) => {
      await serve(capture, options, loadTables);
    });
}

async function serve(capture: string, options: ServeOptions, loadTables: LoadTables): Promise<void> {
  const log = (line: string) => process.stderr.write(`fibscope: ${line}\n`);
  if (capture === '-' && process.stdin.isTTY) {
    throw new FibscopeError('BAD_ARGUMENT', "serve reads a capture stream: name a capture file, or pipe one in (tcpdump -i eth0 -U -w - | fibscope serve -r routes.txt -)");
  }
  if (capture !== '-') {
    await access(capture, constants.R_OK).catch((error: Error) => {
      throw new FibscopeError('CAPTURE_UNREADABLE', `cannot open capture ${capture}: ${error.message}`);
    });
    if ((await stat(capture)).isDirectory()) {
      throw new FibscopeError('CAPTURE_UNREADABLE', `cannot read capture ${capture}: it is a directory; name a pcap or pcapng file, or '-' for standard input`);
    }
  }
  // as analyze: on with a routing table; a bad bogon list stops here, named by file and line
  const checkSetup = await resolveCheckOptions(options, 'route', MATRIX_TOP, (options.routes ?? []).length > 0);
  const rulesFile = options.rules === undefined ? undefined : await readRulesFile(options.rules, [capture]);
  // bad routing settings stop here, before anything listens
  const routingSetup = await resolveRoutingOptions(options);
  const security = await resolveHttpSecurity(options);
  const [{ fib }, { Analyzer }, { CaptureReader }, { FibscopeServer }, { writeJson }, { startRouting }] = await Promise.all([
    loadTables(options),
    import('../analyze/analyzer.js'),
    import('../serve/capture.js'),
    import('../serve/server.js'),
    import('../report/json.js'),
    import('../serve/start-routing.js'),
  ]);
  // a bad filter stops here, before the server listens (a bad rule set below)
  const analyzer = await explainingClassifyErrors(options.filter, async () =>
    new Analyzer({
      fib, name: capture, filter: options.filter, interfaceName: options.interface, checks: checkSetup.checks, views: checkSetup.views,
    }));
  const reader = new CaptureReader(analyzer, capture);
  const server = new FibscopeServer({
    fib,
    analyzer,
    maxBodyBytes: options.maxBody,
    bodyTimeoutMs: options.bodyTimeout,
    maxReportBytesInFlight: options.maxReportMemory,
    stallTimeoutMs: options.stallTimeout,
    writeToken: security.writeToken,
    tls: security.tls,
    topDestinations: options.topDestinations,
    topRoutes: options.topRoutes,
    capture: reader,
    onError: (error) => log(`internal error answering a request: ${(error as Error)?.message ?? String(error)}`),
    onNotice: log,
  });
  // through the server's rules, so that GET /rules shows the file's text and format
  await explainingClassifyErrors(undefined, async () => {
    try {
      if (rulesFile) server.rules.load(rulesFile.text, options.rulesFormat ?? 'auto', rulesFile.source);
    } catch (error) {
      analyzer.dispose();
      throw error;
    }
  });
  const refused = analyzer.filter?.refusedLinkTypes ?? [];
  if (refused.length > 0) {
    log(`warning: libpcap refuses the filter on link type${refused.length > 1 ? 's' : ''} ${refused.map(linkTypeName).join(', ')}: `
      + 'records of those count as filtered');
  }
  const { host, port } = options.listen;
  let bound;
  try {
    bound = await server.listen(port, host);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'the address is in use' : (error as Error).message;
    throw new FibscopeError('LISTEN_FAILED', `cannot listen on ${host ?? '*'}:${port}: ${reason}`);
  }
  // a report that cannot be written is known before reading starts; so is a port taken
  let sink: ReturnType<typeof openSink>;
  try {
    server.routing = await startRouting(routingSetup, fib, server.routes.changes, log);
    sink = openSink(options.output);
  } catch (error) {
    await server.routing?.close();
    await server.close();
    throw error;
  }
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const stats = fib.stats();
  const rules = server.rules.describe();
  const classifying = [
    analyzer.filter ? `filter '${analyzer.filter.expression}'` : '',
    rules ? `${rules.rules.length} rules from ${rules.source}` : '',
    checkSetup.checks ? 'checks on' : '',
  ].filter(Boolean).join(', ');
  for (const warning of [...security.warnings, ...exposureWarnings(security, bound)]) log(warning);
  log(`serving ${server.secure ? 'https' : 'http'}://${shown}:${bound.port}/metrics (${stats.ipv4Routes} IPv4 + ${stats.ipv6Routes} IPv6 routes${classifying ? `; ${classifying}` : ''}), ` +
    `reading ${capture === '-' ? 'standard input' : capture}`);

  let exitStatus = 0;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => { finished = resolve; });
  let stopping = false;
  const stop = async (why: string, status: number) => {
    if (stopping) return;
    stopping = true;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // the counters as they are now: nothing read after this moment counts
    const report = analyzer.snapshot();
    reader.stop();
    // sessions end with a Cease; their routes go, after the snapshot
    await server.routing?.close();
    // the interfaces an --interface-map needs stay in the report, as /report showed them
    for (const warning of checkWarnings(report, options, { ...checkSetup, internalViews: { interfaces: false } })) log(warning);
    await server.close();
    try {
      writeJson(report, (chunk) => sink.write(chunk));
      await sink.close();
      log(`${why}: final report written to ${options.output ?? 'standard output'}`);
      exitStatus = status;
    } catch (error) {
      // a closed pipe or a full disk: say so, without a stack
      log(`${why}, but the final report could not be written: ${(error as Error).message}`);
      exitStatus = 1;
    }
    finished();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stop(`stopped by ${signal}`, 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  reader.read().then((end) => {
    if (stopping) return;
    const name = capture === '-' ? 'standard input' : capture;
    if (end.error !== null) log(`${name}: ${end.error}`);
    else log(`${name}: the capture ended after ${end.records} records`);
    if (options.exitOnEof) void stop('the capture ended', end.error === null ? 0 : 1);
    else log('still serving; SIGTERM or SIGINT stops and writes the final report');
  }, (error: unknown) => {
    // the file vanished between the check and the read: nothing to serve
    log((error as Error).message);
    void stop('the capture could not be read', 2);
  });

  await done;
  process.exitCode = exitStatus;
  // standard input and the listening socket are closed; should a file still be half read, do
  // not wait for it
  setTimeout(() => process.exit(exitStatus), EXIT_GRACE_MS).unref();
}
