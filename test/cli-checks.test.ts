// `fibscope analyze`'s checks and source-side views, end to end through the built CLI on captures
// built here: every number comes from a model counted from the packets the test made (bogon
// classes from the registries' text, uRPF and route types from a naive longest match over the
// same routes, a bogon list read by a reference reader), in json, csv, ndjson, prom and the table.
// Bad input: a bogon list with a bad line, an interface map naming an interface never seen,
// options that cannot go together.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/analyze/report.js';
import { DATA, file, fibscope, has, shared } from './helpers/cli-classify.js';
import { anomalyModels, checkTraffic, naiveRoute, tallyBy, type Sent } from './helpers/check-traffic.js';
import { addressValue, DESTINATION, PRIVATE_USE, ReferenceList, referenceClassesWithList, SOURCE } from './checks/registry-reference.js';

const ROUTES = [
  { prefix: '0.0.0.0/0', line: 'default via 192.0.2.1 dev wan', type: 'unicast', dev: 'wan' },
  { prefix: '10.0.0.0/8', line: '10.0.0.0/8 dev lan', type: 'unicast', dev: 'lan' },
  { prefix: '10.9.0.0/16', line: '10.9.0.0/16 dev dmz', type: 'unicast', dev: 'dmz' },
  { prefix: '198.51.100.0/24', line: 'blackhole 198.51.100.0/24', type: 'blackhole', dev: null },
  { prefix: '203.0.113.0/24', line: 'unreachable 203.0.113.0/24', type: 'unreachable', dev: null },
  { prefix: '192.0.2.128/25', line: 'prohibit 192.0.2.128/25', type: 'prohibit', dev: null },
];
const ROUTES_FILE = file(`${ROUTES.map((route) => route.line).join('\n')}\n`, 'routes');
const CAPTURE_INTERFACES = ['lan', 'wan', 'dmz-tap'];
// 8.8.8.0/24 is not special-purpose: the bogon list makes it a bogon
const BOGON_LIST = ['8.8.8.0/24', '10.0.0.0/8'];
const BOGONS_FILE = file(`# a feed\n${BOGON_LIST[0]}\n\n${BOGON_LIST[1]}   # private stays private\n`, 'txt');
const ADDRESSES = ['10.1.2.3', '10.9.1.1', '192.168.1.5', '100.64.0.9', '127.0.0.1', '224.0.0.5', '198.51.100.7',
  '203.0.113.9', '192.0.2.200', '8.8.8.8', '1.1.1.1', '0.1.2.3', '255.255.255.255', '169.254.3.4'];

/** The naive longest match over ROUTES. */
const routeOf = (address: string) => naiveRoute(ROUTES, address);

function traffic(seed: number, count: number): { sent: Sent[]; path: string; pcapPath: string } {
  const built = checkTraffic({ seed, count, addresses: ADDRESSES, interfaces: CAPTURE_INTERFACES, landOneIn: 10, extraWire: 50 });
  return { sent: built.sent, path: file(built.pcapng, 'pcapng'), pcapPath: file(built.pcap, 'pcap') };
}

const list = new ReferenceList(BOGON_LIST);
const classes = (address: string, withList: boolean) =>
  referenceClassesWithList(4, addressValue(address).value, withList ? list : new ReferenceList([]));

/** Each class's model: whether a packet is in it; `device` is the route device its interface stands for. */
function models(withList: boolean, device: (p: Sent) => string): Record<string, (p: Sent) => boolean> {
  return anomalyModels(ROUTES, (address) => classes(address, withList), { source: SOURCE, destination: DESTINATION, privateUse: PRIVATE_USE }, device);
}

function sum(packets: Sent[]): { packets: number; bytes: number } {
  return { packets: packets.length, bytes: packets.reduce((total, p) => total + p.wire, 0) };
}

function run(args: string[]) {
  const result = fibscope(['analyze', '-r', ROUTES_FILE, ...args]);
  return result;
}

function json(args: string[]): Report {
  const result = run(['-f', 'json', ...args]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as Report;
}

const { sent, path, pcapPath } = traffic(31, 400);
const mapped = (p: Sent) => (CAPTURE_INTERFACES[p.capture] === 'dmz-tap' ? 'dmz' : CAPTURE_INTERFACES[p.capture]);

describe('analyze --checks', () => {
  it('counts every class as the models do, in json, csv, ndjson and prom alike', () => {
    const args = ['--bogons', BOGONS_FILE, '--interface-map', 'dmz-tap=dmz', path];
    const report = json(args);
    const model = models(true, mapped);
    expect(report.anomalies!.map((row) => row.class)).toEqual(Object.keys(model));
    for (const row of report.anomalies!) {
      expect(row.checked, row.class).toBe(true);
      expect({ packets: row.packets, bytes: row.bytes }, row.class).toEqual(sum(sent.filter(model[row.class])));
    }
    // the list mattered: 8.8.8.8 is a bogon by it alone, 10.x stays private
    expect(sent.some((p) => p.src === '8.8.8.8')).toBe(true);
    expect(report.anomalies![0].topSources.map((entry) => entry.address)).toContain('8.8.8.8');

    const csv = run(['-f', 'csv', '--by', 'anomaly', ...args]);
    expect(csv.status).toBe(0);
    const [head, ...lines] = csv.stdout.trimEnd().split('\n').map((line) => line.split(','));
    expect(head).toEqual(['class', 'checked', 'packets', 'bytes', 'uncheckedPackets', 'uncheckedBytes', 'topSource', 'topDestination']);
    expect(lines.map((line) => [line[0], Number(line[2]), Number(line[3])]))
      .toEqual(report.anomalies!.map((row) => [row.class, row.packets, row.bytes]));

    const ndjson = run(['-f', 'ndjson', ...args]);
    const records = ndjson.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; class?: string; packets?: number });
    expect(records.filter((r) => r.type === 'anomaly').map((r) => [r.class, r.packets]))
      .toEqual(report.anomalies!.map((row) => [row.class, row.packets]));

    const prom = run(['-f', 'prom', ...args]).stdout;
    for (const row of report.anomalies!) {
      expect(prom).toContain(`fibscope_anomaly_packets_total{class="${row.class}"} ${row.packets}\n`);
      expect(prom).toContain(`fibscope_anomaly_bytes_total{class="${row.class}"} ${row.bytes}\n`);
    }
  });

  it('is on by default with a routing table, off with --no-checks and without one', () => {
    const report = json([path]);
    const model = models(false, (p) => CAPTURE_INTERFACES[p.capture]);
    for (const row of report.anomalies!) expect(row.packets, row.class).toBe(sent.filter(model[row.class]).length);
    expect(json(['--no-checks', path]).anomalies).toBeUndefined();
    const bare = fibscope(['analyze', '-f', 'json', path]);
    expect(bare.status).toBe(0);
    expect((JSON.parse(bare.stdout) as Report).anomalies).toBeUndefined();
  });

  it('reports strict uRPF of a pcap as not checked, never 0: in the table, json and prom, with a warning when asked for', () => {
    const report = json([pcapPath]);
    const strict = report.anomalies!.find((row) => row.class === 'urpf-strict')!;
    expect(strict.checked).toBe(false);
    expect(strict.unchecked).toEqual(sum(sent));
    const table = run([pcapPath]);
    expect(table.stdout).toMatch(/urpf-strict\s+│\s+not checked/);
    expect(table.stdout).toContain('urpf-strict: not checked:');
    const prom = run(['-f', 'prom', pcapPath]).stdout;
    expect(prom).not.toContain('fibscope_anomaly_packets_total{class="urpf-strict"}');
    expect(prom).toContain(`fibscope_anomaly_unchecked_packets_total{class="urpf-strict"} ${sent.length}\n`);
    const asked = run(['--checks', '-f', 'json', pcapPath]);
    expect(asked.status).toBe(0);
    expect(asked.stderr).toMatch(/warning: urpf-strict could not check any packet/);
    // --interface names the pcap's interface: every packet is then checked against lan
    const named = json(['--interface', 'lan', pcapPath]).anomalies!.find((row) => row.class === 'urpf-strict')!;
    expect(named.checked).toBe(true);
    expect(named.packets).toBe(sent.filter(models(false, () => 'lan')['urpf-strict']).length);
  });

  it('shows the classes in the table with their share and busiest source', () => {
    const table = run(['--plain-numbers', path]).stdout;
    const model = models(false, (p) => CAPTURE_INTERFACES[p.capture]);
    const land = sent.filter(model.land);
    const busiest = [...new Set(land.map((p) => p.src))].map((src) => [src, land.filter((p) => p.src === src).length] as const)
      .sort((a, b) => b[1] - a[1])[0];
    const line = table.split('\n').find((text) => /^│ land /.test(text))!;
    const cells = line.split('│').map((cell) => cell.trim());
    expect(cells[2]).toBe(String(land.length));
    expect(cells[4]).toBe(`${((100 * land.length) / sent.length).toFixed(1)}%`);
    // the busiest source of a land packet; on a tie, any of the tied addresses
    expect(cells[5]).toMatch(new RegExp(`^[\\d.]+ \\(${busiest[1]}\\)$`));
  });
});

describe('analyze source-side views', () => {
  const tally = (key: (p: Sent) => string) => tallyBy(sent, key);

  it('--by src-route, source and interface give the models\' rows in csv, and their sections in json', () => {
    const cases = [
      ['src-route', (p: Sent) => routeOf(p.src).prefix],
      ['source', (p: Sent) => p.src],
      ['interface', (p: Sent) => CAPTURE_INTERFACES[p.capture]],
    ] as const;
    for (const [by, key] of cases) {
      const csv = run(['-f', 'csv', '--by', by, path]);
      expect(csv.status, csv.stderr).toBe(0);
      const [head, ...lines] = csv.stdout.trimEnd().split('\n').map((line) => line.split(','));
      const at = (name: string) => head.indexOf(name);
      const rows = Object.fromEntries(lines.map((line) => [line[0], { packets: Number(line[at('packets')]), bytes: Number(line[at('bytes')]) }]));
      expect(rows, by).toEqual(Object.fromEntries(tally(key)));
      // busiest first
      const packets = lines.map((line) => Number(line[at('packets')]));
      expect(packets).toEqual([...packets].sort((a, b) => b - a));
    }
    const report = json(['--by', 'src-route', path]);
    expect(report.sourceRoutes!.length).toBe(tally((p) => routeOf(p.src).prefix).size);
    expect(report.sources).toBeUndefined();
    // the sources come after the destinations, which an analyzer's report streams from WebAssembly
    const text = run(['-f', 'json', '--by', 'source', path]).stdout;
    const withSources = JSON.parse(text) as Report;
    expect(Object.keys(withSources).slice(-2)).toEqual(['destinations', 'sources']);
    expect(Object.fromEntries(withSources.sources!.map((row) => [row.address, { packets: row.packets, bytes: row.bytes }])))
      .toEqual(Object.fromEntries(tally((p) => p.src)));
    for (const row of withSources.sources!) expect(row.prefix).toBe(routeOf(row.address).prefix);
    expect(withSources.destinations.length).toBe(new Set(sent.map((p) => p.dst)).size);
  });

  it('--matrix keeps the --top busiest route pairs and sums the rest exactly', () => {
    const pairs = tally((p) => `${routeOf(p.src).prefix} ${routeOf(p.dst).prefix}`);
    const report = json(['--matrix', 'src-route,route', '-n', '4', path]);
    const matrix = report.matrix!;
    expect(matrix.cells.length).toBe(4);
    const busiest = [...pairs.values()].map((entry) => entry.packets).sort((a, b) => b - a);
    expect(matrix.cells.map((cell) => cell.packets)).toEqual(busiest.slice(0, 4));
    for (const cell of matrix.cells) expect({ packets: cell.packets, bytes: cell.bytes }).toEqual(pairs.get(`${cell.from} ${cell.to}`));
    expect(matrix.other.cells).toBe(pairs.size - 4);
    expect(Number(matrix.other.packets) + matrix.cells.reduce((total, cell) => total + Number(cell.packets), 0)).toBe(sent.length);

    const csv = run(['-f', 'csv', '--by', 'matrix', '--matrix', 'src-route,route', '-n', '0', path]);
    const lines = csv.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(','));
    expect(lines.length).toBe(pairs.size + 1);
    expect(lines.at(-1)!.slice(2, 5)).toEqual(['true', '0', '0']);
    for (const line of lines.slice(0, -1)) expect({ packets: Number(line[4]), bytes: Number(line[5]) }).toEqual(pairs.get(`${line[0]} ${line[1]}`));
    const prom = run(['-f', 'prom', '--matrix', 'src-route,route', path]);
    expect(prom.status).toBe(0);
    expect(prom.stderr).toBe('fibscope: warning: --matrix is ignored with -f prom: the matrix is in table, json, ndjson and csv\n');
    // the table shows the matrix after the routes
    const table = run(['--matrix', 'src-route,route', '-n', '2', path]).stdout;
    expect(table).toContain(`top 2 of ${pairs.size} route pairs by packets`);
    expect(table).toContain(`other (${pairs.size - 2} route pairs)`);
  });
});

describe('analyze checks: bad input', () => {
  it('a bogon list with a bad line is exit 2 naming file:line, before any output', () => {
    const bad = file('192.0.2.0/24\n10.0.0.1/8\n', 'txt');
    const result = run(['--bogons', bad, path]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^fibscope: ${bad.replace(/[.]/g, '\\.')}:2: .*\n$`));
    const missing = run(['--bogons', `${bad}.missing`, path]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read the bogon list');
  });

  it('an --interface-map name no packet came in on is a warning after the run, and the map still applies to the others', () => {
    const result = run(['-f', 'json', '--interface-map', 'dmz-tap=dmz', '--interface-map', 'eth9=wan', path]);
    expect(result.status).toBe(0);
    const warning = /^fibscope: warning: --interface-map eth9=wan: no packet came in on an interface named eth9 \(the captures' interfaces are (.*)\); the map did nothing\n$/.exec(result.stderr);
    expect(warning, result.stderr).not.toBeNull();
    expect(warning![1].split(', ').sort()).toEqual([...new Set(sent.map((p) => CAPTURE_INTERFACES[p.capture]))].sort());
    const report = JSON.parse(result.stdout) as Report;
    const strict = report.anomalies!.find((row) => row.class === 'urpf-strict')!;
    expect(strict.packets).toBe(sent.filter(models(false, mapped)['urpf-strict']).length);
    // the interfaces were counted for the warning only
    expect(report.interfaces).toBeUndefined();
    const malformed = run(['--interface-map', 'dmz-tap', path]);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toContain('--interface-map takes CAPTURE-NAME=DEVICE');
  });

  it('options that need a table or the checks are exit 2 with why', () => {
    const cases: [string[], RegExp][] = [
      [['--checks', path], /--checks needs a routing table/],
      [['--bogons', BOGONS_FILE, path], /--bogons needs a routing table/],
      [['--by', 'src-route', path], /--by src-route needs a routing table/],
      [['--matrix', 'src-route,route', path], /--matrix needs a routing table/],
    ];
    for (const [args, message] of cases) {
      const result = fibscope(['analyze', ...args]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    for (const [args, message] of [
      [['--no-checks', '--bogons', BOGONS_FILE, path], /--bogons is for the checks, which --no-checks turns off/],
      [['--no-checks', '--by', 'anomaly', path], /--by anomaly needs the checks/],
      [['--by', 'matrix', path], /--by matrix needs a matrix/],
    ] as [string[], RegExp][]) {
      const result = run(args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('analyze by origin AS', () => {
  // pfx2as: each route's origin AS; 10.9.0.0/16 shares AS 64501 with 198.51.100.0/24
  const AS_ROUTES = [
    { prefix: '0.0.0.0/0', as: 64500 }, { prefix: '10.0.0.0/8', as: 64502 }, { prefix: '10.9.0.0/16', as: 64501 },
    { prefix: '198.51.100.0/24', as: 64501 }, { prefix: '203.0.113.0/24', as: 64503 }, { prefix: '192.0.2.128/25', as: 64504 },
  ];
  const asFile = file(`${AS_ROUTES.map((route) => route.prefix.replace('/', '\t')).map((text, i) => `${text}\t${AS_ROUTES[i].as}`).join('\n')}\n`, 'pfx2as');
  const asOf = (address: string) => AS_ROUTES.find((route) => route.prefix === routeOf(address).prefix)!.as;
  const tallyOf = (key: (p: Sent) => string) => Object.fromEntries(tallyBy(sent, key));
  const csvRows = (args: string[]) => {
    const result = fibscope(['analyze', '-r', asFile, '-f', 'csv', ...args, path]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [head, ...lines] = result.stdout.trimEnd().split('\n').map((line) => line.split(','));
    return { head, lines };
  };

  it('--by as and --by src-as sum the routes by origin AS as the model does', () => {
    for (const [by, side] of [['as', 'dst'], ['src-as', 'src']] as const) {
      const { head, lines } = csvRows(['--by', by]);
      expect(head).toEqual(['as', 'prefixes', 'packets', 'bytes']);
      expect(Object.fromEntries(lines.map((line) => [line[0], { packets: Number(line[2]), bytes: Number(line[3]) }])), by)
        .toEqual(tallyOf((p) => String(asOf(p[side]))));
      for (const line of lines) {
        const prefixes = new Set(sent.filter((p) => String(asOf(p[side])) === line[0]).map((p) => routeOf(p[side]).prefix));
        expect(Number(line[1]), `${by} ${line[0]}`).toBe(prefixes.size);
      }
    }
  });

  it('--matrix src-as,as sums the top route pairs by AS pair, the rest as route pairs', () => {
    const routePairs = tallyOf((p) => `${routeOf(p.src).prefix} ${routeOf(p.dst).prefix}`);
    const { head, lines } = csvRows(['--by', 'matrix', '--matrix', 'src-as,as', '-n', '0']);
    expect(head).toEqual(['fromAs', 'toAs', 'other', 'cells', 'packets', 'bytes']);
    // every route pair is a cell with -n 0: the AS pairs are the whole traffic by AS pair
    expect(Object.fromEntries(lines.slice(0, -1).map((line) => [`${line[0]} ${line[1]}`, { packets: Number(line[4]), bytes: Number(line[5]) }])))
      .toEqual(tallyOf((p) => `${asOf(p.src)} ${asOf(p.dst)}`));
    expect(lines.slice(0, -1).reduce((sum, line) => sum + Number(line[3]), 0)).toBe(Object.keys(routePairs).length);
    expect(lines.at(-1)!.slice(2, 5)).toEqual(['true', '0', '0']);
  });

  it('is exit 2 with a table without AS data', () => {
    for (const args of [['--by', 'as'], ['--by', 'src-as'], ['--matrix', 'src-as,as']]) {
      const result = run([...args, path]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/needs routes with AS data \(bgpdump -m or pfx2as\): the routing table has no origin AS for any route/);
    }
  });
});

// Real pcapng files with named interfaces (hadrielk/pcapng-test-generator, ../shared/data): the
// IP packets of each interface as tshark counts them. Files of several sections are left out:
// tshark 4.x names a later section's interface 0 after the first section's (test201 puts an EPB
// of "silly ethernet interface 2", section 2's only interface, under eth0), where pcapng numbers
// interfaces per section, as fibscope does.
const GENERATOR = join(DATA, 'pcapng-test-generator');
const tshark = has('tshark');
describe.skipIf(!shared || !tshark)('analyze --by interface on real pcapng files, against tshark', () => {
  it('counts the IP packets of each named interface as tshark does', () => {
    // each file in one byte order, little- and big-endian in turn: the test stays a few seconds
    const files = ['basic', 'advanced', 'difficult'].flatMap((group) => readdirSync(join(GENERATOR, 'output_le', group))
      .filter((name) => name.endsWith('.pcapng')).sort()
      .map((name, i) => join(GENERATOR, i % 2 === 0 ? 'output_le' : 'output_be', group, name)));
    let compared = 0;
    for (const capture of files) {
      const sections = /SHB: (\d+)/.exec(readFileSync(capture.replace(/\.pcapng$/, '.txt'), 'utf8'))?.[1];
      if (sections !== '1') continue;
      const fields = spawnSync('tshark', ['-r', capture, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.interface_name', '-e', 'ip.src', '-e', 'ipv6.src'], { encoding: 'utf8' });
      const expected: Record<string, number> = {};
      // tshark escapes a line break inside a name as \r\n text: undo it, as a name has it
      for (const line of fields.stdout.split('\n')) {
        const [name, v4, v6] = line.split('\t');
        if (!v4 && !v6) continue;
        const real = name.replace(/\\r/g, '\r').replace(/\\n/g, '\n');
        expected[real] = (expected[real] ?? 0) + 1;
      }
      const result = fibscope(['analyze', '-f', 'json', '--by', 'interface', capture]);
      const report = JSON.parse(result.stdout) as Report;
      const counted = Object.fromEntries(report.interfaces!.map((row) => [row.name, row.packets]));
      expect(counted, capture).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });
});
describe.skipIf(shared && tshark)('analyze --by interface on real pcapng files', () => {
  it.skip(`needs ../shared/data (${shared ? 'present' : 'absent'}) and tshark (${tshark ? 'present' : 'absent'})`, () => {});
});
