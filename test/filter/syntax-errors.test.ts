// Bad expressions: each is a FilterSyntaxError (or FilterUnsupportedError) naming the column;
// where libpcap refuses it too, tcpdump must agree that it is bad. A filter that matches
// nothing is not an error.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterSyntaxError, FilterUnsupportedError, parseFilter } from '../../src/filter/index.js';
import { FibscopeError } from '../../src/errors.js';
import { hasTool } from './harness.js';

const tcpdump = hasTool('tcpdump');
if (!tcpdump) console.warn('syntax-errors: tcpdump is not installed, skipping the cross-checks with libpcap');

function tcpdumpRefuses(expression: string): boolean {
  return spawnSync('tcpdump', ['-y', 'EN10MB', '-d', expression], { encoding: 'utf8' }).status !== 0;
}

/** [expression, column, a fragment of the message, does libpcap refuse it too] */
const SYNTAX_ERRORS: [string, number, string, boolean][] = [
  ['', 1, 'expected a filter expression', false], // libpcap takes an empty filter as "everything"
  ['frobnicate', 1, "expected a primitive, found 'frobnicate'", true],
  ['tcp and frobnicate', 9, "found 'frobnicate'", true],
  ['host', 5, 'expected an address, a number or a name, found end of expression', true],
  ['port', 5, 'found end of expression', true],
  ['tcp port 99999', 10, 'expected a port 0..65535, found 99999', true],
  ['portrange 1-70000', 11, 'expected a port 0..65535', true],
  ['portrange 2000-1000', 11, 'LOW <= HIGH', false], // libpcap swaps a reversed range; fibscope says it is a mistake
  ['(tcp', 5, "expected ')', found end of expression", true],
  ['tcp)', 4, "unbalanced ')'", true],
  ['((tcp or udp)', 14, "expected ')'", true],
  ['net 10.1.2.3/8', 5, 'non-network bits set in "10.1.2.3/8"', true],
  ['net 10.0.0.0/33', 14, 'expected a prefix length 0..32, found \'33\'', true],
  ['net 10.0.0.0 mask 255.0', 19, 'expected a dotted netmask', false], // libpcap reads a short mask as a number
  ['net 2001:db8::1/32', 5, 'non-network bits set', true],
  ['net 2001:db8::/129', 16, 'expected a prefix length 0..128', true],
  ['host 10.0.0.300', 6, 'expected an IPv4 address', true],
  ['ip[1:3] = 1', 6, 'expected a data size of 1, 2 or 4', true],
  ['ip[0:8] = 1', 6, 'expected a data size of 1, 2 or 4', true],
  ['ip[70000] = 1', 4, 'expected a byte offset 0..65535', false], // libpcap compiles it, and every load fails
  ['ip[0 = 1', 6, "expected ']'", true],
  ['ip[0] / 0 = 1', 7, 'division by zero', true],
  ['ip[0] % 0 = 1', 7, 'division by zero', true],
  ['ip[0] << 32 = 1', 7, 'shift by more than 31 bits', true],
  ['ip[0] = ', 9, 'expected a number', true],
  ['ip[0] 1', 7, 'expected a comparison', true],
  ['vlan 5000', 6, 'VLAN tag 5000 greater than maximum 4095', true],
  ['udp port http', 10, "port 'http' is tcp", true],
  ['port nosuchservice', 6, 'known service name', true],
  ['ip port 80', 9, "illegal qualifier of 'port'", true],
  ['tcp host 10.0.0.1', 10, "'tcp' modifier applied to host", true],
  ['host 1:2:3:4:5:6', 6, "needs 'ether host'", true],
  ['ether host 10.0.0.1', 12, 'expected an Ethernet address', true],
  ['ip6 host 10.0.0.1', 10, 'expected an IPv6 address', true],
  ['udp and not 53', 13, 'an id alone needs a qualifier', true],
  ['less', 5, "expected a number after 'less'", true],
  ['tcp and', 8, 'found end of expression', true],
  ['tcp or or udp', 8, "found 'or'", true],
  ['ip $ 1', 4, "found '$'", true],
  ['ether', 1, "expected 'host', 'src', 'dst' or 'proto' after 'ether'", true],
];

const UNSUPPORTED: [string, number, string][] = [
  ['gateway router1', 1, 'gateway'],
  ['tcp or broadcast', 8, 'broadcast'],
  ['ip multicast', 4, 'multicast'],
  ['mpls 100', 1, 'mpls'],
  ['host example.com', 6, 'host example.com'],
  ['ether proto 100', 13, 'ether proto 100'],
  ['pppoes', 1, 'pppoes'],
];

describe('syntax errors name the column and what was expected', () => {
  for (const [expression, column, fragment, libpcapRefuses] of SYNTAX_ERRORS) {
    it(`'${expression}'`, () => {
      let caught: unknown;
      try {
        compileFilter(expression);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FilterSyntaxError);
      const error = caught as FilterSyntaxError;
      expect(error).toBeInstanceOf(FibscopeError);
      expect(error.code).toBe('FILTER_SYNTAX');
      expect(error.column).toBe(column);
      expect(error.message).toMatch(new RegExp(`^column ${column}: `));
      expect(error.message).toContain(fragment);
      if (tcpdump) expect(tcpdumpRefuses(expression)).toBe(libpcapRefuses);
    });
  }
});

describe('what libpcap accepts and fibscope does not is said plainly', () => {
  for (const [expression, column, construct] of UNSUPPORTED) {
    it(`'${expression}'`, () => {
      let caught: unknown;
      try {
        parseFilter(expression);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FilterUnsupportedError);
      const error = caught as FilterUnsupportedError;
      expect(error.code).toBe('FILTER_UNSUPPORTED');
      expect(error.column).toBe(column);
      expect(error.message).toContain(`libpcap accepts \`${construct}\`, fibscope does not support it`);
      // a name libpcap cannot resolve makes it refuse too, so only the others are cross-checked
      if (tcpdump && !['host example.com', 'gateway'].includes(construct)) expect(tcpdumpRefuses(expression)).toBe(false);
    });
  }
});

describe('a filter that matches nothing is not an error', () => {
  it('compiles `ip and ip6`, `1 = 2`, `arp and tcp` and lists what libpcap would refuse', () => {
    expect(compileFilter('ip and ip6').refusedLinkTypes).toEqual([228, 229]);
    const never = compileFilter('1 = 2');
    expect(WebAssembly.validate(never.bytes)).toBe(true);
    expect(never.refusals.every((r) => r.reason === 'expression rejects all packets')).toBe(true);
    expect(compileFilter('vlan').refusals.find((r) => r.linkType === 113)?.reason).toBe('no VLAN support for Linux cooked v1');
    expect(compileFilter('ether host 1:2:3:4:5:6').refusedLinkTypes).toContain(101);
  });
});
