import { describe, expect, it } from 'vitest';
import { detectRouteFormat, parseRoutes } from '../src/routes/index.js';

describe('detectRouteFormat', () => {
  it.each([
    ['10.0.0.0/8 192.0.2.1 eth0 10\n', 'plain'],
    ['1.0.0.0/24\r\n1.0.4.0/22\r\n', 'plain'],
    ['# comment\n\n2001:db8::/32 2001:7f8:4::1\n', 'plain'],
    ['10.0.0.0/8,192.0.2.1,eth0,10', 'plain'],
    ['default default-v4\n', 'plain'],
    ['', 'plain'],
    ['# only a comment\n', 'plain'],
    ['[{"dst":"default","gateway":"192.0.2.1"}]', 'ip-json'],
    ['\n  [\n    {\n', 'ip-json'],
    ['[]', 'ip-json'],
    ['{"dst":"10.0.0.0/8"}', 'ip-json'],
    ['TABLE_DUMP2|1454371200|B|195.66.224.175|13030|1.0.0.0/24|13030 15169|IGP|195.66.224.175|0|0||NAG||', 'bgpdump'],
    ['TABLE_DUMP|1|B|1.2.3.4|1|3.0.0.0/8|1|IGP|1.2.3.4|0|0||NAG||', 'bgpdump'],
    ['BGP4MP|1418774413|A|195.66.226.74|8714|206.152.15.0/24|8714|IGP|195.66.226.74|0|0||NAG||', 'bgpdump'],
    ['1.0.0.0\t24\t15169\n', 'pfx2as'],
    ['2001::\t32\t6939_1101_25192\n', 'pfx2as'],
    ['1.0.4.0\t22\t701,702\n', 'pfx2as'],
    ['1.0.4.0 22 701\n', 'pfx2as'],
    ['1.0.4.0/22 22 701\n', 'plain'],
    ['1.0.4.0 22 eth0\n', 'plain'],
    ['1.0.4.0\t22\t701\textra\n', 'plain'],
    ['default via 192.168.1.1 dev eth0 proto dhcp metric 100\n', 'ip'],
    ['10.8.0.0/24 dev tun0 proto kernel scope link src 10.8.0.1\n', 'ip'],
    ['blackhole 10.90.0.0/16\n', 'ip'],
    ['unreachable default dev lo proto kernel metric 4294967295 error -101 pref medium\n', 'ip'],
    ['local 10.77.0.1 dev vA table local\n', 'ip'],
    ['10.96.0.0/16 \n\tnexthop via 10.77.0.2 dev vA weight 1\n', 'ip'],
    ['2001:db8:77::/64 dev vA proto kernel metric 256 pref medium\n', 'ip'],
  ])('%j is %s', (text, format) => {
    expect(detectRouteFormat(text)).toBe(format);
  });

  it('parses with the detected format when format is auto or absent', () => {
    const list = parseRoutes('blackhole 10.90.0.0/16\n10.0.0.0/8 via 192.0.2.1 dev eth0\n');
    expect(list.count).toBe(2);
    expect(list.type[0]).toBe(3);
    expect(list.nextHop[1]).toBe('192.0.2.1');
    expect(parseRoutes('1.0.0.0\t24\t15169', { format: 'auto' }).nextHop[0]).toBe('AS15169');
  });
});
