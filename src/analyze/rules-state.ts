import { installFunction, type InstalledFunction } from '../classify/install.js';
import { registerInterfaceName } from '../classify/interfaces.js';
import { FibscopeOutOfMemoryError } from '../errors.js';
import { compileRules, parseRules, type RuleSet, type RulesFormat } from '../rules/index.js';
import type { FibscopeExports } from '../wasm/module.js';
import type { RuleNames } from './rule-report.js';

/** An analyzer's rule set: its rules' names and actions, compiled and installed in its instance. */
export interface ActiveRules extends RuleNames {
  /** Where the rules were read ("rules.txt"), when given. */
  source?: string;
  installed: InstalledFunction;
}

export interface RulesOptions {
  /** The text's format; detected from the text when absent. */
  format?: RulesFormat;
  /** Names the text in errors and in `analyzer.rules`: a file name, say. */
  source?: string;
}

/**
 * Parses (when text) and compiles `rules`, then makes `counters` count by them from zero; throws
 * RulesError (or a filter's syntax error) with nothing changed.
 */
export function applyRules(wasm: FibscopeExports, counters: number, rules: RuleSet | string,
  options: RulesOptions = {}): ActiveRules {
  const set = typeof rules === 'string' ? parseRules(rules, options) : rules;
  const compiled = compileRules(set, { interfaceNumber: (name) => registerInterfaceName(wasm, name) });
  const installed = installFunction(wasm, compiled.bytes, 'rules');
  if (!wasm.countersSetRules(counters, installed.slot, set.rules.length)) {
    installed.release();
    throw new FibscopeOutOfMemoryError('rule counters', `out of WebAssembly memory: no room for the counters of ${set.rules.length} rules; the old set stays`);
  }
  return {
    names: set.rules.map((rule) => rule.name),
    actions: set.rules.map((rule) => rule.action),
    ...(options.source !== undefined ? { source: options.source } : {}),
    installed,
  };
}

/** Stops counting by rules. */
export function removeRules(wasm: FibscopeExports, counters: number, rules: ActiveRules | undefined): void {
  wasm.countersSetRules(counters, 0, 0);
  rules?.installed.release();
}
