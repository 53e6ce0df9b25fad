import { describe, expect, it } from 'vitest';
import type { Count, Report, RuleCounters } from '../src/analyze/report.js';
import { formatCsv, formatJson, formatNdjson, formatProm, formatReport, formatTable, resolveReportOptions, ruleRows } from '../src/report/index.js';
import { parseCsv, parseExact } from './helpers/readers.js';

// Filters and rule sets in every report format, on reports built by hand (the formatters are
// pure). The oracle of each format is the report itself, read back with a reader written here,
// independent of the writers: every rule, name and count comes back exactly.

const T1 = '2021-02-03T04:05:06.123456Z';
const T2 = '2021-02-03T04:05:07.000001Z';

function rule(name: string, action: RuleCounters['action'], packets: Count, bytes: Count, more: Partial<RuleCounters> = {}): RuleCounters {
  const seen = packets !== 0;
  return {
    name, action, packets, bytes,
    sources: seen ? 2 : 0, destinations: seen ? 1 : 0,
    firstSeen: seen ? T1 : null, lastSeen: seen ? T2 : null,
    topSources: seen ? [{ address: '192.0.2.1', packets, bytes }] : [],
    topDestinations: seen ? [{ address: '2001:db8::1', packets, bytes }] : [],
    ...more,
  };
}

const HUGE = 2n ** 60n + 7n;

/** Names that need escaping in every format; ties on packets; a rule that matched nothing; a count above 2^53. */
const RULES: RuleCounters[] = [
  rule('ssh', 'alert', 5, 500),
  rule('web "80", \\ 443\nand more', 'count', 7, 7000),
  rule('never', 'drop', 0, 0),
  rule('bulk', 'count', 5, HUGE),
  rule('blocked', 'drop', 5, 500),
];

function withRules(rules: RuleCounters[] | undefined, totals: Partial<Report['totals']> = {}): Report {
  const passed = (rules ?? []).reduce((sum, r) => sum + Number(r.packets), 3);
  return {
    fibscope: { version: '0.1.0' },
    inputs: [{ path: 'a.pcap', format: 'pcap', linkTypes: [1], records: passed + 4, error: null }],
    totals: {
      records: passed + 4, bytes: 12_345, filtered: 4,
      ...(rules ? { noRule: { packets: 3, bytes: 180 } } : {}),
      counted: 1, ipv4: 1, ipv6: 0, nonIp: passed - 1, malformed: 0, unsupportedLink: 0,
      noRoute: { packets: 1, bytes: 60 }, malformedReasons: {}, ...totals,
    },
    routes: [],
    destinations: [{ address: '192.0.2.1', prefix: null, packets: 1, bytes: 60, firstSeen: T1, lastSeen: T1 }],
    ...(rules ? { rules } : {}),
  };
}

const report = withRules(RULES);
const options = resolveReportOptions({});



/** The samples of one family: labels unescaped, values as the digits written. */
function promSamples(text: string, family: string): { labels: Record<string, string>; value: string }[] {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${family}(\\{.*\\})? (\\S+)$`).exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[1] ?? '').matchAll(/([a-z_]+)="((?:[^"\\\n]|\\[\\"n])*)"/g)) {
      labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ labels, value: match[2] });
  }
  return samples;
}

/** Rules by packets descending, then bytes descending, then rule order: the order the writers promise. */
const byPackets = RULES.map((r, i) => ({ ...r, position: i + 1 }))
  .sort((a, b) => (a.packets > b.packets ? -1 : a.packets < b.packets ? 1 : a.bytes > b.bytes ? -1 : a.bytes < b.bytes ? 1 : a.position - b.position));

describe('rule rows', () => {
  it('are every rule by packets, then bytes, then rule order, with its place in the set', () => {
    const rows = ruleRows(report, 'packets');
    expect(rows.map((r) => r.name)).toEqual(byPackets.map((r) => r.name));
    expect(rows.map((r) => r.name)).toEqual(['web "80", \\ 443\nand more', 'bulk', 'ssh', 'blocked', 'never']);
    for (const row of rows) {
      const { type, position, ...counters } = row;
      expect(type).toBe('rule');
      expect(counters).toEqual(RULES[position - 1]);
    }
    expect(ruleRows(report, 'bytes').map((r) => r.position)).toEqual([4, 2, 1, 5, 3]);
    expect(ruleRows(withRules(undefined), 'packets')).toEqual([]);
  });

  it("are a kind of --by the options accept", () => {
    expect(resolveReportOptions({ by: 'rule' }).by).toBe('rule');
    expect(() => resolveReportOptions({ by: 'rules' as never })).toThrow(/route, destination, nexthop, dev, rule/);
  });
});

describe('json with a filter and a rule set', () => {
  it('gives every rule and count back exactly, rules before destinations', () => {
    const text = formatJson(report);
    expect(text).toContain(`"bytes": ${HUGE}`);
    const back = parseExact(text) as Report;
    expect(back.rules).toEqual(RULES);
    expect(back.totals.filtered).toBe(4);
    expect(back.totals.noRule).toEqual({ packets: 3, bytes: 180 });
    expect(Object.keys(back)).toEqual(['fibscope', 'inputs', 'totals', 'routes', 'rules', 'destinations']);
    const totalsKeys = Object.keys(back.totals);
    expect(totalsKeys.slice(0, 4)).toEqual(['records', 'bytes', 'filtered', 'counted']);
    expect(totalsKeys.indexOf('noRule')).toBe(totalsKeys.indexOf('noRoute') + 1);
    expect(Object.keys(back.rules![0])).toEqual(['name', 'action', 'packets', 'bytes', 'sources', 'destinations', 'firstSeen', 'lastSeen', 'topSources', 'topDestinations']);
  });

  it('orders members of a rule built in another order', () => {
    // the same members, last ones first
    const shuffled = withRules(RULES.map((r) => Object.fromEntries(Object.entries(r).reverse()) as unknown as RuleCounters));
    expect(Object.keys(shuffled.rules![0])[0]).toBe('topDestinations');
    expect(formatJson(shuffled)).toBe(formatJson(report));
  });

  it('has no rules, filtered or noRule member without a filter or rule set', () => {
    const plain = withRules(undefined, {});
    delete plain.totals.filtered;
    const back = JSON.parse(formatJson(plain)) as Record<string, unknown> & { totals: Record<string, unknown> };
    expect('rules' in back).toBe(false);
    expect('filtered' in back.totals || 'noRule' in back.totals).toBe(false);
  });
});

describe('ndjson with a rule set', () => {
  const lines = (text: string) => text.trimEnd().split('\n').map((line) => parseExact(line) as Record<string, unknown>);

  it('has a rule line per rule after the rows of any --by, and only them with --by rule', () => {
    for (const by of ['route', 'destination', 'nexthop', 'dev'] as const) {
      const parsed = lines(formatNdjson(report, { by, sort: 'packets' }));
      expect(parsed[0]).toMatchObject({ type: 'summary', filtered: 4, noRule: { packets: 3, bytes: 180 } });
      const kinds = parsed.map((line) => line.type);
      const firstRule = kinds.indexOf('rule');
      expect(kinds.slice(firstRule)).toEqual(RULES.map(() => 'rule'));
      expect(kinds.slice(1, firstRule).every((kind) => kind === by)).toBe(true);
      expect(parsed.slice(firstRule)).toEqual(byPackets.map((r) => ({ type: 'rule', ...r })));
    }
    const only = lines(formatNdjson(report, { by: 'rule', sort: 'bytes' }));
    expect(only.slice(1).map((line) => line.position)).toEqual([4, 2, 1, 5, 3]);
    expect(only).toHaveLength(1 + RULES.length);
  });

  it('has no rule line without a rule set', () => {
    expect(formatNdjson(withRules(undefined), { by: 'rule', sort: 'packets' }).trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('csv --by rule', () => {
  it('is a header and a row per rule, names quoted as RFC 4180 says, counts every digit', () => {
    const records = parseCsv(formatCsv(report, { by: 'rule', sort: 'packets' }));
    expect(records[0]).toEqual(['position', 'name', 'action', 'packets', 'bytes', 'sources', 'destinations', 'firstSeen', 'lastSeen']);
    expect(records.slice(1)).toEqual(byPackets.map((r) => [
      String(r.position), r.name, r.action, String(r.packets), String(r.bytes), String(r.sources), String(r.destinations),
      r.firstSeen ?? '', r.lastSeen ?? '',
    ]));
    expect(formatCsv(withRules(undefined), { by: 'rule', sort: 'packets' })).toBe(`${records[0].join(',')}\n`);
  });
});

describe('prom with a filter and a rule set', () => {
  const text = formatProm(report);

  it('has a packets and a bytes series per rule, labelled by name and action, escaped', () => {
    const packets = promSamples(text, 'fibscope_rule_packets_total');
    const bytes = promSamples(text, 'fibscope_rule_bytes_total');
    expect(packets).toEqual(RULES.map((r) => ({ labels: { rule: r.name, action: r.action }, value: String(r.packets) })));
    expect(bytes).toEqual(RULES.map((r) => ({ labels: { rule: r.name, action: r.action }, value: String(r.bytes) })));
    // a raw line feed in a label would break the line
    expect(text).toContain('rule="web \\"80\\", \\\\ 443\\nand more"');
  });

  it('has the filtered records and the records no rule matched', () => {
    expect(promSamples(text, 'fibscope_filtered_records_total')).toEqual([{ labels: {}, value: '4' }]);
    expect(promSamples(text, 'fibscope_no_rule_packets_total')).toEqual([{ labels: {}, value: '3' }]);
    expect(promSamples(text, 'fibscope_no_rule_bytes_total')).toEqual([{ labels: {}, value: '180' }]);
    for (const family of ['fibscope_filtered_records_total', 'fibscope_rule_packets_total', 'fibscope_no_rule_packets_total']) {
      expect(text).toMatch(new RegExp(`^# HELP ${family} .+\\n# TYPE ${family} counter$`, 'm'));
    }
  });

  it('has none of them without a filter or a rule set', () => {
    const plain = withRules(undefined);
    delete plain.totals.filtered;
    expect(formatProm(plain)).not.toMatch(/fibscope_(rule|no_rule|filtered)_/);
    expect(formatProm(withRules(undefined))).not.toMatch(/fibscope_(rule|no_rule)_/);
  });
});

describe('table with a filter and a rule set', () => {
  const plain = { ...options, humanUnits: false };

  it('gives the filtered records in the summary, only with a filter', () => {
    const share = ((100 * 4) / Number(report.totals.records)).toFixed(1);
    expect(formatTable(report, options)).toMatch(new RegExp(`^│ filtered +│ 4 \\(${share}% of records\\)`, 'm'));
    const unfiltered = withRules(RULES);
    delete unfiltered.totals.filtered;
    expect(formatTable(unfiltered, options)).not.toMatch(/filtered/);
  });

  it('ends with the rules after the --by rows: capitals for alerts and drops, then a no-rule line', () => {
    const text = formatTable(report, plain);
    const rules = text.slice(text.indexOf('5 rules by packets'));
    expect(text.indexOf('5 rules by packets')).toBeGreaterThan(text.indexOf('1 destination'));
    const rows = rules.split('\n').filter((line) => line.startsWith('│')).slice(1).map((line) => line.split(/\s{2,}|│/).map((cell) => cell.trim()).filter(Boolean));
    // the name with a line break takes two lines of the table: compare the cells that start a row
    const starts = rows.filter((cells) => /^\d+$/.test(cells[0]));
    expect(starts.map((cells) => [cells[0], cells[2]])).toEqual(byPackets.map((r) => [String(r.position), r.action === 'count' ? 'count' : r.action.toUpperCase()]));
    expect(rules).toContain(String(HUGE));
    expect(rows.at(-1)!.slice(0, 4)).toEqual(['no rule', '-', '3', '180']);
    // shares of everything the rules saw: the 25 records the filter let through
    expect(rules).toMatch(/│ +7 │ +7000 │ +28\.0% │/);
  });

  it('shows the top --top rules, and only the rules with --by rule', () => {
    const top = formatTable(report, { ...plain, top: 2 });
    expect(top).toContain('top 2 of 5 rules by packets');
    expect(top).not.toMatch(/\bnever\b/);
    const only = formatReport(report, 'table', { by: 'rule', humanUnits: false });
    expect(only).not.toMatch(/destinations? by/);
    expect(only).toContain('5 rules by packets');
    expect(formatReport(withRules(undefined), 'table', { by: 'rule' })).toContain('no rules: no rule set given');
  });

  it('names records whose addresses did not fit', () => {
    expect(formatTable(withRules(RULES, { ruleAddressOverflow: 9 }), plain)).toMatch(/^9 records whose addresses did not fit/m);
    expect(formatTable(report, plain)).not.toContain('did not fit');
  });

  it('has no rules section without a rule set', () => {
    expect(formatTable(withRules(undefined), plain)).not.toMatch(/rule/);
  });
});
