import { describe, expect, it } from 'vitest';
import type { AnomalyCounters, Count, Report } from '../src/analyze/report.js';
import { formatCsv, formatJson, formatNdjson, formatProm, formatTable, resolveReportOptions, viewRows } from '../src/report/index.js';
import { parseCsv, parseExact } from './helpers/readers.js';

// The anomaly classes and the source-side views in every report format, on reports built by hand
// (the formatters are pure). The oracle of each format is the report itself, read back with a
// reader written here: every class, row and count comes back exactly, in the documented order.

const T1 = '2021-02-03T04:05:06.123456Z';
const T2 = '2021-02-03T04:05:07.000001Z';
const HUGE = 2n ** 60n + 7n;

function anomaly(name: AnomalyCounters['class'], packets: Count, bytes: Count, more: Partial<AnomalyCounters> = {}): AnomalyCounters {
  const seen = packets !== 0;
  return {
    class: name, checked: true, packets, bytes,
    topSources: seen ? [{ address: '198.51.100.7', packets, bytes, overstatedBy: 2 }, { address: '192.0.2.1', packets: 1, bytes: 60 }] : [],
    topDestinations: seen ? [{ address: '2001:db8::1', packets, bytes }] : [],
    ...more,
  };
}

const ANOMALIES: AnomalyCounters[] = [
  anomaly('bogon-source', 9, HUGE),
  anomaly('bogon-destination', 0, 0),
  anomaly('private-source', 4, 400),
  anomaly('urpf-loose', 3, 300),
  anomaly('urpf-strict', 0, 0, { checked: false, unchecked: { packets: 20, bytes: 2000 } }),
  anomaly('dropped', 2, 120),
  anomaly('unrouted', 1, 60),
  anomaly('land', 0, 0),
  anomaly('ttl-expiring', 5, 500),
];

/** Key order scrambled on purpose: the writers put the documented order back. */
const report: Report = {
  sources: [
    { address: '10.0.0.1', prefix: '10.0.0.0/8', packets: 5, bytes: 500, firstSeen: T1, lastSeen: T2 },
    { address: '2001:db8::9', prefix: null, packets: 15, bytes: 900, firstSeen: T1, lastSeen: T2 },
  ],
  matrix: {
    other: { packets: 3, bytes: 180, cells: 2 },
    cells: [
      { to: '0.0.0.0/0', from: '10.0.0.0/8', packets: 12, bytes: 1200 },
      { from: null, to: null, packets: 5, bytes: 200 },
    ],
    lost: 1,
  },
  interfaces: [{ packets: 12, name: 'lan "a",b', bytes: 1000 }, { name: null, packets: 8, bytes: 400 }],
  sourceRoutes: [
    { prefix: '10.0.0.0/8', nextHop: null, dev: 'lan', type: 'unicast', packets: 5, bytes: 500 },
    { prefix: '198.51.100.0/24', nextHop: null, dev: null, type: 'blackhole', packets: 5, bytes: 700 },
  ],
  anomalies: ANOMALIES,
  destinations: [{ address: '192.0.2.1', prefix: null, packets: 20, bytes: 1400, firstSeen: T1, lastSeen: T2 }],
  routes: [],
  totals: {
    records: 20, bytes: 1400, counted: 20, ipv4: 5, ipv6: 15, nonIp: 0, malformed: 0, unsupportedLink: 0,
    noRoute: { packets: 20, bytes: 1400 }, malformedReasons: {}, sourceOverflow: { packets: 2, bytes: 100 },
  },
  inputs: [{ path: 'a.pcapng', format: 'pcapng', linkTypes: [1], records: 20, error: null }],
  fibscope: { version: '0.1.0' },
};



describe('json with anomalies and views', () => {
  it('gives every section back exactly, in the documented order', () => {
    const text = formatJson(report);
    expect(text).toContain(`"bytes": ${HUGE}`);
    const back = parseExact(text) as Report;
    expect(Object.keys(back)).toEqual(['fibscope', 'inputs', 'totals', 'routes', 'anomalies', 'sourceRoutes', 'interfaces', 'matrix', 'destinations', 'sources']);
    expect(back.anomalies).toEqual(ANOMALIES);
    expect(Object.keys(back.anomalies![4])).toEqual(['class', 'checked', 'packets', 'bytes', 'unchecked', 'topSources', 'topDestinations']);
    expect(Object.keys(back.anomalies![0].topSources[0])).toEqual(['address', 'packets', 'bytes', 'overstatedBy']);
    expect(back.sourceRoutes).toEqual(report.sourceRoutes);
    expect(back.interfaces).toEqual(report.interfaces);
    expect(Object.keys(back.interfaces![0])).toEqual(['name', 'packets', 'bytes']);
    expect(back.matrix).toEqual(report.matrix);
    expect(Object.keys(back.matrix!)).toEqual(['cells', 'other', 'lost']);
    expect(Object.keys(back.matrix!.cells[0])).toEqual(['from', 'to', 'packets', 'bytes']);
    expect(Object.keys(back.matrix!.other)).toEqual(['cells', 'packets', 'bytes']);
    expect(back.sources).toEqual(report.sources);
    expect(Object.keys(back.totals).at(-1)).toBe('sourceOverflow');
  });
});

describe('view rows', () => {
  it('come by the sort, then the other count, then key; the matrix with its rest last; classes in their fixed order', () => {
    expect(viewRows(report, 'src-route', 'packets').map((row) => row.prefix)).toEqual(['198.51.100.0/24', '10.0.0.0/8']);
    expect(viewRows(report, 'source', 'bytes').map((row) => row.address)).toEqual(['2001:db8::9', '10.0.0.1']);
    expect(viewRows(report, 'interface', 'packets').map((row) => row.name)).toEqual(['lan "a",b', null]);
    const matrix = viewRows(report, 'matrix', 'packets');
    expect(matrix.map((row) => [row.from, row.to, row.other, row.cells])).toEqual([['10.0.0.0/8', '0.0.0.0/0', false, 1], [null, null, false, 1], [null, null, true, 2]]);
    expect(matrix[2].lost).toBe(1);
    expect(viewRows(report, 'anomaly', 'bytes').map((row) => row.class)).toEqual(ANOMALIES.map((row) => row.class));
    const bare: Report = { ...report, anomalies: undefined, sources: undefined, matrix: undefined };
    expect(viewRows(bare, 'anomaly', 'packets')).toEqual([]);
    expect(viewRows(bare, 'matrix', 'packets')).toEqual([]);
    expect(resolveReportOptions({ by: 'src-route' }).by).toBe('src-route');
  });
});

describe('csv of the views and classes', () => {
  it('gives one header and a row each, a class not checked with empty counts', () => {
    const anomalies = parseCsv(formatCsv(report, { by: 'anomaly', sort: 'packets' }));
    expect(anomalies[0]).toEqual(['class', 'checked', 'packets', 'bytes', 'uncheckedPackets', 'uncheckedBytes', 'topSource', 'topDestination']);
    expect(anomalies.slice(1)).toEqual(ANOMALIES.map((row) => [
      row.class, String(row.checked), row.checked ? String(row.packets) : '', row.checked ? String(row.bytes) : '',
      String(row.unchecked?.packets ?? 0), String(row.unchecked?.bytes ?? 0), row.topSources[0]?.address ?? '', row.topDestinations[0]?.address ?? '',
    ]));
    expect(parseCsv(formatCsv(report, { by: 'interface', sort: 'packets' }))).toEqual([['name', 'packets', 'bytes'], ['lan "a",b', '12', '1000'], ['', '8', '400']]);
    expect(parseCsv(formatCsv(report, { by: 'matrix', sort: 'packets' }))).toEqual([
      ['from', 'to', 'other', 'cells', 'packets', 'bytes'],
      ['10.0.0.0/8', '0.0.0.0/0', 'false', '1', '12', '1200'], ['', '', 'false', '1', '5', '200'], ['', '', 'true', '2', '3', '180'],
    ]);
    expect(parseCsv(formatCsv(report, { by: 'src-route', sort: 'bytes' }))).toEqual([
      ['prefix', 'nextHop', 'dev', 'routeType', 'packets', 'bytes'],
      ['198.51.100.0/24', '', '', 'blackhole', '5', '700'], ['10.0.0.0/8', '', 'lan', 'unicast', '5', '500'],
    ]);
    expect(parseCsv(formatCsv(report, { by: 'source', sort: 'packets' })).map((row) => row[0])).toEqual(['address', '2001:db8::9', '10.0.0.1']);
  });
});

describe('ndjson of the views and classes', () => {
  it('has the rows of --by, then every class and the matrix whatever --by is', () => {
    const lines = (by: Parameters<typeof formatNdjson>[1]['by']) =>
      formatNdjson(report, { by, sort: 'packets' }).trimEnd().split('\n').map((line) => parseExact(line) as { type: string } & Record<string, unknown>);
    const bySource = lines('source');
    expect(bySource.map((line) => line.type)).toEqual(['summary', 'source', 'source', ...ANOMALIES.map(() => 'anomaly'), 'matrix', 'matrix', 'matrix']);
    expect(bySource.filter((line) => line.type === 'anomaly').map(({ type, ...rest }) => rest)).toEqual(ANOMALIES);
    expect(bySource[0].sourceOverflow).toEqual({ packets: 2, bytes: 100 });
    // a kind that is a section already comes once
    expect(lines('anomaly').filter((line) => line.type === 'anomaly').length).toBe(ANOMALIES.length);
    expect(lines('matrix').filter((line) => line.type === 'matrix').length).toBe(3);
    expect(lines('interface').filter((line) => line.type === 'interface').map((line) => line.name)).toEqual(['lan "a",b', null]);
  });
});

describe('prom of the classes', () => {
  it('has a series per checked class, none for a class not checked, and the unchecked packets apart', () => {
    const text = formatProm(report);
    const samples = (family: string) => [...text.matchAll(new RegExp(`^${family}\\{class="([a-z-]+)"\\} (\\d+)$`, 'gm'))].map((m) => [m[1], m[2]]);
    const checked = ANOMALIES.filter((row) => row.checked);
    expect(samples('fibscope_anomaly_packets_total')).toEqual(checked.map((row) => [row.class, String(row.packets)]));
    expect(samples('fibscope_anomaly_bytes_total')).toEqual(checked.map((row) => [row.class, String(row.bytes)]));
    expect(samples('fibscope_anomaly_unchecked_packets_total')).toEqual([['urpf-strict', '20']]);
    expect(text).toContain('fibscope_interface_packets_total{interface="lan \\"a\\",b"} 12\n');
    expect(text).toContain('fibscope_interface_packets_total{interface=""} 8\n');
    expect(formatProm({ ...report, anomalies: undefined, interfaces: undefined })).not.toMatch(/anomaly|interface_/);
  });
});

describe('table of the classes and views', () => {
  const table = (by: Parameters<typeof formatTable>[1]['by'], more: Partial<Parameters<typeof formatTable>[1]> = {}) =>
    formatTable(report, { ...resolveReportOptions({ by, humanUnits: false }), ...more });
  const cellsOf = (text: string, first: string) => text.split('\n').find((line) => line.startsWith(`│ ${first} `))!.split('│').map((cell) => cell.trim());

  it('shows each class with its share of counted and busiest source, and says which were not checked and why', () => {
    const text = table('route');
    expect(text).toContain('anomalies (a packet counts once in each class it is in)');
    expect(cellsOf(text, 'bogon-source').slice(1, 7)).toEqual(['bogon-source', '9', String(HUGE), '45.0%', '198.51.100.7 (9, at most 2 over)', '2001:db8::1 (9)']);
    expect(cellsOf(text, 'urpf-strict').slice(2, 5)).toEqual(['not checked', 'not checked', 'not checked']);
    expect(text).toMatch(/urpf-strict: not checked: no packet had a capture interface name/);
    expect(cellsOf(text, 'land').slice(2, 7)).toEqual(['0', '0', '0.0%', '-', '-']);
    // the matrix follows, with its rest and the packets it lost
    expect(text).toContain('top 2 of 4 route pairs by packets');
    expect(cellsOf(text, 'other (2 route pairs)').slice(3, 5)).toEqual(['3', '180']);
    expect(text).toContain('1 packets whose pair did not fit');
    expect(text.indexOf('anomalies (')).toBeLessThan(text.indexOf('route pairs by packets'));
  });

  it('gives the views as rows of --by, and says when a view was not counted', () => {
    const bySource = table('source', { top: 1 });
    expect(bySource).toContain('top 1 of 2 sources by packets');
    expect(cellsOf(bySource, '2001:db8::9').slice(1, 6)).toEqual(['2001:db8::9', '-', '15', '900', '75.0%']);
    expect(bySource).toContain('2 packets from further sources did not fit');
    const byRoute = table('src-route');
    expect(cellsOf(byRoute, '198.51.100.0/24').slice(4, 8)).toEqual(['blackhole', '5', '700', '25.0%']);
    expect(byRoute).toContain('10 packets from sources no route covers');
    expect(cellsOf(table('interface'), '(unnamed)').slice(2, 4)).toEqual(['8', '400']);
    const byAnomaly = table('anomaly');
    expect(byAnomaly.split('anomalies (').length).toBe(2);
    const bare = formatTable({ ...report, anomalies: undefined, sourceRoutes: undefined, matrix: undefined }, resolveReportOptions({ by: 'src-route' }));
    expect(bare).toContain('no source routes: the view was not counted (--by src-route)');
    expect(bare).not.toContain('anomalies (');
    expect(formatTable({ ...report, anomalies: undefined }, resolveReportOptions({ by: 'anomaly' }))).toContain('no anomaly classes: the checks were off');
  });
});

describe('rows by origin AS', () => {
  const withAs: Report = {
    ...report,
    routes: [
      { prefix: '10.0.0.0/8', nextHop: null, dev: 'lan', metric: 0, type: 'unicast', packets: 4, bytes: 400, destinations: 1, originAs: 64500 },
      { prefix: '10.1.0.0/16', nextHop: null, dev: 'lan', metric: 0, type: 'unicast', packets: 7, bytes: 100, destinations: 1, originAs: 64500 },
      { prefix: '192.0.2.0/24', nextHop: null, dev: 'wan', metric: 0, type: 'unicast', packets: 10, bytes: 900, destinations: 1 },
    ],
    matrix: {
      cells: [
        { from: '10.0.0.0/8', to: '10.1.0.0/16', packets: 7, bytes: 700, fromOriginAs: 64500, toOriginAs: 64500 },
        { from: '10.1.0.0/16', to: '10.0.0.0/8', packets: 5, bytes: 500, fromOriginAs: 64500, toOriginAs: 64500 },
        { from: null, to: '192.0.2.0/24', packets: 6, bytes: 600 },
      ],
      other: { cells: 3, packets: 2, bytes: 200 },
    },
  };

  it('sum the routes of each AS in every text format, and the matrix by AS pair with its rest as it was', () => {
    expect(viewRows(withAs, 'as', 'packets').map((row) => [row.as, row.prefixes, row.packets, row.bytes])).toEqual([[64500, 2, 11, 500], [null, 1, 10, 900]]);
    expect(parseCsv(formatCsv(withAs, { by: 'matrix', sort: 'packets', matrix: 'as' }))).toEqual([
      ['fromAs', 'toAs', 'other', 'cells', 'packets', 'bytes'], ['64500', '64500', 'false', '2', '12', '1200'], ['', '', 'false', '1', '6', '600'],
      ['', '', 'true', '3', '2', '200'],
    ]);
    const lines = formatNdjson(withAs, { by: 'as', sort: 'bytes', matrix: 'as' }).trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
    expect(lines.filter((line) => line.type === 'as')).toEqual([{ type: 'as', as: null, prefixes: 1, packets: 10, bytes: 900 }, { type: 'as', as: 64500, prefixes: 2, packets: 11, bytes: 500 }]);
    expect(lines.filter((line) => line.type === 'as-matrix').length).toBe(3);
    expect(lines.some((line) => line.type === 'matrix')).toBe(false);
    const table = formatTable(withAs, resolveReportOptions({ by: 'as', matrix: 'as', humanUnits: false }));
    expect(table).toContain('2 origin ASes by packets');
    expect(table).toContain('2 origin AS pairs of the top 3 of 6 route pairs by packets');
    expect(table).toMatch(/│ AS64500 +│ AS64500 +│ +2 │ +12 │ +1200 │/);
  });
});
