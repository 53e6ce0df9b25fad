/**
 * `nft -j list ruleset`: the base chains of type `filter` (those with a hook), in the order they
 * appear, flattened with chains.ts. Tables of family ip (IPv4), ip6 (IPv6) and inet (both) are
 * read. Matches read: `ip saddr/daddr`, `ip6 saddr/daddr`, `ip protocol`, `ip6 nexthdr`,
 * `tcp|udp|sctp|th sport/dport` (tcp/udp/sctp imply the protocol, as nft's dependency does),
 * `meta l4proto`, `meta iifname`, `meta nfproto`, with `==`, `!=` or `in` and values that are
 * addresses, prefixes, ranges, sets of those, or numbers and names. Verdicts: accept (count),
 * drop and reject (drop), jump, return; `log` without a verdict is alert; `counter` is ignored.
 * Anything else is an error naming the line of its rule.
 */
import { RulesError, RuleValueError } from './errors.js';
import { flattenChains, type ChainRule, type ChainVerdict } from './chains.js';
import { objectLinesAtDepth } from './json-lines.js';
import type { PortRange, RuleCondition, RuleSet } from './model.js';
import { parseInterfaceNames, parsePortRanges, parsePrefixList, parseProtocol } from './values.js';
import type { Prefix } from '../net/address.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const FAMILIES: Record<string, 4 | 6 | undefined> = { ip: 4, ip6: 6, inet: undefined };
const PORT_PROTOCOLS: Record<string, number | undefined> = { tcp: 6, udp: 17, sctp: 132, th: undefined };

export function parseNftRules(text: string, source = 'rules'): RuleSet {
  let document: Json;
  try {
    document = JSON.parse(text) as Json;
  } catch (error) {
    throw new RulesError(source, 1, `not JSON: ${(error as Error).message}`);
  }
  const items = isObject(document) ? document.nftables : undefined;
  if (!Array.isArray(items)) throw new RulesError(source, 1, "expected nft's JSON: { \"nftables\": [...] }");
  const lines = objectLinesAtDepth(text, 2);
  const chains = new Map<string, ChainRule[]>();
  const roots: string[] = [];
  const familyOf = new Map<string, 4 | 6 | undefined>();
  items.forEach((item, index) => {
    const line = lines[index] ?? 1;
    try {
      if (!isObject(item)) throw new RuleValueError('an element of "nftables" that is not an object');
      if (isObject(item.chain)) {
        const chain = item.chain;
        const family = String(chain.family);
        if (!(family in FAMILIES)) return; // arp, bridge, netdev: not IP filter rules
        const key = `${family} ${String(chain.table)} ${String(chain.name)}`;
        chains.set(key, []);
        familyOf.set(key, FAMILIES[family]);
        if (chain.hook !== undefined && chain.type === 'filter') roots.push(key);
      } else if (isObject(item.rule)) {
        const rule = item.rule;
        const family = String(rule.family);
        if (!(family in FAMILIES)) return;
        const key = `${family} ${String(rule.table)} ${String(rule.chain)}`;
        const list = chains.get(key);
        if (list === undefined) throw new RuleValueError(`rule in the unlisted chain '${String(rule.chain)}'`);
        if (!Array.isArray(rule.expr)) throw new RuleValueError('rule without "expr"');
        const { conditions, verdict } = parseExpressions(rule.expr, family);
        list.push({
          conditions, verdict, line,
          comment: typeof rule.comment === 'string' ? rule.comment : undefined,
          label: `${String(rule.chain)}:${rule.handle ?? list.length + 1}`,
        });
      }
    } catch (error) {
      if (error instanceof RuleValueError) throw new RulesError(source, line, error.message);
      throw error;
    }
  });
  // Each base chain carries its table's family; flatten them one by one and keep names unique across them.
  const rules: RuleSet['rules'] = [];
  const jumpKeys = new Map<string, ChainRule[]>();
  for (const [key, list] of chains) {
    const [family, table] = key.split(' ');
    jumpKeys.set(key, list.map((rule) => (rule.verdict.kind === 'jump'
      ? { ...rule, verdict: { kind: 'jump', chain: `${family} ${table} ${rule.verdict.chain}` } }
      : rule)));
  }
  for (const root of roots) {
    const family = familyOf.get(root);
    rules.push(...flattenChains(jumpKeys, [root], source, family === undefined ? [] : [{ kind: 'family', family }],
      (key) => key.split(' ')[2]));
  }
  const seen = new Map<string, number>();
  for (const rule of rules) {
    const count = (seen.get(rule.name) ?? 0) + 1;
    seen.set(rule.name, count);
    if (count > 1) rule.name = `${rule.name}#${count}`;
  }
  return { rules };
}

function parseExpressions(expressions: Json[], family: string): { conditions: RuleCondition[]; verdict: ChainVerdict } {
  const conditions: RuleCondition[] = [];
  let verdict: ChainVerdict | undefined;
  let logged = false;
  for (const expression of expressions) {
    if (!isObject(expression)) throw new RuleValueError(`unsupported expression ${JSON.stringify(expression)}`);
    const [kind] = Object.keys(expression);
    const body = expression[kind];
    switch (kind) {
      case 'match':
        if (!isObject(body)) throw new RuleValueError('a "match" that is not an object');
        conditions.push(...parseMatch(body, family));
        break;
      case 'counter':
        break;
      case 'log':
        logged = true;
        break;
      case 'accept': verdict = { kind: 'action', action: 'count' }; break;
      case 'drop': case 'reject': verdict = { kind: 'action', action: 'drop' }; break;
      case 'return': verdict = { kind: 'return' }; break;
      case 'jump':
        if (!isObject(body) || typeof body.target !== 'string') throw new RuleValueError('a "jump" without a target');
        verdict = { kind: 'jump', chain: body.target };
        break;
      default:
        throw new RuleValueError(`unsupported nft expression '${kind}'`);
    }
  }
  if (verdict === undefined && logged) verdict = { kind: 'action', action: 'alert' };
  if (verdict === undefined) throw new RuleValueError('a rule without a verdict (a counter only) is not supported');
  return { conditions, verdict };
}

/** The values of a right-hand side as text items: "10.0.0.0/8", "22", "1024-65535", "tcp". */
function valueTexts(right: Json): string[] {
  if (typeof right === 'number' || typeof right === 'string') return [String(right)];
  if (isObject(right)) {
    if (isObject(right.prefix)) return [`${String(right.prefix.addr)}/${String(right.prefix.len)}`];
    if (Array.isArray(right.range) && right.range.length === 2) return [`${String(right.range[0])}-${String(right.range[1])}`];
    if (Array.isArray(right.set)) return right.set.flatMap(valueTexts);
  }
  throw new RuleValueError(`unsupported value ${JSON.stringify(right)}`);
}

function parseMatch(match: JsonObject, family: string): RuleCondition[] {
  const op = match.op;
  if (op !== '==' && op !== '!=' && op !== 'in') throw new RuleValueError(`unsupported operator '${String(op)}'`);
  const negated = op === '!=';
  const texts = valueTexts(match.right);
  const left = match.left;
  if (isObject(left) && isObject(left.payload)) {
    const protocol = String(left.payload.protocol);
    const field = String(left.payload.field);
    if ((protocol === 'ip' || protocol === 'ip6') && (field === 'saddr' || field === 'daddr')) {
      if (family !== 'inet' && family !== protocol) throw new RuleValueError(`${protocol} ${field} in a table of family ${family}`);
      const prefixes: Prefix[] = parsePrefixList(texts.join(','));
      const wanted = protocol === 'ip' ? 4 : 6;
      if (prefixes.some((prefix) => prefix.family !== wanted)) throw new RuleValueError(`${protocol} ${field} with an address of the other family`);
      return [{ kind: 'family', family: wanted }, { kind: field === 'saddr' ? 'src' : 'dst', prefixes, negated }];
    }
    if ((protocol === 'ip' && field === 'protocol') || (protocol === 'ip6' && field === 'nexthdr')) {
      return [{ kind: 'family', family: protocol === 'ip' ? 4 : 6 }, { kind: 'proto', protocols: texts.map(parseProtocol), negated }];
    }
    if (protocol in PORT_PROTOCOLS && (field === 'sport' || field === 'dport')) {
      const ranges: PortRange[] = parsePortRanges(texts.join(','));
      const implied = PORT_PROTOCOLS[protocol];
      const port: RuleCondition = { kind: field, ranges, negated };
      return implied === undefined ? [port] : [{ kind: 'proto', protocols: [implied], negated: false }, port];
    }
    throw new RuleValueError(`unsupported payload match '${protocol} ${field}'`);
  }
  if (isObject(left) && isObject(left.meta)) {
    const key = String(left.meta.key);
    if (key === 'l4proto') return [{ kind: 'proto', protocols: texts.map(parseProtocol), negated }];
    if (key === 'iifname') return [{ kind: 'interface', names: parseInterfaceNames(texts.join(',')), negated }];
    if (key === 'nfproto') {
      if (negated || texts.length !== 1 || (texts[0] !== 'ipv4' && texts[0] !== 'ipv6')) throw new RuleValueError('meta nfproto is read as == ipv4 or == ipv6 only');
      return [{ kind: 'family', family: texts[0] === 'ipv4' ? 4 : 6 }];
    }
    throw new RuleValueError(`unsupported meta key '${key}'`);
  }
  throw new RuleValueError(`unsupported match on ${JSON.stringify(left)}`);
}
