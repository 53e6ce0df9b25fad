// Rule sets (docs/rules.md): read them in fibscope's, JSON, iptables-save or nft form, compile them
// into one WebAssembly function, or evaluate them slowly for reference.
export { compileRules } from './compile.js';
export type { CompiledRules, CompileRulesOptions } from './compile.js';
export { detectRulesFormat, RULES_FORMATS } from './detect.js';
export type { RulesFormat } from './detect.js';
export { RulesError } from './errors.js';
export { parseFibscopeJsonRules, parseFibscopeRules } from './fibscope-format.js';
export { parseIptablesRules } from './iptables.js';
export { RULE_ACTIONS } from './model.js';
export type { PortRange, Rule, RuleAction, RuleCondition, RuleSet } from './model.js';
export { parseNftRules } from './nft.js';
export { parseRules } from './parse.js';
export type { ParseRulesOptions } from './parse.js';
export { readRuleFields, referenceFirstMatch } from './reference.js';
export type { ReferenceOptions, RuleFields } from './reference.js';
