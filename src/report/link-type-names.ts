// LINKTYPE_ names (tcpdump.org/linktypes.html) of the link types decoded and of common others
// (those of the shared test captures, checked against tcpdump's names), for people: reports and
// the demo print `104 (C_HDLC)`, others by number.

const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 8: 'SLIP', 9: 'PPP', 10: 'FDDI', 12: 'RAW', 14: 'RAW', 50: 'PPP_HDLC', 51: 'PPP_ETHER',
  100: 'ATM_RFC1483', 101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11', 106: 'ATM_CLIP', 107: 'FRELAY', 108: 'LOOP',
  113: 'LINUX_SLL', 117: 'PFLOG', 119: 'IEEE802_11_PRISM', 123: 'SUNATM', 127: 'IEEE802_11_RADIOTAP',
  129: 'ARCNET_LINUX', 132: 'JUNIPER_ES', 137: 'JUNIPER_ATM1', 163: 'IEEE802_11_AVS', 164: 'JUNIPER_MONITOR',
  178: 'JUNIPER_ETHER', 182: 'MFR', 189: 'USB_LINUX', 192: 'PPI', 195: 'IEEE802_15_4_WITHFCS', 220: 'USB_LINUX_MMAPPED',
  226: 'IPNET', 227: 'CAN_SOCKETCAN', 228: 'IPV4', 229: 'IPV6', 231: 'DBUS', 239: 'NFLOG', 242: 'IPOIB',
  249: 'USBPCAP', 253: 'NETLINK', 258: 'PKTAP', 271: 'VSOCK', 276: 'LINUX_SLL2', 281: 'DSA_TAG_BRCM',
  282: 'DSA_TAG_BRCM_PREPEND', 284: 'DSA_TAG_DSA', 285: 'DSA_TAG_EDSA',
};

/** `104 (C_HDLC)`, or the number alone when it has no name here. */
export function linkTypeName(linkType: number): string {
  const name = LINK_TYPE_NAMES[linkType];
  return name === undefined ? String(linkType) : `${linkType} (${name})`;
}
