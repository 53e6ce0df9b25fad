import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { analyzeJson, dir, fibscope, file, freshPath, keptReport, MIXED, ROUTES, tcpdump, UNTAGGED } from './helpers/cli-classify.js';

// `analyze --rules`, `--rules-format`, `--interface` and `--by rule` end to end, through the built
// CLI. The oracle is tcpdump: rule i counts what tcpdump keeps of `not (rule 1) and … and (rule i)`.

if (!tcpdump) console.warn('cli-rules: tcpdump is not installed; the tcpdump cross-checks are skipped');

// ---------------------------------------------------------------------------------------------

/** Rules in fibscope's format, each with the tcpdump expression that matches the same records. */
type RuleAndExpression = [line: string, expression: string];

/** 5-tuple rules. libpcap's `tcp dst port 22` does not look past a VLAN tag: for captures without tags. */
const TUPLE_RULES: RuleAndExpression[] = [
  ['rule ssh alert proto tcp dport 22', 'tcp dst port 22'],
  ['rule "dns" count proto udp dport 53', 'udp dst port 53'],
  ['rule lan-v4 drop src 10.0.0.0/8', 'ip src net 10.0.0.0/8'],
  ['rule web count proto tcp dport 80,443', 'tcp and (dst port 80 or dst port 443)'],
  ['rule doc-v6 count src 2001:db8::/32', 'ip6 src net 2001:db8::/32'],
  ['rule pings alert proto icmp,icmpv6', 'icmp or icmp6'],
];

/** Rules of pcap-filter expressions, which keep libpcap's meaning; the one with `vlan` last (it shifts the offsets of what follows it). */
const FILTER_RULES: RuleAndExpression[] = [
  ['rule syn drop filter "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"', 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'],
  ['rule web count filter "tcp and (dst port 80 or dst port 443)"', 'tcp and (dst port 80 or dst port 443)'],
  ['rule "big v6" alert filter "ip6 and greater 150"', 'ip6 and greater 150'],
  ['rule vlan-20 count filter "vlan 20"', 'vlan 20'],
];

/**
 * Rule i of `--rules` counts what tcpdump keeps of `not (rule 1) and … and (rule i)`: packets,
 * bytes, destinations, first and last seen, top destinations (fibscope's analysis of tcpdump's
 * output gives all but the packets); no rule what it keeps of `not (rule 1) and … not (rule n)`.
 */
function expectRulesMatchTcpdump(capture: string, rules: RuleAndExpression[]): void {
  const lines = rules.map(([line]) => line);
  const rulesFile = file(`# rules of the cli-classify test\n${lines.join('\n')}\n`, 'rules');
  const report = analyzeJson(['--rules', rulesFile, capture]);
  let ipOnly = 0;
  // names may be quoted, as `"dns"`
  expect(report.rules!.map((rule) => rule.name)).toEqual(lines.map((line) => /^rule (?:"([^"]+)"|(\S+)) /.exec(line)!.slice(1).join('')));
  expect(report.rules!.map((rule) => rule.action)).toEqual(lines.map((line) => /^rule (?:"[^"]+"|\S+) (\S+)/.exec(line)![1]));
  const before: string[] = [];
  for (const [i, [, expression]] of rules.entries()) {
    const kept = keptReport(capture, [...before.map((e) => `not (${e})`), `(${expression})`].join(' and '));
    before.push(expression);
    const rule = report.rules![i];
    expect(rule.packets, rule.name).toBe(kept.totals.records);
    expect(rule.bytes, rule.name).toBe(kept.totals.bytes);
    expect(rule.destinations, rule.name).toBe(kept.destinations.length);
    // the time span of a report is that of its IP packets: the rule's times compare when it matched only those
    if (kept.totals.counted === kept.totals.records) {
      ipOnly++;
      expect(rule.firstSeen, rule.name).toBe(kept.totals.timeSpan?.first ?? null);
      expect(rule.lastSeen, rule.name).toBe(kept.totals.timeSpan?.last ?? null);
    }
    expect(rule.topDestinations.length).toBe(Math.min(10, kept.destinations.length));
    for (const top of rule.topDestinations) {
      const destination = kept.destinations.find((d) => d.address === top.address);
      expect({ packets: destination?.packets, bytes: destination?.bytes }, `${rule.name} ${top.address}`).toEqual({ packets: top.packets, bytes: top.bytes });
    }
    expect(rule.packets, `${rule.name} matched something: the capture tests it`).toBeGreaterThan(0);
  }
  expect(ipOnly, 'most rules match IP packets only: their times are compared').toBeGreaterThan(rules.length / 2);
  const none = keptReport(capture, before.map((e) => `not (${e})`).join(' and '));
  expect(report.totals.noRule).toEqual({ packets: none.totals.records, bytes: none.totals.bytes });
  expect(report.totals.filtered).toBeUndefined();
}

describe.skipIf(!tcpdump)('--rules counts what tcpdump counts for each rule after the ones before it', () => {
  it('with 5-tuple rules', () => {
    expectRulesMatchTcpdump(UNTAGGED, TUPLE_RULES);
  });

  it('with rules of pcap-filter expressions, on VLAN-tagged frames too', () => {
    expectRulesMatchTcpdump(MIXED, FILTER_RULES);
  });

  it('after the filter: every record it lets through in one rule or in no rule', () => {
    const rulesFile = file(`${TUPLE_RULES.map(([line]) => line).join('\n')}\n`, 'rules');
    const report = analyzeJson(['--filter', 'ip6 or arp', '--rules', rulesFile, UNTAGGED]);
    const kept = keptReport(UNTAGGED, 'ip6 or arp');
    const ruled = report.rules!.reduce((sum, rule) => sum + Number(rule.packets), Number(report.totals.noRule!.packets));
    expect(ruled).toBe(kept.totals.records);
    expect(Number(report.totals.records) - Number(report.totals.filtered)).toBe(kept.totals.records);
    expect(report.rules!.find((rule) => rule.name === 'lan-v4')!.packets).toBe(0);
  });
});

describe('--rules, --by rule and their errors', () => {
  it('--by rule without --rules is exit status 2', () => {
    const run = fibscope(['analyze', '--by', 'rule', MIXED]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--by rule needs a rule set/);
    expect(run.stdout).toBe('');
  });

  it("--rules - with a capture on standard input is exit status 2", () => {
    const run = fibscope(['analyze', '--rules', '-', '-'], readFileSync(MIXED));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/standard input/);
    expect(run.stdout).toBe('');
  });

  it('a rules file that cannot be read is exit status 2, naming it', () => {
    const run = fibscope(['analyze', '--rules', freshPath('rules'), MIXED]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^fibscope: cannot read the rules file .*\.rules: .*no such file/i);
    expect(fibscope(['analyze', '--rules', dir, MIXED]).stderr).toMatch(/is a directory/);
  });

  it('lookup and routes take none of the classifier options', () => {
    for (const command of [['lookup', '-r', ROUTES, '8.8.8.8'], ['routes', '-r', ROUTES]]) {
      const run = fibscope([...command, '--filter', 'tcp']);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/unknown option '--filter'/);
    }
  });
});

describe('--rules in every format of one run', () => {
  const rulesFile = file('rule ssh alert proto tcp dport 22\nrule "odd, \\"name\\"" drop proto udp\nrule never count dport 9\n', 'rules');
  const args = ['--rules', rulesFile, '--filter', 'ip or ip6', UNTAGGED];

  it('json, prom, csv and ndjson give the same counts', () => {
    const run = fibscope(['analyze', '-f', 'json', ...args]);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    const rules = report.rules!;
    expect(rules).toHaveLength(3);
    const prom = fibscope(['analyze', '-f', 'prom', ...args]).stdout;
    for (const rule of rules) {
      const labels = `{rule="${rule.name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}",action="${rule.action}"}`;
      expect(prom).toContain(`fibscope_rule_packets_total${labels} ${rule.packets}\n`);
      expect(prom).toContain(`fibscope_rule_bytes_total${labels} ${rule.bytes}\n`);
    }
    expect(prom).toContain(`fibscope_no_rule_packets_total ${report.totals.noRule!.packets}\n`);
    expect(prom).toContain(`fibscope_filtered_records_total ${report.totals.filtered}\n`);
    const ndjson = fibscope(['analyze', '-f', 'ndjson', ...args]).stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const ruleLines = ndjson.filter((line) => line.type === 'rule');
    expect(ruleLines.map(({ type, position, ...rest }) => [position, rest])
      .sort(([a], [b]) => Number(a) - Number(b)).map(([, rest]) => rest)).toEqual(rules);
    const csv = fibscope(['analyze', '-f', 'csv', '--by', 'rule', ...args]).stdout.trimEnd().split('\n');
    expect(csv[0]).toBe('position,name,action,packets,bytes,sources,destinations,firstSeen,lastSeen');
    expect(csv).toHaveLength(1 + rules.length);
    const table = fibscope(['analyze', '--plain-numbers', ...args]).stdout;
    expect(table).toMatch(/^│ filtered /m);
    expect(table).toMatch(/│ +1 │ ssh +│ ALERT +│/);
    expect(table).toMatch(/│ +│ no rule +│ - +│/);
  });
});

describe('rules of other formats, --rules-format and --interface', () => {
  const iptables = [
    '*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -i eth0 -p udp -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -j DROP',
    '-A INPUT -s 10.0.0.0/8 -j LOG',
    'COMMIT', '',
  ].join('\n');
  // iptables-save's rules are IPv4 rules (docs/rules.md): `family 4` says so here
  const same = 'rule a count family 4 interface eth0 proto udp\nrule b drop family 4 proto tcp dport 22\nrule c alert family 4 src 10.0.0.0/8\n';
  const onEth1 = 'rule b drop family 4 proto tcp dport 22\nrule c alert family 4 src 10.0.0.0/8\n';
  const packets = (report: Report) => report.rules!.map((rule) => rule.packets);

  it('iptables-save counts as the same rules in fibscope format, the interface named by --interface', () => {
    const saved = file(iptables, 'txt');
    const eth0 = analyzeJson(['--rules', saved, '--interface', 'eth0', UNTAGGED]);
    expect(packets(eth0)).toEqual(packets(analyzeJson(['--rules', file(same, 'rules'), '--interface', 'eth0', UNTAGGED])));
    expect(eth0.rules!.map((rule) => rule.action)).toEqual(['count', 'drop', 'alert']);
    expect(analyzeJson(['--rules', saved, '--rules-format', 'iptables', '--interface', 'eth0', UNTAGGED])).toEqual(eth0);
    // on another interface the -i eth0 rule matches nothing, and the others count what it took
    const eth1 = analyzeJson(['--rules', saved, '--interface', 'eth1', UNTAGGED]);
    expect(eth1.rules![0].packets).toBe(0);
    expect(packets(eth1).slice(1)).toEqual(packets(analyzeJson(['--rules', file(onEth1, 'rules'), UNTAGGED])));
  });

  it('a bad rule is exit status 2 naming the file and line, before any report', () => {
    for (const [text, line] of [
      ['rule a count proto tcp\nrule b count proto udp\nrule a drop dport 22\n', 3],
      ['rule a count proto tcp\n\nrule b count dport 70000\n', 3],
      ['rule a explode\n', 1],
      ['rule a count proto tcp\nrule x count filter "tcp and prot 80"\n', 2],
    ] as const) {
      const rulesFile = file(text, 'rules');
      const output = freshPath('json');
      const run = fibscope(['analyze', '-o', output, '--rules', rulesFile, UNTAGGED]);
      expect(run.status, text).toBe(2);
      expect(run.stderr, text).toMatch(new RegExp(`^fibscope: ${rulesFile.replaceAll('.', '\\.')}:${line}: .+\\n$`));
      expect(existsSync(output)).toBe(false);
    }
    const iptablesBad = file('*filter\n-A INPUT -m conntrack --ctstate NEW -j DROP\nCOMMIT\n', 'txt');
    const run = fibscope(['analyze', '--rules', iptablesBad, '--rules-format', 'iptables', UNTAGGED]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(new RegExp(`^fibscope: ${iptablesBad.replaceAll('.', '\\.')}:2: `));
  });

  it('--rules - reads the rules from standard input', () => {
    const run = fibscope(['analyze', '-f', 'json', '--rules', '-', UNTAGGED], same);
    expect(run.stderr).toBe('');
    expect(packets(JSON.parse(run.stdout) as Report)).toEqual(packets(analyzeJson(['--rules', file(same, 'rules'), UNTAGGED])));
    // no interface named: the eth0 rule matches nothing
    expect(packets(JSON.parse(run.stdout) as Report)[0]).toBe(0);
  });
});


describe('serve takes the same options', () => {
  it('its final report counts as analyze does, filter and rules alike', () => {
    const rulesFile = file('rule ssh alert proto tcp dport 22\nrule dns count proto udp dport 53\nrule any count\n', 'rules');
    const classify = ['--filter', 'not arp', '--rules', rulesFile];
    const output = freshPath('json');
    const run = fibscope(['serve', '--listen', '127.0.0.1:0', '--exit-on-eof', '-o', output, ...classify, UNTAGGED]);
    expect(run.status, run.stderr).toBe(0);
    const served = JSON.parse(readFileSync(output, 'utf8')) as Report;
    const analyzed = analyzeJson([...classify, UNTAGGED]);
    expect(served.totals).toEqual(analyzed.totals);
    expect(served.rules).toEqual(analyzed.rules);
    expect(Number(served.totals.filtered)).toBeGreaterThan(0);
  });

  it('a bad filter or rules file stops it before it listens, exit status 2', () => {
    const bad = fibscope(['serve', '--listen', '127.0.0.1:0', '--exit-on-eof', '--filter', 'tcp and prot 80', UNTAGGED]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^fibscope: --filter: column 9: .*\n {2}tcp and prot 80\n {10}\^\n$/);
    const rulesFile = file('rule a count\nrule a drop\n', 'rules');
    const badRules = fibscope(['serve', '--listen', '127.0.0.1:0', '--exit-on-eof', '--rules', rulesFile, UNTAGGED]);
    expect(badRules.status).toBe(2);
    expect(badRules.stderr).toMatch(new RegExp(`^fibscope: ${rulesFile.replaceAll('.', '\\.')}:2: `));
    expect(badRules.stderr).not.toMatch(/serving/);
  });
});
