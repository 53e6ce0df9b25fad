// The path attributes of a RIB entry (RFC 6396 4.3.4 for TABLE_DUMP_V2, 4.2 for TABLE_DUMP),
// decoded with the BGP speaker's attribute decoders (src/bgp/message/attributes/) into what a
// route keeps of them, the same values the `bgpdump -m` reader (src/routes/bgpdump.ts) makes of
// bgpdump's text: the next hop, the MED (the route's metric), the AS path and the communities.
// A table repeats a few hundred thousand attribute sets over a million entries, so each distinct
// run of attribute bytes is decoded once (AttributeCache).
import { AttributeFlag, AttributeType } from '../bgp/message/constants.js';
import { Malformed, attributeName } from '../bgp/message/attributes/attribute.js';
import { decodeAsPath, formatAsPath, mergeAs4Path, type AsPathSegment } from '../bgp/message/attributes/as-path.js';
import { decodeCommunities, decodeLargeCommunities } from '../bgp/message/attributes/communities.js';
import { decodeMpReach } from '../bgp/message/attributes/multiprotocol.js';
import { decodeNextHop, decodeU32Attribute } from '../bgp/message/attributes/simple.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import { asAttributesOfPath } from '../routes/bgp-attributes.js';
import { canonicalNextHop } from '../routes/scan.js';
import type { AsAttributes } from '../routes/route.js';

/** What a route keeps of a RIB entry's attributes; shared by every entry with the same attribute bytes. */
export interface RibAttributes {
  /** NEXT_HOP for IPv4; MP_REACH_NLRI's next hop (the global one of a global and link-local pair); null when absent. */
  readonly nextHop4: string | null;
  readonly nextHop6: string | null;
  /** MULTI_EXIT_DISC, 0 when absent (as bgpdump prints it): the route's metric. */
  readonly med: number;
  readonly hasMed: boolean;
  readonly localPref: number | undefined;
  readonly as: AsAttributes;
  /** COMMUNITIES then LARGE_COMMUNITIES, as bgpdump prints them in one field; undefined when none. */
  readonly communities: readonly string[] | undefined;
}

export interface AttributeDecoding {
  /** 4 in TABLE_DUMP_V2 (RFC 6396 4.3.4: always 4-octet), 2 in TABLE_DUMP and BGP4MP_MESSAGE. */
  readonly asOctets: 2 | 4;
}

/**
 * Decodes the attributes in `bytes[start, end)`. Returns the reason, naming the attribute and its
 * offset from `start`, when they are malformed.
 */
export function decodeRibAttributes(bytes: Uint8Array, start: number, end: number, decoding: AttributeDecoding,
  asTexts: Map<string, AsAttributes>): RibAttributes | string {
  let asPath: AsPathSegment[] | undefined;
  let as4Path: AsPathSegment[] | undefined;
  let nextHop4: string | undefined;
  let nextHop6: string | undefined;
  let med: number | undefined;
  let localPref: number | undefined;
  let communities: string[] | undefined;
  let large: string[] | undefined;
  let i = start;
  while (i < end) {
    const at = i - start;
    if (end - i < 3) return `attribute header at offset ${at} of the attributes cut: ${end - i} bytes left`;
    const flags = bytes[i];
    const type = bytes[i + 1];
    const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    if (extended && end - i < 4) return `attribute header at offset ${at} of the attributes cut: ${end - i} bytes left`;
    const length = extended ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2];
    const valueStart = i + (extended ? 4 : 3);
    if (valueStart + length > end) {
      return `${attributeName(type)} at offset ${at} of the attributes says ${length} bytes, ${end - valueStart} are left`;
    }
    i = valueStart + length;
    let value: unknown;
    switch (type) {
      case AttributeType.AS_PATH: value = asPath = orUndefined(decodeAsPath('AS_PATH', bytes, valueStart, length, decoding.asOctets)); break;
      case AttributeType.AS4_PATH: value = as4Path = orUndefined(decodeAsPath('AS4_PATH', bytes, valueStart, length, 4)); break;
      case AttributeType.NEXT_HOP: value = nextHop4 = orUndefined(decodeNextHop(bytes, valueStart, length)); break;
      case AttributeType.MULTI_EXIT_DISC: value = med = orUndefined(decodeU32Attribute('MULTI_EXIT_DISC', bytes, valueStart, length)); break;
      case AttributeType.LOCAL_PREF: value = localPref = orUndefined(decodeU32Attribute('LOCAL_PREF', bytes, valueStart, length)); break;
      case AttributeType.COMMUNITIES: value = communities = orUndefined(decodeCommunities(bytes, valueStart, length)); break;
      case AttributeType.LARGE_COMMUNITIES: value = large = orUndefined(decodeLargeCommunities(bytes, valueStart, length)); break;
      case AttributeType.MP_REACH_NLRI: value = nextHop6 = orUndefined(mpReachNextHop(bytes, valueStart, length)); break;
      default: value = true; // ORIGIN, ATOMIC_AGGREGATE, AGGREGATOR and the rest: no route field holds them
    }
    if (value === undefined) return `${lastMalformed} (attribute at offset ${at} of the attributes)`;
  }
  // RFC 6793 4.2.3: a 2-octet path is completed by AS4_PATH; a 4-octet one needs none
  const segments = asPath === undefined ? [] : as4Path !== undefined && decoding.asOctets === 2 ? mergeAs4Path(asPath, as4Path) : asPath;
  const text = formatAsPath(segments);
  let as = asTexts.get(text);
  if (as === undefined) {
    const parsed = asAttributesOfPath(text);
    if (typeof parsed === 'string') return `AS_PATH '${text}': ${parsed}`;
    as = parsed;
    asTexts.set(text, as);
  }
  const all = communities && large ? communities.concat(large) : communities ?? large;
  return {
    nextHop4: nextHop4 ?? null, nextHop6: nextHop6 ?? null, med: med ?? 0, hasMed: med !== undefined, localPref, as,
    communities: all === undefined ? undefined : Object.freeze(all),
  };
}

/**
 * The next hop of a RIB entry's MP_REACH_NLRI: RFC 6396 4.3.4 keeps only the next hop length and
 * the next hop, but some writers keep the whole attribute (AFI, SAFI, ...), as bgpdump also reads.
 */
function mpReachNextHop(bytes: Uint8Array, start: number, length: number): string | Malformed {
  if (length >= 1 && bytes[start] === length - 1) return nextHopText(bytes, start + 1, length - 1);
  const full = decodeMpReach(bytes, start, length);
  if (full instanceof Malformed) return full;
  return full.family === null ? new Malformed(`MP_REACH_NLRI for AFI ${full.afi} SAFI ${full.safi}, not IPv4/IPv6 unicast`) : canonicalNextHop(full.nextHop);
}

function nextHopText(bytes: Uint8Array, start: number, length: number): string | Malformed {
  if (length === 4) return formatIPv4(((bytes[start] << 24) | (bytes[start + 1] << 16) | (bytes[start + 2] << 8) | bytes[start + 3]) >>> 0);
  if (length === 16 || length === 32) return formatIPv6(bytes, start); // global, then link-local: the global one
  return new Malformed(`MP_REACH_NLRI next hop of ${length} bytes (expected 4, 16 or 32)`);
}

let lastMalformed = '';
function orUndefined<T>(result: T | Malformed): T | undefined {
  if (result instanceof Malformed) {
    lastMalformed = result.reason;
    return undefined;
  }
  return result;
}

/**
 * Decoded attributes by their bytes: a 32-bit hash picks a chain, the bytes themselves confirm.
 * Lookups copy nothing; only a new attribute set keeps a copy of its bytes.
 */
export class AttributeCache {
  private readonly chains = new Map<number, CacheEntry>();
  readonly asTexts = new Map<string, AsAttributes>();

  constructor(private readonly decoding: AttributeDecoding) {}

  /** The attributes in `bytes[start, end)`, or the reason they are malformed. */
  get(bytes: Uint8Array, start: number, end: number): RibAttributes | string {
    let hash = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const first = this.chains.get(hash);
    for (let entry = first; entry !== undefined; entry = entry.next) {
      if (sameBytes(entry.bytes, bytes, start, end)) return entry.value;
    }
    const value = decodeRibAttributes(bytes, start, end, this.decoding, this.asTexts);
    if (typeof value !== 'string') this.chains.set(hash, { bytes: bytes.slice(start, end), value, next: first });
    return value;
  }
}

interface CacheEntry {
  readonly bytes: Uint8Array;
  readonly value: RibAttributes;
  readonly next: CacheEntry | undefined;
}

function sameBytes(kept: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  if (kept.length !== end - start) return false;
  for (let i = 0; i < kept.length; i++) if (kept[i] !== bytes[start + i]) return false;
  return true;
}
