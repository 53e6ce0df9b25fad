import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { caretUnder } from '../src/cli/classify-options.js';
import { pcap, type PcapRecord } from './helpers/captures.js';
import { arpFrame, ETHERTYPE, ethernet, icmp, IPPROTO, ipv4, ipv6, LINKTYPE, raw, tcp, udp, udp4 } from './helpers/packets.js';
import { Random } from './helpers/random.js';

// `analyze --filter`, `--rules`, `--rules-format`, `--interface` end to end, through the built CLI.
// The oracles: tcpdump itself (a filter keeps what `tcpdump -w - EXPR` keeps; a rule counts what
// `(rule) and not (earlier rules)` keeps), and fibscope's own analysis of tcpdump's output for
// everything else in the report.

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const ROUTES = new URL('../samples/routes.txt', import.meta.url).pathname;
const SAMPLE = new URL('../samples/edge.pcap', import.meta.url).pathname;
const DATA = new URL('../../shared/data/captures/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fibscope-cli-classify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const has = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const tcpdump = has('tcpdump');
if (!tcpdump) console.warn('cli-classify: tcpdump is not installed; the tcpdump cross-checks are skipped');
const shared = existsSync(DATA);
if (!shared) console.warn(`cli-classify: ${DATA} is not there; the real captures are skipped`);

function fibscope(args: string[], input?: Uint8Array | string) {
  const run = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout.toString(), stderr: run.stderr.toString() };
}

function analyzeJson(args: string[]): Report {
  const run = fibscope(['analyze', '-f', 'json', ...args]);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

let files = 0;
function file(bytes: Uint8Array | string, extension = 'pcap'): string {
  const path = join(dir, `${files++}.${extension}`);
  writeFileSync(path, bytes);
  return path;
}

/** What tcpdump keeps of `capture` under `expression`, as a capture file. */
function tcpdumpKeeps(capture: string, expression: string): string {
  const out = join(dir, `${files++}.pcap`);
  const run = spawnSync('tcpdump', ['-r', capture, '-w', out, expression], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tcpdump -r ${capture} '${expression}': ${run.stderr}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// A capture built here: Ethernet with TCP, UDP and ICMP over IPv4 and IPv6, VLAN tags, ARP

function mixedCapture(seed: number, count: number, tagged = true): string {
  const random = new Random(seed);
  const v4 = ['10.0.0.1', '10.1.2.3', '192.168.1.7', '8.8.8.8', '198.51.100.9', '203.0.113.77'];
  const v6 = ['2001:db8::1', '2001:db8:1::53', 'fe80::1', '2606:4700::1111'];
  const ports = [22, 53, 80, 443, 123, 8080, 40000, 51515];
  const records: PcapRecord[] = [];
  for (let i = 0; i < count; i++) {
    const pick = <T>(list: readonly T[]) => list[random.below(list.length)];
    const srcPort = pick(ports);
    const dstPort = pick(ports);
    const flags = pick([0x02, 0x12, 0x10, 0x18, 0x11, 0x04]);
    const payload = random.bytes(random.below(200));
    const kind = random.weighted([['tcp4', 5], ['udp4', 3], ['icmp4', 1], ['tcp6', 3], ['udp6', 2], ['icmp6', 1], ['arp', 1]] as const);
    let etherType: number = ETHERTYPE.IPV4;
    let packet: Uint8Array;
    switch (kind) {
      case 'tcp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.TCP, payload: tcp({ srcPort, dstPort, flags, payload }) }); break;
      case 'udp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.UDP, payload: udp({ srcPort, dstPort, payload }) }); break;
      case 'icmp4': packet = ipv4({ src: pick(v4), dst: pick(v4), proto: IPPROTO.ICMP, payload: icmp({ type: pick([0, 8, 3, 11]) }) }); break;
      case 'tcp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.TCP, payload: tcp({ srcPort, dstPort, flags, payload }) }); break;
      case 'udp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.UDP, payload: udp({ srcPort, dstPort, payload }) }); break;
      case 'icmp6': etherType = ETHERTYPE.IPV6; packet = ipv6({ src: pick(v6), dst: pick(v6), nextHeader: IPPROTO.ICMPV6, payload: icmp({ type: pick([128, 129, 135, 136]) }) }); break;
      case 'arp': packet = new Uint8Array(0); break;
    }
    const vlans = tagged && random.below(5) === 0 ? [{ tpid: 0x8100 as const, vid: pick([10, 20]) }] : undefined;
    const data = kind === 'arp' ? arpFrame({ vlans }) : ethernet({ etherType, payload: packet, vlans });
    records.push({ ts: { sec: 1_700_000_000 + Math.floor(i / 10), frac: (i % 10) * 100_000 + random.below(1000) }, data });
  }
  return file(pcap({ linkType: LINKTYPE.EN10MB, records }));
}

const MIXED = mixedCapture(12, 3000);
/** Without VLAN tags: libpcap's `tcp dst port 22` does not look past a tag, fibscope's 5-tuple rules do. */
const UNTAGGED = mixedCapture(13, 3000, false);

// ---------------------------------------------------------------------------------------------

/**
 * The report of `--filter EXPR` against that of tcpdump's output: the same in every part but
 * the records, of which the filtered ones are the difference.
 */
function expectFilterMatchesTcpdump(capture: string, expression: string, routes: string[] = []): void {
  const filtered = analyzeJson([...routes, '--filter', expression, capture]);
  const kept = analyzeJson([...routes, tcpdumpKeeps(capture, expression)]);
  const { records, filtered: rejected, ...totals } = filtered.totals;
  const { records: keptRecords, ...keptTotals } = kept.totals;
  expect(typeof rejected, `${expression}: totals.filtered`).toBe('number');
  expect(totals, expression).toEqual(keptTotals);
  expect(Number(records), expression).toBe(Number(keptRecords) + Number(rejected));
  expect(filtered.inputs[0].records, expression).toBe(records);
  expect(filtered.routes, expression).toEqual(kept.routes);
  expect(filtered.destinations, expression).toEqual(kept.destinations);
}

const EXPRESSIONS = [
  'tcp', 'udp and dst port 53', 'ip6', 'not ip', 'icmp or icmp6', 'tcp[tcpflags] & tcp-syn != 0',
  'vlan', 'vlan 10 and tcp', 'arp', 'src net 10.0.0.0/8', 'host 2001:db8::1', 'greater 200',
  'port 80 or 443', 'ip and not dst host 8.8.8.8', 'portrange 40000-60000',
];

describe.skipIf(!tcpdump)('--filter keeps what tcpdump keeps', () => {
  it('on a capture built here, for every kind of expression', () => {
    for (const expression of EXPRESSIONS) expectFilterMatchesTcpdump(MIXED, expression, ['-r', ROUTES]);
  });

  it('on the sample capture, with and without routes', () => {
    expectFilterMatchesTcpdump(SAMPLE, 'tcp', ['-r', ROUTES]);
    expectFilterMatchesTcpdump(SAMPLE, 'udp or ip6');
  });

  it('with an expression that matches nothing: every record filtered, not an error', () => {
    const report = analyzeJson(['--filter', 'host 192.0.2.254', MIXED]);
    expect(report.totals.filtered).toBe(report.totals.records);
    expect(report.totals.bytes).toBe(0);
  });

  it.skipIf(!shared)('on real captures of several link types', () => {
    const pick = ['pcapplusplus', 'tcpdump'].flatMap((folder) => readdirSync(join(DATA, folder))
      .filter((name) => /\.(pcap|pcapng)$/.test(name))
      .map((name) => join(DATA, folder, name))
      .filter((path) => statSync(path).size < 400_000)
      .slice(0, 6));
    let checked = 0;
    for (const capture of pick) {
      // tcpdump's own answer must exist: a capture it cannot read or filter is not an oracle
      const probe = spawnSync('tcpdump', ['-r', capture, '-w', '/dev/null', 'tcp'], { encoding: 'utf8' });
      if (probe.status !== 0) continue;
      expectFilterMatchesTcpdump(capture, 'tcp');
      checked++;
    }
    expect(checked).toBeGreaterThan(3);
  });
});

// ---------------------------------------------------------------------------------------------

describe('--filter errors', () => {
  it('name the column, with a caret under it, exit 2, and print no report', () => {
    for (const [expression, at] of [
      ['tcp and prot 80', 'prot'],
      ['(tcp or udp', undefined],
      ['net 10.0.0.0/33', '33'],
      ['port 99999', '99999'],
      ['tcp and', undefined],
    ] as const) {
      const output = join(dir, `${files++}.json`);
      const run = fibscope(['analyze', '-f', 'json', '-o', output, '--filter', expression, MIXED]);
      expect(run.status, expression).toBe(2);
      expect(run.stdout).toBe('');
      expect(existsSync(output), `${expression}: no report file`).toBe(false);
      const match = /^fibscope: --filter: column (\d+): .+\n {2}(.*)\n {2}( *)\^\n$/.exec(run.stderr);
      expect(match, run.stderr).not.toBeNull();
      const column = Number(match![1]);
      expect(match![2]).toBe(expression);
      expect(match![3].length + 1).toBe(column);
      if (at !== undefined) expect(column, `${expression}: ${run.stderr}`).toBe(expression.indexOf(at) + 1);
      else expect(column).toBeGreaterThan(expression.length - 1);
    }
  });

  it('put the caret under the column when tabs and line breaks come before it', () => {
    expect(caretUnder('tcp\tand\nfoo', 9)).toBe('  tcp\tand foo\n     \t    ^');
    expect(caretUnder('tcp', 4)).toBe('  tcp\n     ^');
  });
});

// ---------------------------------------------------------------------------------------------

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
    const run = fibscope(['analyze', '--rules', join(dir, 'missing.rules'), MIXED]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^fibscope: cannot read the rules file .*missing\.rules: /);
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

describe('--help and docs/cli.md', () => {
  it('name the same analyze options', () => {
    const help = fibscope(['analyze', '--help']).stdout;
    const docs = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    const synopsis = docs.slice(docs.indexOf('fibscope analyze'), docs.indexOf('fibscope lookup'));
    const flags = (text: string) => new Set([...text.matchAll(/(?:^|\s)(--[a-z][a-z-]+)/g)].map((m) => m[1]));
    const inHelp = flags(help.slice(help.indexOf('Options:')));
    inHelp.delete('--help');
    expect([...flags(synopsis)].sort()).toEqual([...inHelp].sort());
    for (const choice of ['rule', 'fibscope', 'iptables', 'nft']) expect(help).toContain(`"${choice}"`);
  });
});

// ---------------------------------------------------------------------------------------------

/** Rules in fibscope's format, each with the tcpdump expression that matches the same records. */
const RULES: [line: string, expression: string][] = [
  ['rule ssh alert proto tcp dport 22', 'tcp dst port 22'],
  ['rule "dns" count proto udp dport 53', 'udp dst port 53'],
  ['rule lan-v4 drop src 10.0.0.0/8', 'ip src net 10.0.0.0/8'],
  ['rule web count filter "tcp and (dst port 80 or dst port 443)"', 'tcp and (dst port 80 or dst port 443)'],
  ['rule doc-v6 count src 2001:db8::/32', 'ip6 src net 2001:db8::/32'],
  ['rule pings alert filter "icmp or icmp6"', 'icmp or icmp6'],
  ['rule syn drop filter "tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn"', 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn'],
];

describe.skipIf(!tcpdump)('--rules counts what tcpdump counts for each rule after the ones before it', () => {
  it('packets, bytes, destinations, first and last seen and top destinations, and what no rule matched', () => {
    const lines = RULES.map(([line]) => line);
    const rulesFile = file(`# rules of the cli-classify test\n${lines.join('\n')}\n`, 'rules');
    const report = analyzeJson(['--rules', rulesFile, UNTAGGED]);
    // names may be quoted, as `"dns"`
    expect(report.rules!.map((rule) => rule.name)).toEqual(lines.map((line) => line.split(' ')[1].replaceAll('"', '')));
    expect(report.rules!.map((rule) => rule.action)).toEqual(lines.map((line) => line.split(' ')[2]));
    const before: string[] = [];
    for (const [i, [, expression]] of RULES.entries()) {
      // the earlier rules first: no expression here holds `vlan`, whose offsets would shift what follows
      const kept = analyzeJson([tcpdumpKeeps(UNTAGGED, [...before.map((e) => `not (${e})`), `(${expression})`].join(' and '))]);
      before.push(expression);
      const rule = report.rules![i];
      expect(rule.packets, rule.name).toBe(kept.totals.records);
      expect(rule.bytes, rule.name).toBe(kept.totals.bytes);
      expect(rule.destinations, rule.name).toBe(kept.destinations.length);
      expect(rule.packets, `${rule.name} matches only IP here`).toBe(kept.totals.counted);
      expect(rule.firstSeen, rule.name).toBe(kept.totals.timeSpan?.first ?? null);
      expect(rule.lastSeen, rule.name).toBe(kept.totals.timeSpan?.last ?? null);
      expect(rule.topDestinations.length).toBe(Math.min(10, kept.destinations.length));
      for (const top of rule.topDestinations) {
        const destination = kept.destinations.find((d) => d.address === top.address);
        expect({ packets: destination?.packets, bytes: destination?.bytes }, `${rule.name} ${top.address}`).toEqual({ packets: top.packets, bytes: top.bytes });
      }
      expect(rule.packets, `${rule.name} matched something: the capture tests it`).toBeGreaterThan(0);
    }
    const none = analyzeJson([tcpdumpKeeps(UNTAGGED, before.map((e) => `not (${e})`).join(' and '))]);
    expect(report.totals.noRule).toEqual({ packets: none.totals.records, bytes: none.totals.bytes });
    expect(report.totals.filtered).toBeUndefined();
  });

  it('after the filter: every record it lets through in one rule or in no rule', () => {
    const rulesFile = file(`${RULES.map(([line]) => line).join('\n')}\n`, 'rules');
    const report = analyzeJson(['--filter', 'ip6 or arp', '--rules', rulesFile, UNTAGGED]);
    const kept = analyzeJson([tcpdumpKeeps(UNTAGGED, 'ip6 or arp')]);
    const ruled = report.rules!.reduce((sum, rule) => sum + Number(rule.packets), Number(report.totals.noRule!.packets));
    expect(ruled).toBe(kept.totals.records);
    expect(Number(report.totals.records) - Number(report.totals.filtered)).toBe(kept.totals.records);
    expect(report.rules!.find((rule) => rule.name === 'lan-v4')!.packets).toBe(0);
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
  const same = 'rule a count proto udp\nrule b drop proto tcp dport 22\nrule c alert src 10.0.0.0/8\n';
  const onEth1 = 'rule b drop proto tcp dport 22\nrule c alert src 10.0.0.0/8\n';
  const packets = (report: Report) => report.rules!.map((rule) => rule.packets);

  it('iptables-save counts as the same rules in fibscope format, the interface named by --interface', () => {
    const saved = file(iptables, 'txt');
    const eth0 = analyzeJson(['--rules', saved, '--interface', 'eth0', UNTAGGED]);
    expect(packets(eth0)).toEqual(packets(analyzeJson(['--rules', file(same, 'rules'), UNTAGGED])));
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
    ] as const) {
      const rulesFile = file(text, 'rules');
      const output = join(dir, `${files++}.json`);
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
  });
});

describe('a filter libpcap refuses on a link type', () => {
  it.skipIf(!tcpdump)('is a warning naming the link type, its records all filtered', () => {
    const rawCapture = file(pcap({
      linkType: LINKTYPE.RAW,
      records: [udp4('192.0.2.1', '10.0.0.1'), udp4('192.0.2.2', '10.0.0.2')].map((packet, i) => ({ ts: { sec: 1_700_000_000, frac: i }, data: raw(packet) })),
    }));
    const expression = 'ether host 02:00:00:00:00:01';
    // the oracle: tcpdump refuses it there too
    expect(spawnSync('tcpdump', ['-r', rawCapture, '-w', '/dev/null', expression]).status).not.toBe(0);
    const run = fibscope(['analyze', '-f', 'json', '--filter', expression, rawCapture]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^fibscope: warning: the filter "ether host 02:00:00:00:00:01" does not apply to link type 101 \(RAW\).*their records count as filtered\n$/);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.totals.filtered).toBe(2);
    expect(report.totals.records).toBe(2);
  });
});
