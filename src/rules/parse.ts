import { detectRulesFormat, type RulesFormat } from './detect.js';
import { parseFibscopeJsonRules, parseFibscopeRules } from './fibscope-format.js';
import { parseIptablesRules } from './iptables.js';
import type { RuleSet } from './model.js';
import { parseNftRules } from './nft.js';

export interface ParseRulesOptions {
  /** Named in errors ("rules.txt:12: ..."); default "rules". */
  source?: string;
  /** Default: detected from the content (detectRulesFormat). */
  format?: RulesFormat;
}

/** Reads a rule set in any supported format; throws RulesError naming source and line. */
export function parseRules(text: string, options: ParseRulesOptions = {}): RuleSet {
  const source = options.source ?? 'rules';
  switch (options.format ?? detectRulesFormat(text)) {
    case 'fibscope': return parseFibscopeRules(text, source);
    case 'json': return parseFibscopeJsonRules(text, source);
    case 'iptables': return parseIptablesRules(text, source);
    case 'nft': return parseNftRules(text, source);
  }
}
