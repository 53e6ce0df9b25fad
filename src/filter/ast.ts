// The syntax tree of a pcap-filter expression: what was written, with columns, before any link
// type is known. Lowering (lower.ts) turns it into tests at offsets, one link type at a time.

/** Protocol qualifiers that may stand before a primitive or index a byte access. */
export type ProtoName =
  | 'ether' | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp';

export type Direction = 'src' | 'dst' | 'src or dst' | 'src and dst';

export type Address =
  | { kind: 'ipv4'; address: number; mask: number }
  | { kind: 'ipv6'; address: Uint8Array; prefixLength: number }
  | { kind: 'mac'; address: Uint8Array };

export type FilterAst =
  | { kind: 'and' | 'or'; left: FilterAst; right: FilterAst }
  | { kind: 'not'; operand: FilterAst }
  /** `[proto] [dir] host|net ADDRESS` */
  | { kind: 'address'; column: number; proto: ProtoName | undefined; direction: Direction; target: Address }
  /** `[tcp|udp|sctp] [dir] port N` and portrange; `transport` undefined means tcp, udp or sctp */
  | { kind: 'port'; column: number; transport: 'tcp' | 'udp' | 'sctp' | undefined; direction: Direction; low: number; high: number }
  /** `[ip|ip6] proto N`, and the bare names `tcp`, `udp`, ... which are `proto N` for both IP versions */
  | { kind: 'ipProto'; column: number; version: 'ip' | 'ip6' | undefined; protocol: number }
  /** `ether proto N`, and the bare names `ip`, `ip6`, `arp`, `rarp` */
  | { kind: 'etherProto'; column: number; etherType: number }
  | { kind: 'vlan'; column: number; id: number | undefined }
  /** `less N` (len <= N), `greater N` (len >= N) */
  | { kind: 'length'; column: number; op: 'less' | 'greater'; value: number }
  | { kind: 'relation'; column: number; op: RelationOp; left: Arith; right: Arith };

export type RelationOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

export type Arith =
  | { kind: 'number'; value: number }
  | { kind: 'len' }
  | { kind: 'load'; column: number; proto: ProtoName; offset: Arith; size: 1 | 2 | 4 }
  | { kind: 'binary'; column: number; op: ArithOp; left: Arith; right: Arith }
  | { kind: 'negate'; operand: Arith };
