/**
 * fibscope's own rule format, one rule a line (docs/rules.md):
 *
 *     # comment
 *     rule ssh-in  alert  proto tcp dport 22 dst 10.0.0.0/8,2001:db8::/32
 *     rule no-scan drop   tcp-flags SYN,ACK,FIN,RST SYN src ! 192.168.0.0/16
 *     rule web     count  filter "tcp and (dst port 80 or dst port 443)"
 *     rule rest    count
 *
 * `rule NAME ACTION` and then conditions, all of which must hold: `family 4|6`, `src LIST`,
 * `dst LIST`, `proto LIST`, `sport RANGES`, `dport RANGES`, `vlan IDS`, `interface NAMES`,
 * `tcp-flags MASK VALUE`, `filter "EXPR"`; `!` after the keyword negates. Lists are
 * comma-separated without blanks. The same rules as JSON:
 *
 *     [{ "name": "ssh-in", "action": "alert", "match": { "proto": "tcp", "dport": 22, "dst": ["10.0.0.0/8"] } }]
 *
 * where a value is a string, a number or an array of them, and a string starting `!` negates.
 */
import { FilterSyntaxError, FilterUnsupportedError, parseFilter } from '../filter/index.js';
import { RulesError, RuleValueError } from './errors.js';
import { objectLinesAtDepth } from './json-lines.js';
import { RULE_ACTIONS, type Rule, type RuleAction, type RuleCondition, type RuleSet } from './model.js';
import { splitWords } from './tokens.js';
import {
  parseInterfaceNames, parsePortRanges, parsePrefixList, parseProtocolList, parseTcpFlagNames, parseVlanIds,
} from './values.js';

export const CONDITION_KEYWORDS = ['family', 'src', 'dst', 'proto', 'sport', 'dport', 'vlan', 'interface', 'tcp-flags', 'filter'] as const;
type Keyword = (typeof CONDITION_KEYWORDS)[number];

function isKeyword(word: string): word is Keyword {
  return (CONDITION_KEYWORDS as readonly string[]).includes(word);
}

/** How many words of value each keyword takes. */
function valueWords(keyword: Keyword): number {
  return keyword === 'tcp-flags' ? 2 : 1;
}

/** One condition from its keyword and value words; throws RuleValueError. */
export function parseCondition(keyword: Keyword, negated: boolean, values: string[]): RuleCondition {
  const [value] = values;
  switch (keyword) {
    case 'family':
      if (negated) throw new RuleValueError("'family' cannot be negated: name the other family");
      if (value !== '4' && value !== '6') throw new RuleValueError(`family must be 4 or 6, not '${value}'`);
      return { kind: 'family', family: value === '4' ? 4 : 6 };
    case 'src':
    case 'dst':
      return { kind: keyword, prefixes: parsePrefixList(value), negated };
    case 'proto':
      return { kind: 'proto', protocols: parseProtocolList(value), negated };
    case 'sport':
    case 'dport':
      return { kind: keyword, ranges: parsePortRanges(value), negated };
    case 'vlan':
      return { kind: 'vlan', ids: parseVlanIds(value), negated };
    case 'interface':
      return { kind: 'interface', names: parseInterfaceNames(value), negated };
    case 'tcp-flags': {
      const mask = parseTcpFlagNames(values[0]);
      const flags = parseTcpFlagNames(values[1]);
      if ((flags & ~mask) !== 0) throw new RuleValueError(`tcp-flags: the flags ${values[1]} are not all inside the mask ${values[0]}`);
      return { kind: 'tcp-flags', mask, value: flags, negated };
    }
    case 'filter':
      if (value.trim() === '') throw new RuleValueError('empty filter expression');
      checkFilter(value);
      return { kind: 'filter', expression: value, negated };
  }
}

/** A filter that does not compile is the rule file's error: its message keeps the column in the expression. */
function checkFilter(expression: string): void {
  try {
    parseFilter(expression);
  } catch (error) {
    if (error instanceof FilterSyntaxError || error instanceof FilterUnsupportedError) {
      throw new RuleValueError(`filter "${expression}": ${error.message}`);
    }
    throw error;
  }
}

function parseAction(word: string | undefined): RuleAction {
  if (word === undefined) throw new RuleValueError(`missing action after the name (${RULE_ACTIONS.join(', ')})`);
  if (!(RULE_ACTIONS as readonly string[]).includes(word)) throw new RuleValueError(`unknown action '${word}' (${RULE_ACTIONS.join(', ')})`);
  return word as RuleAction;
}

function checkName(name: string | undefined, seen: Map<string, number>, line: number): string {
  if (name === undefined || name === '') throw new RuleValueError('missing rule name');
  const before = seen.get(name);
  if (before !== undefined) throw new RuleValueError(`duplicate rule name '${name}' (first on line ${before})`);
  seen.set(name, line);
  return name;
}

export function parseFibscopeRules(text: string, source = 'rules'): RuleSet {
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = index + 1;
    try {
      const words = splitWords(lines[index]);
      if (words.length === 0) continue;
      if (words[0] !== 'rule') throw new RuleValueError(`expected 'rule NAME ACTION CONDITIONS...', found '${words[0]}'`);
      const name = checkName(words[1], seen, line);
      const action = parseAction(words[2]);
      const match: RuleCondition[] = [];
      let i = 3;
      while (i < words.length) {
        const keyword = words[i++];
        if (!isKeyword(keyword)) throw new RuleValueError(`unknown condition '${keyword}' (${CONDITION_KEYWORDS.join(', ')})`);
        let negated = false;
        let first = words[i];
        if (first === '!' || first === 'not') {
          negated = true;
          i++;
        } else if (first !== undefined && first.startsWith('!')) {
          negated = true;
          words[i] = first.slice(1);
        }
        const count = valueWords(keyword);
        if (i + count > words.length) throw new RuleValueError(`'${keyword}' needs ${count === 1 ? 'a value' : `${count} values`}`);
        match.push(parseCondition(keyword, negated, words.slice(i, i + count)));
        i += count;
      }
      rules.push({ name, action, match, origin: `${source}:${line}` });
    } catch (error) {
      if (error instanceof RuleValueError) throw new RulesError(source, line, error.message);
      throw error;
    }
  }
  return { rules };
}

function jsonValueWords(keyword: Keyword, value: unknown): { negated: boolean; words: string[] } {
  let parts: unknown[] = Array.isArray(value) ? value : [value];
  if (parts.length === 0) throw new RuleValueError(`'${keyword}' has an empty list`);
  let negated = false;
  const texts = parts.map((part) => {
    if (typeof part === 'number' && Number.isFinite(part)) return String(part);
    if (typeof part === 'string') return part;
    throw new RuleValueError(`'${keyword}' takes strings or numbers, not ${JSON.stringify(part)}`);
  });
  if (texts[0].startsWith('!')) {
    negated = true;
    texts[0] = texts[0].slice(1).trimStart();
  }
  if (texts.slice(1).some((text) => text.startsWith('!'))) throw new RuleValueError(`in '${keyword}', '!' negates the whole list: put it first`);
  parts = texts;
  if (keyword === 'filter') return { negated, words: [texts.join(' ')] };
  if (keyword === 'tcp-flags') {
    const words = texts.join(' ').trim().split(/\s+/);
    if (words.length !== 2) throw new RuleValueError("'tcp-flags' is \"MASK VALUE\", e.g. \"SYN,ACK,FIN,RST SYN\"");
    return { negated, words };
  }
  return { negated, words: [texts.join(',')] };
}

export function parseFibscopeJsonRules(text: string, source = 'rules'): RuleSet {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new RulesError(source, 1, `not JSON: ${(error as Error).message}`);
  }
  const wrapped = !Array.isArray(document);
  const list = wrapped ? (document as { rules?: unknown })?.rules : document;
  if (!Array.isArray(list)) throw new RulesError(source, 1, 'expected an array of rules, or { "rules": [...] }');
  const lines = objectLinesAtDepth(text, wrapped ? 2 : 1);
  const rules: Rule[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const line = lines[index] ?? 1;
    try {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new RuleValueError(`rule ${index + 1} is not an object`);
      const { name, action, match, ...rest } = entry as Record<string, unknown>;
      const unknownKeys = Object.keys(rest);
      if (unknownKeys.length > 0) throw new RuleValueError(`unknown key '${unknownKeys[0]}' (name, action, match)`);
      if (typeof name !== 'string') throw new RuleValueError('"name" must be a string');
      checkName(name, seen, line);
      const conditions: RuleCondition[] = [];
      if (match !== undefined) {
        if (match === null || typeof match !== 'object' || Array.isArray(match)) throw new RuleValueError('"match" must be an object');
        for (const [keyword, value] of Object.entries(match)) {
          if (!isKeyword(keyword)) throw new RuleValueError(`unknown condition '${keyword}' (${CONDITION_KEYWORDS.join(', ')})`);
          const { negated, words } = jsonValueWords(keyword, value);
          conditions.push(parseCondition(keyword, negated, words));
        }
      }
      rules.push({ name, action: parseAction(typeof action === 'string' ? action : undefined), match: conditions, origin: `${source}:${line}` });
    } catch (error) {
      if (error instanceof RuleValueError) throw new RulesError(source, line, error.message);
      throw error;
    }
  });
  return { rules };
}
