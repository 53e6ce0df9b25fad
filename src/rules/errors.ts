import { FibscopeError } from '../errors.js';

/** A bad line of a rules file (fibscope's format, JSON, iptables-save or nft JSON): names the source and 1-based line. */
export class RulesError extends FibscopeError {
  readonly source: string;
  readonly line: number;
  constructor(source: string, line: number, message: string) {
    super('RULES', `${source}:${line}: ${message}`);
    this.source = source;
    this.line = line;
  }
}

/** Thrown by the value parsers without a location; the format parsers add file and line. */
export class RuleValueError extends Error {}
