// The analysis worker: holds the routing table, streams captures into an Analyzer (the same
// WebAssembly and code as the CLI), and answers lookups, so the page never waits on any of it.
import { type Analyzer, Fib, RouteFormatError, type Report, type RouteFormat } from '../../src/index.js';
import { writeJson } from '../../src/report/json.js';
import { reportRows, topRows } from '../../src/report/aggregate.js';
import { formatLookups } from '../../src/cli/lookup-text.js';
import { Classification } from './classification.js';
import type { PageRequest, ProposedTable, RulesFormatChoice, Source, WorkerReply } from './protocol.js';
import { byteStream, openSource, readTextSource } from './sources.js';
import { streamCapture } from './stream-capture.js';
import type { TableView } from './tables.js';
import { captureTimeSeries, reportDigits, type TimeSeriesOptions } from './timeseries.js';
import { runCompare, type TableText } from './compare-worker.js';

/** Routes the time series charts. */
const SERIES_ROUTES = 6;
/** Bins of the time series: enough to see a shape, few enough to read each one. */
const SERIES_BINS = 60;
/** Progress messages at most this often, so the page is not flooded. */
const PROGRESS_MS = 50;

const scope = self as unknown as {
  postMessage(message: WorkerReply, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<PageRequest>) => void) | null;
};
const post = (message: WorkerReply, transfer?: Transferable[]) => scope.postMessage(message, transfer);

let fib: Promise<Fib> = Fib.create();
/** The text the table in use was loaded from (a change list applies to a copy of it). */
let fibText: TableText[] = [];
/** The filter and rules every analysis counts by. */
const classification = new Classification();
/** The task under way, which a cancel message aborts. */
let current: AbortController | undefined;
/** Tasks run one after another: a routes change never lands in the middle of an analysis. */
let queue: Promise<void> = Promise.resolve();

scope.onmessage = ({ data: request }) => {
  switch (request.type) {
    case 'cancel':
      current?.abort();
      return;
    case 'lookup':
      // between two chunks of an analysis is fine: lookups only read the table
      void lookup(request.id, request.addresses);
      return;
    case 'routes':
      queue = queue.then(() => loadRoutes(request.sources, request.format));
      return;
    case 'filter':
      queue = queue.then(async () => post(classification.setFilter(await fib, request.expression)));
      return;
    case 'rules':
      queue = queue.then(() => loadRules(request.source, request.format));
      return;
    case 'analyze':
      queue = queue.then(() => analyze(request.run, request.source, request.view));
      return;
    case 'compare':
      queue = queue.then(() => compare(request.run, request.source, request.proposed));
      return;
  }
};

async function lookup(id: number, addresses: string[]): Promise<void> {
  try {
    post({ type: 'lookup', id, text: formatLookups(await fib, addresses, 'text'), error: false });
  } catch (error) {
    post({ type: 'lookup', id, text: messageOf(error), error: true });
  }
}

/** A new table from the files in order, as `-r a -r b`; on any error the old table stays. */
async function loadRoutes(sources: Source[], format: RouteFormat | 'auto'): Promise<void> {
  try {
    const table = await Fib.create();
    let duplicates = 0;
    const names: string[] = [];
    const texts: TableText[] = [];
    for (const source of sources) {
      const { name, text } = await readTextSource(source, 'routes file');
      const loaded = table.load(text, { format, source: name });
      if (loaded.added + loaded.duplicates === 0) throw new RouteFormatError(name, 1, 'no routes: the file is empty or holds only comments');
      duplicates += loaded.duplicates;
      names.push(name);
      texts.push({ name, text, format });
    }
    fib = Promise.resolve(table);
    fibText = texts;
    const stats = table.stats();
    post({ type: 'routes-loaded', summary: { sources: names, ipv4Routes: stats.ipv4Routes, ipv6Routes: stats.ipv6Routes, duplicates } });
  } catch (error) {
    if (error instanceof RouteFormatError) {
      post({ type: 'routes-error', message: error.message, source: error.source, line: error.line });
    } else {
      post({ type: 'routes-error', message: messageOf(error) });
    }
  }
}

/** The rules of a file or of pasted text, read as a routes file is (gzip too). */
async function loadRules(source: Source | null, format: RulesFormatChoice): Promise<void> {
  try {
    const rules = source && { ...(await readTextSource(source, 'rules file')), format };
    post(classification.setRules(await fib, rules));
  } catch (error) {
    post({ type: 'rules-error', message: messageOf(error) });
  }
}

async function analyze(run: number, source: Source, view: TableView | undefined): Promise<void> {
  const task = new AbortController();
  current = task;
  let analyzer: Analyzer | undefined;
  try {
    const table = await fib;
    const opened = await openSource(source);
    analyzer = classification.analyzer(table, opened.name, view);
    const started = performance.now();
    const { complete, bytes, pushMs } = await streamCapture(analyzer, opened, {
      signal: task.signal,
      progressMs: PROGRESS_MS,
      onProgress: async (read, total) => {
        post({ type: 'progress', run, read, total });
        await nextTask();
      },
    });
    if (!complete) {
      post({ type: 'cancelled', run });
      return;
    }
    analyzer.end();
    const analysisMs = performance.now() - started;

    const reportStart = performance.now();
    const report = analyzer.report();
    const span = analyzer.timeSpan();
    const json = jsonBytes(report);
    const timing = { run, bytes, records: Number(report.totals.records), analysisMs, pushMs, reportMs: performance.now() - reportStart };
    post({ type: 'report', run, json, timing }, [json.buffer]);

    analyzer.dispose();
    analyzer = undefined;
    await timeSeries(run, table, report, span, opened, task.signal);
  } catch (error) {
    if (task.signal.aborted) post({ type: 'cancelled', run });
    else post({ type: 'analyze-error', run, message: messageOf(error) });
  } finally {
    analyzer?.dispose();
    if (current === task) current = undefined;
  }
}

async function compare(run: number, source: Source, proposed: ProposedTable): Promise<void> {
  const task = new AbortController();
  current = task;
  try {
    await runCompare({
      run, source, proposed, current: await fib, currentText: fibText, filter: classification.filterExpression,
      signal: task.signal, post, nextTask,
    });
  } finally {
    if (current === task) current = undefined;
  }
}

async function timeSeries(run: number, table: Fib, report: Report, span: TimeSeriesOptions['span'] | undefined,
  opened: Awaited<ReturnType<typeof openSource>>, signal: AbortSignal): Promise<void> {
  const unavailable = (reason: string) => post({ type: 'timeseries-unavailable', run, reason });
  const input = report.inputs[0];
  if (input.format === null) return unavailable('no time series: the input is not a capture');
  if (report.routes.length === 0 || span === undefined) return unavailable('no time series: no route matched a counted packet');
  const routes = topRows(reportRows(report, 'route', 'bytes'), SERIES_ROUTES);
  try {
    // a second pass over the capture, which counts these routes per time bin in WebAssembly
    const reader = byteStream(opened, () => {}).getReader();
    const chunks = {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          await reader.cancel().catch(() => {});
        }
      },
    };
    const series = await captureTimeSeries(table, chunks, {
      routes, span, digits: reportDigits(report), maxBins: SERIES_BINS, signal, yieldNow: nextTask, filter: classification.filterExpression,
    });
    post({ type: 'timeseries', run, series });
  } catch (error) {
    if (signal.aborted) throw error;
    unavailable(`no time series: ${messageOf(error)}`);
  }
}

/** The text of `fibscope analyze -f json` (the CLI writes it with writeJson too), as UTF-8. */
function jsonBytes(report: Report): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let length = 0;
  writeJson(report, (chunk) => {
    parts.push(chunk.slice()); // a chunk may be a view of WebAssembly memory
    length += chunk.length;
  });
  const whole = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/**
 * Resolves in a task of its own. Reads of chunks the stream already holds resolve as microtasks,
 * so without this a long analysis would never let the page's cancel message in. (A message to
 * ourselves, not setTimeout, which browsers may delay by 4 ms.)
 */
const loopback = new MessageChannel();
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    loopback.port1.onmessage = () => resolve();
    loopback.port2.postMessage(null);
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
