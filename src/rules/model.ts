/**
 * Rule sets: ordered rules, the first whose conditions all hold labels a packet (an ACL's
 * first-match). Actions label, they change nothing else: `count` (what a firewall accepts),
 * `alert` (what it logs) and `drop` (what it drops or rejects).
 *
 * A rule's `match` is a list of conditions that must all hold; an empty list matches every
 * packet. What each condition means, exactly (the reference evaluator in reference.ts is this
 * paragraph written as code):
 * - family F: the packet is IPv4 (4) or IPv6 (6).
 * - src/dst PREFIXES: an IP packet whose address is inside one of the prefixes of its family;
 *   negated: an IP packet whose address is inside none of them.
 * - proto N...: the transport protocol is known (after IPv6 extension headers) and one of them;
 *   negated: known and none of them.
 * - sport/dport RANGES: the packet has ports (TCP, UDP, SCTP; not a later fragment) and the port
 *   is in one of the ranges; negated: has ports, in none.
 * - vlan IDS: the packet has a VLAN tag and the outer tag's id is one of them; negated: has a
 *   tag whose id is none of them.
 * - interface NAMES: the capture interface is one of them (names become interface numbers when
 *   compiled); negated: none of them.
 * - tcp-flags MASK VALUE: a TCP packet with flags captured and (flags & MASK) == VALUE; negated:
 *   a TCP packet with flags, (flags & MASK) != VALUE.
 * - filter EXPR: the pcap-filter expression matches the frame; negated: it does not.
 */
import type { Prefix } from '../net/address.js';

export type RuleAction = 'count' | 'alert' | 'drop';
export const RULE_ACTIONS: readonly RuleAction[] = ['count', 'alert', 'drop'];

/** An inclusive range of ports, 0..65535. */
export interface PortRange {
  from: number;
  to: number;
}

export type RuleCondition =
  | { kind: 'family'; family: 4 | 6 }
  | { kind: 'src' | 'dst'; prefixes: Prefix[]; negated: boolean }
  | { kind: 'proto'; protocols: number[]; negated: boolean }
  | { kind: 'sport' | 'dport'; ranges: PortRange[]; negated: boolean }
  | { kind: 'vlan'; ids: number[]; negated: boolean }
  | { kind: 'interface'; names: string[]; negated: boolean }
  | { kind: 'tcp-flags'; mask: number; value: number; negated: boolean }
  | { kind: 'filter'; expression: string; negated: boolean };

export type ConditionKind = RuleCondition['kind'];

export interface Rule {
  name: string;
  action: RuleAction;
  /** All must hold; empty matches every packet. */
  match: RuleCondition[];
  /** Where the rule was read, for messages: "rules.txt:12". */
  origin?: string;
}

export interface RuleSet {
  rules: Rule[];
}

/** Protocol names the formats accept (iptables' and nft's spellings). */
export const PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, icmp6: 58,
  sctp: 132, udplite: 136,
};

/** TCP flag bits by name, as in the fields block and iptables' --tcp-flags. */
export const TCP_FLAG_BITS: Readonly<Record<string, number>> = {
  FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16, URG: 32, ECE: 64, CWR: 128,
};
