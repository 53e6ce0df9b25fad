// LINKTYPE_ names (tcpdump.org's list) of the link types a capture may carry, for people: the
// demo's inputs table prints `1 (EN10MB)`, others by number.

const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'EN10MB', 9: 'PPP', 12: 'RAW', 14: 'RAW', 50: 'PPP_HDLC', 101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11',
  108: 'LOOP', 113: 'LINUX_SLL', 127: 'IEEE802_11_RADIOTAP', 192: 'PPI', 228: 'IPV4', 229: 'IPV6', 276: 'LINUX_SLL2',
};

/** `1 (EN10MB)`, or the number alone when the name is unknown. */
export function linkTypeName(linkType: number): string {
  const name = LINK_TYPE_NAMES[linkType];
  return name === undefined ? String(linkType) : `${linkType} (${name})`;
}
