// The names libpcap resolves through /etc/services, /etc/protocols and its own constant table,
// built in so a filter means the same on every machine. Ports carry the protocol Debian's
// netbase lists them under: `port http` is tcp only there, so it is tcp only here.

export interface ServicePort {
  port: number;
  /** undefined: listed for both tcp and udp */
  transport?: 'tcp' | 'udp';
}

export const SERVICES: Record<string, ServicePort> = {
  'ftp-data': { port: 20, transport: 'tcp' }, ftp: { port: 21, transport: 'tcp' }, ssh: { port: 22, transport: 'tcp' },
  telnet: { port: 23, transport: 'tcp' }, smtp: { port: 25, transport: 'tcp' }, mail: { port: 25, transport: 'tcp' },
  domain: { port: 53 }, bootps: { port: 67, transport: 'udp' }, bootpc: { port: 68, transport: 'udp' },
  tftp: { port: 69, transport: 'udp' }, gopher: { port: 70, transport: 'tcp' }, finger: { port: 79, transport: 'tcp' },
  http: { port: 80, transport: 'tcp' }, www: { port: 80, transport: 'tcp' }, kerberos: { port: 88 },
  pop3: { port: 110, transport: 'tcp' }, sunrpc: { port: 111 }, auth: { port: 113, transport: 'tcp' },
  nntp: { port: 119, transport: 'tcp' }, ntp: { port: 123, transport: 'udp' }, 'netbios-ns': { port: 137, transport: 'udp' },
  'netbios-dgm': { port: 138, transport: 'udp' }, 'netbios-ssn': { port: 139, transport: 'tcp' }, imap2: { port: 143, transport: 'tcp' },
  imap: { port: 143, transport: 'tcp' }, snmp: { port: 161 }, 'snmp-trap': { port: 162 }, bgp: { port: 179, transport: 'tcp' },
  ldap: { port: 389, transport: 'tcp' }, https: { port: 443 }, 'microsoft-ds': { port: 445, transport: 'tcp' },
  isakmp: { port: 500, transport: 'udp' }, syslog: { port: 514, transport: 'udp' }, submission: { port: 587, transport: 'tcp' },
  ldaps: { port: 636, transport: 'tcp' }, imaps: { port: 993, transport: 'tcp' }, pop3s: { port: 995, transport: 'tcp' },
  openvpn: { port: 1194 }, radius: { port: 1812 }, nfs: { port: 2049 }, mysql: { port: 3306, transport: 'tcp' },
  postgresql: { port: 5432, transport: 'tcp' }, 'sip': { port: 5060 }, 'x11': { port: 6000, transport: 'tcp' },
};

/** /etc/protocols (Debian netbase): names for `proto NAME` (`\tcp` escapes the keyword). */
export const IP_PROTOCOLS: Record<string, number> = {
  ip: 0, hopopt: 0, icmp: 1, igmp: 2, ggp: 3, ipencap: 4, st: 5, tcp: 6, egp: 8, igp: 9, pup: 12, udp: 17, hmp: 20,
  'xns-idp': 22, rdp: 27, 'iso-tp4': 29, dccp: 33, xtp: 36, ddp: 37, 'idpr-cmtp': 38, ipv6: 41, 'ipv6-route': 43,
  'ipv6-frag': 44, idrp: 45, rsvp: 46, gre: 47, esp: 50, ah: 51, skip: 57, 'ipv6-icmp': 58, 'ipv6-nonxt': 59,
  'ipv6-opts': 60, rspf: 73, vmtp: 81, eigrp: 88, ospf: 89, 'ax.25': 93, ipip: 94, etherip: 97, encap: 98, pim: 103,
  ipcomp: 108, vrrp: 112, l2tp: 115, isis: 124, sctp: 132, fc: 133, 'mobility-header': 135, udplite: 136,
  'mpls-in-ip': 137, manet: 138, hip: 139, shim6: 140, wesp: 141, rohc: 142, ethernet: 143,
  // libpcap's own aliases for `proto \icmp6` and friends
  icmp6: 58,
};

/** libpcap's names for `ether proto \NAME`. */
export const ETHER_TYPES: Record<string, number> = {
  ip: 0x0800, ip6: 0x86dd, arp: 0x0806, rarp: 0x8035, atalk: 0x809b, aarp: 0x80f3, decnet: 0x6003, lat: 0x6004,
  sca: 0x6007, moprc: 0x6002, mopdl: 0x6001,
};

/** The named constants of libpcap's arithmetic (tcpflags, tcp-syn, icmp-echoreply, icmp6type...). */
export const CONSTANTS: Record<string, number> = {
  icmptype: 0, icmpcode: 1, icmp6type: 0, icmp6code: 1, tcpflags: 13,
  'icmp-echoreply': 0, 'icmp-unreach': 3, 'icmp-sourcequench': 4, 'icmp-redirect': 5, 'icmp-echo': 8,
  'icmp-routeradvert': 9, 'icmp-routersolicit': 10, 'icmp-timxceed': 11, 'icmp-paramprob': 12, 'icmp-tstamp': 13,
  'icmp-tstampreply': 14, 'icmp-ireq': 15, 'icmp-ireqreply': 16, 'icmp-maskreq': 17, 'icmp-maskreply': 18,
  'icmp6-destinationunreach': 1, 'icmp6-packettoobig': 2, 'icmp6-timeexceeded': 3, 'icmp6-parameterproblem': 4,
  'icmp6-echo': 128, 'icmp6-echoreply': 129, 'icmp6-multicastlistenerquery': 130, 'icmp6-multicastlistenerreportv1': 131,
  'icmp6-multicastlistenerdone': 132, 'icmp6-routersolicit': 133, 'icmp6-routeradvert': 134, 'icmp6-neighborsolicit': 135,
  'icmp6-neighboradvert': 136, 'icmp6-redirect': 137, 'icmp6-routerrenum': 138, 'icmp6-nodeinformationquery': 139,
  'icmp6-nodeinformationresponse': 140, 'icmp6-ineighbordiscoverysolicit': 141, 'icmp6-ineighbordiscoveryadvert': 142,
  'icmp6-multicastlistenerreportv2': 143, 'icmp6-homeagentdiscoveryrequest': 144, 'icmp6-homeagentdiscoveryreply': 145,
  'icmp6-mobileprefixsolicit': 146, 'icmp6-mobileprefixadvert': 147, 'icmp6-certpathsolicit': 148,
  'icmp6-certpathadvert': 149, 'icmp6-multicastrouteradvert': 151, 'icmp6-multicastroutersolicit': 152,
  'icmp6-multicastrouterterm': 153,
  'tcp-fin': 0x01, 'tcp-syn': 0x02, 'tcp-rst': 0x04, 'tcp-push': 0x08, 'tcp-ack': 0x10, 'tcp-urg': 0x20,
  'tcp-ece': 0x40, 'tcp-cwr': 0x80,
};

/** libpcap keywords fibscope does not compile: named in a FilterUnsupportedError, not a syntax error. */
export const UNSUPPORTED_KEYWORDS = new Set([
  'gateway', 'broadcast', 'multicast', 'mpls', 'pppoed', 'pppoes', 'geneve', 'protochain', 'inbound', 'outbound',
  'ifname', 'on', 'rnr', 'rulenum', 'reason', 'rset', 'ruleset', 'srnr', 'subrulenum', 'action', 'wlan', 'type',
  'subtype', 'dir', 'ra', 'ta', 'addr1', 'addr2', 'addr3', 'addr4', 'atalk', 'aarp', 'decnet', 'lat', 'sca',
  'moprc', 'mopdl', 'iso', 'esis', 'es-is', 'isis', 'is-is', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp',
  'clnp', 'stp', 'ipx', 'netbeui', 'llc', 'fddi', 'tr', 'ah', 'esp', 'pim', 'vrrp', 'carp', 'igrp', 'hdlc',
  'lane', 'llc', 'metac', 'bcc', 'oam', 'oamf4', 'oamf5', 'sc', 'ilmic', 'connectmsg', 'metaconnect', 'vpi', 'vci',
  'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls', 'radio', 'ppp', 'slip', 'atm',
]);
