import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

// The built CLI, run as a user runs it (npm test builds first).
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const SAMPLE = new URL('../../samples/routes.txt', import.meta.url).pathname;
const CAPTURE = new URL('../../samples/edge.pcap', import.meta.url).pathname;

function fibscope(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const dir = tempDir('fibscope-compare-');
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// a proposal for the sample table: the default through a new transit, 10/8 withdrawn, a
// multipath more-specific, a blackhole
const CHANGES = `# proposed change
replace 0.0.0.0/0 via 192.0.2.9 dev eth5 metric 100
del 10.0.0.0/8

add 10.20.0.0/17 metric 10
\tnexthop via 192.0.2.1 dev eth0 weight 1
\tnexthop via 192.0.2.2 dev eth1 weight 2
add blackhole 8.8.8.0/25
`;

/** The sample table with the changes made by hand: plain text, and the routes plain text cannot say in ip route syntax. */
function proposedTables(): string[] {
  const plain = readFileSync(SAMPLE, 'utf8')
    .replace(/^default\s+192\.0\.2\.1\s+eth0\s+100$/m, 'default 192.0.2.9 eth5 100')
    .replace(/^10\.0\.0\.0\/8 .*\n/m, '');
  const ip = '10.20.0.0/17 metric 10\n\tnexthop via 192.0.2.1 dev eth0 weight 1\n\tnexthop via 192.0.2.2 dev eth1 weight 2\nblackhole 8.8.8.0/25\n';
  expect(plain).toContain('192.0.2.9');
  return [file('proposed-plain.txt', plain), file('proposed-ip.txt', ip)];
}

describe('fibscope compare', () => {
  const changes = file('changes.txt', CHANGES);

  it('gives, as its sides, exactly what analyze gives with each table', () => {
    const compared = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'json', CAPTURE);
    expect(compared.stderr).toBe('');
    expect(compared.status).toBe(0);
    const report = JSON.parse(compared.stdout);
    const before = JSON.parse(fibscope('analyze', '--no-progress', '--no-checks', '-r', SAMPLE, '-f', 'json', CAPTURE).stdout);
    expect(report.before).toEqual(before);
    // the change list applied by hand, as tables analyze loads
    const [plain, ip] = proposedTables();
    const after = JSON.parse(fibscope('analyze', '--no-progress', '--no-checks', '-r', plain, '-r', ip, '-f', 'json', CAPTURE).stdout);
    expect(report.after).toEqual(after);
    expect(Number(report.becomesDropped.packets)).toBeGreaterThanOrEqual(0);
    expect(report.moves.length).toBeGreaterThan(2);
  });

  it('reads whole proposed tables as well as a change list', () => {
    const [plain, ip] = proposedTables();
    const fromTables = JSON.parse(fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', plain, '--with', ip, '-f', 'json', CAPTURE).stdout);
    const fromChanges = JSON.parse(fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'json', CAPTURE).stdout);
    expect(fromTables.moves).toEqual(fromChanges.moves);
    expect(fromTables.after.routes).toEqual(fromChanges.after.routes);
  });

  it('writes the same moves in every format', () => {
    const json = JSON.parse(fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'json', CAPTURE).stdout);
    const ndjson = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'ndjson', CAPTURE).stdout
      .trim().split('\n').map((line) => JSON.parse(line));
    expect(ndjson[0]).toMatchObject({ type: 'compare', moved: json.moved, becomesUnrouted: json.becomesUnrouted });
    const moves = ndjson.slice(1);
    expect(moves.map((row) => [row.fromNextHop, row.toNextHop, row.packets, row.bytes]))
      .toEqual(json.moves.map((move: { from: { nextHop: string } | null; to: { nextHop: string } | null; packets: number; bytes: number }) =>
        [move.from?.nextHop ?? null, move.to?.nextHop ?? null, move.packets, move.bytes]));
    const csv = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'csv', CAPTURE).stdout.trim().split('\n');
    expect(csv.length).toBe(json.moves.length + 1);
    const csvRoutes = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'csv', '--by', 'route', CAPTURE).stdout.trim().split('\n');
    const analyzeRoutes = fibscope('analyze', '--no-progress', '--no-checks', '-r', SAMPLE, '-f', 'csv', CAPTURE).stdout.trim().split('\n');
    expect(csvRoutes.filter((line) => line.startsWith('before,')).map((line) => line.slice('before,'.length))).toEqual(analyzeRoutes.slice(1));
    const prom = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, '-f', 'prom', CAPTURE).stdout;
    expect(prom).toContain(`fibscope_compare_moved_packets_total ${json.moved.packets}\n`);
    expect(prom).toContain(`fibscope_counted_packets_total{side="before"} ${json.before.totals.counted}\n`);
    // each family once, even with both sides' samples in it
    const types = prom.split('\n').filter((line) => line.startsWith('# TYPE '));
    expect(new Set(types).size).toBe(types.length);
    const table = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', changes, CAPTURE);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/next hop before/);
    expect(table.stdout).toContain('192.0.2.9 dev eth5');
  });

  it('shows both sides by origin AS, as analyze does', () => {
    const before = file('before.pfx2as', '0.0.0.0\t0\t64500\n10.0.0.0\t8\t64501\n192.168.0.0\t16\t64502\n::\t0\t64500\n');
    const after = file('after.pfx2as', '0.0.0.0\t0\t64510\n10.0.0.0\t8\t64501\n192.168.0.0\t17\t64503\n::\t0\t64500\n');
    const compared = fibscope('compare', '--no-progress', '-r', before, '--with', after, '-f', 'csv', '--by', 'as', CAPTURE);
    expect(compared.stderr).toBe('');
    const lines = compared.stdout.trim().split('\n');
    for (const [side, table] of [['before', before], ['after', after]]) {
      const analyzed = fibscope('analyze', '--no-progress', '--no-checks', '-r', table, '-f', 'csv', '--by', 'as', CAPTURE).stdout.trim().split('\n');
      expect(lines[0]).toBe(`side,${analyzed[0]}`);
      expect(lines.filter((line) => line.startsWith(`${side},`)).map((line) => line.slice(side.length + 1))).toEqual(analyzed.slice(1));
    }
    expect(lines.some((line) => line.startsWith('after,64510,'))).toBe(true);
  });

  it('names the file and line of a bad change', () => {
    const bad = file('bad.txt', 'add 10.0.0.0/8 via 192.0.2.1\n# fine so far\nreplace 10.300.0.0/16 via 192.0.2.1\n');
    const run = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', bad, CAPTURE);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${bad}:3:`);
    const missing = file('missing.txt', 'del 10.99.0.0/16\n');
    const gone = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', missing, CAPTURE);
    expect(gone.status).toBe(2);
    expect(gone.stderr).toContain(`${missing}:1: no route 10.99.0.0/16 to delete`);
    const taken = file('taken.txt', '\nadd 10.0.0.0/8 via 192.0.2.1\n');
    const exists = fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', taken, CAPTURE);
    expect(exists.stderr).toContain(`${taken}:2: 10.0.0.0/8 already has a route of metric 0: use replace`);
    const verb = file('verb.txt', 'add 10.1.0.0/16 via 192.0.2.1\nchange 10.2.0.0/16 via 192.0.2.1\n');
    expect(fibscope('compare', '--no-progress', '-r', SAMPLE, '--with', verb, CAPTURE).stderr).toContain(`${verb}:2: expected add, del or replace`);
  });
});

