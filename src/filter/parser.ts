// Recursive-descent parser for the pcap-filter language, following libpcap's grammar.y:
// `and` and `or` have equal precedence and associate to the left; `not` binds tighter; a bare
// id after `and`/`or` takes the qualifiers of the primitive before it (`host a or b`,
// `port 80 or 443`). Names are resolved here from built-in tables, so the tree is complete.
import type { Address, Arith, ArithOp, Direction, FilterAst, ProtoName, RelationOp } from './ast.js';
import { FilterSyntaxError, FilterUnsupportedError } from './errors.js';
import { parseNumber, tokenize, type Token } from './lexer.js';
import { CONSTANTS, ETHER_TYPES, IP_PROTOCOLS, SERVICES, UNSUPPORTED_KEYWORDS } from './names.js';

const PROTO_QUALIFIERS: Record<string, ProtoName> = {
  ether: 'ether', link: 'ether', ip: 'ip', ip6: 'ip6', arp: 'arp', rarp: 'rarp', tcp: 'tcp', udp: 'udp',
  sctp: 'sctp', icmp: 'icmp', icmp6: 'icmp6', igmp: 'igmp',
};
const TYPE_QUALIFIERS = new Set(['host', 'net', 'port', 'portrange', 'proto', 'gateway']);
const KEYWORDS = new Set([...Object.keys(PROTO_QUALIFIERS), ...TYPE_QUALIFIERS, 'src', 'dst', 'and', 'or', 'not',
  'vlan', 'less', 'greater', 'len', 'mask', ...UNSUPPORTED_KEYWORDS]);
const RELATIONS = new Set(['=', '==', '!=', '<', '<=', '>', '>=']);
const ARITH_OPERATORS = new Set(['+', '-', '*', '/', '%', '&', '|', '^', '<<', '>>']);
/** Binary arithmetic levels, loosest first, as libpcap's %left lines order them. */
const ARITH_LEVELS: ArithOp[][] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

/** The qualifiers of the last `head id` primitive, which an abbreviated id reuses. */
interface Head {
  proto: ProtoName | undefined;
  direction: Direction;
  type: string | undefined;
}

export function parseFilter(expression: string): FilterAst {
  return new Parser(expression).parseWhole();
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private lastHead: Head | undefined;

  constructor(expression: string) {
    this.tokens = tokenize(expression);
  }

  parseWhole(): FilterAst {
    if (this.peek().kind === 'end') throw new FilterSyntaxError(1, 'expected a filter expression, found end of expression');
    const ast = this.parseExpr();
    const next = this.peek();
    if (next.kind !== 'end') throw this.expected(next.text === ')' ? "'and', 'or' or end of expression (unbalanced ')')" : "'and', 'or' or end of expression", next);
    return ast;
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)];
  }
  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.at++;
    return token;
  }
  private isWord(token: Token, ...words: string[]): boolean {
    return token.kind === 'word' && !token.escaped && words.includes(token.text);
  }
  private isOp(token: Token, ...ops: string[]): boolean {
    return token.kind === 'op' && ops.includes(token.text);
  }
  private expected(what: string, found: Token): FilterSyntaxError {
    const shown = found.kind === 'end' ? 'end of expression' : `'${found.text}'`;
    return new FilterSyntaxError(found.column, `expected ${what}, found ${shown}`);
  }

  private parseExpr(): FilterAst {
    let left = this.parseTerm();
    for (;;) {
      const token = this.peek();
      let kind: 'and' | 'or';
      if (this.isWord(token, 'and') || this.isOp(token, '&&')) kind = 'and';
      else if (this.isWord(token, 'or') || this.isOp(token, '||')) kind = 'or';
      else return left;
      this.next();
      const right = this.abbreviation() ?? this.parseTerm();
      left = { kind, left, right };
    }
  }

  /** `host a or b`: an id (possibly under `not`) right after and/or, using the last head's qualifiers. */
  private abbreviation(): FilterAst | undefined {
    let nots = 0;
    while (this.isWord(this.peek(nots), 'not') || this.isOp(this.peek(nots), '!')) nots++;
    const id = this.peek(nots);
    if (!this.isId(id)) return undefined;
    const after = this.peek(nots + 1);
    if (after.kind === 'op' && (RELATIONS.has(after.text) || ARITH_OPERATORS.has(after.text) || after.text === '[')) return undefined;
    if (id.kind === 'word' && !id.escaped && CONSTANTS[id.text] !== undefined) return undefined;
    if (!this.lastHead) throw new FilterSyntaxError(id.column, `expected a primitive (an id alone needs a qualifier before it, as in 'host ${id.text}'), found '${id.text}'`);
    this.at += nots;
    let ast = this.primitive(this.lastHead, this.next());
    for (let i = 0; i < nots; i++) ast = { kind: 'not', operand: ast };
    return ast;
  }

  private isId(token: Token): boolean {
    if (token.kind === 'number' || token.kind === 'dotted' || token.kind === 'ipv6' || token.kind === 'mac') return true;
    return token.kind === 'word' && (token.escaped === true || !KEYWORDS.has(token.text));
  }

  private parseTerm(): FilterAst {
    const token = this.peek();
    if (this.isWord(token, 'not') || this.isOp(token, '!')) {
      this.next();
      return { kind: 'not', operand: this.parseTerm() };
    }
    if (this.isOp(token, '(')) {
      // '(' opens a boolean group or an arithmetic one (`(ip[0] & 0xf) > 5`): try boolean first
      const start = this.at;
      const head = this.lastHead;
      try {
        this.next();
        const inner = this.parseExpr();
        const close = this.next();
        if (!this.isOp(close, ')')) throw this.expected("')'", close);
        const after = this.peek();
        if (!(after.kind === 'op' && (RELATIONS.has(after.text) || ARITH_OPERATORS.has(after.text)))) return inner;
      } catch (booleanError) {
        this.at = start;
        this.lastHead = head;
        try {
          return this.relation();
        } catch {
          throw booleanError;
        }
      }
      this.at = start;
      this.lastHead = head;
      return this.relation();
    }
    if (token.kind === 'word' && !token.escaped) {
      if (UNSUPPORTED_KEYWORDS.has(token.text)) throw new FilterUnsupportedError(token.column, token.text);
      if (PROTO_QUALIFIERS[token.text] && this.isOp(this.peek(1), '[')) return this.relation();
      if (token.text === 'len' || CONSTANTS[token.text] !== undefined) return this.relation();
      if (token.text === 'vlan') return this.vlan();
      if (token.text === 'less' || token.text === 'greater') return this.lengthTest();
      if (PROTO_QUALIFIERS[token.text] || TYPE_QUALIFIERS.has(token.text) || token.text === 'src' || token.text === 'dst') return this.headAndId();
    }
    if (token.kind === 'number' || this.isOp(token, '-')) return this.relation();
    throw this.expected('a primitive', token);
  }

  private vlan(): FilterAst {
    const column = this.next().column;
    this.lastHead = undefined;
    const id = this.peek();
    if (id.kind !== 'number') return { kind: 'vlan', column, id: undefined };
    this.next();
    if (id.value! > 4095) throw new FilterSyntaxError(id.column, `expected a VLAN id 0..4095, found ${id.text} (VLAN tag ${id.value} greater than maximum 4095)`);
    return { kind: 'vlan', column, id: id.value };
  }

  private lengthTest(): FilterAst {
    const keyword = this.next();
    this.lastHead = undefined;
    const value = this.next();
    if (value.kind !== 'number') throw this.expected(`a number after '${keyword.text}'`, value);
    return { kind: 'length', column: keyword.column, op: keyword.text as 'less' | 'greater', value: value.value! };
  }

  /** `[proto] [dir] [type] id`, `proto` alone, `[ether|ip|ip6] proto N`. */
  private headAndId(): FilterAst {
    const first = this.peek();
    let proto: ProtoName | undefined;
    if (PROTO_QUALIFIERS[first.text]) {
      proto = PROTO_QUALIFIERS[first.text];
      this.next();
    }
    let direction: Direction | undefined;
    const d = this.peek();
    if (this.isWord(d, 'src', 'dst')) {
      this.next();
      direction = d.text as Direction;
      const joiner = this.peek();
      const other = this.peek(1);
      if (this.isWord(joiner, 'or', 'and') && this.isWord(other, d.text === 'src' ? 'dst' : 'src')) {
        this.at += 2;
        direction = joiner.text === 'or' ? 'src or dst' : 'src and dst';
      }
    }
    let type: string | undefined;
    const t = this.peek();
    if (t.kind === 'word' && !t.escaped && TYPE_QUALIFIERS.has(t.text)) {
      this.next();
      type = t.text;
      if (type === 'gateway') throw new FilterUnsupportedError(t.column, 'gateway', 'it needs host name resolution');
    }
    if (proto && direction === undefined && type === undefined) {
      // a protocol name alone: `ip`, `tcp`, `arp`...
      this.lastHead = undefined;
      return protocolAbbreviation(proto, first.column);
    }
    const head: Head = { proto, direction: direction ?? 'src or dst', type };
    this.lastHead = head;
    const id = this.next();
    if (!this.isId(id)) throw this.expected('an address, a number or a name', id);
    return this.primitive(head, id);
  }

  private primitive(head: Head, id: Token): FilterAst {
    const { proto, direction, type } = head;
    const column = id.column;
    if (type === 'port' || type === 'portrange') return this.port(head, id);
    if (type === 'proto') return this.protoNumber(proto, id);
    // host, net, or no type: an address
    if (proto && !['ether', 'ip', 'ip6', 'arp', 'rarp'].includes(proto)) throw new FilterSyntaxError(column, `'${proto}' modifier applied to ${type ?? 'host'}`);
    if (id.kind === 'mac') {
      if (proto !== 'ether' || type === 'net') throw new FilterSyntaxError(column, `expected an IP address (an Ethernet address needs 'ether host'), found '${id.text}'`);
      return { kind: 'address', column, proto, direction, target: { kind: 'mac', address: macBytes(id.text) } };
    }
    if (proto === 'ether') throw new FilterSyntaxError(column, `expected an Ethernet address after 'ether ${type ?? 'host'}', found '${id.text}'`);
    if (id.kind === 'word') {
      throw new FilterUnsupportedError(column, `${type ?? 'host'} ${id.text}`, 'host and network names need a resolver; write the address');
    }
    if (id.kind === 'ipv6') return this.ipv6Address(head, id);
    // IPv4: a number (a whole address, or for `net` a short network number), or 1..4 dotted parts
    if (proto === 'ip6') throw new FilterSyntaxError(column, `expected an IPv6 address after 'ip6', found '${id.text}'`);
    let address: number;
    let mask: number;
    if (id.kind === 'number') {
      address = id.value!;
      mask = 0xffffffff;
      if (type === 'net') while (address !== 0 && (address & 0xff000000) === 0) { address = (address << 8) >>> 0; mask = (mask << 8) >>> 0; }
    } else {
      const parts = id.text.split('.').map(Number);
      if (parts.some((p) => p > 255)) throw new FilterSyntaxError(column, `expected an IPv4 address, found '${id.text}'`);
      address = 0;
      for (const p of parts) address = (address * 256 + p) >>> 0;
      const bits = 8 * parts.length;
      address = bits === 32 ? address : (address * 2 ** (32 - bits)) >>> 0;
      mask = bits === 32 ? 0xffffffff : (0xffffffff * 2 ** (32 - bits)) >>> 0;
    }
    const slash = this.peek();
    if (this.isOp(slash, '/') || this.isWord(slash, 'mask')) {
      if (id.kind !== 'dotted') throw this.expected("'and', 'or' or end of expression (a network is written with dots, as in 10.0.0.0/8)", slash);
      if (type !== 'net' && type !== undefined) throw new FilterSyntaxError(slash.column, `expected 'net' before a mask, found '${type}' (mask syntax for networks only)`);
      this.next();
      const m = this.next();
      if (slash.text === '/') {
        if (m.kind !== 'number' || m.value! > 32) throw this.expected('a prefix length 0..32', m);
        mask = m.value === 0 ? 0 : (0xffffffff << (32 - m.value!)) >>> 0;
      } else {
        if (m.kind !== 'dotted' || m.text.split('.').length !== 4 || m.text.split('.').some((p) => Number(p) > 255)) throw this.expected('a dotted netmask such as 255.255.0.0', m);
        mask = m.text.split('.').reduce((a, p) => (a * 256 + Number(p)) >>> 0, 0);
        // libpcap takes the full dotted form of the network here, not a short one
        address = id.text.split('.').length === 4 ? address : address;
      }
      if ((address & ~mask) >>> 0 !== 0) throw new FilterSyntaxError(column, `non-network bits set in "${id.text}${slash.text === '/' ? '/' : ' mask '}${m.text}"`);
    }
    return { kind: 'address', column, proto, direction, target: { kind: 'ipv4', address, mask } };
  }

  private ipv6Address(head: Head, id: Token): FilterAst {
    const { proto, direction, type } = head;
    if (proto && proto !== 'ip6') throw new FilterSyntaxError(id.column, `expected an IPv4 address after '${proto}', found '${id.text}'`);
    const address = ipv6Bytes(id.text);
    let prefixLength = 128;
    if (this.isOp(this.peek(), '/')) {
      const slash = this.next();
      if (type !== 'net' && type !== undefined) throw new FilterSyntaxError(slash.column, `expected 'net' before a prefix length, found '${type}' (mask syntax for networks only)`);
      const m = this.next();
      if (m.kind !== 'number' || m.value! > 128) throw this.expected('a prefix length 0..128', m);
      prefixLength = m.value!;
      for (let bit = prefixLength; bit < 128; bit++) {
        if (address[bit >> 3] & (0x80 >> (bit & 7))) throw new FilterSyntaxError(id.column, `non-network bits set in "${id.text}/${m.text}"`);
      }
    }
    return { kind: 'address', column: id.column, proto: 'ip6', direction, target: { kind: 'ipv6', address, prefixLength } };
  }

  private port(head: Head, id: Token): FilterAst {
    const { proto, direction, type } = head;
    if (proto !== undefined && proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new FilterSyntaxError(id.column, `illegal qualifier of '${type}': '${proto}' (expected tcp, udp or sctp)`);
    let transport = proto;
    const checkPort = (value: number, text: string) => {
      if (value > 65535) throw new FilterSyntaxError(id.column, `expected a port 0..65535, found ${text}`);
      return value;
    };
    const byName = (name: string): number => {
      const service = SERVICES[name];
      if (!service) throw new FilterSyntaxError(id.column, `expected a port number or a known service name, found '${name}'`);
      if (service.transport) {
        if (transport && transport !== service.transport) throw new FilterSyntaxError(id.column, `port '${name}' is ${service.transport}`);
        transport = service.transport;
      }
      return service.port;
    };
    if (type === 'port') {
      const port = id.kind === 'number' ? checkPort(id.value!, id.text) : id.kind === 'word' ? byName(id.text) : undefined;
      if (port === undefined) throw this.expected('a port number or service name', id);
      return { kind: 'port', column: id.column, transport, direction, low: port, high: port };
    }
    let low: number;
    let high: number;
    if (id.kind === 'number') {
      low = high = checkPort(id.value!, id.text);
    } else if (id.kind === 'word') {
      const dash = id.text.indexOf('-');
      const lowText = dash < 0 ? id.text : id.text.slice(0, dash);
      const highText = dash < 0 ? id.text : id.text.slice(dash + 1);
      const resolve = (text: string) => {
        const n = parseNumber(text);
        return n === undefined ? byName(text) : checkPort(n, text);
      };
      low = resolve(lowText);
      high = resolve(highText);
      if (low > high) throw new FilterSyntaxError(id.column, `expected a port range LOW-HIGH with LOW <= HIGH, found '${id.text}'`);
    } else {
      throw this.expected('a port range such as 1024-65535', id);
    }
    return { kind: 'port', column: id.column, transport, direction, low, high };
  }

  private protoNumber(proto: ProtoName | undefined, id: Token): FilterAst {
    if (proto !== undefined && proto !== 'ether' && proto !== 'ip' && proto !== 'ip6') throw new FilterSyntaxError(id.column, `'${proto}' modifier applied to proto (expected ether, ip or ip6)`);
    const table = proto === 'ether' ? ETHER_TYPES : IP_PROTOCOLS;
    let value: number | undefined;
    if (id.kind === 'number') value = id.value;
    else if (id.kind === 'word') value = table[id.text];
    if (value === undefined) throw this.expected(proto === 'ether' ? 'an EtherType number or name (\\ip, \\ip6, \\arp...)' : 'a protocol number or name (\\tcp, \\udp, \\icmp...)', id);
    if (proto === 'ether') {
      if (value <= 1500) throw new FilterUnsupportedError(id.column, `ether proto ${id.text}`, '802.3 length values select LLC SAPs');
      if (value > 0xffff) throw new FilterSyntaxError(id.column, `expected an EtherType 0..0xffff, found ${id.text}`);
      return { kind: 'etherProto', column: id.column, etherType: value };
    }
    return { kind: 'ipProto', column: id.column, version: proto, protocol: value };
  }

  // Arithmetic: `arth relop arth`
  private relation(): FilterAst {
    this.lastHead = undefined;
    const start = this.peek();
    const left = this.arith(0);
    const op = this.next();
    if (!(op.kind === 'op' && RELATIONS.has(op.text))) throw this.expected("a comparison (=, !=, <, <=, >, >=)", op);
    const right = this.arith(0);
    return { kind: 'relation', column: start.column, op: (op.text === '==' ? '=' : op.text) as RelationOp, left, right };
  }

  private arith(level: number): Arith {
    if (level === ARITH_LEVELS.length) return this.arithAtom();
    let left = this.arith(level + 1);
    for (;;) {
      const token = this.peek();
      if (!(token.kind === 'op' && (ARITH_LEVELS[level] as string[]).includes(token.text))) return left;
      this.next();
      const right = this.arith(level + 1);
      const op = token.text as ArithOp;
      if ((op === '/' || op === '%') && right.kind === 'number' && right.value === 0) throw new FilterSyntaxError(token.column, 'division by zero');
      if ((op === '<<' || op === '>>') && right.kind === 'number' && right.value > 31) throw new FilterSyntaxError(token.column, 'shift by more than 31 bits');
      left = { kind: 'binary', column: token.column, op, left, right };
    }
  }

  private arithAtom(): Arith {
    const token = this.next();
    if (token.kind === 'number') return { kind: 'number', value: token.value! };
    if (this.isOp(token, '-')) return { kind: 'negate', operand: this.arithAtom() };
    if (this.isOp(token, '(')) {
      const inner = this.arith(0);
      const close = this.next();
      if (!this.isOp(close, ')')) throw this.expected("')'", close);
      return inner;
    }
    if (token.kind === 'word' && !token.escaped) {
      if (token.text === 'len') return { kind: 'len' };
      if (CONSTANTS[token.text] !== undefined) return { kind: 'number', value: CONSTANTS[token.text] };
      const proto = PROTO_QUALIFIERS[token.text];
      if (proto) {
        const open = this.next();
        if (!this.isOp(open, '[')) throw this.expected(`'[' after '${token.text}'`, open);
        const offset = this.arith(0);
        let size: 1 | 2 | 4 = 1;
        let close = this.next();
        if (this.isOp(close, ':')) {
          const sizeToken = this.next();
          if (sizeToken.kind !== 'number' || ![1, 2, 4].includes(sizeToken.value!)) throw new FilterSyntaxError(sizeToken.column, `expected a data size of 1, 2 or 4, found '${sizeToken.text}'`);
          size = sizeToken.value as 1 | 2 | 4;
          close = this.next();
        }
        if (!this.isOp(close, ']')) throw this.expected("']'", close);
        if (offset.kind === 'number' && offset.value > 65535) throw new FilterSyntaxError(token.column + token.text.length + 1, `expected a byte offset 0..65535 (no header reaches further), found ${offset.value}`);
        return { kind: 'load', column: token.column, proto, offset, size };
      }
      if (UNSUPPORTED_KEYWORDS.has(token.text)) throw new FilterUnsupportedError(token.column, token.text);
    }
    throw this.expected("a number, 'len', a constant or a byte access such as ip[0]", token);
  }
}

function protocolAbbreviation(proto: ProtoName, column: number): FilterAst {
  switch (proto) {
    case 'ether': throw new FilterSyntaxError(column, "expected 'host', 'src', 'dst' or 'proto' after 'ether'");
    case 'ip': return { kind: 'etherProto', column, etherType: 0x0800 };
    case 'ip6': return { kind: 'etherProto', column, etherType: 0x86dd };
    case 'arp': return { kind: 'etherProto', column, etherType: 0x0806 };
    case 'rarp': return { kind: 'etherProto', column, etherType: 0x8035 };
    case 'tcp': return { kind: 'ipProto', column, version: undefined, protocol: 6 };
    case 'udp': return { kind: 'ipProto', column, version: undefined, protocol: 17 };
    case 'sctp': return { kind: 'ipProto', column, version: undefined, protocol: 132 };
    case 'icmp': return { kind: 'ipProto', column, version: 'ip', protocol: 1 };
    case 'icmp6': return { kind: 'ipProto', column, version: 'ip6', protocol: 58 };
    case 'igmp': return { kind: 'ipProto', column, version: 'ip', protocol: 2 };
  }
}

function macBytes(text: string): Uint8Array {
  const hex = text.includes(':') || text.includes('-') ? text.split(/[:-]/).map((p) => p.padStart(2, '0')).join('') : text.replace(/\./g, '');
  const out = new Uint8Array(6);
  for (let i = 0; i < 6; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  let groups: number[] = [];
  let body = text;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    tail = [(+v4[1] << 8) | +v4[2], (+v4[3] << 8) | +v4[4]];
    body = text.slice(0, v4.index).replace(/:$/, text.slice(0, v4.index).endsWith('::') ? ':' : '');
  }
  const [head, rest] = body.split('::');
  const headGroups = head ? head.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : [];
  const restGroups = rest ? rest.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : [];
  const fill = 8 - headGroups.length - restGroups.length - tail.length;
  groups = [...headGroups, ...(body.includes('::') ? new Array(fill).fill(0) : []), ...restGroups, ...tail];
  groups.forEach((g, i) => { out[2 * i] = g >> 8; out[2 * i + 1] = g & 0xff; });
  return out;
}
