// Tokens of the pcap-filter language, cut the way libpcap's scanner.l cuts them (longest match):
// `1-1024` and `tcp-syn` are single words, `ip[2:2]` splits at the colon, `1:2:3:4:5:6` does not.
import { FilterSyntaxError } from './errors.js';

export type TokenKind =
  | 'number'     // decimal, 0x hex or 0-prefixed octal, as libpcap's stoulen reads it
  | 'dotted'     // 1 to 4 dotted decimal parts: an IPv4 host or network (libpcap's HID)
  | 'ipv6'       // an IPv6 address (HID6)
  | 'mac'        // an Ethernet address (EID)
  | 'word'       // a keyword or a name (ID); `\name` escapes a keyword
  | 'op'         // punctuation and operators
  | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column of the first character. */
  column: number;
  /** numbers only */
  value?: number;
  /** `\name`: a name, never a keyword */
  escaped?: boolean;
}

const OPERATORS = ['&&', '||', '==', '!=', '>=', '<=', '<<', '>>', '+', '-', '*', '/', '%', ':', '[', ']', '!', '<', '>', '(', ')', '&', '|', '^', '='];
const WORD_CHAR = /[-_.:A-Za-z0-9]/;
const NAME = /^[A-Za-z0-9]([-_.A-Za-z0-9]*[.A-Za-z0-9])?$/;
const MAC = /^([0-9a-f]{1,2}([:.-][0-9a-f]{1,2}){5}|[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}|[0-9a-f]{12})$/i;

export function parseNumber(text: string): number | undefined {
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(text)) value = parseInt(text.slice(2), 16);
  else if (/^0[0-7]*$/.test(text)) value = text.length === 1 ? 0 : parseInt(text.slice(1), 8);
  else if (/^[1-9][0-9]*$/.test(text)) value = parseInt(text, 10);
  else return undefined;
  return value;
}

export function isIpv6(text: string): boolean {
  if (!text.includes(':')) return false;
  const double = text.split('::');
  if (double.length > 2) return false;
  let tail = text;
  let groups = 0;
  const v4 = /(^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!v4[2].split('.').every((p) => Number(p) <= 255)) return false;
    tail = text.slice(0, text.length - v4[2].length) + (text.endsWith('::' + v4[2]) ? '' : '0');
    groups += 1; // an embedded IPv4 address takes two groups; the placeholder '0' counts one
  }
  const parts = tail.split('::').map((half) => (half === '' ? [] : half.split(':')));
  for (const half of parts) for (const group of half) if (!/^[0-9a-f]{1,4}$/i.test(group)) return false;
  groups += parts.flat().length;
  return double.length === 2 ? groups <= 7 : groups === 8;
}

export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < expression.length) {
    const ch = expression[at];
    if (/\s/.test(ch)) { at++; continue; }
    const column = at + 1;
    if (ch === '\\') {
      let end = at + 1;
      while (end < expression.length && !/[\s!()]/.test(expression[end])) end++;
      if (end === at + 1) throw new FilterSyntaxError(column, "expected a name after '\\', found end of expression");
      tokens.push({ kind: 'word', text: expression.slice(at + 1, end), column, escaped: true });
      at = end;
      continue;
    }
    if (WORD_CHAR.test(ch) && ch !== ':' && ch !== '-' && ch !== '.' && ch !== '_') {
      let end = at;
      while (end < expression.length && WORD_CHAR.test(expression[end])) end++;
      let text = expression.slice(at, end);
      if (text.includes(':') && !MAC.test(text) && !isIpv6(text)) text = text.slice(0, text.indexOf(':'));
      if (!text.includes(':')) text = text.replace(/[-_]+$/, '');
      tokens.push(classify(text, column));
      at += text.length;
      continue;
    }
    if (ch === ':' && /[0-9a-f:]/i.test(expression[at + 1] ?? '')) {
      // `::1`, `::ffff:1.2.3.4`: an IPv6 address may start with a colon
      let end = at;
      while (end < expression.length && WORD_CHAR.test(expression[end])) end++;
      const text = expression.slice(at, end);
      if (isIpv6(text)) {
        tokens.push({ kind: 'ipv6', text, column });
        at = end;
        continue;
      }
    }
    const op = OPERATORS.find((o) => expression.startsWith(o, at));
    if (!op) throw new FilterSyntaxError(column, `expected an operator, a keyword or an address, found '${ch}'`);
    tokens.push({ kind: 'op', text: op, column });
    at += op.length;
  }
  tokens.push({ kind: 'end', text: 'end of expression', column: expression.length + 1 });
  return tokens;
}

function classify(text: string, column: number): Token {
  const value = parseNumber(text);
  if (value !== undefined) {
    if (value > 0xffffffff) throw new FilterSyntaxError(column, `expected a number below 2^32, found ${text}`);
    return { kind: 'number', text, column, value };
  }
  if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(text)) return { kind: 'mac', text, column };
  if (/^\d+(\.\d+){1,3}$/.test(text)) return { kind: 'dotted', text, column };
  if (isIpv6(text)) return { kind: 'ipv6', text, column };
  if (MAC.test(text) && /[:.-]/.test(text)) return { kind: 'mac', text, column };
  if (NAME.test(text)) return { kind: 'word', text, column };
  throw new FilterSyntaxError(column, `expected a keyword, a number or an address, found '${text}'`);
}
