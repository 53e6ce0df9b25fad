import { describe, expect, it } from 'vitest';
import { RulesError } from '../../src/rules/errors.js';
import { detectRulesFormat, type RulesFormat } from '../../src/rules/detect.js';
import { parseRules } from '../../src/rules/parse.js';
import type { RuleCondition } from '../../src/rules/model.js';
import { formatPrefix } from '../../src/net/address.js';
import { classBenchRuleSet, ruleSetText } from '../../bench/rule-sets.js';

/** Conditions in a compact text, to compare parses without restating the model's objects. */
function describeCondition(c: RuleCondition): string {
  const not = 'negated' in c && c.negated ? '!' : '';
  switch (c.kind) {
    case 'family': return `family ${c.family}`;
    case 'src': case 'dst': return `${c.kind} ${not}${c.prefixes.map(formatPrefix).join(',')}`;
    case 'proto': return `proto ${not}${c.protocols.join(',')}`;
    case 'sport': case 'dport': return `${c.kind} ${not}${c.ranges.map((r) => `${r.from}-${r.to}`).join(',')}`;
    case 'vlan': return `vlan ${not}${c.ids.join(',')}`;
    case 'interface': return `interface ${not}${c.names.join(',')}`;
    case 'tcp-flags': return `tcp-flags ${not}${c.mask}/${c.value}`;
    case 'filter': return `filter ${not}${c.expression}`;
  }
}

function summary(text: string, format?: RulesFormat): string[] {
  return parseRules(text, { source: 'r.txt', format }).rules
    .map((rule) => [rule.name, rule.action, ...rule.match.map(describeCondition)].join(' | '));
}

function errorOf(text: string): RulesError {
  try {
    parseRules(text, { source: 'r.txt' });
  } catch (error) {
    expect(error).toBeInstanceOf(RulesError);
    return error as RulesError;
  }
  throw new Error('no error');
}

describe("fibscope's rule format", () => {
  it('reads names, actions, every condition and negation', () => {
    const text = [
      '# a comment',
      '',
      'rule ssh-in   alert  proto tcp dport 22 dst 10.0.0.0/8,2001:db8::/32',
      'rule web      count  filter "tcp and (dst port 80 or dst port 443)"',
      'rule scan     drop   tcp-flags SYN,ACK,FIN,RST SYN src ! 192.168.1.7/16  # host bits cleared',
      'rule misc     count  sport 1024-65535,7 vlan 10,20 interface eth0 family 6 proto !17',
      'rule "web \\"x\\"" count  filter "ip"',
      'rule all      count',
    ].join('\n');
    expect(summary(text)).toEqual([
      'ssh-in | alert | proto 6 | dport 22-22 | dst 10.0.0.0/8,2001:db8::/32',
      'web | count | filter tcp and (dst port 80 or dst port 443)',
      'scan | drop | tcp-flags 23/2 | src !192.168.0.0/16',
      'misc | count | sport 1024-65535,7-7 | vlan 10,20 | interface eth0 | family 6 | proto !17',
      'web "x" | count | filter ip',
      'all | count',
    ]);
  });

  it.each([
    ['rule a count\nrule a drop', 2, "duplicate rule name 'a' (first on line 1)"],
    ['\n\nrule a explode', 3, "unknown action 'explode'"],
    ['rule a count dport 80-22', 1, 'port range 80-22 is reversed'],
    ['rule a count dport 70000', 1, 'port 70000 out of range 0..65535'],
    ['rule a count src 10.0.0.0/33', 1, 'prefix length 33 out of range 0..32'],
    ['rule a count src 10.0.0/8', 1, 'not an IPv4 or IPv6 address'],
    ['rule a count colour red', 1, "unknown condition 'colour'"],
    ['rule a count proto xtp', 1, "unknown protocol 'xtp'"],
    ['rule a count tcp-flags SYN', 1, "'tcp-flags' needs 2 values"],
    ['rule a count tcp-flags SYN ACK', 1, 'not all inside the mask'],
    ['rule a count filter "tcp', 1, 'unterminated quote'],
    ['rule a count interface eth+', 1, 'wildcard'],
    ['allow a count', 1, "expected 'rule NAME ACTION CONDITIONS...'"],
  ])('%j is an error at line %i', (text, line, message) => {
    const error = errorOf(text);
    expect(error.code).toBe('RULES');
    expect(error.line).toBe(line);
    expect(error.source).toBe('r.txt');
    expect(error.message).toContain(`r.txt:${line}: `);
    expect(error.message).toContain(message);
  });

  it('reads the same rules as JSON, with the line of each rule in errors', () => {
    const json = `[
  { "name": "ssh-in", "action": "alert", "match": { "proto": "tcp", "dport": 22, "dst": ["10.0.0.0/8", "2001:db8::/32"] } },
  { "name": "scan", "action": "drop", "match": { "tcp-flags": "SYN,ACK,FIN,RST SYN", "src": "!192.168.0.0/16" } },
  { "name": "all", "action": "count" }
]`;
    expect(detectRulesFormat(json)).toBe('json');
    expect(summary(json)).toEqual([
      'ssh-in | alert | proto 6 | dport 22-22 | dst 10.0.0.0/8,2001:db8::/32',
      'scan | drop | tcp-flags 23/2 | src !192.168.0.0/16',
      'all | count',
    ]);
    const bad = json.replace('"dport": 22', '"dport": "22-1"');
    expect(errorOf(bad).line).toBe(2);
    const duplicate = json.replace('"name": "all"', '"name": "scan"');
    expect(errorOf(duplicate).line).toBe(4);
    expect(errorOf(duplicate).message).toContain("duplicate rule name 'scan'");
    expect(errorOf('[{"name": "x", "action": "count", "match": {"dport": [true]}}]').message).toContain('strings or numbers');
  });
});

const IPTABLES = `# Generated by iptables-save v1.8.9 on Mon Nov 30 10:00:00 2026
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -j DNAT --to-destination 10.0.0.1
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:SSH - [0:0]
:WEB - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j SSH
-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j WEB
-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment "new tcp" -j LOG --log-prefix "syn: "
-A INPUT ! -s 192.168.0.0/16 -p udp -m udp --sport 53 -j REJECT --reject-with icmp-port-unreachable
-A SSH -s 10.1.0.0/16 -j RETURN
-A SSH -m comment --comment "ssh from 10/8" -j ACCEPT
-A WEB -d 10.9.9.9/32 -j DROP
-A WEB -j RETURN
-A WEB -j ACCEPT
-A OUTPUT -j WEB
COMMIT
`;

describe('iptables-save', () => {
  it('reads the filter table, expands user chains in place with the jump\'s matches, RETURN and LOG', () => {
    expect(detectRulesFormat(IPTABLES)).toBe('iptables');
    expect(summary(IPTABLES)).toEqual([
      'INPUT:1 | count | family 4 | interface lo',
      'ssh from 10/8 | count | family 4 | src 10.0.0.0/8 | proto 6 | dport 22-22 | src !10.1.0.0/16',
      'INPUT:3>WEB:1 | drop | family 4 | proto 6 | dport 80-80,443-443,8000-8080 | dst 10.9.9.9/32',
      'new tcp | alert | family 4 | proto 6 | tcp-flags 23/2',
      'INPUT:5 | drop | family 4 | src !192.168.0.0/16 | proto 17 | sport 53-53',
      'OUTPUT:1>WEB:1 | drop | family 4 | dst 10.9.9.9/32',
    ]);
  });

  it('reads ip6tables-save as IPv6', () => {
    const text = '# Generated by ip6tables-save v1.8.9\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 2001:db8::/32 -p ipv6-icmp -j ACCEPT\nCOMMIT\n';
    expect(summary(text)).toEqual(['INPUT:1 | count | family 6 | src 2001:db8::/32 | proto 58']);
  });

  it.each([
    [IPTABLES.replace('-A WEB -j ACCEPT', '-A WEB -j SSH\n-A SSH -j WEB'), 21, 'chain loop: INPUT -> SSH -> WEB -> SSH'],
    [IPTABLES.replace('-j LOG --log-prefix "syn: "', '-m state --state NEW -j ACCEPT'), 15, "unsupported match module '-m state'"],
    [IPTABLES.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -o lo -j ACCEPT'), 12, "unsupported iptables option '-o'"],
    [IPTABLES.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i lo -j MASQUERADE'), 12, "unsupported target or undefined chain 'MASQUERADE'"],
    [IPTABLES.replace('-A WEB -j RETURN', '-A WEB -s 1.2.3.4 -p tcp -j RETURN'), 20, 'RETURN with more than one match'],
    [IPTABLES.replace('-A INPUT -i lo -j ACCEPT', '-A INPUT -i lo'), 12, 'without -j'],
    [IPTABLES.replace('--dport 22', '--dport 22:10'), 13, 'port range 22:10 is reversed'],
    [IPTABLES.replace('-A INPUT -i lo', '-A NOPE -i lo'), 12, "undeclared chain 'NOPE'"],
  ])('an error names the line (%#)', (text, line, message) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
  });
});

const NFT = `{"nftables": [
{"metainfo": {"version": "1.0.9", "release_name": "Old Doc Yak #3", "json_schema_version": 1}},
{"table": {"family": "inet", "name": "filter", "handle": 1}},
{"chain": {"family": "inet", "table": "filter", "name": "input", "handle": 1, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}},
{"chain": {"family": "inet", "table": "filter", "name": "web", "handle": 2}},
{"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 4, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "lo"}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 5, "comment": "ssh", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 22}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "filter", "chain": "input", "handle": 6, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": {"set": ["tcp", "udp"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": {"set": [80, {"range": [8000, 8080]}]}}}, {"jump": {"target": "web"}}]}},
{"rule": {"family": "inet", "table": "filter", "chain": "web", "handle": 7, "expr": [{"match": {"op": "!=", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "2001:db8::1"}}, {"log": {"prefix": "web6 "}}]}},
{"rule": {"family": "inet", "table": "filter", "chain": "web", "handle": 8, "expr": [{"reject": {"type": "tcp reset"}}]}}
]}`;

describe('nft -j list ruleset', () => {
  it('reads base chains, jumps, sets, ranges and prefixes', () => {
    expect(detectRulesFormat(NFT)).toBe('nft');
    expect(summary(NFT)).toEqual([
      'input:4 | count | interface lo',
      'ssh | count | family 4 | src 10.0.0.0/8 | proto 6 | dport 22-22',
      'input:6>web:7 | alert | proto 6,17 | dport 80-80,8000-8080 | family 6 | dst !2001:db8::1/128',
      'input:6>web:8 | drop | proto 6,17 | dport 80-80,8000-8080',
    ]);
  });

  it.each([
    [NFT.replace('{"counter": {"packets": 0, "bytes": 0}}', '{"ct": {"key": "state"}}'), 7, "unsupported nft expression 'ct'"],
    [NFT.replace('"field": "dport"}}, "right": 22', '"field": "flags"}}, "right": 22'), 7, "unsupported payload match 'tcp flags'"],
    [NFT.replace('{"jump": {"target": "web"}}', '{"jump": {"target": "nowhere"}}'), 8, "undefined chain 'nowhere'"],
    [NFT.replace('{"reject": {"type": "tcp reset"}}', '{"jump": {"target": "input"}}'), 10, 'chain loop'],
  ])('an error names the line of its rule (%#)', (text, line, message) => {
    const error = errorOf(text);
    expect(error.line).toBe(line);
    expect(error.message).toContain(message);
  });
});

it('detects each format from its content', () => {
  expect(detectRulesFormat('# rules\nrule a count')).toBe('fibscope');
  expect(detectRulesFormat('[1:2] -A INPUT -j ACCEPT')).toBe('iptables');
  expect(detectRulesFormat('  {"rules": []}')).toBe('json');
});

it("the ClassBench-like generator's text reads back as the same rules", () => {
  const set = classBenchRuleSet(300, 9);
  const read = parseRules(ruleSetText(set), { source: 'bench' });
  expect(read.rules.map((rule) => [rule.name, rule.action, ...rule.match.map(describeCondition)].join(' | ')))
    .toEqual(set.rules.map((rule) => [rule.name, rule.action, ...(rule.match as RuleCondition[]).map(describeCondition)].join(' | ')));
});
