import { describe, expect, it } from 'vitest';
import type { DestinationCounters, Report, RouteCounters } from '../src/analyze/report.js';
import { FibscopeArgumentError } from '../src/errors.js';
import {
  formatCsv, formatJson, formatNdjson, formatProm, formatReport, formatTable, humanBytes, humanPackets,
  REPORT_FORMATS, reportRows, resolveReportOptions,
} from '../src/report/index.js';
import { parseCsv } from './helpers/readers.js';

// ---------------------------------------------------------------------------------------------
// Reports built by hand

function route(prefix: string, packets: number, bytes: number, more: Partial<RouteCounters> = {}): RouteCounters {
  return { prefix, nextHop: null, dev: null, metric: 0, type: 'unicast', packets, bytes, destinations: 1, ...more };
}

function destination(address: string, prefix: string | null, packets: number, bytes: number): DestinationCounters {
  return { address, prefix, packets, bytes, firstSeen: '2021-02-03T04:05:06.123456Z', lastSeen: '2021-02-03T04:05:07.000001Z' };
}

function report(routes: RouteCounters[], destinations: DestinationCounters[] = [], more: Partial<Report['totals']> = {}): Report {
  const counted = destinations.reduce((sum, d) => sum + Number(d.packets), 0);
  const bytes = destinations.reduce((sum, d) => sum + Number(d.bytes), 0);
  const unrouted = destinations.filter((d) => d.prefix === null);
  return {
    fibscope: { version: '0.1.0' },
    inputs: [{ path: 'a.pcap', format: 'pcap', linkTypes: [1], records: counted, error: null }],
    totals: {
      records: counted, bytes, counted,
      ipv4: destinations.filter((d) => !d.address.includes(':')).reduce((sum, d) => sum + Number(d.packets), 0),
      ipv6: destinations.filter((d) => d.address.includes(':')).reduce((sum, d) => sum + Number(d.packets), 0),
      nonIp: 0, malformed: 0, unsupportedLink: 0,
      noRoute: { packets: unrouted.reduce((s, d) => s + Number(d.packets), 0), bytes: unrouted.reduce((s, d) => s + Number(d.bytes), 0) },
      malformedReasons: {},
      ...more,
    },
    routes,
    destinations,
  };
}

/** Two routes, one IPv4 one IPv6, a next hop that needs escaping everywhere, an unrouted destination. */
const small: Report = report(
  [
    route('10.0.0.0/8', 3, 300, { nextHop: 'gw "one", \\ two', dev: 'eth0', metric: 5, destinations: 2 }),
    route('2001:db8::/32', 1, 1500, { dev: 'eth1', type: 'blackhole' }),
  ],
  [
    destination('10.0.0.1', '10.0.0.0/8', 2, 200),
    destination('10.0.0.2', '10.0.0.0/8', 1, 100),
    destination('2001:db8::1', '2001:db8::/32', 1, 1500),
    destination('192.0.2.1', null, 1, 60),
  ],
);

/** Routes for sorting and grouping: ties, nulls, v4 and v6, next hops and devices shared. */
const many: Report = report(
  [
    route('10.0.0.0/8', 100, 1000, { nextHop: '192.0.2.1', dev: 'eth0', destinations: 4 }),
    route('9.0.0.0/8', 100, 1000, { nextHop: '192.0.2.1', dev: 'eth1', destinations: 3 }),
    route('2001:db8::/32', 100, 1000, { nextHop: 'fe80::1', dev: 'eth0', destinations: 2 }),
    route('10.1.0.0/16', 100, 5000, { nextHop: null, dev: 'eth0', destinations: 1 }),
    route('192.168.0.0/16', 7, 900_000, { nextHop: 'fe80::1', dev: null, destinations: 5 }),
    route('0.0.0.0/0', 1, 64, { nextHop: null, dev: null, destinations: 1 }),
  ],
  [destination('8.8.8.8', '0.0.0.0/0', 1, 64)],
  { counted: 408, noRoute: { packets: 0, bytes: 0 } },
);

const empty: Report = {
  fibscope: { version: '0.1.0' },
  inputs: [],
  totals: {
    records: 0, bytes: 0, counted: 0, ipv4: 0, ipv6: 0, nonIp: 0, malformed: 0, unsupportedLink: 0,
    noRoute: { packets: 0, bytes: 0 }, malformedReasons: {},
  },
  routes: [],
  destinations: [],
};

// ---------------------------------------------------------------------------------------------
// Tiny readers, independent of the writers


const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const PROM_LINE = {
  help: new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`),
  type: new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`),
  sample: new RegExp(`^(${NAME})(\\{(?:${LABEL}(?:,${LABEL})*,?)?\\})? (-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?|NaN|[+-]Inf)$`),
};

interface PromSample { name: string; labels: Record<string, string>; value: number }

/** Checks every line against the exposition grammar and family rules; returns the samples. */
function parseProm(text: string): PromSample[] {
  expect(text.endsWith('\n')).toBe(true);
  const samples: PromSample[] = [];
  const families = new Set<string>();
  const series = new Set<string>();
  let family: string | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    const help = PROM_LINE.help.exec(line);
    const type = PROM_LINE.type.exec(line);
    const sample = PROM_LINE.sample.exec(line);
    if (help) {
      expect(families.has(help[1]), `${help[1]} appears once`).toBe(false);
      families.add(help[1]);
      family = help[1];
    } else if (type) {
      expect(type[1]).toBe(family);
      expect(type[2]).toBe('counter');
    } else if (sample) {
      expect(sample[1], 'a sample belongs to the family above it').toBe(family);
      expect(series.has(sample[1] + (sample[2] ?? '')), 'no duplicate series').toBe(false);
      series.add(sample[1] + (sample[2] ?? ''));
      const labels: Record<string, string> = {};
      for (const [, name, value] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[name] = value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
      }
      samples.push({ name: sample[1], labels, value: Number(sample[3]) });
    } else {
      expect.fail(`not an exposition line: ${JSON.stringify(line)}`);
    }
  }
  return samples;
}

/** The rows of a cli-table3 table in the text (lines starting with │), cells trimmed. */
function tableCells(text: string): string[][] {
  return text.split('\n').filter((line) => line.startsWith('│')).map((line) => line.split('│').slice(1, -1).map((cell) => cell.trim()));
}

/** The lines of the last table in the text (from its last top border on). */
function lastTable(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  let top = lines.length - 1;
  while (top > 0 && !lines[top].startsWith('┌')) top--;
  return lines.slice(top);
}

// ---------------------------------------------------------------------------------------------

describe('json', () => {
  it('is the SPEC report, two-space indented, with a final newline', () => {
    const text = formatJson(small);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(small);
    expect(text).toBe(`${JSON.stringify(small, null, 2)}\n`);
  });

  it('puts keys in the SPEC order whatever order the object was built in', () => {
    const shuffled = {
      destinations: [{ lastSeen: 'b', firstSeen: 'a', bytes: 1, packets: 1, prefix: null, address: '1.2.3.4' }],
      routes: [{ destinations: 1, bytes: 1, packets: 1, type: 'unicast', metric: 0, dev: null, nextHop: null, prefix: '1.0.0.0/8' }],
      totals: { malformedReasons: {}, noRoute: { bytes: 0, packets: 0 }, unsupportedLink: 0, malformed: 0, nonIp: 0, ipv6: 0, ipv4: 1, counted: 1, bytes: 1, records: 1 },
      inputs: [{ error: null, records: 1, linkTypes: [1], format: 'pcap', path: 'x' }],
      fibscope: { version: '0.1.0' },
    } as Report;
    const text = formatJson(shuffled);
    const order = (keys: string[]) => keys.map((key) => text.indexOf(`"${key}"`));
    const ascending = (positions: number[]) => positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]));
    expect(ascending(order(['fibscope', 'inputs', 'totals', 'routes', 'destinations']))).toBe(true);
    expect(ascending(order(['path', 'format', 'linkTypes', 'records', 'error']))).toBe(true);
    expect(ascending(order(['records', 'counted', 'ipv4', 'ipv6', 'nonIp', 'malformed', 'unsupportedLink', 'noRoute', 'malformedReasons']))).toBe(true);
    expect(ascending(order(['nextHop', 'dev', 'metric', 'type']))).toBe(true);
    expect(ascending(order(['address', 'firstSeen', 'lastSeen']))).toBe(true);
  });
});

describe('csv', () => {
  it('gives a header and one row per route, quoting per RFC 4180, LF line ends', () => {
    expect(formatCsv(small, { by: 'route', sort: 'packets' })).toBe([
      'prefix,nextHop,dev,metric,routeType,packets,bytes,destinations',
      '10.0.0.0/8,"gw ""one"", \\ two",eth0,5,unicast,3,300,2',
      '2001:db8::/32,,eth1,0,blackhole,1,1500,1',
      '',
    ].join('\n'));
    expect(formatCsv(small, { by: 'route', sort: 'bytes' }).split('\n')[1]).toMatch(/^2001:db8::\/32,/);
  });

  it('round-trips awkward text through a CSV reader', () => {
    const nasty = ['a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', '"', ',', ' padded ', 'plain'];
    const r = report(nasty.map((label, i) => route(`10.${i}.0.0/16`, 100 - i, 1, { nextHop: label, dev: `d${i}` })));
    const rows = parseCsv(formatCsv(r, { by: 'route', sort: 'packets' }));
    expect(rows[0]).toEqual(['prefix', 'nextHop', 'dev', 'metric', 'routeType', 'packets', 'bytes', 'destinations']);
    expect(rows.slice(1).map((row) => row[1])).toEqual(nasty);
    expect(rows.slice(1).every((row) => row.length === 8)).toBe(true);
  });

  it('has a header per --by and plain integers', () => {
    expect(parseCsv(formatCsv(small, { by: 'destination', sort: 'packets' }))).toEqual([
      ['address', 'prefix', 'packets', 'bytes', 'firstSeen', 'lastSeen'],
      ['10.0.0.1', '10.0.0.0/8', '2', '200', '2021-02-03T04:05:06.123456Z', '2021-02-03T04:05:07.000001Z'],
      ['2001:db8::1', '2001:db8::/32', '1', '1500', '2021-02-03T04:05:06.123456Z', '2021-02-03T04:05:07.000001Z'],
      ['10.0.0.2', '10.0.0.0/8', '1', '100', '2021-02-03T04:05:06.123456Z', '2021-02-03T04:05:07.000001Z'],
      ['192.0.2.1', '', '1', '60', '2021-02-03T04:05:06.123456Z', '2021-02-03T04:05:07.000001Z'],
    ]);
    expect(formatCsv(many, { by: 'nexthop', sort: 'packets' })).toBe([
      'nextHop,routes,packets,bytes,destinations',
      '192.0.2.1,2,200,2000,7',
      'fe80::1,2,107,901000,7',
      ',2,101,5064,2',
      '',
    ].join('\n'));
    expect(formatCsv(many, { by: 'dev', sort: 'bytes' }).split('\n')[0]).toBe('dev,routes,packets,bytes,destinations');
    const big = report([route('10.0.0.0/8', 2 ** 53 - 1, 4_093_509_168 * 3)]);
    expect(formatCsv(big, { by: 'route', sort: 'packets' })).toContain(',9007199254740991,12280527504,');
  });

  it('gives every row whatever top says, and only the header for an empty report', () => {
    const r = report(Array.from({ length: 30 }, (_, i) => route(`10.${i}.0.0/16`, i + 1, 1)));
    expect(formatReport(r, 'csv', { top: 5 }).trimEnd().split('\n')).toHaveLength(31);
    expect(formatReport(empty, 'csv', {})).toBe('prefix,nextHop,dev,metric,routeType,packets,bytes,destinations\n');
    expect(formatReport(empty, 'csv', { by: 'destination' })).toBe('address,prefix,packets,bytes,firstSeen,lastSeen\n');
  });
});

describe('ndjson', () => {
  it('gives a summary line, then one line per row of --by', () => {
    expect(formatNdjson(small, { by: 'route', sort: 'packets' })).toBe([
      '{"type":"summary","version":"0.1.0","records":5,"bytes":1860,"counted":5,"ipv4":4,"ipv6":1,"nonIp":0,"malformed":0,"unsupportedLink":0,'
        + '"noRoute":{"packets":1,"bytes":60},"malformedReasons":{},'
        + '"inputs":[{"path":"a.pcap","format":"pcap","linkTypes":[1],"records":5,"error":null}]}',
      '{"type":"route","prefix":"10.0.0.0/8","nextHop":"gw \\"one\\", \\\\ two","dev":"eth0","metric":5,"routeType":"unicast","packets":3,"bytes":300,"destinations":2}',
      '{"type":"route","prefix":"2001:db8::/32","nextHop":null,"dev":"eth1","metric":0,"routeType":"blackhole","packets":1,"bytes":1500,"destinations":1}',
      '',
    ].join('\n'));
  });

  it('types every line by --by and gives every row whatever top says', () => {
    for (const by of ['route', 'destination', 'nexthop', 'dev'] as const) {
      const lines = formatReport(many, 'ndjson', { by, top: 1 }).trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string });
      expect(lines[0].type).toBe('summary');
      expect(lines.slice(1).every((line) => line.type === by)).toBe(true);
      expect(lines.length - 1).toBe(reportRows(many, by, 'packets').length);
    }
    const nexthops = formatReport(many, 'ndjson', { by: 'nexthop', sort: 'bytes' }).trimEnd().split('\n').slice(1).map((line) => JSON.parse(line));
    expect(nexthops).toEqual([
      { type: 'nexthop', nextHop: 'fe80::1', routes: 2, packets: 107, bytes: 901000, destinations: 7 },
      { type: 'nexthop', nextHop: null, routes: 2, packets: 101, bytes: 5064, destinations: 2 },
      { type: 'nexthop', nextHop: '192.0.2.1', routes: 2, packets: 200, bytes: 2000, destinations: 7 },
    ]);
    expect(formatReport(empty, 'ndjson', { by: 'dev' }).split('\n')).toHaveLength(2);
  });
});

describe('prom', () => {
  it('writes the exposition format, exactly, for a small report', () => {
    const r = report([route('10.0.0.0/8', 3, 300, { nextHop: 'gw "a"\\b\nc', dev: 'eth0' }), route('2001:db8::/32', 1, 1500)],
      [destination('10.0.0.1', '10.0.0.0/8', 3, 300), destination('2001:db8::1', '2001:db8::/32', 1, 1500)],
      { records: 9, bytes: 2000, nonIp: 2, malformed: 2, unsupportedLink: 1, malformedReasons: { ipv4_ihl_lt_5: 1 } });
    expect(formatProm(r)).toBe(`# HELP fibscope_records_total Capture records read, whatever they hold.
# TYPE fibscope_records_total counter
fibscope_records_total 9
# HELP fibscope_bytes_total Original (wire) length of every record read (with a filter: of those it let through), in bytes.
# TYPE fibscope_bytes_total counter
fibscope_bytes_total 2000
# HELP fibscope_counted_packets_total IPv4 and IPv6 packets counted by destination.
# TYPE fibscope_counted_packets_total counter
fibscope_counted_packets_total 4
# HELP fibscope_unrouted_packets_total Counted packets whose destination matched no route.
# TYPE fibscope_unrouted_packets_total counter
fibscope_unrouted_packets_total 0
# HELP fibscope_unrouted_bytes_total Wire bytes of counted packets whose destination matched no route.
# TYPE fibscope_unrouted_bytes_total counter
fibscope_unrouted_bytes_total 0
# HELP fibscope_removed_route_packets_total Counted packets of routes no longer in the table (removed or replaced since): their route series are gone, so route series + unrouted + removed add up to counted.
# TYPE fibscope_removed_route_packets_total counter
fibscope_removed_route_packets_total 0
# HELP fibscope_malformed_packets_total Packets whose network header did not match what the link layer announced, by reason.
# TYPE fibscope_malformed_packets_total counter
fibscope_malformed_packets_total{reason="ipv4_ihl_lt_5"} 1
fibscope_malformed_packets_total{reason="other"} 1
# HELP fibscope_non_ip_packets_total Packets of a decoded link type carrying neither IPv4 nor IPv6.
# TYPE fibscope_non_ip_packets_total counter
fibscope_non_ip_packets_total 2
# HELP fibscope_unsupported_link_packets_total Records of a link type fibscope does not decode.
# TYPE fibscope_unsupported_link_packets_total counter
fibscope_unsupported_link_packets_total 1
# HELP fibscope_route_packets_total Counted packets whose destination matched the route, by longest prefix (multipath: by next hop).
# TYPE fibscope_route_packets_total counter
fibscope_route_packets_total{prefix="10.0.0.0/8",next_hop="gw \\"a\\"\\\\b\\nc",dev="eth0",family="ipv4"} 3
fibscope_route_packets_total{prefix="2001:db8::/32",next_hop="",dev="",family="ipv6"} 1
# HELP fibscope_route_bytes_total Wire bytes of counted packets whose destination matched the route (multipath: by next hop).
# TYPE fibscope_route_bytes_total counter
fibscope_route_bytes_total{prefix="10.0.0.0/8",next_hop="gw \\"a\\"\\\\b\\nc",dev="eth0",family="ipv4"} 300
fibscope_route_bytes_total{prefix="2001:db8::/32",next_hop="",dev="",family="ipv6"} 1500
`);
  });

  it('passes the grammar line by line, and escaped labels read back as written', () => {
    const samples = parseProm(formatProm(small));
    const packets = samples.filter((s) => s.name === 'fibscope_route_packets_total');
    expect(packets.map((s) => s.labels)).toEqual([
      { prefix: '10.0.0.0/8', next_hop: 'gw "one", \\ two', dev: 'eth0', family: 'ipv4' },
      { prefix: '2001:db8::/32', next_hop: '', dev: 'eth1', family: 'ipv6' },
    ]);
    expect(packets.map((s) => s.value)).toEqual([3, 1]);
    expect(samples.find((s) => s.name === 'fibscope_unrouted_bytes_total')?.value).toBe(60);
  });

  it('lists routes in address order, holds for an empty report, merges identical label sets', () => {
    const order = parseProm(formatProm(many)).filter((s) => s.name === 'fibscope_route_bytes_total').map((s) => s.labels.prefix);
    expect(order).toEqual(['0.0.0.0/0', '9.0.0.0/8', '10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '2001:db8::/32']);
    const none = parseProm(formatProm(empty));
    expect(none.map((s) => s.name)).toEqual([
      'fibscope_records_total', 'fibscope_bytes_total', 'fibscope_counted_packets_total', 'fibscope_unrouted_packets_total',
      'fibscope_unrouted_bytes_total', 'fibscope_removed_route_packets_total', 'fibscope_non_ip_packets_total', 'fibscope_unsupported_link_packets_total',
    ]);
    const replaced = report([route('10.0.0.0/8', 2, 20, { metric: 1 }), route('10.0.0.0/8', 3, 30, { metric: 2 })]);
    expect(parseProm(formatProm(replaced)).filter((s) => s.name === 'fibscope_route_packets_total').map((s) => s.value)).toEqual([5]);
  });
});

describe('rows: --by, --sort, --top', () => {
  it('sorts by the count, then the other count, then key in address order', () => {
    expect(reportRows(many, 'route', 'packets').map((r) => r.prefix)).toEqual([
      '10.1.0.0/16', // 100 packets, most bytes of the four
      '9.0.0.0/8', '10.0.0.0/8', '2001:db8::/32', // 100 packets, 1000 bytes: IPv4 by address, then IPv6
      '192.168.0.0/16', '0.0.0.0/0',
    ]);
    expect(reportRows(many, 'route', 'bytes').map((r) => r.prefix)).toEqual([
      '192.168.0.0/16', '10.1.0.0/16', '9.0.0.0/8', '10.0.0.0/8', '2001:db8::/32', '0.0.0.0/0',
    ]);
    expect(reportRows(small, 'destination', 'bytes').map((r) => r.address)).toEqual(['2001:db8::1', '10.0.0.1', '10.0.0.2', '192.0.2.1']);
  });

  it('sums routes per next hop and per device, null last among equals', () => {
    expect(reportRows(many, 'nexthop', 'packets')).toEqual([
      { type: 'nexthop', nextHop: '192.0.2.1', routes: 2, packets: 200, bytes: 2000, destinations: 7 },
      { type: 'nexthop', nextHop: 'fe80::1', routes: 2, packets: 107, bytes: 901000, destinations: 7 },
      { type: 'nexthop', nextHop: null, routes: 2, packets: 101, bytes: 5064, destinations: 2 },
    ]);
    expect(reportRows(many, 'dev', 'packets')).toEqual([
      { type: 'dev', dev: 'eth0', routes: 3, packets: 300, bytes: 7000, destinations: 7 },
      { type: 'dev', dev: 'eth1', routes: 1, packets: 100, bytes: 1000, destinations: 3 },
      { type: 'dev', dev: null, routes: 2, packets: 8, bytes: 900064, destinations: 6 },
    ]);
    const tie = report([route('1.0.0.0/8', 1, 1, { dev: 'b' }), route('2.0.0.0/8', 1, 1), route('3.0.0.0/8', 1, 1, { dev: 'a' })]);
    expect(reportRows(tie, 'dev', 'packets').map((r) => r.dev)).toEqual(['a', 'b', null]);
  });

  it('gives the table top N rows, 0 for all', () => {
    const r = report(Array.from({ length: 25 }, (_, i) => route(`10.${i}.0.0/16`, 1000 - i, 1)));
    const rows = (options: object) => tableCells(lastTable(formatReport(r, 'table', options)).join('\n')).length - 1;
    expect(rows({})).toBe(20);
    expect(rows({ top: 3 })).toBe(3);
    expect(rows({ top: 0 })).toBe(25);
    expect(rows({ top: 100 })).toBe(25);
    expect(formatReport(r, 'table', { top: 3 })).toContain('top 3 of 25 routes by packets');
    expect(formatReport(r, 'table', { top: 0 })).toContain('25 routes by packets');
  });

  it('checks its options', () => {
    expect(resolveReportOptions({})).toEqual({ by: 'route', top: 20, sort: 'packets', humanUnits: true });
    expect(resolveReportOptions({ top: undefined, by: 'dev' })).toEqual({ by: 'dev', top: 20, sort: 'packets', humanUnits: true });
    expect(() => formatReport(small, 'table', { top: -1 })).toThrow(FibscopeArgumentError);
    expect(() => formatReport(small, 'table', { top: 1.5 })).toThrow(/whole number/);
    expect(() => formatReport(small, 'csv', { by: 'asn' as 'dev' })).toThrow(/route, destination, nexthop, dev/);
    expect(() => formatReport(small, 'xml' as 'json')).toThrow(FibscopeArgumentError);
  });
});

describe('table', () => {
  it('aligns columns: every line of a table as wide as the others, counts right-aligned', () => {
    const text = formatTable(many, { by: 'route', top: 20, sort: 'packets', humanUnits: false });
    // consecutive box-drawing lines make one table; all of a table's lines are equally wide
    const widths: number[][] = [];
    let previous = false;
    for (const line of text.split('\n')) {
      const boxed = /^[┌│├└]/.test(line);
      if (boxed && !previous) widths.push([]);
      if (boxed) widths[widths.length - 1].push(line.length);
      previous = boxed;
    }
    expect(widths).toHaveLength(3);
    for (const table of widths) expect(new Set(table).size).toBe(1);
    const lines = lastTable(text);
    const head = lines[1];
    const bytesEnd = head.indexOf('bytes') + 'bytes'.length;
    // right-aligned: every cell of the column ends where its heading ends
    for (const line of lines.filter((l) => l.startsWith('│'))) expect(line.slice(bytesEnd - 2, bytesEnd + 2)).toMatch(/^(\d\d|es) │$/);
    expect(tableCells(lines.join('\n'))).toEqual([
      ['prefix', 'next hop', 'dev', 'packets', 'bytes', '%packets', 'destinations'],
      ['10.1.0.0/16', '-', 'eth0', '100', '5000', '24.5%', '1'],
      ['9.0.0.0/8', '192.0.2.1', 'eth1', '100', '1000', '24.5%', '3'],
      ['10.0.0.0/8', '192.0.2.1', 'eth0', '100', '1000', '24.5%', '4'],
      ['2001:db8::/32', 'fe80::1', 'eth0', '100', '1000', '24.5%', '2'],
      ['192.168.0.0/16', 'fe80::1', '-', '7', '900000', '1.7%', '5'],
      ['0.0.0.0/0', '-', '-', '1', '64', '0.2%', '1'],
    ]);
  });

  it('uses human units by default and plain integers when asked', () => {
    const big = report([route('10.0.0.0/8', 1_234_567, 3.4 * 2 ** 30, { nextHop: '192.0.2.1' })], [], { counted: 1_234_567 });
    const human = tableCells(lastTable(formatReport(big, 'table', {})).join('\n'));
    expect(human[1]).toEqual(['10.0.0.0/8', '192.0.2.1', '-', '1.23M', '3.40 GiB', '100.0%', '1']);
    const plain = tableCells(lastTable(formatReport(big, 'table', { humanUnits: false, sort: 'bytes' })).join('\n'));
    expect(plain[0][5]).toBe('%bytes');
    expect(plain[1]).toEqual(['10.0.0.0/8', '192.0.2.1', '-', '1234567', String(3.4 * 2 ** 30), '100.0%', '1']);
  });

  it('scales packets by 1000 and bytes by 1024, three significant digits', () => {
    expect([0, 999, 1000, 1234, 12_345, 123_456, 999_499, 999_500, 1_234_567, 5e9, 7e12].map(humanPackets))
      .toEqual(['0', '999', '1.00k', '1.23k', '12.3k', '123k', '999k', '1.00M', '1.23M', '5.00G', '7.00T']);
    expect([0, 1023, 1024, 1536, 10_240, 1_048_575, 1_048_576, 3.4 * 2 ** 30, 2 ** 40].map(humanBytes))
      .toEqual(['0 B', '1023 B', '1.00 KiB', '1.50 KiB', '10.0 KiB', '1.00 MiB', '1.00 MiB', '3.40 GiB', '1.00 TiB']);
  });

  it('summarises totals, malformed reasons and inputs', () => {
    const r: Report = {
      ...small,
      inputs: [
        { path: 'a.pcapng', format: 'pcapng', linkTypes: [1, 276, 147], records: 4, error: null },
        { path: 'b.bin', format: null, linkTypes: [], records: 0, error: 'not a capture' },
      ],
      totals: { ...small.totals, malformed: 3, malformedReasons: { ipv4_hdr_truncated: 1, ipv4_ihl_lt_5: 2 }, nonIp: 7, unsupportedLink: 2 },
    };
    const cells = tableCells(formatReport(r, 'table', { humanUnits: false }));
    const pairs = cells.filter((row) => row.length === 2) as [string, string][];
    const summary = Object.fromEntries(pairs.filter(([name]) => name !== ''));
    expect(summary).toEqual({
      records: '5',
      bytes: '1860 bytes',
      counted: '5 (100.0% of records)',
      'IPv4 / IPv6': '4 / 1',
      'non-IP': '7',
      malformed: '3',
      'unsupported link': '2',
      'no route': '1 packets, 60 bytes (20.0% of counted)',
    });
    // the malformed reasons, busiest first, each on a line of its own under the count
    const malformedAt = pairs.findIndex(([name]) => name === 'malformed');
    expect(pairs.slice(malformedAt + 1, malformedAt + 3)).toEqual([['', 'ipv4_ihl_lt_5: 2'], ['', 'ipv4_hdr_truncated: 1']]);
    expect(cells).toContainEqual(['a.pcapng', 'pcapng', '1 (EN10MB), 276 (LINUX_SLL2), 147', '4', '-']);
    expect(cells).toContainEqual(['b.bin', 'not a capture', '-', '0', 'not a capture']);
    // a route of another type than unicast brings the type column
    expect(cells).toContainEqual(['2001:db8::/32', '-', 'eth1', 'blackhole', '1', '1500', '20.0%', '1']);
  });

  it('shows each --by with its own columns', () => {
    const heads = (by: 'destination' | 'nexthop' | 'dev') => tableCells(lastTable(formatReport(many, 'table', { by })).join('\n'))[0];
    expect(heads('destination')).toEqual(['address', 'prefix', 'packets', 'bytes', '%packets', 'first seen', 'last seen']);
    expect(heads('nexthop')).toEqual(['next hop', 'routes', 'packets', 'bytes', '%packets', 'destinations']);
    expect(heads('dev')).toEqual(['dev', 'routes', 'packets', 'bytes', '%packets', 'destinations']);
    expect(tableCells(lastTable(formatReport(many, 'table', { by: 'dev', sort: 'bytes' })).join('\n'))[1])
      .toEqual(['-', '2', '8', '879 KiB', '99.1%', '6']);
  });

  it('does not crash on an empty report, in any format or --by', () => {
    for (const format of REPORT_FORMATS) {
      for (const by of ['route', 'destination', 'nexthop', 'dev'] as const) {
        for (const humanUnits of [true, false]) expect(formatReport(empty, format, { by, humanUnits }).endsWith('\n')).toBe(true);
      }
    }
    const text = formatReport(empty, 'table', {});
    expect(text).toContain('no routes: no route matched a counted packet');
    expect(formatReport(empty, 'table', { by: 'destination' })).toContain('no destinations counted');
    expect(tableCells(text)).toContainEqual(['no route', '0 packets, 0 B']);
  });
});
