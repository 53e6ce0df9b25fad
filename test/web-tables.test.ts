// The browser demo's table rows (web/src/tables.ts): the CLI's rows and order, other columns,
// filtering and top N.
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/node.js';
import { reportRows } from '../src/report/index.js';
import { REPORT_BYS } from '../src/report/options.js';
import { DEFAULT_ORDER, filterRows, sortedRows, tableRows } from '../web/src/tables.js';

const route = (prefix: string, nextHop: string | null, dev: string | null, packets: number, bytes: number, type = 'unicast') =>
  ({ prefix, nextHop, dev, metric: 0, type, packets, bytes, destinations: 1 });
const destination = (address: string, prefix: string | null, packets: number, bytes: number, second: number) =>
  ({ address, prefix, packets, bytes, firstSeen: `2026-01-01T00:00:0${second}.000000Z`, lastSeen: `2026-01-01T00:00:0${second + 1}.000000Z` });

const REPORT: Report = {
  fibscope: { version: '0.1.0' },
  inputs: [{ path: 'x.pcap', format: 'pcap', linkTypes: [1], records: 100, error: null }],
  totals: {
    records: 100, bytes: 10_000, counted: 90, ipv4: 80, ipv6: 10, nonIp: 10, malformed: 0, unsupportedLink: 0,
    noRoute: { packets: 5, bytes: 500 }, malformedReasons: {},
  },
  routes: [
    route('10.0.0.0/8', '192.0.2.1', 'eth0', 30, 3000),
    route('2001:db8::/32', 'fe80::1', 'eth1', 30, 3000),
    route('10.1.0.0/16', '192.0.2.1', 'ETH1', 20, 4000),
    route('192.168.0.0/16', 'lan', null, 5, 100),
    route('0.0.0.0/0', null, null, 5, 100, 'blackhole'),
  ],
  destinations: [
    destination('10.1.2.3', '10.1.0.0/16', 20, 4000, 3),
    destination('10.0.0.9', '10.0.0.0/8', 30, 3000, 1),
    destination('2001:db8::1', '2001:db8::/32', 30, 3000, 2),
    destination('203.0.113.5', null, 5, 500, 0),
  ],
};

const prefixes = (rows: { prefix: string | null }[]) => rows.map((r) => r.prefix);

describe('sorting', () => {
  it('by packets or bytes, descending, is the CLI order of every row kind; ascending is its reverse', () => {
    for (const by of REPORT_BYS) {
      for (const sort of ['packets', 'bytes'] as const) {
        expect(sortedRows(REPORT, by, { key: sort, descending: true })).toEqual(reportRows(REPORT, by, sort));
        expect(sortedRows(REPORT, by, { key: sort, descending: false })).toEqual(reportRows(REPORT, by, sort).reverse());
      }
    }
    expect(DEFAULT_ORDER).toEqual({ key: 'packets', descending: true });
    // ties on packets go by bytes, then by prefix in address order: IPv4 before IPv6
    expect(prefixes(sortedRows(REPORT, 'route', DEFAULT_ORDER))).toEqual(
      ['10.0.0.0/8', '2001:db8::/32', '10.1.0.0/16', '0.0.0.0/0', '192.168.0.0/16']);
  });

  it('by prefix or address, in address order (not text order), IPv4 first', () => {
    expect(prefixes(sortedRows(REPORT, 'route', { key: 'prefix', descending: false }))).toEqual(
      ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '192.168.0.0/16', '2001:db8::/32']);
    expect(sortedRows(REPORT, 'destination', { key: 'address', descending: true }).map((r) => r.address)).toEqual(
      ['2001:db8::1', '203.0.113.5', '10.1.2.3', '10.0.0.9']);
  });

  it('by a text column, with ties in the CLI order and none last', () => {
    expect(prefixes(sortedRows(REPORT, 'route', { key: 'routeType', descending: false }))).toEqual(
      ['0.0.0.0/0', '10.0.0.0/8', '2001:db8::/32', '10.1.0.0/16', '192.168.0.0/16']);
    expect(sortedRows(REPORT, 'route', { key: 'dev', descending: false }).map((r) => r.dev)).toEqual(['ETH1', 'eth0', 'eth1', null, null]);
    expect(sortedRows(REPORT, 'destination', { key: 'firstSeen', descending: false }).map((r) => r.address)).toEqual(
      ['203.0.113.5', '10.0.0.9', '2001:db8::1', '10.1.2.3']);
  });

  it('by a count that is not the CLI sort', () => {
    expect(sortedRows(REPORT, 'nexthop', { key: 'routes', descending: true }).map((r) => [r.nextHop, r.routes])).toEqual(
      [['192.0.2.1', 2], ['fe80::1', 1], ['lan', 1], [null, 1]]);
  });

  it('says which column does not exist', () => {
    expect(() => sortedRows(REPORT, 'dev', { key: 'prefix', descending: false })).toThrow(/no column prefix in the dev table/);
  });
});

describe('filtering and top N', () => {
  const rows = sortedRows(REPORT, 'route', DEFAULT_ORDER);

  it('keeps rows whose text columns contain the query, ignoring case and blanks', () => {
    expect(prefixes(filterRows(rows, 'route', '  eth1 '))).toEqual(['2001:db8::/32', '10.1.0.0/16']);
    expect(prefixes(filterRows(rows, 'route', '192.0.2.'))).toEqual(['10.0.0.0/8', '10.1.0.0/16']);
    expect(prefixes(filterRows(rows, 'route', 'BLACK'))).toEqual(['0.0.0.0/0']);
    expect(filterRows(rows, 'route', '')).toBe(rows);
  });

  it('does not match counts, nor none', () => {
    expect(filterRows(rows, 'route', '3000')).toEqual([]);
    expect(filterRows(rows, 'route', 'null')).toEqual([]);
  });

  it('filters destinations by address, route and time', () => {
    const all = sortedRows(REPORT, 'destination', DEFAULT_ORDER);
    expect(filterRows(all, 'destination', '10.1.').map((r) => r.address)).toEqual(['10.1.2.3']);
    expect(filterRows(all, 'destination', ':00:04').map((r) => r.address)).toEqual(['10.1.2.3']);
  });

  it('cuts to the top N after filtering, and counts what matched', () => {
    expect(tableRows(rows, 'route', '', 2)).toEqual({ rows: rows.slice(0, 2), matching: 5, total: 5 });
    expect(tableRows(rows, 'route', '10.', 1)).toEqual({ rows: [rows[0]], matching: 2, total: 5 });
    expect(tableRows(rows, 'route', '', 0).rows).toHaveLength(5);
  });
});
