/**
 * iptables and nft keep rules in chains; a rule set is one ordered list. This flattens the
 * base chains, in order, into that list: a jump to a user chain puts that chain's rules in its
 * place, each with the jump's own conditions added; an unconditional RETURN ends the chain, and
 * a RETURN with one condition adds that condition, negated, to the chain's later rules (with more
 * than one it would need an OR, which a rule cannot say: an error). A jump back into a chain
 * that is being expanded is a loop: an error naming the jump's line.
 */
import { RulesError } from './errors.js';
import type { Rule, RuleAction, RuleCondition } from './model.js';

export type ChainVerdict =
  | { kind: 'action'; action: RuleAction }
  | { kind: 'jump'; chain: string }
  | { kind: 'return' };

export interface ChainRule {
  conditions: RuleCondition[];
  verdict: ChainVerdict;
  /** A name the rule carries (an iptables comment, an nft comment), or undefined. */
  comment?: string;
  line: number;
  /** How the rule is named without a comment: "INPUT:3". */
  label: string;
}

export function negateCondition(condition: RuleCondition): RuleCondition {
  if (condition.kind === 'family') throw new Error('a family condition is never negated');
  return { ...condition, negated: !condition.negated };
}

/** `base`: conditions every rule gets (the family of an iptables-save or nft table). */
/** `display` shows a chain key in messages (nft keys chains by family and table too). */
export function flattenChains(chains: Map<string, ChainRule[]>, roots: string[], source: string, base: RuleCondition[] = [],
  display: (chain: string) => string = (chain) => chain): Rule[] {
  const rules: Rule[] = [];
  const names = new Set<string>();

  function nameFor(rule: ChainRule, path: string): string {
    let name = rule.comment ?? path;
    if (names.has(name)) name = `${name}@${path}`;
    names.add(name);
    return name;
  }

  function expand(chain: string, inherited: RuleCondition[], prefix: string, stack: string[]): void {
    const extra: RuleCondition[] = [];
    for (const rule of chains.get(chain) ?? []) {
      const path = prefix + rule.label;
      const conditions = [...inherited, ...extra, ...rule.conditions];
      const verdict = rule.verdict;
      if (verdict.kind === 'action') {
        rules.push({ name: nameFor(rule, path), action: verdict.action, match: conditions, origin: `${source}:${rule.line}` });
      } else if (verdict.kind === 'jump') {
        if (!chains.has(verdict.chain)) throw new RulesError(source, rule.line, `unsupported target or undefined chain '${display(verdict.chain)}'`);
        if (stack.includes(verdict.chain)) {
          throw new RulesError(source, rule.line, `chain loop: ${[...stack, verdict.chain].map(display).join(' -> ')}`);
        }
        expand(verdict.chain, conditions, `${path}>`, [...stack, verdict.chain]);
      } else {
        if (rule.conditions.length === 0) return;
        if (rule.conditions.length > 1) {
          throw new RulesError(source, rule.line, 'a RETURN with more than one match is not supported (its negation is not one rule)');
        }
        extra.push(negateCondition(rule.conditions[0]));
      }
    }
  }

  checkLoops(chains, source, display);
  for (const root of roots) expand(root, base, '', [root]);
  return rules;
}

/** Refuses any loop of jumps, reachable or not, as iptables-restore and nft do. */
function checkLoops(chains: Map<string, ChainRule[]>, source: string, display: (chain: string) => string): void {
  const done = new Set<string>();
  const visit = (chain: string, stack: string[]): void => {
    if (done.has(chain)) return;
    for (const rule of chains.get(chain) ?? []) {
      if (rule.verdict.kind !== 'jump') continue;
      const target = rule.verdict.chain;
      if (stack.includes(target)) throw new RulesError(source, rule.line, `chain loop: ${[...stack, target].map(display).join(' -> ')}`);
      visit(target, [...stack, target]);
    }
    done.add(chain);
  };
  for (const chain of chains.keys()) visit(chain, [chain]);
}
