// Rule sets: read (fibscope's format, iptables-save, nft JSON), compiled to WebAssembly. See docs/rules.md.
export { parseRules } from './parse.js';
export type { ParseRulesOptions } from './parse.js';
export { detectRulesFormat, RULES_FORMATS } from './detect.js';
export type { RulesFormat } from './detect.js';
export { compileRules } from './compile.js';
export type { CompiledRules, CompileRulesOptions } from './compile.js';
export { RulesError } from './errors.js';
export type { Rule, RuleAction, RuleCondition, RuleSet, PortRange } from './model.js';
