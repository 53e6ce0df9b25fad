import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressLines } from '../src/cli/progress.js';
import { pcap } from './helpers/captures.js';
import { LINKTYPE, raw, udp4 } from './helpers/packets.js';
import { tempDir } from './helpers/temp-dir.js';

// The rough edges of the command line a new user hits: options that do nothing, a progress flag
// that did nothing off a terminal, and `lookup` answers that scripts test.

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const ROUTES = new URL('../samples/routes.txt', import.meta.url).pathname;
const CAPTURE = new URL('../samples/edge.pcap', import.meta.url).pathname;
const dir = tempDir('fibscope-cli-edges-');

function fibscope(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('analyze options that the chosen format does not use', () => {
  // The oracle: an option is ignored exactly when the report is the same with and without it.
  // The capture makes each option change what uses it: routes rank one way by packets and the
  // other by bytes, over a count large enough for human units, through two devices.
  const routes = join(dir, 'ranked.txt');
  writeFileSync(routes, '10.0.0.0/8 192.0.2.1 eth0\n10.1.0.0/16 192.0.2.2 eth1\n10.2.0.0/16 192.0.2.1 eth0\n');
  const small = raw(udp4('192.0.2.9', '10.0.0.1'));
  const big = raw(udp4('192.0.2.9', '10.1.0.1', new Uint8Array(1400)));
  const mid = raw(udp4('192.0.2.9', '10.2.0.1', new Uint8Array(100)));
  const packets = [...Array(1500).fill(small), ...Array(700).fill(mid), ...Array(20).fill(big)];
  const ranked = join(dir, 'ranked.pcap');
  writeFileSync(ranked, pcap({ linkType: LINKTYPE.RAW, records: packets.map((data, i) => ({ ts: { sec: 1_700_000_000, frac: i }, data })) }));
  const options: [string, string[]][] = [
    ['--by', ['--by', 'dev']],
    ['--top', ['-n', '1']],
    ['--sort', ['--sort', 'bytes']],
    ['--plain-numbers', ['--plain-numbers']],
  ];
  for (const format of ['table', 'json', 'ndjson', 'csv', 'prom']) {
    it(`are warned about on stderr with -f ${format}, and only those`, () => {
      const plain = fibscope('analyze', '-r', routes, '-f', format, ranked);
      expect(plain.status).toBe(0);
      expect(plain.stderr).toBe('');
      for (const [flag, args] of options) {
        const run = fibscope('analyze', '-r', routes, '-f', format, ...args, ranked);
        expect(run.status).toBe(0);
        const ignored = run.stdout === plain.stdout;
        // the capture is one where each option changes what uses it: the comparison can tell
        if (format === 'table' || (['csv', 'ndjson'].includes(format) && ['--by', '--sort'].includes(flag))) expect(ignored, flag).toBe(false);
        if (ignored) expect(run.stderr, `${flag} with ${format}`).toMatch(new RegExp(`^fibscope: warning: ${flag} is ignored with -f ${format}: it applies to .* only \\(.+\\)\\n$`));
        else expect(run.stderr, `${flag} with ${format}`).toBe('');
      }
    });
  }

  it('are named in the cases of the issue, one warning each', () => {
    expect(fibscope('analyze', '-f', 'json', '--by', 'dev', CAPTURE).stderr).toMatch(/^fibscope: warning: --by is ignored with -f json[^\n]*\n$/);
    expect(fibscope('analyze', '-f', 'csv', '-n', '1', CAPTURE).stderr).toMatch(/^fibscope: warning: --top is ignored with -f csv[^\n]*\n$/);
    expect(fibscope('analyze', '--plain-numbers', '-f', 'csv', CAPTURE).stderr).toMatch(/^fibscope: warning: --plain-numbers is ignored with -f csv[^\n]*\n$/);
  });
});

describe('--progress', () => {
  it('prints plain progress lines on stderr when stderr is not a terminal, and nothing without it', () => {
    const quiet = fibscope('analyze', '-r', ROUTES, '-f', 'json', CAPTURE);
    expect(quiet.stderr).toBe('');
    const run = spawnSync(process.execPath, [CLI, 'analyze', '--progress', '-r', ROUTES, '-f', 'json', CAPTURE, '-'],
      { input: readFileSync(CAPTURE), encoding: 'utf8' });
    expect(run.status).toBe(0);
    // the report is the same with it
    expect(JSON.parse(run.stdout).totals).toEqual(JSON.parse(fibscope('analyze', '-r', ROUTES, '-f', 'json', CAPTURE, CAPTURE).stdout).totals);
    const lines = run.stderr.split('\n');
    expect(lines.at(-1)).toBe('');
    // the file ends at 100% of its size; standard input, of no known size, says how much it read
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    const size = statSync(CAPTURE).size;
    expect(lines).toContain(`fibscope: ${CAPTURE}: 100% (${mib(Number(size))} of ${mib(Number(size))} MiB)`);
    expect(lines.at(-2)).toBe(`fibscope: -: ${mib(Number(size))} MiB read, done`);
    expect(fibscope('analyze', '--help').stdout).toMatch(/--progress\s+report progress on stderr for every input: a bar on\s+a terminal, a line per 10% otherwise/);
  });

  it('prints a line at each tenth of an input crossed, and for streams every 16 MiB and at the end', () => {
    let text = '';
    const sink = new Writable({ write(chunk, _encoding, done) { text += chunk; done(); } });
    // a slow, obvious model: the tenths crossed by each read, in order
    const total = 1000;
    const reads = [5, 99, 100, 101, 350, 351, 999, 1000];
    const expected: string[] = [];
    let shown = 0;
    for (const read of reads) {
      let tenth = 0;
      while (tenth < 10 && (tenth + 1) * total <= read * 10) tenth++;
      if (tenth > shown) {
        shown = tenth;
        expected.push(`fibscope: a.pcap: ${tenth * 10}% (${(read / 2 ** 20).toFixed(1)} of 0.0 MiB)`);
      }
    }
    const progress = progressLines(sink as unknown as NodeJS.WritableStream);
    progress.start('a.pcap');
    for (const read of reads) progress.listener!(read, total);
    progress.start('-');
    const MIB = 2 ** 20;
    for (const read of [MIB, 16 * MIB - 1, 16 * MIB, 20 * MIB, 40 * MIB]) progress.listener!(read, undefined);
    progress.stop();
    expect(text.split('\n')).toEqual([...expected,
      'fibscope: -: 16.0 MiB read', 'fibscope: -: 40.0 MiB read', 'fibscope: -: 40.0 MiB read, done', '']);
    expect(expected.map((line) => line.match(/(\d+)%/)![1])).toEqual(['10', '30', '90', '100']);
  });
});

describe('lookup exit statuses', () => {
  it('is 0 when every address has a route, 1 when one has none, the others still answered', () => {
    const routes = join(dir, 'part.txt');
    writeFileSync(routes, '10.0.0.0/8 ten\n2001:db8::/32 doc\n');
    const good = fibscope('lookup', '-r', routes, '10.1.2.3', '2001:db8::1');
    expect(good.status).toBe(0);
    const some = fibscope('lookup', '-r', routes, '10.1.2.3', '192.0.2.1', '2001:db8::1');
    expect(some.status).toBe(1);
    expect(some.stdout).toBe(good.stdout.replace('\n', '\n192.0.2.1 unreachable: no matching route\n'));
    expect(some.stderr).toBe('');
  });

  it('is 2 for a bad address among good ones, which are still answered, and says which', () => {
    const good = fibscope('lookup', '-r', ROUTES, '8.8.8.8', '2001:4860:4860::8888', '203.0.113.5');
    expect(good.status).toBe(0);
    for (const bad of ['300.1.1.1', '8.8.8', 'fe80::1::2', 'example.com']) {
      const run = fibscope('lookup', '-r', ROUTES, '8.8.8.8', bad, '2001:4860:4860::8888', '203.0.113.5');
      expect(run.status).toBe(2);
      expect(run.stdout).toBe(good.stdout);
      expect(run.stderr).toBe(`fibscope: not an IPv4 or IPv6 address: '${bad}'\n`);
      const json = fibscope('lookup', '-f', 'json', '-r', ROUTES, '8.8.8.8', bad);
      expect(json.status).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual([
        JSON.parse(fibscope('lookup', '-f', 'json', '-r', ROUTES, '8.8.8.8').stdout)[0],
        { address: bad, route: null, error: `not an IPv4 or IPv6 address: '${bad}'` },
      ]);
    }
    // a bad address wins over one without a route
    expect(fibscope('lookup', '-r', join(dir, 'part.txt'), '192.0.2.1', 'nope').status).toBe(2);
  });
});
