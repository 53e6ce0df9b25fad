import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { caretUnder } from '../src/cli/classify-options.js';
import { pcap } from './helpers/captures.js';
import {
  analyzeJson, DATA, fibscope, file, freshPath, keptReport, MIXED, ROUTES, SAMPLE, shared, tcpdump, UNTAGGED,
} from './helpers/cli-classify.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';

// `analyze --filter` end to end, through the built CLI. The oracle is tcpdump itself: a filter
// keeps what `tcpdump -w - EXPR` keeps, and fibscope's analysis of tcpdump's output is the same
// report in every part but the records (of which the filtered ones are the difference).

if (!tcpdump) console.warn('cli-filter: tcpdump is not installed; the tcpdump cross-checks are skipped');
if (!shared) console.warn(`cli-filter: ${DATA} is not there; the real captures are skipped`);

// ---------------------------------------------------------------------------------------------

/**
 * The report of `--filter EXPR` against that of tcpdump's output: the same in every part but
 * the records, of which the filtered ones are the difference.
 */
function expectFilterMatchesTcpdump(capture: string, expression: string, routes: 'none' | 'sample' = 'none'): void {
  const filtered = analyzeJson([...(routes === 'sample' ? ['-r', ROUTES] : []), '--filter', expression, capture]);
  const kept = keptReport(capture, expression, routes);
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
    for (const expression of EXPRESSIONS) expectFilterMatchesTcpdump(MIXED, expression, 'sample');
  });

  it('on the sample capture, with and without routes', () => {
    expectFilterMatchesTcpdump(SAMPLE, 'tcp', 'sample');
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
      const output = freshPath('json');
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
    expect(run.stderr).toMatch(/^fibscope: warning: the filter "ether host 02:00:00:00:00:01" does not apply to link type 101 \(RAW\) \(libpcap refuses it there: .+\): its records count as filtered\n$/);
    // a link type the inputs do not have is not named
    const ethernetRun = fibscope(['analyze', '-f', 'json', '--filter', expression, UNTAGGED]);
    expect(ethernetRun.stderr).toBe('');
    const report = JSON.parse(run.stdout) as Report;
    expect(report.totals.filtered).toBe(2);
    expect(report.totals.records).toBe(2);
  });
});

