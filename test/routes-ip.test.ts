import { describe, expect, it } from 'vitest';
import { parseRoutes } from '../src/routes/index.js';
import { routeRows } from './helpers/route-rows.js';

const ip = (text: string) => routeRows(parseRoutes(text, { format: 'ip', source: 'ip.txt' }));

describe('ip route show text', () => {
  it('reads a typical IPv4 main table', () => {
    expect(ip([
      'default via 192.168.1.1 dev eth0 proto dhcp src 192.168.1.10 metric 100 ',
      '10.8.0.0/24 dev tun0 proto kernel scope link src 10.8.0.1 ',
      '169.254.0.0/16 dev eth0 scope link metric 1000 ',
      '192.168.1.0/24 dev eth0 proto kernel scope link src 192.168.1.10 metric 100 ',
    ].join('\n'))).toEqual([
      { prefix: '0.0.0.0/0', type: 'unicast', nextHop: '192.168.1.1', dev: 'eth0', metric: 100, line: 1 },
      { prefix: '10.8.0.0/24', type: 'unicast', nextHop: null, dev: 'tun0', metric: 0, line: 2 },
      { prefix: '169.254.0.0/16', type: 'unicast', nextHop: null, dev: 'eth0', metric: 1000, line: 3 },
      { prefix: '192.168.1.0/24', type: 'unicast', nextHop: null, dev: 'eth0', metric: 100, line: 4 },
    ]);
  });

  it('reads route types, bare host addresses and table local', () => {
    const rows = ip([
      'blackhole 10.90.0.0/16 proto static',
      'unreachable 10.91.0.0/16 metric 9',
      'prohibit 10.92.0.0/16',
      'throw 10.93.0.0/16',
      'local 10.77.0.1 dev vA table local proto kernel scope host src 10.77.0.1',
      'broadcast 10.77.0.255 dev vA table local proto kernel scope link src 10.77.0.1',
      'multicast 239.1.0.0/16 dev vA table local scope link',
      'anycast 2001:db8:94::/64 dev vA table local metric 1024 pref medium',
      'unicast 10.97.0.0/16 via 10.77.0.2 dev vA table 100 proto boot scope global',
    ].join('\n'));
    expect(rows.map((r) => [r.type, r.prefix, r.nextHop, r.dev, r.metric])).toEqual([
      ['blackhole', '10.90.0.0/16', null, null, 0],
      ['unreachable', '10.91.0.0/16', null, null, 9],
      ['prohibit', '10.92.0.0/16', null, null, 0],
      ['throw', '10.93.0.0/16', null, null, 0],
      ['local', '10.77.0.1/32', null, 'vA', 0],
      ['broadcast', '10.77.0.255/32', null, 'vA', 0],
      ['multicast', '239.1.0.0/16', null, 'vA', 0],
      ['anycast', '2001:db8:94::/64', null, 'vA', 1024],
      ['unicast', '10.97.0.0/16', '10.77.0.2', 'vA', 0],
    ]);
  });

  it('reads multipath routes from indented nexthop lines', () => {
    const rows = ip([
      '10.96.0.0/16 proto static metric 20 ',
      '\tnexthop via 10.77.0.2 dev vA weight 1 ',
      '\tnexthop via 10.77.0.3 dev vB weight 3 dead linkdown ',
      '2001:db8:99::/48 metric 1024 pref medium',
      '\tnexthop via 2001:db8:77::2 dev vA weight 1 ',
      '\tnexthop via 2001:db8:77::3 dev vA weight 2 ',
      '10.97.0.0/16 ',
      '\tnexthop dev vA weight 5 ',
      '\tnexthop via 10.77.0.9 dev vB weight 1 onlink',
      '10.98.0.0/16 via 10.77.0.2 dev vA',
    ].join('\n'));
    expect(rows).toEqual([
      {
        prefix: '10.96.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: 'vA', metric: 20, line: 1,
        nextHops: [{ via: '10.77.0.2', dev: 'vA', weight: 1 }, { via: '10.77.0.3', dev: 'vB', weight: 3 }],
      },
      {
        prefix: '2001:db8:99::/48', type: 'unicast', nextHop: '2001:db8:77::2', dev: 'vA', metric: 1024, line: 4,
        nextHops: [{ via: '2001:db8:77::2', dev: 'vA', weight: 1 }, { via: '2001:db8:77::3', dev: 'vA', weight: 2 }],
      },
      {
        prefix: '10.97.0.0/16', type: 'unicast', nextHop: '10.77.0.9', dev: 'vA', metric: 0, line: 7,
        nextHops: [{ via: null, dev: 'vA', weight: 5 }, { via: '10.77.0.9', dev: 'vB', weight: 1 }],
      },
      { prefix: '10.98.0.0/16', type: 'unicast', nextHop: '10.77.0.2', dev: 'vA', metric: 0, line: 10 },
    ]);
  });

  it('reads one-line output (ip -o) with nexthop groups on the route line', () => {
    const rows = ip('10.96.0.0/16 proto static \\\tnexthop via 10.77.0.2 dev vA weight 1 \\\tnexthop via 10.77.0.3 dev vA weight 3');
    expect(rows[0].nextHops).toEqual([
      { via: '10.77.0.2', dev: 'vA', weight: 1 }, { via: '10.77.0.3', dev: 'vA', weight: 3 },
    ]);
    // ip -o glues the backslash to a value that has no blank after it.
    const glued = ip('2001:db8:99::/48 metric 1024\\\tnexthop via 2001:db8:77::2 dev vA weight 1 \\\tnexthop via 2001:db8:77::3 dev vA weight 2');
    expect(glued[0]).toMatchObject({ metric: 1024, nextHop: '2001:db8:77::2' });
    expect(glued[0].nextHops?.map((h) => h.weight)).toEqual([1, 2]);
  });

  it('skips attributes with their values, including lockable metrics, encap and cache lines', () => {
    const rows = ip([
      '10.98.0.0/16 via 10.77.0.2 dev vA proto static mtu lock 1400 advmss 1360 rtt 12ms initcwnd 10 congctl lock cubic features ecn',
      '10.99.0.0/16 encap mpls 100/200 via 10.77.0.2 dev vA realms 1/2 mark 0x10 uid 1000 tos 0x10 ttl-propagate enabled',
      '10.100.0.0/16 nhid 12 via 10.77.0.4 dev vA proto bgp metric 20 rt_offload rt_trap unresolved',
      '2001:db8:5::/64 from 2001:db8:6::/64 via fe80::1 dev eth0 proto ra metric 1024 expires 297sec hoplimit 64 pref high',
      '10.1.2.3 via 10.77.0.2 dev vA ',
      '    cache <redirected> expires 290sec ipid 0x1234 users 1 used 2 age 3sec ts 0x5 tsage 2sec',
      '10.101.0.0/16 encap ip id 1 src 192.0.2.1 dst 192.0.2.2 ttl 64 tos 0 dev tun0 metric 3',
      '10.102.0.0/16 as to 10.200.0.0 via 10.77.0.2 dev vA',
      '10.103.0.0/16 via 10.77.0.2 dev vA some_new_flag',
    ].join('\n'));
    expect(rows.map((r) => [r.prefix, r.nextHop, r.dev, r.metric])).toEqual([
      ['10.98.0.0/16', '10.77.0.2', 'vA', 0],
      ['10.99.0.0/16', '10.77.0.2', 'vA', 0],
      ['10.100.0.0/16', '10.77.0.4', 'vA', 20],
      ['2001:db8:5::/64', 'fe80::1', 'eth0', 1024],
      ['10.1.2.3/32', '10.77.0.2', 'vA', 0],
      ['10.101.0.0/16', null, 'tun0', 3],
      ['10.102.0.0/16', '10.77.0.2', 'vA', 0],
      ['10.103.0.0/16', '10.77.0.2', 'vA', 0],
    ]);
  });

  it('reads an IPv4 route via an IPv6 gateway (RFC 5549)', () => {
    expect(ip('10.99.0.0/16 via inet6 2001:db8:77::2 dev vA ')[0])
      .toMatchObject({ prefix: '10.99.0.0/16', nextHop: '2001:db8:77::2', dev: 'vA' });
    expect(ip('default via inet6 fe80::1 dev eth0')[0])
      .toMatchObject({ prefix: '0.0.0.0/0', nextHop: 'fe80::1' });
  });

  describe('the family of default', () => {
    it('follows the gateway', () => {
      expect(ip('default via 2001:db8::1 dev eth0 metric 1024')[0].prefix).toBe('::/0');
      expect(ip('default via 192.0.2.1 dev eth0')[0].prefix).toBe('0.0.0.0/0');
    });

    it('follows the first multipath gateway', () => {
      expect(ip('default proto ra metric 1024\n\tnexthop via fe80::1 dev eth0 weight 1\n\tnexthop via fe80::2 dev eth0 weight 1')[0])
        .toMatchObject({ prefix: '::/0', nextHop: 'fe80::1', dev: 'eth0' });
    });

    it('follows src, then pref (printed for IPv6 only)', () => {
      expect(ip('default dev ppp0 scope link src 2001:db8::5')[0].prefix).toBe('::/0');
      expect(ip('default dev ppp0 scope link src 192.0.2.5')[0].prefix).toBe('0.0.0.0/0');
      expect(ip('unreachable default dev lo proto kernel metric 4294967295 error -101 pref medium')[0])
        .toMatchObject({ prefix: '::/0', type: 'unreachable', metric: 4294967295 });
    });

    it('falls back to the rest of the file: IPv6 only when there is no IPv4 prefix', () => {
      expect(ip('default dev wg0\n2001:db8::/32 dev wg0\nfe80::/64 dev eth0').map((r) => r.prefix))
        .toEqual(['::/0', '2001:db8::/32', 'fe80::/64']);
      expect(ip('default dev wg0\n2001:db8::/32 dev wg0\n10.0.0.0/8 dev wg0')[0].prefix).toBe('0.0.0.0/0');
      expect(ip('default dev wg0')[0].prefix).toBe('0.0.0.0/0');
      expect(ip('blackhole default\nblackhole 2001:db8::/32')[0].prefix).toBe('::/0');
    });
  });

  it('reads mixed IPv4 and IPv6 output of ip route show table all', () => {
    const rows = ip([
      'default via 10.77.0.254 dev vA metric 100 ',
      '10.77.0.0/24 dev vA proto kernel scope link src 10.77.0.1 ',
      'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 ',
      '2001:db8:77::/64 dev vA proto kernel metric 256 pref medium',
      'default via 2001:db8:77::fe dev vA metric 100 pref medium',
      'local ::1 dev lo table local proto kernel metric 0 pref medium',
      'multicast ff00::/8 dev vA table local proto kernel metric 256 pref medium',
    ].join('\n'));
    expect(rows.map((r) => `${r.type} ${r.prefix}`)).toEqual([
      'unicast 0.0.0.0/0', 'unicast 10.77.0.0/24', 'local 127.0.0.1/32', 'unicast 2001:db8:77::/64',
      'unicast ::/0', 'local ::1/128', 'multicast ff00::/8',
    ]);
  });

  it('names the line and what was expected when a line is bad', () => {
    expect(() => ip('10.0.0.0/8 dev eth0\nfoo 10.0.0.0/8')).toThrow(/^ip.txt:2: expected a route type \(unicast, local.*\) or a prefix like 10.0.0.0\/8 or 2001:db8::\/32, found 'foo'$/);
    expect(() => ip('nat 10.0.0.0/8 via 1.2.3.4')).toThrow(/ip.txt:1: route type 'nat' is not supported/);
    expect(() => ip('10.0.0.300/8 dev eth0')).toThrow(/ip.txt:1: expected a prefix like .*, found '10.0.0.300\/8' \(not an IPv4 or IPv6 address: '10.0.0.300'\)/);
    expect(() => ip('10.0.0.0/8 via eth0')).toThrow(/ip.txt:1: expected a gateway address after 'via', found 'eth0'/);
    expect(() => ip('10.0.0.0/8 via')).toThrow(/expected a value after 'via'/);
    expect(() => ip('10.0.0.0/8 dev eth0 metric x')).toThrow(/ip.txt:1: expected a metric 0..4294967295 after 'metric', found 'x'/);
    expect(() => ip('10.0.0.0/8 dev eth0 metric 4294967296')).toThrow(/expected a metric/);
    expect(() => ip('10.0.0.0/8\n\tnexthop via 10.0.0.1 weight 0')).toThrow(/ip.txt:2: expected a weight 1..256/);
    expect(() => ip('# comment\n\tnexthop via 10.0.0.1 dev eth0')).toThrow(/ip.txt:2: expected a route line, found an indented line 'nexthop via 10.0.0.1 dev eth0' with no route above it/);
    expect(() => ip('blackhole')).toThrow(/expected a prefix .* or 'default' after 'blackhole'/);
    expect(() => ip('10.0.0.0/8 dev eth0 mtu lock')).toThrow(/expected a value after 'mtu lock'/);
  });
});
