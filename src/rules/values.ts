/**
 * The values every rule format shares (prefix lists, port ranges, protocols, TCP flags), parsed
 * from text into the model. Errors are RuleValueError without a location: the format parser that
 * called knows the file and line and adds them.
 */
import { maskV4, maskV6, tryParsePrefix, type Prefix } from '../net/address.js';
import { RuleValueError } from './errors.js';
import { PROTOCOL_NUMBERS, TCP_FLAG_BITS, type PortRange } from './model.js';

function items(text: string, what: string): string[] {
  const parts = text.split(',');
  if (parts.some((part) => part === '')) throw new RuleValueError(`empty item in the ${what} list '${text}'`);
  return parts;
}

/** `10.0.0.0/8,2001:db8::/32,192.0.2.1`: host bits are cleared, as iptables does. */
export function parsePrefixList(text: string): Prefix[] {
  return items(text, 'prefix').map((item) => {
    const parsed = tryParsePrefix(item);
    if (!parsed.ok) throw new RuleValueError(parsed.reason);
    const prefix = parsed.prefix;
    if (prefix.family === 4) return { family: 4, length: prefix.length, v4: maskV4(prefix.v4, prefix.length) };
    const v6 = prefix.v6.slice();
    maskV6(v6, 0, prefix.length);
    return { family: 6, length: prefix.length, v6 };
  });
}

function parseNumber(text: string, max: number, what: string): number {
  if (!/^[0-9]{1,10}$/.test(text)) throw new RuleValueError(`${what} '${text}' is not a decimal number`);
  const value = Number(text);
  if (value > max) throw new RuleValueError(`${what} ${text} out of range 0..${max}`);
  return value;
}

/** `22,80,1024-65535` (also iptables' `1024:65535`); a range's first port must not exceed its last. */
export function parsePortRanges(text: string): PortRange[] {
  return items(text, 'port').map((item) => {
    const separator = item.search(/[-:]/);
    if (separator < 0) {
      const port = parseNumber(item, 65535, 'port');
      return { from: port, to: port };
    }
    // iptables writes `:1023` and `1024:` for open ends
    const fromText = item.slice(0, separator);
    const toText = item.slice(separator + 1);
    const from = fromText === '' ? 0 : parseNumber(fromText, 65535, 'port');
    const to = toText === '' ? 65535 : parseNumber(toText, 65535, 'port');
    if (from > to) throw new RuleValueError(`port range ${item} is reversed`);
    return { from, to };
  });
}

/** A protocol name (tcp, udp, icmp, icmpv6, sctp, ...) or number 0..255. */
export function parseProtocol(text: string): number {
  const named = PROTOCOL_NUMBERS[text.toLowerCase()];
  if (named !== undefined) return named;
  if (/^[0-9]+$/.test(text)) return parseNumber(text, 255, 'protocol');
  throw new RuleValueError(`unknown protocol '${text}' (a number 0..255 or one of ${Object.keys(PROTOCOL_NUMBERS).join(', ')})`);
}

export function parseProtocolList(text: string): number[] {
  return items(text, 'protocol').map(parseProtocol);
}

export function parseVlanIds(text: string): number[] {
  return items(text, 'VLAN id').map((item) => parseNumber(item, 4095, 'VLAN id'));
}

/** `SYN,ACK,FIN,RST` (also `ALL`, `NONE`) into bits. */
export function parseTcpFlagNames(text: string): number {
  if (text.toUpperCase() === 'ALL') return 0xff;
  if (text.toUpperCase() === 'NONE') return 0;
  let bits = 0;
  for (const item of items(text, 'TCP flag')) {
    const bit = TCP_FLAG_BITS[item.toUpperCase()];
    if (bit === undefined) throw new RuleValueError(`unknown TCP flag '${item}' (${Object.keys(TCP_FLAG_BITS).join(', ')}, ALL, NONE)`);
    bits |= bit;
  }
  return bits;
}

/** An interface name as iptables takes it; wildcards (`eth+`) are not supported. */
export function parseInterfaceNames(text: string): string[] {
  return items(text, 'interface').map((name) => {
    if (name.endsWith('+')) throw new RuleValueError(`interface wildcard '${name}' is not supported: name each interface`);
    return name;
  });
}
