// Reading a saved JSON report with its counts exact: JSON.parse rounds integers above 2^53,
// which a report writes with every digit (docs/report.md, "Counts are exact").
import { readFile } from 'node:fs/promises';
import type { Report } from '../analyze/report.js';
import { countOf } from '../report/count.js';
import { MergeError } from './merge-parts.js';

/** Integers of 16 digits or more as values (never inside strings: a report's strings hold no bare digit runs after `:`, `[` or `,`). */
const BIG_INTEGER = /(?<=[:[,]\s*)(\d{16,})(?=\s*[,\]}])/g;
const TAG = '\u0000big:';

/** The report in `text`, its counts numbers up to 2^53 - 1 and bigints above (as Count). */
export function parseReport(text: string, name: string): Report {
  // a big integer becomes a tagged string, read back exactly
  const tagged = text.replace(BIG_INTEGER, `"${TAG}$1"`);
  try {
    return JSON.parse(tagged, (_key, value: unknown) =>
      (typeof value === 'string' && value.startsWith(TAG) ? countOf(BigInt(value.slice(TAG.length))) : value)) as Report;
  } catch (error) {
    throw new MergeError(`${name}: not JSON: ${(error as Error).message}`);
  }
}

/** The report saved at `path` ('-': standard input). */
export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (error) {
    throw new MergeError(`cannot read report ${path}: ${(error as Error).message}`);
  }
  return parseReport(text, path);
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
