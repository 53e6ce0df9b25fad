// The path attributes of a RIB entry (RFC 6396 4.3.4 for TABLE_DUMP_V2, 4.2 for TABLE_DUMP),
// decoded with the BGP speaker's attribute decoders (src/bgp/message/attributes/) into what a
// route keeps of them, the same values the `bgpdump -m` reader (src/routes/bgpdump.ts) makes of
// bgpdump's text: the next hop, the MED (the route's metric), the AS path and the communities
// (LARGE_COMMUNITIES after COMMUNITIES, as live BGP routes keep them; bgpdump -m leaves them out).
//
// A full table is a million entries but only a few hundred thousand AS paths, a few thousand
// community lists and next hops: each distinct value's bytes are decoded once (ByteCache), and an
// entry costs a walk over its attribute headers and a few hash lookups, no objects.
import { AsPathSegmentType, AttributeFlag, AttributeType } from '../bgp/message/constants.js';
import { Malformed, attributeName } from '../bgp/message/attributes/attribute.js';
import { decodeAsPath, formatAsPath, mergeAs4Path, type AsPathSegment } from '../bgp/message/attributes/as-path.js';
import { decodeCommunities, decodeLargeCommunities } from '../bgp/message/attributes/communities.js';
import { decodeMpReach } from '../bgp/message/attributes/multiprotocol.js';
import { decodeU32Attribute } from '../bgp/message/attributes/simple.js';
import { formatIPv4, formatIPv6 } from '../net/address.js';
import type { AsAttributes } from '../routes/route.js';


/**
 * Reads the attributes of one entry after another; after `read`, the fields hold the entry's
 * values (shared objects: never change them).
 */
export class RibAttributeReader {
  /** NEXT_HOP; null when absent. */
  nextHop4: string | null = null;
  /** MP_REACH_NLRI's next hop (the global one of a global and link-local pair); null when absent. */
  nextHop6: string | null = null;
  /** MULTI_EXIT_DISC, 0 when absent (as bgpdump prints it): the route's metric. */
  med = 0;
  as: AsAttributes = EMPTY_PATH;
  /** COMMUNITIES then LARGE_COMMUNITIES; undefined when neither. */
  communities: readonly string[] | undefined;

  /** The attributes the fields hold: `bytes[lastStart, lastEnd)`; -1 when none. */
  private lastStart = -1;
  private lastEnd = -1;
  private readonly paths = new ByteCache<AsAttributes>();
  /** 2-octet paths only (TABLE_DUMP), for AS4_PATH to complete: the segments of each. */
  private readonly pathSegments = new Map<AsAttributes, AsPathSegment[]>();
  private readonly communityLists = new ByteCache<readonly string[]>();
  private readonly largeCommunityLists = new ByteCache<readonly string[]>();
  private readonly mpNextHops = new ByteCache<string>();
  private readonly ipv4NextHops = new AddressTexts();
  private readonly asTexts = new Map<string, AsAttributes>();
  private readonly bothCommunities = new Map<readonly string[], Map<readonly string[], readonly string[]>>();

  /** `asOctets`: 4 in TABLE_DUMP_V2 (RFC 6396 4.3.4: always 4-octet), 2 in TABLE_DUMP. */
  constructor(private readonly asOctets: 2 | 4) {}

  /**
   * Reads the attributes in `bytes[start, end)`; `bytes` must stay the same array for every call
   * (the caches point into it). Returns the reason, naming the attribute and its offset from
   * `start`, when they are malformed; undefined when read.
   */
  read(bytes: Uint8Array, start: number, end: number): string | undefined {
    // neighbouring prefixes of one origin often carry the very same attributes: then the fields already hold them
    const lastStart = this.lastStart;
    if (lastStart >= 0 && this.lastEnd - lastStart === end - start) {
      let k = 0;
      while (k < end - start && bytes[lastStart + k] === bytes[start + k]) k++;
      if (k === end - start) return undefined;
    }
    this.lastStart = -1;
    this.nextHop4 = null;
    this.nextHop6 = null;
    this.med = 0;
    let path: AsAttributes | undefined;
    let as4PathStart = -1;
    let as4PathLength = 0;
    let communities: readonly string[] | undefined;
    let large: readonly string[] | undefined;
    let i = start;
    while (i < end) {
      const flags = bytes[i];
      const headerLength = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0 ? 4 : 3;
      if (end - i < headerLength) return `attribute header at offset ${i - start} of the attributes cut: ${end - i} bytes left, ${headerLength} needed`;
      const type = bytes[i + 1];
      const length = headerLength === 4 ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2];
      const valueStart = i + headerLength;
      const valueEnd = valueStart + length;
      if (valueEnd > end) {
        return `${attributeName(type)} at offset ${i - start} of the attributes says ${length} bytes, ${end - valueStart} are left`;
      }
      const at = i - start;
      i = valueEnd;
      switch (type) {
        case AttributeType.NEXT_HOP: {
          if (length !== 4) return `NEXT_HOP length ${length}, expected 4 (attribute at offset ${at} of the attributes)`;
          this.nextHop4 = this.ipv4NextHops.text((bytes[valueStart] << 24) | (bytes[valueStart + 1] << 16) | (bytes[valueStart + 2] << 8) | bytes[valueStart + 3]);
          break;
        }
        case AttributeType.AS_PATH: {
          const cached = this.paths.get(bytes, valueStart, valueEnd, this.decodePath);
          if (cached instanceof Malformed) return `${cached.reason} (attribute at offset ${at} of the attributes)`;
          path = cached;
          break;
        }
        case AttributeType.AS4_PATH:
          as4PathStart = valueStart;
          as4PathLength = length;
          break;
        case AttributeType.MULTI_EXIT_DISC: {
          const med = decodeU32Attribute('MULTI_EXIT_DISC', bytes, valueStart, length);
          if (med instanceof Malformed) return `${med.reason} (attribute at offset ${at} of the attributes)`;
          this.med = med;
          break;
        }
        case AttributeType.COMMUNITIES: {
          const cached = this.communityLists.get(bytes, valueStart, valueEnd, frozenCommunities);
          if (cached instanceof Malformed) return `${cached.reason} (attribute at offset ${at} of the attributes)`;
          communities = cached;
          break;
        }
        case AttributeType.LARGE_COMMUNITIES: {
          const cached = this.largeCommunityLists.get(bytes, valueStart, valueEnd, frozenLargeCommunities);
          if (cached instanceof Malformed) return `${cached.reason} (attribute at offset ${at} of the attributes)`;
          large = cached;
          break;
        }
        case AttributeType.MP_REACH_NLRI: {
          const cached = this.mpNextHops.get(bytes, valueStart, valueEnd, mpReachNextHop);
          if (cached instanceof Malformed) return `${cached.reason} (attribute at offset ${at} of the attributes)`;
          this.nextHop6 = cached;
          break;
        }
        default: // ORIGIN, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR and the rest: no route field holds them
      }
    }
    this.as = path ?? EMPTY_PATH;
    // RFC 6793 4.2.3: a 2-octet path is completed by AS4_PATH; a 4-octet one needs none
    if (as4PathStart >= 0 && this.asOctets === 2 && path !== undefined) {
      const as4Path = decodeAsPath('AS4_PATH', bytes, as4PathStart, as4PathLength, 4);
      if (as4Path instanceof Malformed) return as4Path.reason;
      this.as = this.asAttributesOf(mergeAs4Path(this.pathSegments.get(path) ?? NO_SEGMENTS, as4Path));
    }
    this.communities = communities && large ? this.both(communities, large) : communities ?? large;
    this.lastStart = start;
    this.lastEnd = end;
    return undefined;
  }

  private readonly decodePath = (bytes: Uint8Array, start: number, end: number): AsAttributes | Malformed => {
    if (this.asOctets === 4) return decodeAs4Path(bytes, start, end);
    const segments = decodeAsPath('AS_PATH', bytes, start, end - start, this.asOctets);
    if (segments instanceof Malformed) return segments;
    // 2-octet paths: their segments are kept for AS4_PATH to complete
    const as = asAttributesOfSegments(segments);
    this.pathSegments.set(as, segments);
    return as;
  };

  /** A merged path: its text, interned (merges are few: 2-octet TABLE_DUMP records only). */
  private asAttributesOf(segments: readonly AsPathSegment[]): AsAttributes {
    const text = formatAsPath(segments);
    let as = this.asTexts.get(text);
    if (as === undefined) this.asTexts.set(text, as = asAttributesOfSegments(segments));
    return as;
  }

  private both(communities: readonly string[], large: readonly string[]): readonly string[] {
    let byLarge = this.bothCommunities.get(communities);
    if (byLarge === undefined) this.bothCommunities.set(communities, byLarge = new Map());
    let joined = byLarge.get(large);
    if (joined === undefined) byLarge.set(large, joined = Object.freeze(communities.concat(large)));
    return joined;
  }
}

export const EMPTY_PATH: AsAttributes = Object.freeze({ asPath: '' });

/** An AS_PATH of 4-octet AS numbers (TABLE_DUMP_V2's) as a route keeps it. */
export function decodeAs4Path(bytes: Uint8Array, start: number, end: number): AsAttributes | Malformed {
  const sequence = sequencePathOf(bytes, start, end);
  if (sequence !== undefined) return sequence;
  const segments = decodeAsPath('AS_PATH', bytes, start, end - start, 4);
  return segments instanceof Malformed ? segments : asAttributesOfSegments(segments);
}

/** Whether `bytes[start, end)` is one AS_SEQUENCE of 4-octet AS numbers filling it (as isSequencePath in assembly/mrt/rib-scan.ts). */
export function isSequencePath(bytes: Uint8Array, start: number, end: number): boolean {
  const count = end - start >= 2 ? bytes[start + 1] : 0;
  return count !== 0 && bytes[start] === AsPathSegmentType.AS_SEQUENCE && end - start === 2 + count * 4;
}

/** Decimal text of AS numbers, made once each: a table names some 70 000 ASes hundreds of thousands of times. */
const asnTexts = new Map<number, string>();
/** Scratch for the texts of one path's AS numbers. */
const pathWords: string[] = [];

/**
 * The common path, 4-octet and one AS_SEQUENCE segment filling the value, decoded without its
 * segments (a full table has some 300 000 of these): undefined for any other path, which
 * decodeAsPath reads (and words the error of, when it is malformed).
 */
function sequencePathOf(bytes: Uint8Array, start: number, end: number): AsAttributes | undefined {
  if (start === end) return EMPTY_PATH;
  if (!isSequencePath(bytes, start, end)) return undefined;
  const count = bytes[start + 1];
  let asn = 0;
  for (let k = 0, i = start + 2; k < count; k++, i += 4) {
    asn = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    let text = asnTexts.get(asn);
    if (text === undefined) asnTexts.set(asn, text = String(asn));
    pathWords[k] = text;
  }
  pathWords.length = count;
  return Object.freeze({ asPath: pathWords.join(' '), originAs: asn });
}

/** The text of IPv4 addresses (a table's next hops, a few hundred), by their 32 bits: open addressing on typed keys. */
class AddressTexts {
  private keys = new Int32Array(256);
  private texts: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
  private used = 0;
  private lastKey = 0;
  private lastText: string | undefined;

  /** `address`: the 32 bits as a signed number. */
  text(address: number): string {
    if (address === this.lastKey && this.lastText !== undefined) return this.lastText;
    const mask = this.keys.length - 1;
    let slot = (Math.imul(address, 0x9e3779b1) >>> 12) & mask;
    for (let text = this.texts[slot]; text !== undefined; slot = (slot + 1) & mask, text = this.texts[slot]) {
      if (this.keys[slot] === address) return this.remember(address, text);
    }
    const text = formatIPv4(address >>> 0);
    this.keys[slot] = address;
    this.texts[slot] = text;
    if (++this.used * 2 > this.keys.length) this.grow();
    return this.remember(address, text);
  }

  private remember(address: number, text: string): string {
    this.lastKey = address;
    this.lastText = text;
    return text;
  }

  private grow(): void {
    const keys = this.keys;
    const texts = this.texts;
    this.keys = new Int32Array(keys.length * 2);
    this.texts = new Array<string | undefined>(keys.length * 2).fill(undefined);
    this.used = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      const text = texts[slot];
      if (text === undefined) continue;
      const mask = this.keys.length - 1;
      let to = (Math.imul(keys[slot], 0x9e3779b1) >>> 12) & mask;
      while (this.texts[to] !== undefined) to = (to + 1) & mask;
      this.keys[to] = keys[slot];
      this.texts[to] = text;
      this.used++;
    }
  }
}
const NO_SEGMENTS: AsPathSegment[] = [];

/**
 * What `asAttributesOfPath` (src/routes/bgp-attributes.ts) makes of the path's bgpdump text, made
 * from the segments without parsing that text again: the origin is the last AS, or of a path
 * ending in a set (AS_SET, AS_CONFED_SET) of several, the first with all of them in `originAsSet`.
 */
function asAttributesOfSegments(segments: readonly AsPathSegment[]): AsAttributes {
  if (segments.length === 0) return EMPTY_PATH;
  const asPath = formatAsPath(segments);
  const last = segments[segments.length - 1];
  const isSet = last.type === AsPathSegmentType.AS_SET || last.type === AsPathSegmentType.AS_CONFED_SET;
  if (!isSet || last.asns.length === 1) return Object.freeze({ asPath, originAs: last.asns[last.asns.length - 1] });
  const set = Object.freeze(last.asns.slice());
  return Object.freeze({ asPath, originAs: set[0], originAsSet: set });
}

export function frozenCommunities(bytes: Uint8Array, start: number, end: number): readonly string[] | Malformed {
  const value = decodeCommunities(bytes, start, end - start);
  return value instanceof Malformed ? value : Object.freeze(value);
}

export function frozenLargeCommunities(bytes: Uint8Array, start: number, end: number): readonly string[] | Malformed {
  const value = decodeLargeCommunities(bytes, start, end - start);
  return value instanceof Malformed ? value : Object.freeze(value);
}

/**
 * The next hop of a RIB entry's MP_REACH_NLRI: RFC 6396 4.3.4 keeps only the next hop length and
 * the next hop, but some writers keep the whole attribute (AFI, SAFI, ...), as bgpdump also reads.
 */
export function mpReachNextHop(bytes: Uint8Array, start: number, end: number): string | Malformed {
  const length = end - start;
  if (length >= 1 && bytes[start] === length - 1) return nextHopText(bytes, start + 1, length - 1);
  const full = decodeMpReach(bytes, start, length);
  if (full instanceof Malformed) return full;
  return full.family === null ? new Malformed(`MP_REACH_NLRI for AFI ${full.afi} SAFI ${full.safi}, not IPv4/IPv6 unicast`) : full.nextHop;
}

function nextHopText(bytes: Uint8Array, start: number, length: number): string | Malformed {
  if (length === 4) return formatIPv4(((bytes[start] << 24) | (bytes[start + 1] << 16) | (bytes[start + 2] << 8) | bytes[start + 3]) >>> 0);
  if (length === 16 || length === 32) return formatIPv6(bytes, start); // global, then link-local: the global one
  return new Malformed(`MP_REACH_NLRI next hop of ${length} bytes (expected 4, 16 or 32)`);
}

/**
 * Decoded values by their bytes: open addressing on a 32-bit hash of them, the bytes confirming a
 * match. An entry points into the array being read (one array per reader), so nothing is copied,
 * and entries live in a few flat arrays rather than an object each (a table has 10^5-10^6 paths).
 * A value that does not decode (Malformed) is not kept.
 */
class ByteCache<T> {
  /** Entry index + 1 by slot; 0 is free. */
  private slots = new Int32Array(1024);
  /** Per entry, 3 i32: the hash of its bytes, where they start and where they end. */
  private entries = new Int32Array(3 * 256);
  private values: T[] = [];
  /** The entry found or added last; -1 before any. */
  private last = -1;

  get(bytes: Uint8Array, start: number, end: number, decode: (bytes: Uint8Array, start: number, end: number) => T | Malformed): T | Malformed {
    const length = end - start;
    const entries = this.entries;
    // neighbouring entries often share a value: the last one found is tried first, without hashing
    const last = this.last;
    if (last >= 0 && entries[last * 3 + 2] - entries[last * 3 + 1] === length) {
      const kept = entries[last * 3 + 1];
      let k = 0;
      while (k < length && bytes[kept + k] === bytes[start + k]) k++;
      if (k === length) return this.values[last];
    }
    let hash = 0x811c9dc5 ^ length;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const slots = this.slots;
    const mask = slots.length - 1;
    let slot = hash & mask;
    for (let entry = slots[slot]; entry !== 0; slot = (slot + 1) & mask, entry = slots[slot]) {
      const n = entry - 1;
      if (entries[n * 3] !== hash) continue;
      const kept = entries[n * 3 + 1];
      if (entries[n * 3 + 2] - kept !== length) continue;
      let k = 0;
      while (k < length && bytes[kept + k] === bytes[start + k]) k++;
      if (k === length) {
        this.last = n;
        return this.values[n];
      }
    }
    const value = decode(bytes, start, end);
    if (value instanceof Malformed) return value;
    const n = this.values.length;
    if ((n + 1) * 3 > entries.length) {
      this.entries = new Int32Array(entries.length * 2);
      this.entries.set(entries);
    }
    this.entries[n * 3] = hash;
    this.entries[n * 3 + 1] = start;
    this.entries[n * 3 + 2] = end;
    this.values.push(value);
    slots[slot] = n + 1;
    this.last = n;
    if ((n + 1) * 2 > slots.length) this.grow();
    return value;
  }

  private grow(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let n = 0; n < this.values.length; n++) {
      let slot = this.entries[n * 3] & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = n + 1;
    }
    this.slots = slots;
  }
}
