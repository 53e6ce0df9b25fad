// Lowering: the syntax tree to IR tests for one link type, the way libpcap's gencode does it —
// fixed offsets from the link header, `vlan` moving every later offset by 4 in left-to-right
// order, `tcp` meaning IPv4 or IPv6, IPv6 `proto` looking through one fragment header and IPv6
// ports not at all, IPv4 ports only in the first fragment.
import type { Address, Arith, Direction, FilterAst, ProtoName } from './ast.js';
import { and, arith, cmp, constant, FALSE, load, maskedEquals, not, or, TRUE, type Cond, type Value } from './ir.js';
import type { LinkLayout } from './link-types.js';

const ETHERTYPE = { ip: 0x0800, ip6: 0x86dd, arp: 0x0806, rarp: 0x8035 } as const;
const IPPROTO = { tcp: 6, udp: 17, sctp: 132, icmp: 1, icmp6: 58, igmp: 2, fragment: 44 } as const;
/** libpcap's ethertype_to_ppptype */
const PPP_TYPES: Record<number, number> = { 0x0800: 0x0021, 0x86dd: 0x0057, 0x6003: 0x0027, 0x809b: 0x0029, 0x0600: 0x0025 };

/** libpcap refuses the expression on this link type; the reason is libpcap's message. */
export class LinkRefusal extends Error {}

export function lowerForLink(ast: FilterAst, layout: LinkLayout): Cond {
  return new Lowering(layout).lower(ast);
}

class Lowering {
  /** mutable: `vlan` moves them for everything after it */
  private typeAt: number | undefined;
  private payloadAt: number;

  constructor(private readonly layout: LinkLayout) {
    this.typeAt = layout.typeAt;
    this.payloadAt = layout.payloadAt;
  }

  lower(ast: FilterAst): Cond {
    switch (ast.kind) {
      case 'and': { const a = this.lower(ast.left); return and(a, this.lower(ast.right)); }
      case 'or': { const a = this.lower(ast.left); return or(a, this.lower(ast.right)); }
      case 'not': return not(this.lower(ast.operand));
      case 'etherProto': return this.linkType(ast.etherType);
      case 'ipProto': return this.ipProto(ast.version, ast.protocol);
      case 'address': return this.address(ast.proto, ast.direction, ast.target);
      case 'port': return this.port(ast.transport, ast.direction, ast.low, ast.high);
      case 'vlan': return this.vlan(ast.id);
      case 'length': return ast.op === 'less' ? not(cmp('gt', { v: 'len' }, constant(ast.value))) : cmp('ge', { v: 'len' }, constant(ast.value));
      case 'relation': {
        const left = this.arith(ast.left);
        const right = this.arith(ast.right);
        const guard = and(left.guard, right.guard);
        const test = ast.op === '=' ? cmp('eq', left.value, right.value)
          : ast.op === '!=' ? not(cmp('eq', left.value, right.value))
          : ast.op === '>' ? cmp('gt', left.value, right.value)
          : ast.op === '>=' ? cmp('ge', left.value, right.value)
          : ast.op === '<' ? not(cmp('ge', left.value, right.value))
          : not(cmp('gt', left.value, right.value));
        return and(guard, test);
      }
    }
  }

  /** gen_linktype: "the link layer carries this EtherType", in each link type's own terms. */
  private linkType(etherType: number): Cond {
    const family = this.layout.family;
    switch (family) {
      case 'ethernet': case 'sll': case 'sll2': case 'chdlc':
        return cmp('eq', load(2, this.typeAt!), constant(etherType));
      case 'ppp':
        return cmp('eq', load(2, this.typeAt!), constant(PPP_TYPES[etherType] ?? etherType));
      case 'null': case 'loop': {
        // Reading a file, libpcap tests AF_INET (2) and the three BSD AF_INET6 values (24, 28, 30):
        // AF values are the capturing host's; other protocols never match
        const families = etherType === ETHERTYPE.ip ? [2] : etherType === ETHERTYPE.ip6 ? [24, 28, 30] : [];
        // DLT_NULL holds the value in the capturing host's byte order, which the frame alone does
        // not tell (libpcap knows the file's): accept either order
        const values = family === 'loop' ? families : families.flatMap((f) => [f, f * 0x1000000]);
        return values.reduce<Cond>((test, value) => or(test, cmp('eq', load(4, 0), constant(value))), FALSE);
      }
      case 'raw':
        if (etherType === ETHERTYPE.ip) return cmp('eq', arith('&', load(1, 0), constant(0xf0)), constant(0x40));
        if (etherType === ETHERTYPE.ip6) return cmp('eq', arith('&', load(1, 0), constant(0xf0)), constant(0x60));
        return FALSE;
      case 'ipv4': return etherType === ETHERTYPE.ip ? TRUE : FALSE;
      case 'ipv6': return etherType === ETHERTYPE.ip6 ? TRUE : FALSE;
    }
  }

  private at(offset: number): number {
    return this.payloadAt + offset;
  }

  private ipv4Proto(protocol: number): Cond {
    return and(this.linkType(ETHERTYPE.ip), cmp('eq', load(1, this.at(9)), constant(protocol)));
  }

  /** IPv6 next header, or the one after a fragment header (libpcap's only look past an extension header). */
  private ipv6Proto(protocol: number): Cond {
    const next = load(1, this.at(6));
    return and(this.linkType(ETHERTYPE.ip6), or(cmp('eq', next, constant(protocol)),
      and(cmp('eq', next, constant(IPPROTO.fragment)), cmp('eq', load(1, this.at(40)), constant(protocol)))));
  }

  private ipProto(version: 'ip' | 'ip6' | undefined, protocol: number): Cond {
    if (version === 'ip') return this.ipv4Proto(protocol);
    if (version === 'ip6') return this.ipv6Proto(protocol);
    const v4 = this.ipv4Proto(protocol);
    return or(v4, this.ipv6Proto(protocol));
  }

  /** not a fragment other than the first: the 13-bit offset is zero */
  private ipv4FirstFragment(): Cond {
    return cmp('eq', arith('&', load(2, this.at(6)), constant(0x1fff)), constant(0));
  }

  private direction(direction: Direction, src: () => Cond, dst: () => Cond): Cond {
    switch (direction) {
      case 'src': return src();
      case 'dst': return dst();
      case 'src or dst': { const s = src(); return or(s, dst()); }
      case 'src and dst': { const s = src(); return and(s, dst()); }
    }
  }

  private address(proto: ProtoName | undefined, direction: Direction, target: Address): Cond {
    if (target.kind === 'mac') {
      if (this.layout.family !== 'ethernet') throw new LinkRefusal('ethernet addresses supported only on ethernet/FDDI/token ring/802.11/ATM LANE/Fibre Channel');
      const bytes = target.address;
      const equals = (at: number) => and(
        cmp('eq', load(4, at + 2), constant(((bytes[2] << 24) | (bytes[3] << 16) | (bytes[4] << 8) | bytes[5]) >>> 0)),
        cmp('eq', load(2, at), constant((bytes[0] << 8) | bytes[1])));
      return this.direction(direction, () => equals(6), () => equals(0));
    }
    if (target.kind === 'ipv6') {
      const words: number[] = [];
      const masks: number[] = [];
      for (let w = 0; w < 4; w++) {
        let value = 0;
        let mask = 0;
        for (let b = 0; b < 4; b++) {
          const bit = (w * 4 + b) * 8;
          const byteMask = bit >= target.prefixLength ? 0 : bit + 8 <= target.prefixLength ? 0xff : (0xff << (8 - (target.prefixLength - bit))) & 0xff;
          value = value * 256 + (target.address[w * 4 + b] & byteMask);
          mask = mask * 256 + byteMask;
        }
        words.push(value);
        masks.push(mask);
      }
      const equals = (at: number) => {
        let test: Cond = TRUE;
        for (let w = 0; w < 4; w++) {
          if (masks[w] !== 0) test = and(test, maskedEquals(load(4, this.at(at + 4 * w)), masks[w], words[w]));
        }
        return test;
      };
      return and(this.linkType(ETHERTYPE.ip6), this.direction(direction, () => equals(8), () => equals(24)));
    }
    const { address, mask } = target;
    const hostOf = (etherType: number, srcAt: number, dstAt: number) => and(this.linkType(etherType),
      this.direction(direction, () => maskedEquals(load(4, this.at(srcAt)), mask, address), () => maskedEquals(load(4, this.at(dstAt)), mask, address)));
    if (proto === 'ip') return hostOf(ETHERTYPE.ip, 12, 16);
    if (proto === 'arp') return hostOf(ETHERTYPE.arp, 14, 24);
    if (proto === 'rarp') return hostOf(ETHERTYPE.rarp, 14, 24);
    const ip = hostOf(ETHERTYPE.ip, 12, 16);
    const arp = hostOf(ETHERTYPE.arp, 14, 24);
    return or(ip, or(arp, hostOf(ETHERTYPE.rarp, 14, 24)));
  }

  private port(transport: 'tcp' | 'udp' | 'sctp' | undefined, direction: Direction, low: number, high: number): Cond {
    const protocols = transport ? [IPPROTO[transport]] : [IPPROTO.tcp, IPPROTO.udp, IPPROTO.sctp];
    const inRange = (field: Value) => low === high ? cmp('eq', field, constant(low)) : and(cmp('ge', field, constant(low)), not(cmp('gt', field, constant(high))));
    const v4Ports = () => {
      const transportAt = (offset: number): Value => load(2, arith('+', { v: 'ipHeaderLength', at: this.at(0) }, constant(this.at(offset))));
      return this.direction(direction, () => inRange(transportAt(0)), () => inRange(transportAt(2)));
    };
    let v4: Cond = FALSE;
    for (const p of protocols) v4 = or(v4, and(cmp('eq', load(1, this.at(9)), constant(p)), and(this.ipv4FirstFragment(), v4Ports())));
    v4 = and(this.linkType(ETHERTYPE.ip), v4);
    let v6: Cond = FALSE;
    for (const p of protocols) {
      v6 = or(v6, and(cmp('eq', load(1, this.at(6)), constant(p)),
        this.direction(direction, () => inRange(load(2, this.at(40))), () => inRange(load(2, this.at(42))))));
    }
    v6 = and(this.linkType(ETHERTYPE.ip6), v6);
    return or(v4, v6);
  }

  private vlan(id: number | undefined): Cond {
    if (this.layout.family !== 'ethernet') throw new LinkRefusal(`no VLAN support for ${this.layout.description}`);
    const tpid = load(2, this.typeAt!);
    let test = or(cmp('eq', tpid, constant(0x8100)), or(cmp('eq', tpid, constant(0x88a8)), cmp('eq', tpid, constant(0x9100))));
    if (id !== undefined) test = and(test, cmp('eq', arith('&', load(2, this.typeAt! + 2), constant(0x0fff)), constant(id)));
    this.typeAt! += 4;
    this.payloadAt += 4;
    return test;
  }

  /** An arithmetic expression: its value, and the tests that must hold for its loads to mean anything. */
  private arith(node: Arith): { value: Value; guard: Cond } {
    switch (node.kind) {
      case 'number': return { value: constant(node.value), guard: TRUE };
      case 'len': return { value: { v: 'len' }, guard: TRUE };
      case 'negate': {
        const inner = this.arith(node.operand);
        return { value: arith('-', constant(0), inner.value), guard: inner.guard };
      }
      case 'binary': {
        const a = this.arith(node.left);
        const b = this.arith(node.right);
        return { value: arith(node.op, a.value, b.value), guard: and(a.guard, b.guard) };
      }
      case 'load': {
        const index = this.arith(node.offset);
        const { guard, base } = this.loadBase(node.proto);
        return { value: load(node.size, arith('+', index.value, base)), guard: and(index.guard, guard) };
      }
    }
  }

  /** gen_load: where `proto[...]` counts from, and what must hold for that header to be there. */
  private loadBase(proto: ProtoName): { guard: Cond; base: Value } {
    switch (proto) {
      case 'ether': return { guard: TRUE, base: constant(0) };
      case 'ip': return { guard: this.linkType(ETHERTYPE.ip), base: constant(this.payloadAt) };
      case 'arp': return { guard: this.linkType(ETHERTYPE.arp), base: constant(this.payloadAt) };
      case 'rarp': return { guard: this.linkType(ETHERTYPE.rarp), base: constant(this.payloadAt) };
      case 'ip6': return { guard: this.linkType(ETHERTYPE.ip6), base: constant(this.payloadAt) };
      case 'icmp6': return { guard: and(this.linkType(ETHERTYPE.ip6), cmp('eq', load(1, this.at(6)), constant(IPPROTO.icmp6))), base: constant(this.at(40)) };
      case 'tcp': case 'udp': case 'sctp': case 'icmp': case 'igmp': {
        // IPv4 only (libpcap: "XXX - this only works for IPv4"), first fragments only
        const guard = and(this.ipv4Proto(IPPROTO[proto]), this.ipv4FirstFragment());
        return { guard, base: arith('+', { v: 'ipHeaderLength', at: this.at(0) }, constant(this.payloadAt)) };
      }
    }
  }
}
