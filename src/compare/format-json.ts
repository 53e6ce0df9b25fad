// `compare -f json`: the comparison as one JSON document (docs/compare.md), both sides' reports
// nested as `analyze -f json` writes them, their destinations straight from WebAssembly.
import { jsonText } from '../report/exact-json.js';
import { writeJson } from '../report/json.js';
import type { CompareReport } from './compare-report.js';

const encoder = new TextEncoder();

/** The text of `report`, two-space indented, ending in a newline, handed to `write` in chunks (valid until it returns). */
export function writeCompareJson(report: CompareReport, write: (chunk: Uint8Array) => void): void {
  const { before, after, ...head } = report;
  // bins (with --interval) come after the changes, before the two long reports
  // the short members first, in this order; the two reports (millions of lines, perhaps) last
  const text = jsonText({
    fibscope: head.fibscope,
    inputs: head.inputs,
    moved: head.moved,
    becomesUnrouted: head.becomesUnrouted,
    becomesDropped: head.becomesDropped,
    becomesRouted: head.becomesRouted,
    moves: head.moves,
    changed: head.changed,
    ...(head.intervals ? { intervals: head.intervals } : {}),
  }, 2);
  write(encoder.encode(`${text.slice(0, -2)},\n  "before": `));
  writeJson(before, write, 2);
  write(encoder.encode(',\n  "after": '));
  writeJson(after, write, 2);
  write(encoder.encode('\n}\n'));
}

/** writeCompareJson's text as one string. */
export function formatCompareJson(report: CompareReport): string {
  const decoder = new TextDecoder();
  let text = '';
  writeCompareJson(report, (chunk) => {
    text += decoder.decode(chunk, { stream: true });
  });
  return text + decoder.decode();
}
