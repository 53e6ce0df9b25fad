/**
 * Real kernel output: builds routes of every type in a private network namespace, has `ip` print
 * them as text and JSON, and checks that the parsers (forced and detected) read back what was
 * added. Needs root and iproute2 (Debian package `iproute2`); skipped with the reason otherwise.
 * Only addresses inside the namespace are used and no packet is sent.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectRouteFormat, parseRoutes, type RouteFormat } from '../src/routes/index.js';
import type { NextHop, RouteType } from '../src/routes/route.js';
import { type RouteRow, routeRows, routeRowsNoLine } from './helpers/route-rows.js';

const NS = `fibscope-t-${process.pid}`;
const A = 'fsA';
const B = 'fsB';

function run(args: string[]): { ok: boolean; out: string; err: string } {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) return { ok: false, out: '', err: result.error.message };
  return { ok: result.status === 0, out: result.stdout, err: result.stderr.trim() };
}

/**
 * Why the kernel tests cannot run here, or null when they can. Creating (and at once deleting)
 * the namespace is the probe; beforeAll creates it for real, so nothing is left behind when the
 * run filters these tests out and no hook runs.
 */
function canRun(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (ip netns needs CAP_SYS_ADMIN)';
  const version = run(['-V']);
  if (!version.ok) return `the ip command is not available (${version.err || 'not found'}); install iproute2`;
  const add = run(['netns', 'add', NS]);
  if (!add.ok) return `cannot create a network namespace: ${add.err}`;
  run(['netns', 'del', NS]);
  return null;
}

/** Commands every kernel with IPv6 accepts; a failure fails the test. */
const REQUIRED: string[][] = [
  ['link', 'set', 'lo', 'up'],
  ['link', 'add', A, 'type', 'veth', 'peer', 'name', B],
  ['link', 'set', A, 'up'],
  ['link', 'set', B, 'up'],
  ['addr', 'add', '10.77.0.1/24', 'dev', A],
  ['-6', 'addr', 'add', '2001:db8:77::1/64', 'dev', A, 'nodad'],
  ['route', 'add', '10.88.0.0/16', 'via', '10.77.0.2', 'dev', A, 'metric', '5'],
  ['route', 'add', '10.89.0.0/16', 'dev', A, 'metric', '7'],
  ['route', 'add', 'blackhole', '10.90.0.0/16'],
  ['route', 'add', 'unreachable', '10.91.0.0/16', 'metric', '9'],
  ['route', 'add', 'prohibit', '10.92.0.0/16'],
  ['route', 'add', 'throw', '10.93.0.0/16'],
  ['route', 'add', 'local', '10.94.0.1', 'dev', A, 'table', 'local'],
  ['route', 'add', '10.96.0.0/16', 'nexthop', 'via', '10.77.0.2', 'dev', A, 'weight', '1',
    'nexthop', 'via', '10.77.0.3', 'dev', A, 'weight', '3'],
  ['route', 'add', 'default', 'via', '10.77.0.254', 'dev', A, 'metric', '100'],
  ['route', 'add', '10.97.0.0/16', 'via', '10.77.0.2', 'dev', A, 'table', '100'],
  ['route', 'add', '10.98.0.0/16', 'via', '10.77.0.2', 'dev', A, 'mtu', 'lock', '1400', 'proto', 'static'],
  ['route', 'add', '10.100.0.0/16', 'via', '10.200.0.1', 'dev', A, 'onlink'],
  ['route', 'add', 'blackhole', 'default', 'table', '201'],
  ['-6', 'route', 'add', '2001:db8:88::/48', 'via', '2001:db8:77::2', 'dev', A, 'metric', '5'],
  ['-6', 'route', 'add', 'blackhole', '2001:db8:90::/48'],
  ['-6', 'route', 'add', 'unreachable', '2001:db8:91::/48'],
  ['-6', 'route', 'add', 'prohibit', '2001:db8:92::/48'],
  ['-6', 'route', 'add', 'throw', '2001:db8:93::/48'],
  ['-6', 'route', 'add', '2001:db8:99::/48', 'nexthop', 'via', '2001:db8:77::2', 'dev', A, 'weight', '1',
    'nexthop', 'via', '2001:db8:77::3', 'dev', A, 'weight', '2'],
  ['-6', 'route', 'add', 'default', 'via', '2001:db8:77::fe', 'dev', A, 'metric', '100'],
  ['-6', 'route', 'add', 'unreachable', 'default', 'table', '200', 'metric', '50'],
  ['-6', 'route', 'add', 'local', '2001:db8:95::1', 'dev', A],
];

/** Commands that depend on kernel version or configuration; what they add is checked only if accepted. */
const OPTIONAL: Record<string, string[]> = {
  multicast4: ['route', 'add', 'multicast', '239.1.0.0/16', 'dev', A, 'table', 'local'],
  anycast4: ['route', 'add', 'anycast', '10.95.0.0/16', 'dev', A, 'table', 'local'],
  rfc5549: ['route', 'add', '10.99.0.0/16', 'via', 'inet6', '2001:db8:77::2', 'dev', A],
  anycast6: ['-6', 'route', 'add', 'anycast', '2001:db8:94::/64', 'dev', A, 'table', 'local'],
  multicast6: ['-6', 'route', 'add', 'multicast', 'ff0e::/16', 'dev', A, 'table', 'local'],
};

interface Expected {
  prefix: string;
  type: RouteType;
  nextHop?: string | null;
  dev?: string | null;
  metric?: number;
  nextHops?: NextHop[];
}

const EXPECTED4: Expected[] = [
  { prefix: '10.77.0.0/24', type: 'unicast', nextHop: null, dev: A },
  { prefix: '10.88.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: A, metric: 5 },
  { prefix: '10.89.0.0/16', type: 'unicast', nextHop: null, dev: A, metric: 7 },
  { prefix: '10.90.0.0/16', type: 'blackhole', nextHop: null },
  { prefix: '10.91.0.0/16', type: 'unreachable', nextHop: null, metric: 9 },
  { prefix: '10.92.0.0/16', type: 'prohibit', nextHop: null },
  { prefix: '10.93.0.0/16', type: 'throw', nextHop: null },
  { prefix: '10.94.0.1/32', type: 'local', dev: A },
  { prefix: '10.77.0.1/32', type: 'local', dev: A },
  { prefix: '10.77.0.255/32', type: 'broadcast', dev: A },
  { prefix: '127.0.0.0/8', type: 'local', dev: 'lo' },
  {
    prefix: '10.96.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: A, metric: 0,
    nextHops: [{ via: '10.77.0.2', dev: A, weight: 1 }, { via: '10.77.0.3', dev: A, weight: 3 }],
  },
  { prefix: '0.0.0.0/0', type: 'unicast', nextHop: '10.77.0.254', dev: A, metric: 100 },
  { prefix: '10.97.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: A },
  { prefix: '10.98.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: A, metric: 0 },
  { prefix: '10.100.0.0/16', type: 'unicast', nextHop: '10.200.0.1', dev: A },
  { prefix: '0.0.0.0/0', type: 'blackhole', nextHop: null },
];
const OPTIONAL4: Record<string, Expected> = {
  multicast4: { prefix: '239.1.0.0/16', type: 'multicast', dev: A },
  anycast4: { prefix: '10.95.0.0/16', type: 'anycast', dev: A },
  rfc5549: { prefix: '10.99.0.0/16', type: 'unicast', nextHop: '2001:db8:77::2', dev: A },
};
const EXPECTED6: Expected[] = [
  { prefix: '2001:db8:77::/64', type: 'unicast', nextHop: null, dev: A, metric: 256 },
  { prefix: '2001:db8:88::/48', type: 'unicast', nextHop: '2001:db8:77::2', dev: A, metric: 5 },
  { prefix: '2001:db8:90::/48', type: 'blackhole', nextHop: null, metric: 1024 },
  { prefix: '2001:db8:91::/48', type: 'unreachable', nextHop: null, metric: 1024 },
  { prefix: '2001:db8:92::/48', type: 'prohibit', nextHop: null, metric: 1024 },
  { prefix: '2001:db8:93::/48', type: 'throw', nextHop: null, metric: 1024 },
  {
    prefix: '2001:db8:99::/48', type: 'unicast', nextHop: '2001:db8:77::2', dev: A, metric: 1024,
    nextHops: [{ via: '2001:db8:77::2', dev: A, weight: 1 }, { via: '2001:db8:77::3', dev: A, weight: 2 }],
  },
  { prefix: '::/0', type: 'unicast', nextHop: '2001:db8:77::fe', dev: A, metric: 100 },
  { prefix: '::/0', type: 'unreachable', nextHop: null, metric: 50 },
  { prefix: '2001:db8:95::1/128', type: 'local', dev: A },
  { prefix: '2001:db8:77::1/128', type: 'local', dev: A },
  { prefix: '::1/128', type: 'local', dev: 'lo' },
];
const OPTIONAL6: Record<string, Expected> = {
  anycast6: { prefix: '2001:db8:94::/64', type: 'anycast', dev: A },
  multicast6: { prefix: 'ff0e::/16', type: 'multicast', dev: A },
};

function expectRoute(rows: RouteRow[], expected: Expected, what: string): void {
  const candidates = rows.filter((r) => r.prefix === expected.prefix && r.type === expected.type
    && (expected.nextHop === undefined || r.nextHop === expected.nextHop));
  expect(candidates.length, `${what}: ${expected.type} ${expected.prefix} in\n${rows.map((r) => `${r.type} ${r.prefix} ${r.nextHop}`).join('\n')}`)
    .toBeGreaterThan(0);
  const row = candidates[0];
  if (expected.dev !== undefined) expect(row.dev, `${what}: dev of ${expected.prefix}`).toBe(expected.dev);
  if (expected.metric !== undefined) expect(row.metric, `${what}: metric of ${expected.prefix}`).toBe(expected.metric);
  if (expected.nextHops !== undefined) expect(row.nextHops, `${what}: next hops of ${expected.prefix}`).toEqual(expected.nextHops);
}

const reason = canRun();
if (reason) console.warn(`routes-kernel.test.ts skipped: ${reason}`);

describe.skipIf(reason !== null)('routes printed by the kernel (ip in a network namespace)', () => {
  const accepted = new Set<string>();
  const outputs = new Map<string, string>();

  beforeAll(() => {
    const add = run(['netns', 'add', NS]);
    if (!add.ok) throw new Error(`ip netns add ${NS}: ${add.err}`);
    for (const command of REQUIRED) {
      const result = run(['-n', NS, ...command]);
      if (!result.ok) throw new Error(`ip -n ${NS} ${command.join(' ')}: ${result.err}`);
    }
    for (const [name, command] of Object.entries(OPTIONAL)) {
      if (run(['-n', NS, ...command]).ok) accepted.add(name);
    }
    const show: Record<string, string[]> = {
      text: ['route', 'show', 'table', 'all'],
      text4: ['-4', 'route', 'show', 'table', 'all'],
      text6: ['-6', 'route', 'show', 'table', 'all'],
      oneline6: ['-o', '-6', 'route', 'show', 'table', 'all'],
      details4: ['-d', '-4', 'route', 'show', 'table', 'all'],
      json: ['-j', 'route', 'show', 'table', 'all'],
      json4: ['-j', '-4', 'route', 'show', 'table', 'all'],
      json6: ['-j', '-6', 'route', 'show', 'table', 'all'],
      pretty6: ['-j', '-p', '-6', 'route', 'show', 'table', 'all'],
    };
    for (const [name, args] of Object.entries(show)) {
      const result = run(['-n', NS, ...args]);
      if (!result.ok) throw new Error(`ip -n ${NS} ${args.join(' ')}: ${result.err}`);
      outputs.set(name, result.out);
    }
  });

  afterAll(() => {
    run(['netns', 'del', NS]);
  });

  function parsed(name: string, format: RouteFormat | 'auto'): RouteRow[] {
    return routeRows(parseRoutes(outputs.get(name)!, { format, source: `ip-${name}` }));
  }

  it.each([
    ['text4', 'ip'], ['details4', 'ip'], ['json4', 'ip-json'],
  ] as const)('reads the IPv4 routes from %s', (name, format) => {
    for (const how of [format, 'auto'] as const) {
      const rows = parsed(name, how);
      expect(rows.length).toBeGreaterThan(0);
      for (const route of rows) expect(route.prefix, `${name} ${how}`).not.toContain(':');
      for (const expected of EXPECTED4) expectRoute(rows, expected, `${name} (${how})`);
      for (const [key, expected] of Object.entries(OPTIONAL4)) {
        if (accepted.has(key)) expectRoute(rows, expected, `${name} (${how})`);
      }
    }
    expect(detectRouteFormat(outputs.get(name)!)).toBe(format);
  });

  it.each([
    ['text6', 'ip'], ['oneline6', 'ip'], ['json6', 'ip-json'], ['pretty6', 'ip-json'],
  ] as const)('reads the IPv6 routes from %s', (name, format) => {
    for (const how of [format, 'auto'] as const) {
      const rows = parsed(name, how);
      for (const route of rows) expect(route.prefix, `${name} ${how}`).toContain(':');
      for (const expected of EXPECTED6) expectRoute(rows, expected, `${name} (${how})`);
      for (const [key, expected] of Object.entries(OPTIONAL6)) {
        if (accepted.has(key)) expectRoute(rows, expected, `${name} (${how})`);
      }
    }
    expect(detectRouteFormat(outputs.get(name)!)).toBe(format);
  });

  it('reads the output without a family option (whatever families this ip prints)', () => {
    for (const [name, format] of [['text', 'ip'], ['json', 'ip-json']] as const) {
      const rows = parsed(name, format);
      expect(routeRows(parseRoutes(outputs.get(name)!, { source: name }))).toEqual(rows);
      for (const expected of EXPECTED4) expectRoute(rows, expected, name);
      if (rows.some((r) => r.prefix.includes(':'))) {
        for (const expected of EXPECTED6) expectRoute(rows, expected, name);
      }
    }
  });

  it('gives the same routes from text and from JSON', () => {
    const strip = (name: string, format: RouteFormat) => routeRowsNoLine(parseRoutes(outputs.get(name)!, { format }));
    expect(strip('text4', 'ip')).toEqual(strip('json4', 'ip-json'));
    expect(strip('text6', 'ip')).toEqual(strip('json6', 'ip-json'));
    expect(strip('oneline6', 'ip')).toEqual(strip('text6', 'ip'));
    expect(strip('pretty6', 'ip-json')).toEqual(strip('json6', 'ip-json'));
  });
});
