// The worker's filter and rule set: what every analysis counts by besides the table. Each is
// checked when it is given, by compiling it into an analyzer of its own (the library's own
// errors, with their column or line), so an analysis never starts with a bad one; a bad one
// leaves the one before in use, as a bad routes file leaves the table. The anomaly checks are on
// whenever the table has routes, as `analyze -r` has them (docs/checks.md).
import { Analyzer, type Fib, type ViewOptions } from '../../src/index.js';
import type { RulesFormatChoice, RulesSummary, WorkerReply } from './protocol.js';
import { MATRIX_TOP, type TableView } from './tables.js';

/** What each table view turns on in the Analyzer, as `analyze --by VIEW` does. */
const VIEW_OPTIONS: Record<TableView, ViewOptions> = {
  'src-route': { sourceRoutes: true },
  source: { sources: true },
  interface: { interfaces: true },
  // the routes are always counted, with their origin AS
  as: {},
  'src-as': { sourceRoutes: true },
  matrix: { matrix: { top: MATRIX_TOP } },
  'as-matrix': { matrix: { top: MATRIX_TOP } },
};

interface Rules {
  text: string;
  /** The file's name, or `pasted rules`: errors and the report name it. */
  name: string;
  format: RulesFormatChoice;
}

/** The parts of the library's errors the page shows (FilterSyntaxError, RulesError). */
interface LocatedError {
  code?: string;
  column?: number;
  line?: number;
  source?: string;
}

export class Classification {
  private filter: string | undefined;
  private rules: Rules | undefined;

  /**
   * An analyzer counting by the table, the filter and the rules, checking for anomalies when the
   * table has routes, and counting `view` too; `name` names its input.
   */
  analyzer(fib: Fib, name: string, view?: TableView): Analyzer {
    const stats = fib.stats();
    const checks = stats.ipv4Routes + stats.ipv6Routes > 0;
    const analyzer = new Analyzer({ fib, name, filter: this.filter, checks, views: view && VIEW_OPTIONS[view] });
    try {
      if (this.rules) analyzer.setRules(this.rules.text, rulesOptions(this.rules));
      return analyzer;
    } catch (error) {
      analyzer.dispose();
      throw error;
    }
  }

  /** The filter, for the time series' second pass: routes count only what the filter accepts. */
  get filterExpression(): string | undefined {
    return this.filter;
  }

  /** Puts `expression` in use ('' or blanks: none), or says what is wrong with it. */
  setFilter(fib: Fib, expression: string): WorkerReply {
    if (expression.trim() === '') {
      this.filter = undefined;
      return { type: 'filter-set', expression: null, refusedLinkTypes: [] };
    }
    let trial: Analyzer | undefined;
    try {
      trial = new Analyzer({ fib, name: 'filter', filter: expression });
      const refusedLinkTypes = [...(trial.filter?.refusedLinkTypes ?? [])];
      this.filter = expression;
      return { type: 'filter-set', expression, refusedLinkTypes };
    } catch (error) {
      const { column } = error as LocatedError;
      return { type: 'filter-error', expression, message: messageOf(error), ...(typeof column === 'number' ? { column } : {}) };
    } finally {
      trial?.dispose();
    }
  }

  /** Puts the rules of `text` in use (null: none), or says which line is wrong. */
  setRules(fib: Fib, rules: Rules | null): WorkerReply {
    if (rules === null) {
      this.rules = undefined;
      return { type: 'rules-set', summary: null };
    }
    let trial: Analyzer | undefined;
    try {
      trial = new Analyzer({ fib, name: 'rules' });
      trial.setRules(rules.text, rulesOptions(rules));
      const compiled = trial.rules!;
      const summary: RulesSummary = {
        source: rules.name,
        rules: compiled.names.map((name, i) => ({ name, action: compiled.actions[i] })),
      };
      this.rules = rules;
      return { type: 'rules-set', summary };
    } catch (error) {
      const { line, source } = error as LocatedError;
      return { type: 'rules-error', message: messageOf(error), ...(typeof line === 'number' ? { line, source } : {}) };
    } finally {
      trial?.dispose();
    }
  }
}

function rulesOptions(rules: Rules): { format?: Exclude<RulesFormatChoice, 'auto'>; source: string } {
  return rules.format === 'auto' ? { source: rules.name } : { format: rules.format, source: rules.name };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
