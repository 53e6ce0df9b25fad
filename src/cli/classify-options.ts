// `analyze`'s classifier options: --filter (a pcap-filter expression), --rules and --rules-format
// (a rule set), --interface (the capture interface of pcap inputs); reading the rules file, and
// the words of their errors and warnings.
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { FibscopeError } from '../errors.js';
import type { LinkTypeRefusal } from '../filter/index.js';
import { linkTypeName } from '../report/link-type-names.js';
import { RULES_FORMATS, type RulesFormat } from '../rules/index.js';

/** The rule file formats `--rules-format` names (docs/rules.md); without it the format is detected. */
export const CLI_RULES_FORMATS = RULES_FORMATS;

export interface ClassifyOptions {
  filter?: string;
  rules?: string;
  rulesFormat?: RulesFormat;
  interface?: string;
}

/** Adds --filter, --rules, --rules-format and --interface to `command`. */
export function addClassifyOptions(command: Command): Command {
  return command
    .option('--filter <expr>', "count only the records a pcap-filter expression (tcpdump's language) matches; the rest count as filtered")
    .option('--rules <file>', "a rule set: every record the filter lets through counts under its first matching rule ('-' reads standard input)")
    .addOption(new Option('--rules-format <format>', 'rules file format (default: detect)').choices([...CLI_RULES_FORMATS]))
    .option('--interface <name>', 'the capture interface of pcap inputs, for rules that match on it (pcapng names its own)');
}

/**
 * The text of the rules file (standard input for '-'), and the name its errors give. Standard
 * input holds one stream: not rules and a capture both.
 */
export async function readRulesFile(path: string, captures: readonly string[]): Promise<{ text: string; source: string }> {
  if (path === '-') {
    if (captures.includes('-')) {
      throw new FibscopeError('BAD_ARGUMENT', "--rules - reads the rules from standard input, which a capture ('-') reads already: give the rules as a file");
    }
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return { text: Buffer.concat(chunks).toString('utf8'), source: 'standard input' };
  }
  try {
    return { text: await readFile(path, 'utf8'), source: path };
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new FibscopeError('RULES_UNREADABLE', `cannot read the rules file ${path}: ${why}`);
  }
}

/**
 * The expression on a line of its own with a caret under `column` (1-based), indented by two:
 *
 *     tcp and prot 80
 *             ^
 *
 * Line breaks in the expression show as blanks (the column counts them as any character); tabs
 * stay tabs in both lines, so the caret lines up whatever the tab width.
 */
export function caretUnder(expression: string, column: number): string {
  const shown = expression.replace(/[\r\n]/g, ' ');
  const at = Math.max(0, Math.min(column - 1, shown.length));
  const pad = shown.slice(0, at).replace(/[^\t]/g, ' ');
  return `  ${shown}\n  ${pad}^`;
}

/**
 * The message of a filter error (FilterSyntaxError, FilterUnsupportedError: a `column`), with
 * the expression and a caret under the column; undefined for any other error.
 */
export function filterErrorText(error: unknown, expression: string | undefined): string | undefined {
  if (!(error instanceof FibscopeError) || expression === undefined) return undefined;
  if (error.code !== 'FILTER_SYNTAX' && error.code !== 'FILTER_UNSUPPORTED') return undefined;
  const column = (error as FibscopeError & { column?: unknown }).column;
  const text = `--filter: ${error.message}`;
  return typeof column === 'number' ? `${text}\n${caretUnder(expression, column)}` : text;
}

/** The message of a RulesError, led by file:line (which its message holds already, or is given here). */
export function rulesErrorText(error: unknown): string | undefined {
  if (!(error instanceof FibscopeError) || error.code !== 'RULES') return undefined;
  const { source, line } = error as FibscopeError & { source?: string; line?: number };
  const at = source !== undefined && line !== undefined ? `${source}:${line}: ` : '';
  return at && !error.message.startsWith(at) ? `${at}${error.message}` : error.message;
}

/**
 * `work`, with a filter or rules error coming out as a FibscopeError of the same code whose
 * message shows where: the caret under the expression's column, or the file and line.
 */
export async function explainingClassifyErrors<T>(expression: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const text = filterErrorText(error, expression) ?? rulesErrorText(error);
    if (text === undefined) throw error;
    throw new FibscopeError((error as FibscopeError).code, text);
  }
}

/**
 * The warnings for the link types of the inputs that libpcap refuses the expression on (tcpdump
 * would not read those captures with it): their records all count as filtered. One a link type,
 * with libpcap's reason.
 */
export function refusedLinkTypesWarnings(expression: string, refusals: readonly LinkTypeRefusal[], seen: Iterable<number>): string[] {
  const linkTypes = new Set(seen);
  return refusals.filter((refusal) => linkTypes.has(refusal.linkType)).map((refusal) =>
    `warning: the filter ${JSON.stringify(expression)} does not apply to link type ${linkTypeName(refusal.linkType)} `
      + `(libpcap refuses it there: ${refusal.reason}): its records count as filtered`);
}
