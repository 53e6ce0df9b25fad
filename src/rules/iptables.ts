/**
 * `iptables-save` / `ip6tables-save` output: the `*filter` table (other tables are skipped), its
 * base chains INPUT, FORWARD and OUTPUT flattened in that order (chains.ts). Read:
 * `-s -d -p -i` (each may be negated with `!`), `-m tcp|udp|multiport|comment`, `--sport --dport`,
 * `--sports --dports`, `--tcp-flags MASK COMP`, `--syn`, `--comment`, and the targets ACCEPT (count),
 * DROP and REJECT (drop), LOG (alert), RETURN and user chains. Everything else is an error naming
 * the line. Chain policies are not rules: a packet no rule matches is counted apart.
 *
 * LOG does not end a chain in iptables; here the first matching rule wins, so a packet a LOG rule
 * matches is labelled `alert` and the rules after it do not see it (docs/rules.md).
 */
import { RulesError, RuleValueError } from './errors.js';
import { flattenChains, type ChainRule, type ChainVerdict } from './chains.js';
import type { RuleCondition, RuleSet } from './model.js';
import { splitWords } from './tokens.js';
import { parseInterfaceNames, parsePortRanges, parsePrefixList, parseProtocol, parseTcpFlagNames } from './values.js';

const BASE_CHAINS = ['INPUT', 'FORWARD', 'OUTPUT'];
const MATCH_MODULES = ['tcp', 'udp', 'multiport', 'comment'];

/** `family`: 4 for iptables-save, 6 for ip6tables-save; by default from the header comment or the addresses. */
export function parseIptablesRules(text: string, source = 'rules', family?: 4 | 6): RuleSet {
  const chosenFamily = family ?? (/ip6tables-save/.test(text) || /\s-[sd]\s+!?\s*[0-9a-fA-F]*:[0-9a-fA-F:]*/.test(text) ? 6 : 4);
  const chains = new Map<string, ChainRule[]>();
  const lines = text.split('\n');
  let table: string | undefined;
  let sawFilter = false;
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    try {
      let words = splitWords(lines[index]);
      if (words.length === 0) continue;
      const first = words[0];
      if (first.startsWith('*')) {
        if (table !== undefined) throw new RuleValueError(`table '${first.slice(1)}' starts before COMMIT ended '${table}'`);
        table = first.slice(1);
        if (table === 'filter') sawFilter = true;
        continue;
      }
      if (first === 'COMMIT') {
        if (table === undefined) throw new RuleValueError('COMMIT outside a table');
        table = undefined;
        continue;
      }
      if (table === undefined) throw new RuleValueError(`expected a table (*filter), found '${first}'`);
      if (table !== 'filter') continue;
      if (first.startsWith(':')) {
        const chain = first.slice(1);
        if (chains.has(chain)) throw new RuleValueError(`chain '${chain}' declared twice`);
        chains.set(chain, []);
        continue;
      }
      if (/^\[\d+:\d+\]$/.test(first)) words = words.slice(1); // iptables-save -c counters
      if (words[0] !== '-A' && words[0] !== '--append') throw new RuleValueError(`expected '-A CHAIN ...', found '${words[0]}'`);
      const chain = words[1];
      if (chain === undefined) throw new RuleValueError('-A without a chain');
      const rules = chains.get(chain);
      if (rules === undefined) throw new RuleValueError(`rule in the undeclared chain '${chain}'`);
      rules.push({ ...parseRuleWords(words.slice(2)), line, label: `${chain}:${rules.length + 1}` });
    } catch (error) {
      if (error instanceof RuleValueError) throw new RulesError(source, line, error.message);
      throw error;
    }
  }
  if (table !== undefined) throw new RulesError(source, lines.length, `table '${table}' has no COMMIT`);
  if (!sawFilter) throw new RulesError(source, 1, 'no *filter table');
  const roots = BASE_CHAINS.filter((chain) => chains.has(chain));
  return { rules: flattenChains(chains, roots, source, [{ kind: 'family', family: chosenFamily }]) };
}

function parseRuleWords(words: string[]): { conditions: RuleCondition[]; verdict: ChainVerdict; comment?: string } {
  const conditions: RuleCondition[] = [];
  const modules = new Set<string>();
  let verdict: ChainVerdict | undefined;
  let target: string | undefined;
  let comment: string | undefined;
  let i = 0;
  const value = (option: string): string => {
    const next = words[i++];
    if (next === undefined || (next.startsWith('-') && !/^-?\d/.test(next))) throw new RuleValueError(`${option} needs a value`);
    return next;
  };
  while (i < words.length) {
    let option = words[i++];
    let negated = false;
    if (option === '!') {
      negated = true;
      option = words[i++];
      if (option === undefined) throw new RuleValueError("'!' at the end of the rule");
    }
    const refuseNegation = (): void => {
      if (negated) throw new RuleValueError(`'! ${option}' is not supported`);
    };
    switch (option) {
      case '-s': case '--source': case '--src':
        conditions.push({ kind: 'src', prefixes: parsePrefixList(value(option)), negated });
        break;
      case '-d': case '--destination': case '--dst':
        conditions.push({ kind: 'dst', prefixes: parsePrefixList(value(option)), negated });
        break;
      case '-p': case '--protocol': {
        const name = value(option);
        if (name === 'all' || name === '0') {
          if (negated) throw new RuleValueError("'! -p all' matches nothing");
        } else conditions.push({ kind: 'proto', protocols: [parseProtocol(name)], negated });
        break;
      }
      case '-i': case '--in-interface':
        conditions.push({ kind: 'interface', names: parseInterfaceNames(value(option)), negated });
        break;
      case '-m': case '--match': {
        refuseNegation();
        const module = value(option);
        if (!MATCH_MODULES.includes(module)) throw new RuleValueError(`unsupported match module '-m ${module}' (${MATCH_MODULES.join(', ')})`);
        modules.add(module);
        break;
      }
      case '--sport': case '--source-port': case '--dport': case '--destination-port':
        if (!modules.has('tcp') && !modules.has('udp')) throw new RuleValueError(`${option} without -m tcp or -m udp`);
        conditions.push({ kind: option.startsWith('--s') ? 'sport' : 'dport', ranges: parsePortRanges(value(option)), negated });
        break;
      case '--sports': case '--source-ports': case '--dports': case '--destination-ports':
        if (!modules.has('multiport')) throw new RuleValueError(`${option} without -m multiport`);
        conditions.push({ kind: option.startsWith('--s') ? 'sport' : 'dport', ranges: parsePortRanges(value(option)), negated });
        break;
      case '--tcp-flags': {
        if (!modules.has('tcp')) throw new RuleValueError('--tcp-flags without -m tcp');
        const mask = parseTcpFlagNames(value(option));
        const set = parseTcpFlagNames(value(option));
        conditions.push({ kind: 'tcp-flags', mask, value: set & mask, negated });
        break;
      }
      case '--syn':
        if (!modules.has('tcp')) throw new RuleValueError('--syn without -m tcp');
        conditions.push({ kind: 'tcp-flags', mask: 0x17, value: 0x02, negated });
        break;
      case '--comment':
        refuseNegation();
        if (!modules.has('comment')) throw new RuleValueError('--comment without -m comment');
        comment = value(option);
        break;
      case '-j': case '--jump': {
        refuseNegation();
        if (target !== undefined) throw new RuleValueError('two targets');
        target = value(option);
        verdict = targetVerdict(target);
        break;
      }
      case '--log-prefix': case '--log-level': case '--reject-with':
        refuseNegation();
        if (target !== (option === '--reject-with' ? 'REJECT' : 'LOG')) {
          throw new RuleValueError(`${option} without -j ${option === '--reject-with' ? 'REJECT' : 'LOG'} before it`);
        }
        value(option);
        break;
      case '--log-tcp-sequence': case '--log-tcp-options': case '--log-ip-options': case '--log-uid':
        refuseNegation();
        if (target !== 'LOG') throw new RuleValueError(`${option} without -j LOG before it`);
        break;
      case '-g': case '--goto':
        throw new RuleValueError('-g (goto) is not supported: use -j');
      default:
        throw new RuleValueError(`unsupported iptables option '${option}'`);
    }
  }
  if (verdict === undefined) throw new RuleValueError('a rule without -j (a counter only) is not supported');
  return { conditions, verdict, comment };
}

function targetVerdict(target: string): ChainVerdict {
  switch (target) {
    case 'ACCEPT': return { kind: 'action', action: 'count' };
    case 'DROP': case 'REJECT': return { kind: 'action', action: 'drop' };
    case 'LOG': return { kind: 'action', action: 'alert' };
    case 'RETURN': return { kind: 'return' };
    default:
      return { kind: 'jump', chain: target }; // a user chain, or an unsupported target flattenChains names
  }
}
