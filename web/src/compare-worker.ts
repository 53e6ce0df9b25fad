// The worker's what-if analysis (`fibscope compare` in the page): the proposed table is built
// beside the current one (a change list applied to a copy, or routes files), then the capture is
// counted once by the overlay of the two (docs/compare.md) and the comparison goes back as the
// JSON of `fibscope compare -f json`.
import { applyChangeList, Comparison, Fib, formatCompareJson, parseChangeList, RouteFormatError, type RouteFormat } from '../../src/index.js';
import type { ProposedTable, Source, WorkerReply } from './protocol.js';
import { openSource, readTextSource } from './sources.js';
import { streamCapture } from './stream-capture.js';

/** The text the current table was loaded from, to copy it for a change list. */
export interface TableText {
  name: string;
  text: string;
  format: RouteFormat | 'auto';
}

export interface CompareTask {
  run: number;
  source: Source;
  proposed: ProposedTable;
  current: Fib;
  currentText: readonly TableText[];
  filter: string | undefined;
  signal: AbortSignal;
  post(message: WorkerReply, transfer?: Transferable[]): void;
  /** Resolves in a task of its own, so a cancel message can come in. */
  nextTask(): Promise<void>;
}

const PROGRESS_MS = 50;
/** Prefixes, and destinations, the page lists as moving. */
const CHANGED_TOP = 20;

export async function runCompare(task: CompareTask): Promise<void> {
  const { run, post } = task;
  try {
    const proposed = await proposedTable(task);
    const comparison = await Comparison.create(task.current, proposed);
    const opened = await openSource(task.source);
    const analyzer = comparison.analyzer({ name: opened.name, filter: task.filter });
    try {
      const streamed = await streamCapture(analyzer, opened, {
        signal: task.signal,
        progressMs: PROGRESS_MS,
        onProgress: async (read, total) => {
          post({ type: 'compare-progress', run, read, total });
          await task.nextTask();
        },
      });
      if (!streamed.complete) {
        post({ type: 'cancelled', run });
        return;
      }
      analyzer.end();
      const json = new TextEncoder().encode(formatCompareJson(comparison.report(analyzer.report(), { top: CHANGED_TOP })));
      post({ type: 'compare-report', run, json }, [json.buffer]);
    } finally {
      analyzer.dispose();
    }
  } catch (error) {
    if (task.signal.aborted) post({ type: 'cancelled', run });
    else if (error instanceof RouteFormatError) post({ type: 'compare-error', run, message: error.message, source: error.source, line: error.line });
    else post({ type: 'compare-error', run, message: error instanceof Error ? error.message : String(error) });
  }
}

/** The proposed table: the current table's text loaded afresh with the changes applied, or routes files. */
async function proposedTable(task: CompareTask): Promise<Fib> {
  const table = await Fib.create();
  const { proposed } = task;
  if (proposed.kind === 'changes') {
    // parse first: a bad line is reported before the copy is made
    const changes = parseChangeList(proposed.text, 'changes');
    if (changes.changes.length === 0) throw new Error('the change list holds no changes');
    for (const { name, text, format } of task.currentText) table.load(text, { format, source: name });
    applyChangeList(table, changes);
    return table;
  }
  if (proposed.sources.length === 0) throw new Error('no proposed routes file');
  for (const source of proposed.sources) {
    const { name, text } = await readTextSource(source, 'routes file');
    const loaded = table.load(text, { format: proposed.format, source: name });
    if (loaded.added + loaded.duplicates === 0) throw new RouteFormatError(name, 1, 'no routes: the file is empty or holds only comments');
  }
  return table;
}
