// The tcpdump oracle shared by the oracle test files: for every expression, the records the
// compiled filter matches must equal the records `tcpdump -r CAPTURE -w - EXPRESSION` writes, in
// order; where tcpdump refuses the expression for the capture's link type, fibscope must list
// that link type as refused and match nothing.
import { readFileSync } from 'node:fs';
import { compileFilter, type CompiledFilter } from '../../src/filter/index.js';
import { ORACLE_EXPRESSIONS } from './expressions.js';
import { pool, readCapture, runFilter, tcpdumpFilter, type Capture } from './harness.js';

const compiled = new Map<string, CompiledFilter>();
export function compiledFor(expression: string): CompiledFilter {
  let c = compiled.get(expression);
  if (!c) compiled.set(expression, (c = compileFilter(expression)));
  return c;
}

/** Indices of the capture's records that tcpdump wrote, matched in order. */
function indicesOf(capture: Capture, kept: Capture['records']): number[] {
  const out: number[] = [];
  let from = 0;
  for (const record of kept) {
    for (;;) {
      if (from === capture.records.length) throw new Error(`tcpdump wrote a record the capture does not hold (t=${record.micros})`);
      const candidate = capture.records[from++];
      if (candidate.micros === record.micros && Buffer.compare(candidate.data, record.data) === 0) {
        out.push(from - 1);
        break;
      }
    }
  }
  return out;
}

/** Every disagreement between fibscope and tcpdump on this capture, as readable lines. */
export async function disagreements(name: string, path: string, expressions = ORACLE_EXPRESSIONS): Promise<string[]> {
  const capture = readCapture(new Uint8Array(readFileSync(path)));
  const answers = await pool(expressions.map((expression) => () => tcpdumpFilter(path, expression)), 4);
  const failures: string[] = [];
  expressions.forEach((expression, i) => {
    const answer = answers[i];
    let filter: CompiledFilter;
    try {
      filter = compiledFor(expression);
    } catch (error) {
      failures.push(`${name}: '${expression}': ${(error as Error).message}`);
      return;
    }
    const ours = runFilter(filter, capture);
    if ('refused' in answer) {
      const refusedHere = capture.linkTypes.every((t) => filter.refusedLinkTypes.includes(t));
      if (!refusedHere || ours.length > 0) failures.push(`${name}: '${expression}': tcpdump refuses (${answer.refused}), fibscope ${refusedHere ? 'refuses but matches' : 'does not refuse'} (${ours.length} matches)`);
      return;
    }
    const theirs = indicesOf(capture, answer.records);
    if (ours.join(',') !== theirs.join(',')) {
      const onlyOurs = ours.filter((x) => !theirs.includes(x));
      const onlyTheirs = theirs.filter((x) => !ours.includes(x));
      failures.push(`${name}: '${expression}': fibscope ${ours.length}, tcpdump ${theirs.length}; only fibscope #${onlyOurs.slice(0, 5)}; only tcpdump #${onlyTheirs.slice(0, 5)}`);
    }
  });
  return failures;
}
