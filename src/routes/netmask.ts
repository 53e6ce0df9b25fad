/**
 * `ADDRESS NETMASK` in the plain route format, as `route` and router configurations write a
 * prefix (`192.168.0.0 255.255.0.0`). assembly/routes/plain.ts hands such lines to the JavaScript
 * parser with the same test, so both agree on which second fields are masks.
 */

/**
 * Whether the dotted-quad value of a second field is meant as a netmask: any contiguous mask,
 * and anything starting 0. or 255., which no next hop does (so `255.0.255.0` is a bad mask, not a
 * next hop).
 */
export function looksLikeNetmask(value: number): boolean {
  const top = value >>> 24;
  return top === 0 || top === 255 || netmaskLength(value) >= 0;
}

/** The prefix length of a contiguous mask (ones, then zeros), or -1. */
export function netmaskLength(value: number): number {
  const hostBits = ~value >>> 0;
  // the host part is 2^k - 1 exactly when the mask is contiguous
  return (hostBits & (hostBits + 1)) === 0 ? Math.clz32(hostBits) : -1;
}

/** What scanDottedQuad read: the address, host order. */
export let scannedAddress = 0;

/**
 * Reads `a.b.c.d` from `text[start]`, stopping at `end` or the first character after it; returns
 * where it stopped (the address in `scannedAddress`), or -1 when there is none. No object per
 * call: plain tables have a million of these.
 */
export function scanDottedQuad(text: string, start: number, end: number): number {
  let i = start;
  let address = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= end || text.charCodeAt(i) !== 46 /* . */) return -1;
      i++;
    }
    const first = i;
    let value = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
      i++;
    }
    if (i === first || i - first > 3 || value > 255) return -1;
    address = address * 256 + value;
  }
  scannedAddress = address;
  return i;
}

/** `a.b.c.d` filling `text[start, end)` exactly, as a host-order number, or -1. */
export function parseDottedQuad(text: string, start: number, end: number): number {
  return scanDottedQuad(text, start, end) === end ? scannedAddress : -1;
}
