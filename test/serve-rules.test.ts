import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcap } from './helpers/captures.js';
import { icmp, IPPROTO, ipv4, ipv6, LINKTYPE, raw, tcp, udp } from './helpers/packets.js';
import { Random } from './helpers/random.js';
import { CLI, familySamples, metricValue, serveUnavailable, startServe, waitFor, type ServeProcess } from './helpers/serve-process.js';
import { tempDir } from './helpers/temp-dir.js';

// `fibscope serve --filter --rules` as a process: the rule set in force over GET /rules, replaced
// by PUT /rules between two parts of the stream, a bad set refused with its line and the old one
// kept, and the rule series of /metrics and /report against a slow, obvious model of the packets
// built here (each rule tried in turn on the fields the test wrote).

const unavailable = serveUnavailable();
if (unavailable) console.warn(`skipping the fibscope serve rules tests: ${unavailable}`);

const dir = tempDir('fibscope-serve-rules-');

interface Packet {
  family: 4 | 6;
  proto: 'tcp' | 'udp' | 'icmp';
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

/** The wire bytes of a packet, raw IP: what a rule's bytes add up. */
function frame(p: Packet): Uint8Array {
  const payload = p.proto === 'tcp' ? tcp({ srcPort: p.sport, dstPort: p.dport, payload: new Uint8Array(p.dport % 7) })
    : p.proto === 'udp' ? udp({ srcPort: p.sport, dstPort: p.dport })
      : icmp();
  const number = p.proto === 'tcp' ? IPPROTO.TCP : p.proto === 'udp' ? IPPROTO.UDP : IPPROTO.ICMP;
  return raw(p.family === 4 ? ipv4({ src: p.src, dst: p.dst, proto: number, payload })
    : ipv6({ src: p.src, dst: p.dst, nextHeader: number === IPPROTO.ICMP ? IPPROTO.ICMPV6 : number, payload }));
}

/** A rule of the model: its text and the obvious test on a packet's fields. */
interface ModelRule {
  name: string;
  action: 'count' | 'alert' | 'drop';
  text: string;
  matches(p: Packet): boolean;
}

const inTen = (address: string) => address.startsWith('10.');
const FIRST_SET: ModelRule[] = [
  { name: 'dns', action: 'count', text: 'proto udp dport 53', matches: (p) => p.proto === 'udp' && p.dport === 53 },
  { name: 'ssh-in', action: 'alert', text: 'proto tcp dport 22 dst 10.0.0.0/8', matches: (p) => p.proto === 'tcp' && p.dport === 22 && inTen(p.dst) },
  { name: 'telnet', action: 'drop', text: 'proto tcp dport 23', matches: (p) => p.proto === 'tcp' && p.dport === 23 },
  { name: 'web', action: 'count', text: 'proto tcp dport 80,443', matches: (p) => p.proto === 'tcp' && (p.dport === 80 || p.dport === 443) },
  { name: 'high "ports"', action: 'count', text: 'dport 1024-65535', matches: (p) => p.proto !== 'icmp' && p.dport >= 1024 },
];
const SECOND_SET: ModelRule[] = [
  { name: 'v6', action: 'alert', text: 'family 6', matches: (p) => p.family === 6 },
  { name: 'any-tcp', action: 'drop', text: 'proto tcp', matches: (p) => p.proto === 'tcp' },
];
const ruleText = (rules: ModelRule[]) =>
  `# made by test/serve-rules.test.ts\n${rules.map((r) => `rule ${r.name.replace(/[" ]/g, '')} ${r.action} ${r.text}`).join('\n')}\n`;
// rule names in the files cannot hold blanks or quotes: the model's names are those of the files
for (const rule of [...FIRST_SET, ...SECOND_SET]) rule.name = rule.name.replace(/[" ]/g, '');

/** The same kind of set as `nft -j list ruleset` prints it: one rule, named by its comment. */
const NFT_SET: ModelRule[] = [{ name: 'tcp-any', action: 'drop', text: '', matches: (p) => p.proto === 'tcp' }];
const NFT_JSON = JSON.stringify({ nftables: [
  { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } },
  { table: { family: 'inet', name: 'filter', handle: 1 } },
  { chain: { family: 'inet', table: 'filter', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'accept' } },
  { rule: { family: 'inet', table: 'filter', chain: 'input', handle: 2, comment: 'tcp-any', expr: [
    { match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'tcp' } }, { drop: null },
  ] } },
] }, null, 1);

/** The filter given to serve, and the model of it. */
const FILTER = 'not dst host 10.9.9.9';
const passes = (p: Packet) => p.dst !== '10.9.9.9';

/** Seeded packets of every kind the rules tell apart, and some the filter rejects. */
function packets(count: number, seed: number): Packet[] {
  const random = new Random(seed);
  const pick = <T>(list: readonly T[]): T => list[random.below(list.length)];
  const ports = [53, 22, 23, 80, 443, 25, 8080, 5000, 1023, 1024];
  return Array.from({ length: count }, (): Packet => {
    const family = random.below(5) === 0 ? 6 : 4;
    const proto = pick(['tcp', 'udp', 'tcp', 'icmp'] as const);
    const dst = family === 6 ? `2001:db8::${random.below(3) + 1}` : pick(['10.9.9.9', '10.0.0.1', '10.0.3.1', '192.0.2.1', '192.0.2.4']);
    const src = family === 6 ? `2001:db8:1::${random.below(4)}` : `198.51.100.${random.below(6)}`;
    return { family, proto, src, dst, sport: 40000 + random.below(3), dport: proto === 'icmp' ? 0 : pick(ports) };
  });
}

function capture(list: Packet[], first = 0): Uint8Array {
  return pcap({ linkType: LINKTYPE.RAW, records: list.map((p, i) => ({ ts: { sec: 1_700_000_000 + first + i, frac: 0 }, data: frame(p) })) });
}
const PCAP_HEADER = 24;

interface Expected {
  name: string;
  action: string;
  packets: number;
  bytes: number;
  sources: number;
  destinations: number;
}

/** The model: the filter, then each rule in turn, first match wins. */
function model(rules: ModelRule[], list: Packet[], filter = passes): { rules: Expected[]; noRule: { packets: number; bytes: number }; filtered: number } {
  const rows = rules.map((r) => ({ name: r.name, action: r.action, packets: 0, bytes: 0, sources: new Set<string>(), destinations: new Set<string>() }));
  const noRule = { packets: 0, bytes: 0 };
  let filtered = 0;
  for (const p of list) {
    if (!filter(p)) {
      filtered++;
      continue;
    }
    const bytes = frame(p).length;
    const i = rules.findIndex((r) => r.matches(p));
    if (i < 0) {
      noRule.packets++;
      noRule.bytes += bytes;
      continue;
    }
    rows[i].packets++;
    rows[i].bytes += bytes;
    rows[i].sources.add(p.src);
    rows[i].destinations.add(p.dst);
  }
  return {
    rules: rows.map((r) => ({ ...r, sources: r.sources.size, destinations: r.destinations.size })),
    noRule,
    filtered,
  };
}

async function call(serve: ServeProcess, method: string, path: string, body?: string, type?: string) {
  const response = await fetch(`${serve.base}${path}`, { method, body, headers: type ? { 'Content-Type': type } : {} });
  const text = await response.text();
  return { status: response.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
}
const metrics = async (serve: ServeProcess) => (await call(serve, 'GET', '/metrics')).text;
const series = (name: string, rule: ModelRule) => `${name}{rule="${rule.name}",action="${rule.action}"}`;

/** /report's rules and /metrics' rule series both equal the model. */
async function expectCounts(serve: ServeProcess, rules: ModelRule[], want: ReturnType<typeof model>, filteredSoFar: number | undefined): Promise<void> {
  const report = (await call(serve, 'GET', '/report')).json;
  expect(report.rules.map((r: Expected) => ({
    name: r.name, action: r.action, packets: r.packets, bytes: r.bytes, sources: r.sources, destinations: r.destinations,
  }))).toEqual(want.rules);
  expect(report.totals.noRule).toEqual(want.noRule);
  expect(report.totals.filtered).toBe(filteredSoFar);
  const text = await metrics(serve);
  for (const [i, rule] of rules.entries()) {
    expect(metricValue(text, series('fibscope_rule_packets_total', rule)), rule.name).toBe(want.rules[i].packets);
    expect(metricValue(text, series('fibscope_rule_bytes_total', rule)), rule.name).toBe(want.rules[i].bytes);
  }
  // a series per rule in force, no more
  expect(familySamples(text, 'fibscope_rule_packets_total').size).toBe(rules.length);
  expect(metricValue(text, 'fibscope_no_rule_packets_total')).toBe(want.noRule.packets);
  expect(metricValue(text, 'fibscope_no_rule_bytes_total')).toBe(want.noRule.bytes);
  // without a filter, no filtered family at all
  expect(metricValue(text, 'fibscope_filtered_records_total')).toBe(filteredSoFar);
}

describe.skipIf(unavailable !== undefined)('fibscope serve --filter --rules', () => {
  it('counts by the rules, serves them, and takes a new set by PUT between two parts of the stream', async () => {
    const rulesFile = join(dir, 'first.rules');
    writeFileSync(rulesFile, ruleText(FIRST_SET));
    const serve = await startServe(['--filter', FILTER, '--rules', rulesFile, '--max-body', '4k', '-']);
    try {
      expect(serve.stderr()).toContain(`filter '${FILTER}', ${FIRST_SET.length} rules from ${rulesFile}`);
      const partA = packets(300, 1);
      const partB = packets(200, 5);
      serve.child.stdin!.write(capture(partA));
      await waitFor(async () => metricValue(await metrics(serve), 'fibscope_records_total') === partA.length);

      const inForce = await call(serve, 'GET', '/rules');
      expect(inForce.status).toBe(200);
      expect(inForce.json).toMatchObject({ rules: FIRST_SET.map(({ name, action }) => ({ name, action })), format: 'fibscope', source: rulesFile });
      expect(inForce.json.text).toBe(ruleText(FIRST_SET));
      // the set given at start is not a change
      expect(metricValue(await metrics(serve), 'fibscope_rule_set_changes_total')).toBe(0);
      expect((await call(serve, 'GET', '/filter')).json).toEqual({ filter: FILTER, refusedLinkTypes: [] });

      const wantA = model(FIRST_SET, partA);
      // every kind of outcome happened: each rule, no rule, the filter
      for (const row of wantA.rules) expect(row.packets, row.name).toBeGreaterThan(0);
      expect(wantA.noRule.packets).toBeGreaterThan(0);
      expect(wantA.filtered).toBeGreaterThan(0);
      await expectCounts(serve, FIRST_SET, wantA, wantA.filtered);

      // a new set: in force at once, counting from 0; the old rules' series are gone
      const put = await call(serve, 'PUT', '/rules', ruleText(SECOND_SET), 'text/plain');
      expect(put.status).toBe(200);
      expect(put.json).toMatchObject({ rules: SECOND_SET.map(({ name, action }) => ({ name, action })), source: 'PUT /rules', format: 'fibscope' });
      await expectCounts(serve, SECOND_SET, model(SECOND_SET, []), wantA.filtered);
      expect(await metrics(serve)).not.toContain('rule="dns"');
      expect(metricValue(await metrics(serve), 'fibscope_rule_set_changes_total')).toBe(1);

      serve.child.stdin!.write(capture(partB, partA.length).subarray(PCAP_HEADER));
      await waitFor(async () => metricValue(await metrics(serve), 'fibscope_records_total') === partA.length + partB.length);
      const wantB = model(SECOND_SET, partB);
      expect(wantB.rules.every((row) => row.packets > 0)).toBe(true);
      await expectCounts(serve, SECOND_SET, wantB, wantA.filtered + wantB.filtered);

      // a bad set: 400 naming its line, and the set in force and its counts stay as they were
      const bad = await call(serve, 'PUT', '/rules', 'rule ok count proto udp\nrule fine alert dport 22\nrule broken count dport 70000\n');
      expect(bad.status).toBe(400);
      expect(bad.json.line).toBe(3);
      expect(bad.json.error).toMatch(/^PUT \/rules:3: /);
      const duplicate = await call(serve, 'PUT', '/rules', 'rule a count proto udp\nrule a drop proto tcp\n');
      expect(duplicate.status).toBe(400);
      expect(duplicate.json.line).toBe(2);
      expect((await call(serve, 'GET', '/rules')).json.rules).toEqual(SECOND_SET.map(({ name, action }) => ({ name, action })));
      await expectCounts(serve, SECOND_SET, wantB, wantA.filtered + wantB.filtered);

      // the guards of POST /routes: the body's size, its type, and the parameters
      expect((await call(serve, 'PUT', '/rules', `${'# padding\n'.repeat(500)}rule a count\n`)).status).toBe(413);
      expect((await call(serve, 'PUT', '/rules', ruleText(FIRST_SET), 'application/octet-stream')).status).toBe(415);
      expect((await call(serve, 'PUT', '/rules?format=pf', ruleText(FIRST_SET))).status).toBe(400);
      expect((await call(serve, 'PUT', '/rules', '\n  \n')).status).toBe(400);
      expect((await call(serve, 'POST', '/rules', ruleText(FIRST_SET))).status).toBe(405);
      await expectCounts(serve, SECOND_SET, wantB, wantA.filtered + wantB.filtered);
      expect(metricValue(await metrics(serve), 'fibscope_rule_set_changes_total')).toBe(1);

      // no rules: 404 { rules: null }, and no rule series
      expect((await call(serve, 'DELETE', '/rules')).status).toBe(200);
      const none = await call(serve, 'GET', '/rules');
      expect(none.status).toBe(404);
      expect(none.json).toEqual({ rules: null });
      const text = await metrics(serve);
      expect(text).not.toContain('fibscope_rule_packets_total{');
      expect(text).not.toContain('fibscope_no_rule_packets_total');
      expect(metricValue(text, 'fibscope_filtered_records_total')).toBe(wantA.filtered + wantB.filtered);
      expect(metricValue(text, 'fibscope_rule_set_changes_total')).toBe(2);
      expect((await call(serve, 'DELETE', '/rules')).status).toBe(404);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('serves without rules until a PUT, in fibscope text or nft JSON; GET /filter answers 404 without a filter', async () => {
    const serve = await startServe(['-'], 'pipe');
    try {
      expect(await call(serve, 'GET', '/rules')).toMatchObject({ status: 404, json: { rules: null } });
      expect(await call(serve, 'GET', '/filter')).toMatchObject({ status: 404, json: { filter: null } });
      expect(await metrics(serve)).not.toMatch(/fibscope_(no_)?rule_(packets|bytes)/);
      // a set put in force later counts from then on
      const put = await call(serve, 'PUT', '/rules', ruleText(FIRST_SET));
      expect(put.status).toBe(200);
      const all = packets(150, 3);
      serve.child.stdin!.write(capture(all));
      await waitFor(async () => metricValue(await metrics(serve), 'fibscope_records_total') === all.length);
      // no filter here: what --filter would have rejected counts under the rules too
      expect(all.some((p) => !passes(p))).toBe(true);
      await expectCounts(serve, FIRST_SET, model(FIRST_SET, all, () => true), undefined);

      // nft's JSON, as application/json, detected as nft
      const nft = await call(serve, 'PUT', '/rules', NFT_JSON, 'application/json');
      expect(nft.status).toBe(200);
      expect(nft.json).toMatchObject({ rules: [{ name: 'tcp-any', action: 'drop' }], format: 'nft', source: 'PUT /rules' });
      const more = packets(120, 9);
      serve.child.stdin!.write(capture(more, all.length).subarray(PCAP_HEADER));
      await waitFor(async () => metricValue(await metrics(serve), 'fibscope_records_total') === all.length + more.length);
      const want = model(NFT_SET, more, () => true);
      expect(want.rules[0].packets).toBeGreaterThan(0);
      await expectCounts(serve, NFT_SET, want, undefined);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.exited;
    }
  });

  it('names the capture interface of a pcap stream with --interface, for rules that test it', async () => {
    const rulesFile = join(dir, 'interfaces.rules');
    writeFileSync(rulesFile, 'rule wan count interface eth9\nrule lab alert interface lab0\n');
    const list = packets(40, 11);
    for (const [args, hits] of [[['--interface', 'lab0'], [0, 40]], [[], [0, 0]]] as const) {
      const serve = await startServe([...args, '--rules', rulesFile, '-']);
      try {
        serve.child.stdin!.write(capture(list));
        await waitFor(async () => metricValue(await metrics(serve), 'fibscope_records_total') === list.length);
        const text = await metrics(serve);
        expect(metricValue(text, 'fibscope_rule_packets_total{rule="wan",action="count"}'), args.join(' ')).toBe(hits[0]);
        expect(metricValue(text, 'fibscope_rule_packets_total{rule="lab",action="alert"}'), args.join(' ')).toBe(hits[1]);
        expect(metricValue(text, 'fibscope_no_rule_packets_total'), args.join(' ')).toBe(list.length - hits[0] - hits[1]);
      } finally {
        serve.child.kill('SIGTERM');
        await serve.exited;
      }
    }
  });

  it('refuses a bad rules file or filter at start, naming the line or column, exit 2', () => {
    const bad = join(dir, 'bad.rules');
    writeFileSync(bad, 'rule a count proto udp\nrule b frobnicate proto tcp\n');
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', ...args, '-'], { encoding: 'utf8', input: '', timeout: 10_000 });
    const rules = run('--rules', bad);
    expect(rules.status).toBe(2);
    expect(rules.stderr).toContain(`${bad}:2:`);
    expect(rules.stderr).not.toContain('serving');
    const missing = run('--rules', join(dir, 'absent.rules'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('absent.rules');
    const filter = run('--filter', 'tcp and port');
    expect(filter.status).toBe(2);
    expect(filter.stderr).toMatch(/column \d+/);
    expect(filter.stderr).not.toContain('serving');
  });
});
