// The link types the filter compiles for, with the offsets libpcap's gencode gives them
// (off_linktype: where the protocol type sits; off_linkpl: where the network header starts).

export type LinkFamily = 'ethernet' | 'sll' | 'sll2' | 'null' | 'loop' | 'raw' | 'ipv4' | 'ipv6' | 'ppp' | 'chdlc';

export interface LinkLayout {
  /** the pcap LINKTYPE_ values that share this layout */
  linkTypes: number[];
  /** libpcap's description, for its refusal messages */
  description: string;
  family: LinkFamily;
  /** offset of the protocol type field, undefined when there is none */
  typeAt: number | undefined;
  /** offset of the network-layer header */
  payloadAt: number;
}

export const LINK_LAYOUTS: LinkLayout[] = [
  { linkTypes: [1], description: 'Ethernet', family: 'ethernet', typeAt: 12, payloadAt: 14 },
  { linkTypes: [113], description: 'Linux cooked v1', family: 'sll', typeAt: 14, payloadAt: 16 },
  { linkTypes: [276], description: 'Linux cooked v2', family: 'sll2', typeAt: 0, payloadAt: 20 },
  { linkTypes: [0], description: 'BSD loopback', family: 'null', typeAt: 0, payloadAt: 4 },
  { linkTypes: [108], description: 'OpenBSD loopback', family: 'loop', typeAt: 0, payloadAt: 4 },
  { linkTypes: [101, 12, 14], description: 'Raw IP', family: 'raw', typeAt: undefined, payloadAt: 0 },
  { linkTypes: [228], description: 'Raw IPv4', family: 'ipv4', typeAt: undefined, payloadAt: 0 },
  { linkTypes: [229], description: 'Raw IPv6', family: 'ipv6', typeAt: undefined, payloadAt: 0 },
  { linkTypes: [9], description: 'PPP', family: 'ppp', typeAt: 2, payloadAt: 4 },
  { linkTypes: [50], description: 'PPP over serial', family: 'ppp', typeAt: 2, payloadAt: 4 },
  { linkTypes: [104], description: 'Cisco HDLC', family: 'chdlc', typeAt: 2, payloadAt: 4 },
];

/** Every LINKTYPE_ value the compiled filter knows; frames of any other type never match. */
export const FILTER_LINK_TYPES: number[] = LINK_LAYOUTS.flatMap((l) => l.linkTypes);
