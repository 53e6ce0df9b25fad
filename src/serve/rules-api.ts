// The rule set and the filter of a running serve:
//   GET    /rules               the set in force: its rules (name, action), format, where it came
//                               from and its text; 404 `{ "rules": null }` without one
//   PUT    /rules[?format=F]    replace it with the rules of the body (any rule format, docs/rules.md)
//   DELETE /rules               count without rules from now on
//   GET    /filter              the filter given at start; 404 `{ "filter": null }` without one
// Requests run between the analyzer's chunks, and a set is compiled whole before it replaces the
// old one, so a chunk is counted under one set or the other, never a mix, and a bad body (400
// naming its line) leaves the old set and its counts as they were. A new set counts from 0.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Analyzer } from '../analyze/analyzer.js';
import { FibscopeError } from '../errors.js';
import { detectRulesFormat, RULES_FORMATS, type RulesFormat } from '../rules/index.js';
import { checkMethod, HttpError, sendJson } from './http-error.js';
import { readTextBody } from './limits.js';
import type { BodyLimits } from './routes-api.js';

/** Names a PUT body in errors: `PUT /rules:3: ...`. */
const BODY_SOURCE = 'PUT /rules';
const RULES_METHODS = ['GET', 'HEAD', 'PUT', 'DELETE'];
/** A body is text; nft's JSON comes as application/json. */
const TEXT_TYPES = /^(text\/[a-z.+-]+|application\/json)\s*(;|$)/i;

/** What GET /rules answers. */
export interface RulesJson {
  rules: { name: string; action: string }[];
  format: RulesFormat;
  /** The file given to --rules, or `PUT /rules`. */
  source: string;
  /** When it was put in force (ISO 8601 UTC): its counts start there. */
  since: string;
  text: string;
}

/** The rule set of one analyzer, with what it was made from. No HTTP here. */
export class ServedRules {
  private readonly analyzer: Analyzer;
  private loaded: Omit<RulesJson, 'rules'> | undefined;
  /** Sets put in force by PUT or removed by DELETE (the set loaded at start is not a change). */
  changes = 0;

  constructor(analyzer: Analyzer) {
    this.analyzer = analyzer;
  }

  /**
   * Compiles the rules of `text` and puts them in force in place of the set before, whose counts
   * go; throws RulesError (naming `source` and the line) with nothing changed.
   */
  load(text: string, format: RulesFormat | 'auto', source: string): RulesJson {
    const detected = format === 'auto' ? detectRulesFormat(text) : format;
    this.analyzer.setRules(text, { format: detected, source });
    this.loaded = { format: detected, source, since: new Date().toISOString(), text };
    return this.describe()!;
  }

  /** No rules from now on; false when there were none. */
  clear(): boolean {
    if (!this.analyzer.rules) return false;
    this.analyzer.setRules(undefined);
    this.loaded = undefined;
    return true;
  }

  /** The set in force, or undefined. */
  describe(): RulesJson | undefined {
    const rules = this.analyzer.rules;
    if (!rules || !this.loaded) return undefined;
    return { rules: rules.names.map((name, i) => ({ name, action: rules.actions[i] })), ...this.loaded };
  }
}

export async function handleRules(req: IncomingMessage, res: ServerResponse, url: URL, rules: ServedRules,
  limits: BodyLimits): Promise<void> {
  checkMethod(req.method, '/rules', RULES_METHODS);
  if (req.method === 'PUT') {
    const format = formatParameter(url);
    checkContentType(req.headers['content-type']);
    const text = await readTextBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);
    if (text.trim() === '') throw new HttpError(400, 'the body holds no rules; DELETE /rules removes the rule set');
    const loaded = asBadRequest(() => rules.load(text, format, BODY_SOURCE));
    rules.changes++;
    sendJson(res, 200, loaded);
    return;
  }
  onlyParameters(url, [], `${req.method} /rules`);
  if (req.method === 'DELETE') {
    if (!rules.clear()) throw new HttpError(404, 'there is no rule set to remove');
    rules.changes++;
    sendJson(res, 200, { rules: null });
    return;
  }
  const described = rules.describe();
  if (!described) sendJson(res, 404, { rules: null });
  else sendJson(res, 200, described);
}

export function handleFilter(req: IncomingMessage, res: ServerResponse, url: URL, analyzer: Analyzer): void {
  checkMethod(req.method, '/filter', ['GET', 'HEAD']);
  onlyParameters(url, [], 'GET /filter');
  const filter = analyzer.filter;
  if (!filter) sendJson(res, 404, { filter: null });
  else sendJson(res, 200, { filter: filter.expression, refusedLinkTypes: filter.refusedLinkTypes });
}

/** A bad rule set is the client's error: 400 with the message, and the line when there is one. */
function asBadRequest<T>(change: () => T): T {
  try {
    return change();
  } catch (error) {
    if (!(error instanceof FibscopeError)) throw error;
    if (error.code === 'OUT_OF_MEMORY') throw error; // the server's limit: 503/507 as elsewhere
    const line = (error as { line?: unknown }).line;
    throw new HttpError(400, error.message, {}, typeof line === 'number' ? { line } : {});
  }
}

function formatParameter(url: URL): RulesFormat | 'auto' {
  onlyParameters(url, ['format'], 'PUT /rules');
  const format = url.searchParams.get('format') ?? 'auto';
  if (format !== 'auto' && !(RULES_FORMATS as readonly string[]).includes(format)) {
    throw new HttpError(400, `unknown rules format ${JSON.stringify(format)}: expected auto, ${RULES_FORMATS.join(', ')}`);
  }
  return format as RulesFormat | 'auto';
}

function checkContentType(type: string | undefined): void {
  if (type === undefined || TEXT_TYPES.test(type)) return;
  throw new HttpError(415, `a rule set is text: send it as text/plain, or application/json for nft -j output, not ${type}`);
}

function onlyParameters(url: URL, known: readonly string[], what: string): void {
  for (const name of url.searchParams.keys()) {
    if (!known.includes(name)) {
      throw new HttpError(400, `unknown parameter ${JSON.stringify(name)}: ${what} takes ${known.length ? known.join(', ') : 'no parameters'}`);
    }
  }
}
